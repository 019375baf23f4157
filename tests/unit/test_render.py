"""How a record's place in its file is written, before and after its line is known."""

from __future__ import annotations

from vivtui.export import record_json
from vivtui.parsing.record import malformed
from vivtui.ui import render


def test_a_line_not_counted_yet_is_written_as_unknown_not_as_zero():
    assert render.line_number(12) == "12" and render.line_number(0) == "?"
    tail_row = malformed("actions", 0, 5_000_000, "oops", "not JSON")
    assert "action_log.jsonl:? not JSON" in render.malformed_row(tail_row, 120,
                                                                  "action_log.jsonl").plain
    assert record_json(tail_row, "action_log.jsonl")["_line"] is None
    counted = malformed("actions", 7, 5_000_000, "oops", "not JSON")
    assert record_json(counted, "action_log.jsonl")["_line"] == 7
