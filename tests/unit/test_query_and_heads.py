"""The pane query and the render layer's heads, as plain functions (no terminal)."""

from __future__ import annotations

from vivtui.store.buffer import RecordBuffer
from vivtui.store.filters import FilterSet, compile_pattern
from vivtui.ui import heads
from vivtui.ui.panes.memory_query import MemoryQuery


class View:
    """What a query needs of a row view: rows, a cursor, select."""

    def __init__(self, rows) -> None:
        self.rows, self.cursor = rows, 0

    def select(self, index: int) -> None:
        self.cursor = index


def describe(item: tuple) -> tuple[str, str, str]:
    text, category = item
    return text, category, "error" if category == "ERROR" else "info"


ROWS = [("write a.py", "TOOL"), ("Traceback in b.py", "ERROR"), ("write c.py", "TOOL"),
        ("read b.py", "TOOL")]


def test_filters_narrow_the_rows_and_a_search_counts_and_steps_through_them():
    query = MemoryQuery(describe)
    assert query.shown(ROWS) is ROWS  # no filter: the source itself
    query.filters.patterns.append(compile_pattern("!write", allow_invert=True))
    shown = query.shown(ROWS)
    assert list(shown) == [ROWS[1], ROWS[3]]
    query.search = compile_pattern("b.py")
    query.count_hits(shown)
    assert query.hits == 2
    view = View(shown)
    assert query.next_match(view, 1) and view.cursor == 1
    assert query.next_match(view, 1) and view.cursor == 0  # wraps around
    saved = query.saved(view, lambda items: items)
    assert list(saved()) == [ROWS[1], ROWS[3]]


def test_a_live_buffer_is_filtered_as_it_grows():
    buffer = RecordBuffer(10)
    query = MemoryQuery(describe)
    query.filters.categories = frozenset({"ERROR"})
    buffer.extend(ROWS[:2])
    assert list(query.shown(buffer)) == [ROWS[1]]
    buffer.extend([("Traceback again", "ERROR")])
    assert [text for text, _ in query.shown(buffer)] == ["Traceback in b.py", "Traceback again"]


def test_a_live_lists_hits_are_counted_again_one_worker_at_a_time(monkeypatch):
    """Past a few rows a worker counts the hits of the rows shown now; while it
    counts, changes wait for it (started afresh at each change, a big live
    list's count never ended), and the rows that came meanwhile are counted
    once it is done."""
    from vivtui.ui.panes import memory_query

    monkeypatch.setattr(memory_query, "RECOUNT_IN_PLACE_MOST", 2)
    started = []
    query = MemoryQuery(describe, lambda scan, group: started.append(scan))
    query.search = compile_pattern("b.py")
    rows = list(ROWS)
    query.count_hits(rows)
    assert query.hits == 2 and started == []  # (counted here: a list of 4)
    grown = rows + [("write b.py", "TOOL")]
    query.recount(grown)
    assert len(started) == 1 and query.hits == 2  # the last count, while the worker counts
    grown2 = grown + [("b.py again", "TOOL")]
    query.recount(grown2)
    assert len(started) == 1  # not a second worker
    view = View(grown2)
    started[0].run()
    query.tick(view)  # the first count is taken, and the rows since counted
    assert query.hits == 3 and len(started) == 2 and started[1].source is grown2
    started[1].run()
    assert not query.tick(view) and query.hits == 4 and len(started) == 2


def test_the_filter_bar_says_what_is_on_and_is_hidden_when_nothing_is():
    filters = FilterSet()
    assert heads.filter_bar(filters, None, 4, 0, None) is None
    filters.patterns.append(compile_pattern("[bold]x", allow_invert=True))
    bar = heads.filter_bar(filters, compile_pattern("b.py"), 2, 1, 0.5).plain
    assert "[bold]x" in bar and "2 shown" in bar and "1 hits" in bar and "scanning 50%" in bar
    filters.enabled = False
    assert "(off: ctrl+f)" in heads.filter_bar(filters, None, 2, 0, None).plain


def test_follow_and_progress_texts():
    assert heads.follow(False, True, 0).plain == ""
    assert heads.follow(True, False, 12).plain == "⏸ paused · 12 new · G to follow"
    assert heads.file_progress(0.25, None).plain == "  indexing history 25%"
    failures = heads.failures(["scan failed: \x1b[2J boom"]).plain
    assert "\x1b" not in failures and "1 background failure" in failures
