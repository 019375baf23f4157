"""A list view that renders only its visible rows (Textual's line API).

DataTable and RichLog cost O(n) per change and do not scale to live streams
(DESIGN.md); this view holds a reference to the rows (a store buffer or a
sorted model list) and asks for the few it shows. Follow mode sticks to the
newest row until the user moves away; then new rows are counted.
"""

from __future__ import annotations

import textwrap
from collections import OrderedDict
from typing import Any, Callable, Hashable, Sequence

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from vivtui.store.columns import Handles
from vivtui.ui import keys, render, styles
from vivtui.ui.thumbbar import ThumbBar

RenderRow = Callable[[Any, int], Text]
RowKey = Callable[[Any], Hashable | None]
CACHED_STRIPS = 512


class RowView(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    RowView { height: 1fr; overflow-x: hidden; }
    """
    BINDINGS = keys.bindings(keys.VIEW)

    class Selected(Message):
        """The cursor moved to another row."""

        def __init__(self, view: "RowView", item: Any) -> None:
            super().__init__()
            self.view = view
            self.item = item

    def __init__(self, render_row: RenderRow, *, follow: bool = True, empty: str = "",
                 id: str | None = None, row_key: RowKey | None = None) -> None:
        super().__init__(id=id)
        self.render_row = render_row
        # Rows drawn before, by what they show: a stream that follows moves every
        # row up by one per new line, and drawing them all again was half a frame.
        self.row_key = row_key
        self._strips: OrderedDict[Hashable, tuple[list[Segment], int]] = OrderedDict()
        self.rows: Sequence = ()
        self.cursor = -1
        self.follow = follow
        self.moved = False  # by the user's keys or mouse (see ``ViewKeeper.restore_cursors``)
        self.waiting = 0  # rows that arrived while follow was paused
        self.empty = empty
        self._empty_drawn: tuple[tuple, list[str]] = ((), [])  # see ``_empty_lines``
        self.follow_allowed = follow  # sorted lists (sessions, tasks) never follow
        self._first_seq = 0
        self._total = 0
        self._base = Style()  # the widget's style, for the frame being drawn

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        # Textual's own property, making a ThumbBar instead (see thumbbar).
        if self._vertical_scrollbar is None:
            bar = ThumbBar(thickness=self.scrollbar_size_vertical)
            bar.display = False
            self._vertical_scrollbar = bar
            self.app._start_widget(self, bar)
        return self._vertical_scrollbar

    # -- data -------------------------------------------------------------------

    def set_rows(self, rows: Sequence) -> None:
        """New rows, or the same buffer grown. A buffer that evicts from the
        front numbers its rows (``first_seq``): the cursor stays on its row."""
        first_seq = getattr(rows, "first_seq", 0)
        total = first_seq + len(rows)
        moved = 0
        # A cursor on the first row stays there (the most urgent row, as rows
        # come and are ordered again); one moved down stays on its row.
        kept = (self._index_in(rows) if rows is not self.rows and not self.follow
                and self.cursor > 0 else None)
        if rows is self.rows and not self.follow:
            moved = first_seq - self._first_seq
            self.cursor -= moved
            self.waiting += max(0, total - self._total)
        self._first_seq, self._total = first_seq, total
        self.rows = rows
        count = len(rows)
        self._set_height(count)
        if kept is not None and kept != self.cursor:
            # Ordered again: the selected row stays selected, where it was on screen.
            self.scroll_to(y=max(0, self.scroll_offset.y + kept - self.cursor), animate=False,
                           immediate=True)
            self.cursor = kept
        if moved:  # rows came or went above: the same rows stay on screen
            self.scroll_to(y=max(0, self.scroll_offset.y - moved), animate=False,
                           immediate=True)
        if self.follow:
            self.cursor = count - 1
            self._stick_to_end()
            # The new height is known to the scroll limits only after layout.
            self.call_after_refresh(self._stick_to_end)
        else:
            self.cursor = min(max(self.cursor, 0), count - 1)
        self.refresh()

    def _set_height(self, count: int) -> None:
        """The scrollable height. Setting ``virtual_size`` lays out the whole
        screen (half of each frame's time in a live stream); only a change that
        shows or hides the scrollbar needs that, the rest updates the scroll
        limits alone."""
        size = Size(self.scrollable_content_region.width, count)
        if size == self.virtual_size:
            return
        height = self.scrollable_content_region.height
        if not height or (count > height) != (self.virtual_size.height > height):
            self.virtual_size = size
            return
        self.set_reactive(RowView.virtual_size, size)
        # Textual's _scroll_update (version pinned) without its unconditional
        # repaint of the bar: the ThumbBar repaints when its thumb moves.
        if self.show_vertical_scrollbar:
            bar = self.vertical_scrollbar
            bar.window_virtual_size = count
            bar.window_size = self.container_size.height - self.scrollbar_size_horizontal
        self.scroll_y = self.validate_scroll_y(self.scroll_y)
        self.refresh()

    def _stick_to_end(self) -> None:
        if self.follow:
            height = self.scrollable_content_region.height
            self.scroll_to(y=max(0, len(self.rows) - height), animate=False, immediate=True)

    def _index_in(self, rows: Sequence) -> int | None:
        """Where the selected row is in ``rows``, a list ordered again (sessions
        and tasks re-sorted as a live run changes them): the cursor stays on
        its row, not on whatever row took its index. None: not there."""
        selected = self.selected
        if selected is None or not isinstance(rows, (list, Handles)):
            return None
        try:
            return rows.index(selected)
        except ValueError:
            return None

    @property
    def selected(self) -> Any:
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor]
        return None

    # -- drawing ----------------------------------------------------------------

    def top_row(self) -> int:
        """The first row on screen. Following, the last rows whatever the scroll
        offset says: the first frame is drawn before the offset can reach the
        end (its limits come from the layout that frame makes), and drawing the
        top first cost a frame before the newest rows showed."""
        if self.follow:
            return max(0, len(self.rows) - self.scrollable_content_region.height)
        return self.scroll_offset.y

    def render_lines(self, crop: Region) -> list[Strip]:
        # The widget's style walks its ancestors' styles: once a frame, not
        # once a line (that was a quarter of a frame).
        self._base = self.rich_style
        return super().render_lines(crop)

    def _empty_lines(self, width: int) -> list[str]:
        """What the view says with no row, made display-safe (it names files,
        and a file's name is anyone's: one given alone went raw to the
        terminal, escapes and all) and wrapped to the width (at 80 columns a
        file's problem lost its end: how to convert it)."""
        if self._empty_drawn[0] != (self.empty, width):
            lines = textwrap.wrap(render.safe(self.empty), max(width, 1),
                                  break_on_hyphens=False) if self.empty else []
            self._empty_drawn = ((self.empty, width), lines)
        return self._empty_drawn[1]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = self.top_row() + y
        base = self._base
        if index >= len(self.rows):
            said = self._empty_lines(width) if not self.rows else ()
            if index < len(said):
                empty = Strip([Segment(said[index], base + Style(dim=True))])
                return empty.crop_extend(0, width, base)
            return Strip.blank(width, base)
        item = self.rows[index]
        mark = ((styles.CURSOR if self.has_focus else styles.CURSOR_UNFOCUSED)
                if index == self.cursor else styles.PLAIN)
        key = self.row_key(item) if self.row_key is not None else None
        if key is not None:
            key = (key, width, mark, base)
            drawn = self._strips.get(key)
            if drawn is not None:
                self._strips.move_to_end(key)
                return Strip(*drawn)
        row = self.render_row(item, width)
        if mark:
            row.stylize(mark)
        strip = Strip(list(row.render(self.app.console))).crop_extend(0, width, base)
        if key is not None:
            # The segments, not the strip: a strip keeps every strip made from it
            # (cropped, styled, filtered by each frame) in caches of its own, and
            # 512 kept rows held thousands of them, growing a live run's memory
            # by megabytes a minute until full. A new strip a frame costs little.
            self._strips[key] = (list(strip), strip.cell_length)
            if len(self._strips) > CACHED_STRIPS:
                self._strips.popitem(last=False)
        return strip

    def forget_drawn(self) -> None:
        """What rows look like changed (search highlight, time zone)."""
        self._strips.clear()
        self.refresh()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.rows))
        if self.follow:
            self._stick_to_end()
        elif self.rows and self.cursor >= 0:
            # Kept on screen as the pane shrinks (a head or the status line took
            # another line at 80 columns: a jump's row went under the status line).
            self.scroll_to_region_of(self.cursor, retry=False)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- moving -----------------------------------------------------------------

    def select(self, index: int, quiet: bool = False) -> None:
        """The cursor to row ``index``; ``quiet``: placed by the program, not
        moved by the user (no ``Selected``)."""
        count = len(self.rows)
        if not count:
            return
        before = (self.cursor, self.top_row(), self.follow)
        self.cursor = max(0, min(count - 1, index))
        self.follow = self.cursor == count - 1 and self.follow_allowed
        if self.follow:
            self.waiting = 0
        self.scroll_to_region_of(self.cursor)
        if (self.top_row(), self.follow) == before[1:]:
            # The cursor moved within the screen: its old and new lines are all
            # that changed (a whole repaint was most of a key's time, and of
            # its bytes to the terminal).
            self.refresh_rows(before[0], self.cursor)
        else:
            self.refresh()
        if not quiet:
            self.post_message(self.Selected(self, self.selected))

    def refresh_rows(self, *indexes: int) -> None:
        top, width = self.top_row(), self.scrollable_content_region.width
        height = self.scrollable_content_region.height
        lines = [Region(0, index - top, width, 1) for index in indexes
                 if 0 <= index - top < height]
        if lines:
            self.refresh(*lines)

    def scroll_to_region_of(self, index: int, retry: bool = True) -> None:
        if not self.scrollable_content_region.height:
            if retry:  # not laid out yet (a pane being switched to): once it is
                self.call_after_refresh(self.scroll_to_region_of, index, False)
            return
        top = self.scroll_offset.y
        height = self.scrollable_content_region.height
        if index < top:
            self.scroll_to(y=index, animate=False, immediate=True)
        elif index >= top + height:
            self.scroll_to(y=index - height + 1, animate=False, immediate=True)

    def action_move(self, delta: int) -> None:
        self.moved = True
        self.select(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self.moved = True
        self.select(self.cursor + direction * max(1, self.scrollable_content_region.height - 1))

    def action_top(self) -> None:
        self.moved = True
        self.follow = False
        self.select(0)

    def action_bottom(self) -> None:
        self.moved = True
        self.follow = self.follow_allowed
        self.waiting = 0
        self.cursor = len(self.rows) - 1
        self.scroll_end(animate=False, immediate=True, x_axis=False)
        self.refresh()
        self.post_message(self.Selected(self, self.selected))

    def action_toggle_follow(self) -> None:
        self.moved = True
        if self.follow:
            self.follow = False
            self.refresh()
            self.post_message(self.Selected(self, self.selected))
        else:
            self.action_bottom()

    def _on_mouse_scroll_up(self, event) -> None:
        self.moved = True
        self.follow = False

    def on_click(self, event) -> None:
        index = self.top_row() + event.y
        if 0 <= index < len(self.rows):
            self.moved = True
            self.select(index)
