"""A big record's object and summary, made once while it is looked at."""

from __future__ import annotations

import orjson

from vivtui.parsing import actions, jsonline, record
from vivtui.parsing.context import ParseContext
from vivtui.parsing.recent_big import BIG, RecentBig


def _action(line: int, detail: str) -> record.Record:
    data = orjson.dumps({"action_type": "ERROR", "action": "x", "detail": detail})
    return actions.parse(data, line, 0, ParseContext(None))


def test_a_big_rows_object_and_summary_are_made_once(monkeypatch):
    decoded, summarized = [], []
    real_loads = record.json_dialect.loads
    monkeypatch.setattr(record.json_dialect, "loads",
                        lambda data: decoded.append(len(data)) or real_loads(data))
    # (A line over 1 MB is decoded as it is parsed, its object kept for its fields.)
    real_parts = jsonline.long_line_parts
    monkeypatch.setattr(jsonline, "long_line_parts",
                        lambda data: decoded.append(len(data)) or real_parts(data))
    real_summary = record.SUMMARIZERS[actions.KIND]
    monkeypatch.setitem(record.SUMMARIZERS, actions.KIND,
                        lambda row: summarized.append(row.line) or real_summary(row))
    big, small = _action(1, "z" * BIG), _action(2, "small")
    assert big.raw.__class__ is bytes  # (kept as its line, decoded when asked)
    for _ in range(3):  # a row drawn at each key's frame
        assert big.fields["detail"] == "z" * BIG and big.summary.endswith("z" * 100)
        assert small.fields["detail"] == "small" and "small" in small.summary
    assert sum(size > BIG for size in decoded) == 1 and summarized.count(1) == 1
    assert len(decoded) - 1 >= 3 and summarized.count(2) == 3  # small ones made again


def test_only_the_newest_are_kept_up_to_their_bound():
    recent = RecentBig(most=1000)
    sources = [bytes(10) + bytes([n]) for n in range(6)]
    for n, source in enumerate(sources):
        recent.keep(source, n, size=300)
    assert [recent.get(source) for source in sources] == [None, None, None, 3, 4, 5]
    assert recent.get(bytes(10) + bytes([5])) is None  # (equal, but not the one kept)
    assert recent.made(sources[-1], lambda _: "made again") == 5
    assert recent.made(b"x" * 600, lambda data: len(data)) == 600
    assert [recent.get(source) for source in sources[3:]] == [None, None, 5]
    for _ in range(5):  # the same one kept again (two threads made it): counted once
        recent.keep(sources[5], 5, size=300)
    assert recent.get(sources[5]) == 5 and recent._size == 900
    recent.keep(sources[0], "bigger than the bound", size=5000)  # kept alone
    assert recent.get(sources[0]) == "bigger than the bound" and recent.get(sources[5]) is None
    recent.keep(sources[1], 1, size=10)
    assert recent.get(sources[0]) is None and recent._size == 10


def test_a_big_line_read_back_again_is_parsed_once():
    # Read back at each draw, a session's 5 MB start line was parsed each time
    # (0.1 s each, eleven times as its pane was shown).
    from vivtui.parsing import execution
    from vivtui.store.readback import ReadBack

    big = orjson.dumps({"task_id": "t1", "status": "failed", "errors": "e" * BIG})
    small = orjson.dumps({"task_id": "t2", "status": "queued"})
    parsed = []
    source = ReadBack(lambda data, *rest: parsed.append(len(data)) or execution.parse(
        data, *rest))
    source.read = lambda offsets, pace=None: [bytes(big if at == 0 else small)
                                              for at in offsets]  # (new bytes each time)
    for _ in range(3):
        first, second = source.records_at([(1, 0), (2, len(big) + 1)], lambda record: True)
        assert first.fields["status"] == "failed" and second.fields["task_id"] == "t2"
    assert parsed.count(len(big)) == 1 and parsed.count(len(small)) == 3


def test_a_value_made_soon_is_made_once_by_another_thread_after_its_pace():
    import threading

    recent, source, calls = RecentBig(), b"x" * 10, []
    gate, made = threading.Event(), threading.Event()

    def make(value: bytes) -> str:
        calls.append(("make", threading.current_thread() is threading.main_thread()))
        gate.wait(5)
        return value.decode()

    def pace() -> None:
        calls.append(("pace", None))

    assert recent.soon(source, make, made.set, lambda: pace) is None
    assert recent.soon(source, make, made.set, lambda: pace) is None  # asked again meanwhile
    gate.set()
    assert made.wait(5)
    assert recent.soon(source, make, made.set, lambda: pace) == "x" * 10
    assert calls == [("pace", None), ("make", False)]


def test_a_big_records_summary_is_made_soon_and_a_small_ones_at_once():
    import threading

    small = _action(1, "small")
    assert "small" in small.summary_soon(lambda: None)
    big, made = _action(2, "z" * BIG), threading.Event()
    assert big.summary_soon(made.set) is None
    assert made.wait(5)
    assert big.summary_soon(made.set) == big.summary and big.summary.endswith("z" * 100)
    # An object kept whole: its strings' size tells, nested ones too.
    nested = big._replace(raw={"context": {"task": "t" * BIG}, "message": "m"})
    assert nested.size >= BIG and small._replace(raw={"a": "b"}).size == 1
    assert nested.summary_soon(lambda: None) is None


def test_a_record_of_many_fields_is_big_without_a_look_at_each():
    # Its strings summed one by one, 500k fields took 129 ms of a timeline frame.
    from vivtui.parsing.record import MANY_FIELDS

    fields = {f"f{n}": "v" for n in range(MANY_FIELDS + 1)}  # a few KB of strings
    assert _action(1, "x")._replace(raw=fields).size == BIG
    assert _action(2, "x")._replace(raw={"context": fields}).size == BIG
    few = {f"f{n}": "v" for n in range(MANY_FIELDS)}
    assert _action(3, "x")._replace(raw=few).size == MANY_FIELDS
