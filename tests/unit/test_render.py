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


SECRETS = {
    "AKIAIOSFODNN7EXAMPLE": "AKIA…[redacted]",
    "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCY": "aws_secret_access_key=…[redacted]",
    "xoxb-123456789012-abcdefghij": "xoxb-…[redacted]",
    "Authorization: Bearer abcdef0123456789abcdef": "Authorization: Bearer …[redacted]",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N": "eyJ…[redacted]",
    '{"api_key": "abcd1234efgh5678"}': '{"api_key": "…[redacted]"}',
    "password=hunter22": "password=…[redacted]",
    "hf_abcdefghijklmnopqrstuvwx": "hf_…[redacted]",
    "sk_live_51Habcdefghijklmn": "sk_live_…[redacted]",
    "glpat-abcdefghijklmnopqrst": "glpat-…[redacted]",
    "https://user:s3cr3tpw@example.com/x": "https://user:…[redacted]@example.com/x",
    "key was my_gsk_abcdefghijklmnop": "key was my_gsk_…[redacted]",
}


def test_secrets_of_many_shapes_are_masked_and_ordinary_text_is_not():
    from vivtui.safetext import redact, shareable
    for secret, masked in SECRETS.items():
        assert redact(secret) == masked
        assert render.safe(secret) == masked
    for ordinary in ("GROQ_API_KEY not found. Set it via environment variable",
                     '"blocked_reason": null', "token: null", "1234 tokens | $0.0021",
                     "see https://console.groq.com/keys",
                     '"input_tokens": 4000, "output_tokens": 1234'):
        assert redact(ordinary) == ordinary
    assert shareable("k=1 \x1b]0;t\x07 sk-ant-abcdefghijkl") == "k=1 \ufffd]0;t\ufffd sk-ant-…[redacted]"


def test_a_long_text_is_masked_a_piece_at_a_time_as_it_is_whole():
    """A call holds the GIL: a save's 20 MB line froze the screen 5.4 s."""
    import random

    from vivtui import safetext
    pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIE" + "ab" * 20 + "\n-----END RSA PRIVATE KEY-----"
    shapes = [*SECRETS, pem, "token  abcdefghijklmnop", "secret: 'abcd1234'", "x" * 30, " ",
              "\n", "password=" + "p" * 90]  # (its value longer than the reach)
    for seed in range(300):
        rng = random.Random(seed)
        text = "".join(rng.choice(shapes) + rng.choice(["", " ", "\n", "a", '"', "-"])
                       for _ in range(rng.randrange(0, 60)))
        for piece, reach in ((7, 60), (64, 60), (1, 60), (500, 80)):
            assert safetext._redacted_in_pieces(text, piece, reach) == \
                safetext._SECRET.sub(safetext._mask, text), (seed, piece)
    calls = []
    real = safetext._SECRET
    huge = "password=hunter22 " + "x " * (10 * safetext.REDACT_PIECE)

    class Counted:
        def __getattr__(self, name):
            method = getattr(real, name)
            return lambda text, *where: calls.append(where) or method(text, *where)

    safetext._SECRET = Counted()
    try:
        masked = safetext.redact(huge)
    finally:
        safetext._SECRET = real
    assert masked == real.sub(safetext._mask, huge) and "hunter22" not in masked
    assert len(calls) > 20 and all(where and where[-1] - where[0] <= safetext.REDACT_PIECE
                                   + safetext.REDACT_REACH for where in calls if len(where) == 2)


def test_show_secrets_reveals_them():
    from vivtui.safetext import redact, reveal_secrets
    assert render.safe("password=hunter22") == "password=…[redacted]"  # (looked up since)
    reveal_secrets(True)
    try:
        assert redact("password=hunter22") == "password=hunter22"
        assert render.safe("password=hunter22") == "password=hunter22"
    finally:
        reveal_secrets(False)
    assert render.safe("password=hunter22") == "password=…[redacted]"


def test_a_line_seen_before_is_made_safe_as_it_was_the_first_time():
    from vivtui import safetext
    lines = ["llama-3.3-70b", "a\x1b[31mred\nline", "token=sk-abcdefghijklmnop",
             "x" * (safetext.SEEN_LINE_LONGEST + 1)]
    first = [render.safe(line) for line in lines]
    assert first[1] == "a\ufffd[31mred line" and "sk-abcdefghijklmnop" not in first[2]
    assert [render.safe(line) for line in lines] == first  # looked up, or made again
    assert lines[3] not in safetext._SEEN_LINES  # long ones are not kept
    for n in range(safetext.SEEN_LINES_MOST + 10):  # kept at most so many
        render.safe(f"worker-{n}")
    assert len(safetext._SEEN_LINES) <= safetext.SEEN_LINES_MOST


def test_saved_rows_are_masked_and_private(tmp_path):
    import orjson

    from vivtui.export import write_records
    from vivtui.parsing.record import make
    record = make("api", 3, 0, None, None, "error", "API_CALL_FAILURE",
                  {"error": "bad key gsk_abcdefghijklmnop", "detail": "\x1b[2J"})
    path = tmp_path / "out.jsonl"
    assert write_records(path, [(record, "api_audit.log")]) == 1
    saved = orjson.loads(path.read_bytes())
    assert saved["error"] == "bad key gsk_…[redacted]" and saved["detail"] == "\x1b[2J"
    assert b"\x1b" not in path.read_bytes()  # JSON-escaped, never raw
    assert path.stat().st_mode & 0o777 == 0o600


def test_wide_characters_keep_columns_aligned():
    from rich.cells import cell_len
    for value in ("日本語のタスク名前です", "🚀🚀 launch", "plain", "é"):
        for width in (4, 9, 12):
            assert cell_len(render.fit(value, width)) == width
    import orjson

    from vivtui.parsing import actions
    from vivtui.parsing.context import ParseContext
    wide = actions.parse(orjson.dumps({"actor": "日本語の名前", "action_type": "TOOL",
                                       "action": "🚀 launch", "detail": "d"}), 1, 0,
                         ParseContext(None))
    plain = actions.parse(orjson.dumps({"actor": "Beam", "action_type": "TOOL",
                                        "action": "launch", "detail": "d"}), 1, 0,
                          ParseContext(None))
    # The detail starts in the same column whatever the actor and action hold.
    for width in (80, 120):
        wide_row, plain_row = render.action_row(wide, width), render.action_row(plain, width)
        assert cell_len(wide_row.plain) == cell_len(plain_row.plain) == width
        assert cell_len(wide_row.plain[:wide_row.plain.rindex(" d")]) == \
            cell_len(plain_row.plain[:plain_row.plain.rindex(" d")])


def test_kernel_line_numbers_are_shown_whole_and_unknown_ones_blank():
    from datetime import timezone

    from vivtui.parsing import kernel
    from vivtui.parsing.context import ParseContext

    ctx = ParseContext(timezone.utc)
    big = render.kernel_row(kernel.parse(b"[1] DONE (5s) - 1 files", 1_234_567, 0, ctx), 80)
    assert big.plain.startswith("1234567 [1] DONE")  # seven digits, not cut to "12345…"
    unknown = render.kernel_row(kernel.parse(b"[1] DONE", 0, 0, ctx), 80)
    assert unknown.plain.startswith("       [1] DONE")  # history not indexed yet: no number


def test_a_long_line_is_previewed_from_its_start_as_the_whole_would_be(monkeypatch):
    # A 30 MB line was redacted and cleaned whole (4 s on the screen's
    # thread) to show its first 600 characters.
    from vivtui import safetext
    limit, margin = 600, safetext.PREVIEW_MARGIN
    texts = [
        "y" * 5_000_000,
        "x" * 590 + " api_key=" + "S" * 3000,  # a secret cut where the reading stops
        "x" * 590 + " eyJ" + "a" * 30 + "." + "b" * 30 + "." + "c" * 1500,
        "x " * 700 + "Bearer " + "T" * 4000,
        "\n" * 1600 + "api_key=" + "S" * 100 + " tail" * 1000,  # breaks collapse: read on
        "\t\n" * 20_000 + "sk-" + "K" * 30 + " end" * 500,
    ]
    for text in texts:
        assert safetext.preview(text, limit) == safetext.one_line(safetext.redact(text), limit)
    seen = []
    real_redact = safetext.redact
    monkeypatch.setattr(safetext, "redact", lambda text: seen.append(len(text)) or
                        real_redact(text))
    assert safetext.preview("y" * 5_000_000, limit) == "y" * (limit - 1) + "…"
    assert max(seen) <= limit + margin
    del seen[:]
    assert safetext.preview("\n" * 10_000_000, limit) == " …"  # read on, up to a bound
    assert max(seen) <= safetext.PREVIEW_MOST


def test_the_inspector_shows_a_huge_value_s_start_and_copies_what_a_terminal_takes():
    # Made safe and cut into rows on the screen's thread: a 20 MB field froze it 1.6 s.
    from vivtui.ui.clipboard import COPY_MOST, copied, first_lines
    from vivtui.ui.inspector import tree_lines
    most = 100_000  # (the inspector's: SHOWN_MOST)
    huge = "E" * (3 * most) + " password=hunter22"
    fields = {"task_id": "t1", "errors": huge, "nested": {"more": huge}}
    shown = list(tree_lines(fields, most=most))
    body = "\n".join(line for line, _, _ in shown)
    assert len(body) < 2 * most + 1000  # each value's first ``most``
    assert body.count(f"… {2 * most + 18:,} more characters not shown") == 2
    assert "task_id: t1" in body and "hunter22" not in body
    # What `c` copies (``InspectorScreen.text_for_copy``): as far as a terminal takes it.
    data, said = copied("\n".join(first_lines(line for line, _, _ in tree_lines(
        fields, most=COPY_MOST))))
    assert data.count(huge.replace(" password=hunter22", " password=…[redacted]")) == 1
    assert "hunter22" not in data and said.startswith("copied the first")


def test_a_wrapped_status_line_keeps_each_mark_with_its_figure():
    # Wrapped at any space, the status line at 80 columns ended one line
    # with "⚑" and began the next with its number.
    from rich.text import Text

    from vivtui.ui.textline import _lines_of
    status = (" live  files 6/7 (1 waiting)  ✗ 5  ⚠ 36  malformed 1  $ $0.4477 (Nova-22 38%)"
              "  ⚑ 12  ● following")
    head = " Actions  rows 17 errors 6 warnings 3  ⏸ paused · 0 new · G to follow"
    overview = ("          12-02 23:07–23:08  events 205  failures 3  spend $0.4477  tokens 68,635"
                "   bins of 1 min, [ ] move, T filters every pane")
    for plain in (status, overview, head):
        for width in range(30, len(plain) + 1):
            lines = [line.plain for line in _lines_of(Text(plain), width, 99)]
            assert all(len(line) <= width for line in lines)
            assert " ".join(lines).split() == plain.split()  # nothing lost, in order
            for line in lines[:-1]:
                assert line.split()[-1] not in "✗⚠$⚑●⏸·"  # no line ends with a lone mark
            assert not any(line[:1].isdigit() for line in lines[1:])  # nor starts with a figure
    assert [line.plain for line in _lines_of(Text(overview), 80, 3)] == [
        "          12-02 23:07–23:08  events 205  failures 3  spend $0.4477",  # items whole
        "tokens 68,635   bins of 1 min, [ ] move, T filters every pane"]


def test_a_head_names_its_first_counts_and_how_many_more():
    # 200k statuses, one a task, made a head of megabytes, wrapped at every draw.
    from vivtui.ui import heads, styles
    items = [(f"S{n:06d}", 1, styles.PLAIN) for n in range(50)]
    head = heads.counts("Queue 50 tasks", items).plain
    assert head.count(" 1") == heads.COUNTS_MOST >= 15  # FORMATS.md's statuses fit
    assert "S000019 1" in head and "S000020" not in head and head.endswith("+30 more")
    assert heads.counts("Sessions", items[:5]).plain.endswith("S000004 1")


def test_a_heads_names_of_several_words_are_never_parted():
    # At 80 columns the audit pane's head ended one line with "rate" and
    # began the next with "limited 0".
    from vivtui.ui import heads, styles
    from vivtui.ui.textline import _lines_of
    names = ["failed", "refused", "task budget", "rate limited", "violations"]
    head = heads.counts("Failures and budget events  B blocks",
                        [(name, 0, styles.PLAIN) for name in names])
    assert head.plain.replace(heads.NO_BREAK, " ").endswith("rate limited 0 violations 0")
    for width in range(30, len(head.plain) + 1):
        lines = [line.plain for line in _lines_of(head, width, 99)]
        assert not any(line.endswith(("task", "rate")) for line in lines)
        assert " ".join(lines).replace(heads.NO_BREAK, " ").split() == (
            head.plain.replace(heads.NO_BREAK, " ").split())


def test_only_the_lines_shown_are_looked_for():
    from rich.text import Text

    from vivtui.ui.textline import _lines_of
    long = Text(" ".join(f"word{n}" for n in range(100_000)))
    lines = _lines_of(long, 40, 3)
    assert len(lines) == 4 and all(line.cell_len <= 40 for line in lines[:3])
    assert " ".join(line.plain for line in lines) == long.plain  # the rest, as it is


def test_a_problem_row_reads_no_more_of_its_summary_than_a_preview_does(monkeypatch):
    # A 20 MB summary was copied twice at each draw (8.6 ms a row).
    import orjson

    from vivtui.parsing import api_audit, record
    from vivtui.parsing.context import ParseContext
    from vivtui.safetext import PREVIEW_MOST

    taken = []

    class Summary(str):
        def __getitem__(self, index):
            taken.append(len(str.__getitem__(self, index)))
            return str.__getitem__(self, index)

    real = record.SUMMARIZERS[api_audit.KIND]
    monkeypatch.setitem(record.SUMMARIZERS, api_audit.KIND, lambda row: Summary(real(row)))
    line = orjson.dumps({"event": "API_CALL_FAILURE", "error": "password=hunter22 " + "y" * 900_000})
    row = api_audit.parse(line, 1, 0, ParseContext(None))
    shown = render.problem_row(row, 120).plain
    assert taken and max(taken) <= PREVIEW_MOST
    assert "API_CALL_FAILURE" in shown and "error=password=…[redacted] yyy" in shown


def test_the_time_strip_s_bin_says_its_year_when_it_is_not_this_one():
    # An old copied run's "12-04 19:25" read as this December's.
    from datetime import UTC, datetime

    from vivtui.store.timebins import Bins
    from vivtui.ui.timestrip import Strip, strip_text
    first = int(datetime(2025, 12, 4, 19, 25, tzinfo=UTC).timestamp()) // 60
    strip = Strip(*(Bins(first, 1, [1.0, 2.0]) for _ in range(4)))
    this_year = datetime(2025, 12, 31, 23, 0, tzinfo=UTC)
    assert "12-04 19:26–19:27" in strip_text(strip, 1, UTC, this_year).plain
    assert "2025-12-04 19:26–19:27" not in strip_text(strip, 1, UTC, this_year).plain
    next_year = datetime(2026, 1, 1, 0, 30, tzinfo=UTC)
    assert "2025-12-04 19:26–19:27" in strip_text(strip, 1, UTC, next_year).plain
    assert render.minute(datetime(2026, 1, 1, 0, 30, tzinfo=UTC), UTC, next_year) \
        == "01-01 00:30"


def test_a_time_strip_bin_of_days_says_the_day_it_ends():
    # A run of ten months binned by the week read "12-03 00:00–00:00".
    from datetime import UTC, datetime

    from vivtui.store.timebins import Bins
    from vivtui.ui.timestrip import Strip, strip_text
    first = int(datetime(2026, 11, 26, tzinfo=UTC).timestamp()) // 60
    strip = Strip(*(Bins(first, 7 * 24 * 60, [1.0, 2.0]) for _ in range(4)))
    now = datetime(2026, 12, 4, tzinfo=UTC)
    assert "12-03 00:00–12-10 00:00" in strip_text(strip, 1, UTC, now).plain
