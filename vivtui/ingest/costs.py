"""What reading a file to its end costs, relative to the action log's bytes:
to share a run's files out among processes (``split_read``), and to give
the costliest backlog the first turn at another process (``turns``).

Measured with ``vivtui summary`` on each file of a big run; the queue's and
the sessions' scaled since by their drop in instructions per line
(``benchmarks/line_instructions.py``). ("text": the action log's text form,
entries assembled across lines.)
"""

from __future__ import annotations

from pathlib import Path

from vivtui.parsing.kinds import FileSpec
from vivtui.sources.regular import size_of

COST_PER_BYTE = {"actions": 1.0, "api": 2.0, "tasks": 3.5, "sessions": 4.2, "kernel": 5.5,
                 "text": 10.0}
OTHER_COST_PER_BYTE = 4.0


def cost_of(spec: FileSpec, path: Path) -> float:
    """Reading ``path`` (a file of ``spec``) now, in the action log's bytes."""
    kind = "text" if spec.assembled else spec.kind
    return size_of(path) * COST_PER_BYTE.get(kind, OTHER_COST_PER_BYTE)
