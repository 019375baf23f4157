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


def test_bidi_zero_width_and_tag_characters_are_shown_as_placeholders():
    from vivtui.safetext import clean, one_line
    hostile = "invoice\u202egpj.exe zero\u200bwidth tag\U000e0041 bom\ufeff"
    for shown in (one_line(hostile), clean(hostile), render.safe(hostile)):
        assert "\u202e" not in shown and "\u200b" not in shown and "\U000e0041" not in shown
        assert "⟨U+202E⟩" in shown and "⟨U+200B⟩" in shown and "⟨U+E0041⟩" in shown
        assert "⟨U+FEFF⟩" in shown
    assert one_line("plain ascii") == "plain ascii" and one_line("café") == "café"


def test_dates_are_shown_when_a_run_spans_days():
    from datetime import datetime, timezone
    ts = datetime(2026, 2, 3, 5, 44, 3, tzinfo=timezone.utc)
    assert render.clock(ts, timezone.utc) == "05:44:03"
    assert render.clock(ts, timezone.utc, dated=True) == "02-03 05:44:03"
    assert render.clock(None, timezone.utc, dated=True) == "--.-- --:--:--"
