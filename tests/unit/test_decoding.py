"""A line that is not UTF-8 is read as Windows-1252, where Vivarium's runs
were written; a UTF-8 line is read as before. A text line's byte order mark
and trailing CR are not part of it."""

from __future__ import annotations

import unicodedata

from vivtui.parsing.kinds import LineParser, sniff, spec_for_name
from vivtui.sources.decoding import is_utf8, lines_text, text_of
from vivtui.summary import collect, render_text


def test_windows_1252_bytes_read_as_their_characters():
    assert text_of(b"Add retry \x97 handle \x93429\x94s, caf\xe9") == (
        "Add retry \u2014 handle \u201c429\u201ds, caf\u00e9")


def test_a_utf8_line_is_read_as_utf8_and_any_other_wholly_as_windows_1252():
    assert text_of("caf\u00e9 \u2014 ok".encode()) == "caf\u00e9 \u2014 ok"
    # (A line is written in one encoding: one that is not UTF-8 is not read as part UTF-8.)
    assert text_of(b"mixed \xc3\xa9 and \xe9") == "mixed \u00c3\u00a9 and \u00e9"
    text, lines = lines_text([b"ok", "caf\u00e9".encode(), b"r\xe9sum\xe9", b""])
    assert lines == ["ok", "caf\u00e9", "r\u00e9sum\u00e9", ""] and text == "\n".join(lines)
    assert is_utf8("caf\u00e9".encode()) and is_utf8(b"plain")
    assert not is_utf8(b"caf\xe9")


def test_no_byte_becomes_a_control_character():
    for byte in range(0x80, 0x100):
        char = text_of(bytes([byte]))
        assert len(char) == 1 and unicodedata.category(char) != "Cc", hex(byte)
    assert text_of(b"\x81\x8d\x8f\x90\x9d") == "\ufffd" * 5  # unassigned there


def test_kernel_lines_and_json_strings_of_a_windows_run():
    kernel = LineParser(spec_for_name("kernel_run.log")).parse(
        [(1, 0, b"BLOCKED: Attempt to write to protected file: r\xe9sum\xe9.py")])
    assert kernel[0].summary.endswith("r\u00e9sum\u00e9.py") and kernel[0].category == "blocked"
    tasks = LineParser(spec_for_name("execution_log.jsonl")).parse(
        [(1, 0, b'{"task_id": "t-1", "status": "failed", "errors": "bad \x93quote\x94"}')])
    assert not tasks[0].malformed and tasks[0].fields["errors"] == "bad \u201cquote\u201d"


def test_the_summary_names_what_a_windows_kernel_log_blocked(tmp_path):
    (tmp_path / "kernel_run.log").write_bytes(
        b"[1] START: Fix the caf\xe9 \x97 now\n"
        b"BLOCKED: Attempt to write to protected file: r\xe9sum\xe9.py\n")
    text = render_text(*collect(tmp_path))
    assert "r\u00e9sum\u00e9.py" in text and "\ufffd" not in text


def test_a_byte_order_mark_and_crs_are_no_part_of_a_text_line():
    kernel = LineParser(spec_for_name("kernel_run.log")).parse(
        [(1, 0, b"\xef\xbb\xbfTraceback (most recent call last):\r"), (2, 38, b"[1] DONE (5s)\r")])
    assert kernel[0].raw == "Traceback (most recent call last):" and kernel[0].category == "error"
    assert kernel[1].raw == "[1] DONE (5s)"
    head = b"\xef\xbb\xbfTue 11:05:23 | Beam-31      | TOOL     | write_file     | x\r\n"
    assert sniff(head).name == "action_log.log"
    parser = LineParser(sniff(head))
    entry, = list(parser.parse([(1, 0, head.rstrip(b"\n"))])) + parser.flush()
    assert entry.fields["actor"] == "Beam-31" and entry.category == "TOOL"
