"""A screen of one list: a line that says what it is, the rows, the footer;
enter hands the selected row on. The related events and the alerts are both
such lists."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from vivtui.ui.keys_footer import KeysFooter
from vivtui.ui.rowview import RenderRow, RowView


class ListScreen(Screen[None]):
    DEFAULT_CSS = """
    ListScreen #about { height: 1; background: $boost; }
    """
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back"),
        Binding("enter", "chosen", "Inspect"),
    ]

    def __init__(self, about: Text, rows: Sequence, render_row: RenderRow,
                 chosen: Callable[[Any], None], selected: int = 0, empty: str = "") -> None:
        super().__init__()
        self.about = about
        self.rows = rows
        self._render_row = render_row
        self._chosen = chosen
        self._selected = selected
        self._empty = empty

    def compose(self) -> ComposeResult:
        yield Static(self.about, id="about")
        yield RowView(self._render_row, follow=False, empty=self._empty)
        yield KeysFooter()

    def on_mount(self) -> None:
        view = self.query_one(RowView)
        view.set_rows(self.rows)
        if self.rows:
            view.select(min(self._selected, len(self.rows) - 1))
        view.focus()

    def action_chosen(self) -> None:
        item = self.query_one(RowView).selected
        if item is not None:
            self._chosen(item)
