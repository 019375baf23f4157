"""A list view that renders only its visible rows (Textual's line API).

DataTable and RichLog cost O(n) per change and do not scale to live streams
(DESIGN.md); this view holds a reference to the rows (a store buffer or a
sorted model list) and asks for the few it shows. Follow mode sticks to the
newest row until the user moves away; then new rows are counted.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

RenderRow = Callable[[Any, int], Text]


class RowView(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    RowView { height: 1fr; overflow-x: hidden; }
    """
    BINDINGS = [
        Binding("j,down", "move(1)", "Down", show=False),
        Binding("k,up", "move(-1)", "Up", show=False),
        Binding("pagedown,space", "page(1)", "Page down", show=False),
        Binding("pageup,b", "page(-1)", "Page up", show=False),
        Binding("g,home", "top", "Top", show=False),
        Binding("G,end", "bottom", "Follow", show=True),
        Binding("F", "toggle_follow", "Follow on/off", show=False),
    ]

    class Selected(Message):
        """The cursor moved to another row."""

        def __init__(self, view: "RowView", item: Any) -> None:
            super().__init__()
            self.view = view
            self.item = item

    def __init__(self, render_row: RenderRow, *, follow: bool = True, empty: str = "",
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.render_row = render_row
        self.rows: Sequence = ()
        self.cursor = -1
        self.follow = follow
        self.waiting = 0  # rows that arrived while follow was paused
        self.empty = empty
        self.follow_allowed = follow  # sorted lists (sessions, tasks) never follow
        self._first_seq = 0
        self._total = 0

    # -- data -------------------------------------------------------------------

    def set_rows(self, rows: Sequence) -> None:
        """New rows, or the same buffer grown. A buffer that evicts from the
        front numbers its rows (``first_seq``): the cursor stays on its row."""
        first_seq = getattr(rows, "first_seq", 0)
        total = first_seq + len(rows)
        moved = 0
        if rows is self.rows and not self.follow:
            moved = first_seq - self._first_seq
            self.cursor -= moved
            self.waiting += max(0, total - self._total)
        self._first_seq, self._total = first_seq, total
        self.rows = rows
        count = len(rows)
        self.virtual_size = Size(self.scrollable_content_region.width, count)
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

    def _stick_to_end(self) -> None:
        if self.follow:
            height = self.scrollable_content_region.height
            self.scroll_to(y=max(0, len(self.rows) - height), animate=False, immediate=True)

    @property
    def selected(self) -> Any:
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor]
        return None

    # -- drawing ----------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = self.scroll_offset.y + y
        base = self.rich_style
        if index >= len(self.rows):
            if index == 0 and self.empty:
                empty = Strip([Segment(self.empty[:width], base + Style(dim=True))])
                return empty.extend_cell_length(width, base)
            return Strip.blank(width, base)
        row = self.render_row(self.rows[index], width)
        if index == self.cursor:
            row.stylize("reverse" if self.has_focus else "underline")
        segments = list(row.render(self.app.console))
        return Strip(segments).crop_extend(0, width, base)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.rows))
        self._stick_to_end()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- moving -----------------------------------------------------------------

    def select(self, index: int) -> None:
        count = len(self.rows)
        if not count:
            return
        self.cursor = max(0, min(count - 1, index))
        self.follow = self.cursor == count - 1 and self.follow_allowed
        if self.follow:
            self.waiting = 0
        self.scroll_to_region_of(self.cursor)
        self.refresh()
        self.post_message(self.Selected(self, self.selected))

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
        self.select(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self.select(self.cursor + direction * max(1, self.scrollable_content_region.height - 1))

    def action_top(self) -> None:
        self.follow = False
        self.select(0)

    def action_bottom(self) -> None:
        self.follow = self.follow_allowed
        self.waiting = 0
        self.cursor = len(self.rows) - 1
        self.scroll_end(animate=False, immediate=True, x_axis=False)
        self.refresh()
        self.post_message(self.Selected(self, self.selected))

    def action_toggle_follow(self) -> None:
        if self.follow:
            self.follow = False
            self.refresh()
            self.post_message(self.Selected(self, self.selected))
        else:
            self.action_bottom()

    def _on_mouse_scroll_up(self, event) -> None:
        self.follow = False

    def on_click(self, event) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < len(self.rows):
            self.select(index)
