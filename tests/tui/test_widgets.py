"""The small widgets the frame time depends on: TextLine, ThumbBar and KeysFooter."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from vivtui.ui.keys_footer import KeysFooter
from vivtui.ui.later_panes import LaterPanes, StandIn
from vivtui.ui.rowview import RowView
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


class EmptyViewApp(App):
    def compose(self) -> ComposeResult:
        yield RowView(lambda item, width: Text(str(item)),
                      empty="ev\x1b[2J\x1b[7mil.log: unreadable (UTF-16 text, not UTF-8: not read "
                            "(iconv -f UTF-16 -t UTF-8 converts it))")


async def test_an_empty_view_says_why_whole_and_display_safe(tui):
    # It names files, and a file given alone named itself raw to the terminal;
    # at 80 columns its problem lost its end (how to convert the file).
    app = EmptyViewApp()
    async with app.run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        view = app.query_one(RowView)
        lines = [view.render_line(y).text for y in range(8)]
        assert not any("\x1b" in line for line in lines)
        said = " ".join(line.strip() for line in lines if line.strip())
        assert said.startswith("ev") and "il.log: unreadable" in said
        assert said.endswith("converts it))") and all(len(line) == 40 for line in lines)
        view.rows = ["a row"]
        view.refresh()
        await pilot.pause()
        assert view.render_line(0).text.startswith("a row") and not view.render_line(1).text.strip()


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


class Spot(Static, can_focus=True):
    BINDINGS = [Binding("x", "noop", "Spot")]

    def action_noop(self) -> None:
        pass


class OtherSpot(Static, can_focus=True):
    BINDINGS = [Binding("y", "other", "Other")]

    def action_other(self) -> None:
        pass


class FooterApp(App):
    BINDINGS = [Binding("q", "quit", "Quit"), Binding("z", "mark", "Mark")]
    marked = 0

    def compose(self) -> ComposeResult:
        yield Spot("a", id="a")
        yield Spot("b", id="b")
        yield OtherSpot("c", id="c")
        yield KeysFooter()

    def action_mark(self) -> None:
        self.marked += 1


async def test_the_footer_is_repainted_only_when_its_keys_change(tui):
    app = FooterApp()
    async with app.run_test(size=(60, 6)) as pilot:
        footer = app.query_one(KeysFooter)
        app.query_one("#a").focus()
        await pilot.pause()
        assert [key.description for key in footer.shown] == ["Spot", "Quit", "Mark"]
        line = footer.render().plain
        assert line.startswith(" x Spot  q Quit  z Mark ") and line.endswith("▏^p palette ")
        assert len(line) == 60
        # The same keys: notices of changed bindings repaint nothing.
        repaints = []
        real = footer.refresh
        footer.refresh = lambda *args, **kwargs: (repaints.append(1), real(*args, **kwargs))[1]
        app.query_one("#b").focus()
        app.screen.refresh_bindings()
        await pilot.pause()
        assert repaints == []
        # Other keys: repainted.
        app.query_one("#c").focus()
        app.screen.refresh_bindings()
        await pilot.pause()
        assert [key.description for key in footer.shown] == ["Other", "Quit", "Mark"]
        assert repaints


async def test_a_click_on_a_footer_key_presses_it(tui):
    app = FooterApp()
    async with app.run_test(size=(60, 6)) as pilot:
        app.query_one("#a").focus()
        await pilot.pause()
        footer = app.query_one(KeysFooter)
        at = footer.render().plain.index("z Mark")
        await pilot.click(KeysFooter, offset=(at + 2, 0))
        assert app.marked == 1
        await pilot.click(KeysFooter, offset=(58, 0))  # the palette's key
        await pilot.pause()
        assert app.screen is not app.screen_stack[0]  # the command palette opened


class StandInsApp(App):
    def compose(self) -> ComposeResult:
        self.later = LaterPanes(self.screen)
        for name in ("a", "b", "c", "d"):
            yield self.later.stand_in(name, Static(name, id=name))


def mounted_ids(app: App) -> list[str]:
    return [widget.id for widget in app.query(Static) if widget.id]


async def test_hidden_panes_mount_one_at_a_time_the_one_a_key_wants_first(tui):
    """``LaterPanes``: a key typed as the monitor shows up waited behind the
    mount of every hidden pane before its pane was even chosen."""
    app = StandInsApp()
    async with app.run_test(size=(20, 5)) as pilot:
        later = app.later
        assert mounted_ids(app) == [] and later.waiting
        later.want("c")
        later.want("c")  # asked again before its mount: one mount
        await pilot.pause()
        assert mounted_ids(app) == ["c"] and later.wanted == "c"  # until a pane is shown
        later.start()
        await pilot.pause()
        assert mounted_ids(app) == ["c"]  # the chain waits for the wanted pane
        later.settled()
        await tui.wait_until(pilot, lambda: not later.waiting)
        assert mounted_ids(app) == ["a", "b", "c", "d"]  # each in its stand-in's place
        assert not app.query(StandIn) and later.wanted is None
        later.want("b")  # mounted already: nothing to want
        assert later.wanted is None
