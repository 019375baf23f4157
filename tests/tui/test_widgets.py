"""The small widgets the frame time depends on: TextLine and ThumbBar."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult

from vivtui.ui.textline import TextLine
from vivtui.ui.thumbbar import ThumbBar


class LineApp(App):
    CSS = "TextLine { background: red; }"

    def compose(self) -> ComposeResult:
        yield TextLine()


async def test_text_line_draws_only_changes_and_fits_its_width(tui):
    app = LineApp()
    async with app.run_test(size=(20, 3)) as pilot:
        line = app.query_one(TextLine)
        line.update(Text("x" * 30, overflow="ellipsis"))
        await pilot.pause()
        strip = line.render_line(0)
        assert strip.cell_length == 20 and strip.text == "x" * 19 + "…"
        # the widget's background under the text, not only after it
        assert all(seg.style.bgcolor is not None for seg in strip if seg.text)
        refreshed = []
        line.refresh = lambda *a, **k: refreshed.append(1)
        line.update(Text("x" * 30, overflow="ellipsis"))
        assert not refreshed  # the same text: nothing to draw
        line.update(Text("y"))
        assert refreshed


async def test_the_scrollbar_repaints_only_when_its_thumb_moves(tui, tmp_path):
    async with tui.actions_view(tmp_path, 20000) as (app, pilot, view):
        bar = view.vertical_scrollbar
        assert isinstance(bar, ThumbBar) and bar.display
        # The bar has been drawn where its thumb is (a frame may still be due).
        await tui.wait_until(pilot, lambda: bar._drawn == bar.thumb())
        drawn = []
        real_refresh = bar.refresh
        bar.refresh = lambda *a, **k: (drawn.append(bar.thumb()), real_refresh(*a, **k))
        for i in range(20001, 20004):  # a new row moves the thumb by 1/500 of an eighth
            app.apply_records("actions", [tui.action(i)])
            await pilot.pause()
        assert not drawn
        await pilot.press("g")  # to the top: the thumb moves, the bar is drawn again
        await pilot.pause()
        assert drawn and drawn[-1][1] == 0


async def test_a_cursor_move_within_the_screen_repaints_its_two_lines(tui, tmp_path):
    async with tui.actions_view(tmp_path, 200) as (app, pilot, view):
        await pilot.press("k", "k")  # off the end: following stops (the whole view repaints)
        calls = []
        real_refresh = view.refresh
        view.refresh = lambda *regions, **k: (calls.append(regions), real_refresh(*regions, **k))
        before = view.cursor
        await pilot.press("k")
        assert view.cursor == before - 1
        lines = [region for regions in calls for region in regions]
        assert calls and all(regions for regions in calls)  # never the whole view
        assert {region.height for region in lines} == {1} and len(lines) == 2
