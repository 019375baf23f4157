"""The `?` screen: every key, grouped."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS = (
    ("Panes", (("1-6", "actions, sessions, queue, budget, kernel, timeline"),
               ("tab / shift+tab", "next / previous pane"),
               ("z", "zoom the pane (again, or esc, to restore)"))),
    ("Moving", (("j k / ↓ ↑", "row down / up"), ("space b / pgdn pgup", "page down / up"),
                ("g / home", "top"), ("G / end", "newest row, follow again"),
                ("F", "follow on / off"))),
    ("Triage", (("e / E", "next / previous failure, any pane, in time order"),
                ("w / W", "next / previous warning"),
                ("enter", "inspect the row (P raw line, c copy, r related)"),
                ("r", "related events: same session, task or identity, every file"),
                ("o / O", "next / previous row of the same session or task"))),
    ("Search and filter", (("/", "search (regex; plain text if it does not compile)"),
                           ("n / N", "next / previous match"),
                           ("&", "add a filter; !regex filters out"),
                           ("t", "show only one type / state / status / event"),
                           ("L", "minimum severity: all, warnings, errors"),
                           ("ctrl+f", "filters off / on"), ("esc", "clear search and filters"),
                           ("H", "hide lines with paths outside the run directory"))),
    ("App", (("c", "copy the row (OSC 52: works over SSH)"),
             ("ctrl+s", "save the rows shown as JSONL"), ("ctrl+p", "command palette"),
             ("?", "this help"), ("q", "quit"))),
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
