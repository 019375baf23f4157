"""The `?` screen: every key, grouped, from the key table."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from vivtui.ui import keys, styles
from vivtui.ui.panes.registry import PANES


def help_text() -> Text:
    out = Text(end="")
    out.append("vivtui keys\n\n", styles.STRONG)
    for group, rows in keys.help_rows(PANES):
        out.append(f"{group}\n", styles.HEADING)
        for key, what in rows:
            out.append(f"  {key:<22}", styles.KEY)
            out.append(f"{what}\n")
        out.append("\n")
    out.append("Following: a pane sticks to its newest row; move up and it pauses and counts\n"
               "the rows that arrive; G resumes.\n", styles.NOTE)
    return out


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 80; max-width: 100%; height: auto; max-height: 90%;
        border: round $primary; background: $surface; padding: 0 1; }
    """
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(help_text())
