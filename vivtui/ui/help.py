"""The `?` screen: every key, grouped."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS = (
    ("Panes", (("1-5", "actions, sessions, queue, budget, kernel"), ("tab / shift+tab",
               "next / previous pane"), ("z", "zoom the pane (again to restore)"))),
    ("Moving", (("j k / ↓ ↑", "row down / up"), ("space b / pgdn pgup", "page down / up"),
                ("g / home", "top"), ("G / end", "newest row, follow again"),
                ("F", "follow on / off"))),
    ("App", (("ctrl+p", "command palette"), ("?", "this help"), ("q", "quit"))),
)


def help_text() -> Text:
    out = Text(end="")
    out.append("vivtui keys\n\n", "bold")
    for group, keys in KEYS:
        out.append(f"{group}\n", "bold underline")
        for key, what in keys:
            out.append(f"  {key:<22}", "bold cyan")
            out.append(f"{what}\n")
        out.append("\n")
    out.append("Following: a pane sticks to its newest row; move up and it pauses and counts\n"
               "the rows that arrive; G resumes.\n", "dim")
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
