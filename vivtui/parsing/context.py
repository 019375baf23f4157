"""What a parser needs besides the line itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo


@dataclass(frozen=True, slots=True)
class ParseContext:
    """``zone`` is given to naive timestamps (None: the host's local zone).

    ``read_time`` stamps lines of files that carry no time (kernel_run.log):
    a live line's time is when it was read; lines of the backlog get None.
    """

    zone: tzinfo | None = None
    read_time: datetime | None = None
