"""How long filtering and searching a pane's whole history takes (the buffer's newest rows).

    python benchmarks/filter.py [--rows 50000]
"""

from __future__ import annotations

import argparse
import time
from datetime import timezone

import orjson

from vivtui.parsing import actions
from vivtui.parsing.context import ParseContext
from vivtui.store.buffer import RecordBuffer
from vivtui.store.filters import FilterSet, compile_pattern
from vivtui.store.rows import FilteredRows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    ctx = ParseContext(timezone.utc)
    buffer = RecordBuffer(args.rows)
    buffer.extend([actions.parse(orjson.dumps({
        "timestamp": "2026-02-03T05:44:03.267+00:00", "actor": f"Beam-{i % 97}",
        "action_type": ("TOOL", "API", "ERROR", "SAFETY")[i % 4], "action": "write_file",
        "detail": f"seq={i:08d} app/gut_check.py (+12 lines) " + "x" * (i % 180)}), i, i, ctx)
        for i in range(args.rows)])

    def describe(record):
        return record.line_text, record.category, record.severity

    for label, filters in (
        ("filter in 'Beam-1\\d'", FilterSet([compile_pattern("Beam-1\\d")])),
        ("filter out '!TOOL'", FilterSet([compile_pattern("!TOOL", allow_invert=True)])),
        ("minimum severity error", FilterSet(min_severity="error")),
    ):
        start = time.perf_counter()
        rows = FilteredRows(buffer, describe, filters)
        rows.rebuild()
        elapsed = time.perf_counter() - start
        print(f"{label:<28} {len(rows):>7} of {len(buffer)} rows in {elapsed * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
