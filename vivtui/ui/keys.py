"""The one key table: every key, what it does, where it is bound, how it is told.

``BINDINGS`` of the app, the main screen and the row view, the help screen, the
command palette and the README's key table are all made from ``table`` (a test
holds the README to it): the pane keys, made from the pane registry, and ``KEYS``.
The registry is passed in, not imported: the panes' own widgets take their keys
from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from textual.binding import Binding

APP, SCREEN, VIEW = "app", "screen", "view"  # whose BINDINGS a key is in


@dataclass(frozen=True, slots=True)
class Key:
    keys: str  # as Textual names them, comma-separated
    action: str
    title: str  # the footer's and the palette's name for it
    group: str  # the help's heading
    label: str = ""  # how the help writes a row of keys; the first row of a pair
    text: str = ""  # the help's line for that row
    where: str = SCREEN
    footer: str = ""  # the footer's short name; none: not in the footer
    footer_at: int = 0  # the footer's order (the keys used most first)
    palette: bool = True
    priority: bool = False


def pane_keys(panes: Sequence) -> tuple[Key, ...]:
    """A key per pane of the registry's ``panes``."""
    names = ", ".join(spec.name for spec in panes)
    keys = []
    for index, spec in enumerate(panes):
        first = index == 0
        keys.append(Key(spec.key, f"pane('{spec.name}')", f"Show {spec.name} pane",
                        "Panes", f"1-{len(panes)}" if first else "", names if first else ""))
    return tuple(keys)


KEYS: tuple[Key, ...] = (
    Key("tab", "cycle(1)", "Next pane", "Panes", "tab / shift+tab", "next / previous pane",
        footer="Pane", footer_at=1, priority=True),
    Key("shift+tab", "cycle(-1)", "Previous pane", "Panes", priority=True),
    Key("v", "waterfall", "Sessions waterfall", "Panes", "v",
        "sessions as bars on a time axis, a lane per worker (again: the list)"),
    Key("z", "zoom", "Zoom pane", "Panes", "z", "zoom the pane (again, or esc, to restore)"),
    Key("R", "overview", "Runs overview", "Panes", "R",
        "back to the runs overview (several runs open)", where=APP),
    Key("j,down", "move(1)", "Row down", "Moving", "j k / ↓ ↑", "row down / up", where=VIEW,
        palette=False),
    Key("k,up", "move(-1)", "Row up", "Moving", where=VIEW, palette=False),
    Key("pagedown,space", "page(1)", "Page down", "Moving", "space b / pgdn pgup",
        "page down / up", where=VIEW, palette=False),
    Key("pageup,b", "page(-1)", "Page up", "Moving", where=VIEW, palette=False),
    Key("g,home", "top", "Top", "Moving", "g / home", "top (pauses follow)", where=VIEW),
    Key("G,end", "bottom", "Follow newest rows", "Moving", "G / end",
        "newest row, follow again", where=VIEW),
    Key("F", "toggle_follow", "Follow on/off", "Moving", "F", "follow on / off", where=VIEW),
    Key("e", "jump('failure', 1)", "Next failure", "Triage", "e / E",
        "next / previous failure, any pane, in time order (in the kernel's, or a log longer "
        "than the rows kept: the next in its file)",
        footer="Failure", footer_at=5),
    Key("E", "jump('failure', -1)", "Previous failure", "Triage"),
    Key("w", "jump('warning', 1)", "Next warning", "Triage", "w / W",
        "next / previous warning"),
    Key("W", "jump('warning', -1)", "Previous warning", "Triage"),
    Key("enter", "inspect", "Inspect", "Triage", "enter",
        "inspect the row: every field, file, line, byte offset (P raw line)",
        footer="Inspect", footer_at=2),
    Key("a", "alerts", "Alerts", "Triage", "a",
        "every alert: time, rule, evidence (enter: its line); the banner is gone once seen"),
    Key("B", "blocks", "Safety blocks", "Triage", "B",
        "what the safety gates blocked: every file, by source and reason (again: budget)"),
    Key("r", "related", "Related events", "Triage", "r",
        "related events: same session, task or identity, every file"),
    Key("o", "same_thread(1)", "Next of same session/task", "Triage", "o / O",
        "next / previous row of the same session or task in this pane"),
    Key("O", "same_thread(-1)", "Previous of same session/task", "Triage"),
    Key("left_square_bracket", "strip_move(-1)", "Earlier time bin", "Time strip", "[ / ]",
        "the time strip's bin: earlier / later (in the audit pane)"),
    Key("right_square_bracket", "strip_move(1)", "Later time bin", "Time strip"),
    Key("T", "strip_filter", "Filter to the time bin", "Time strip", "T",
        "every pane: only the strip's bin's time span (again: every time)"),
    Key("m", "mark", "Mark row", "Marks", "m", "mark the row, with a note (again: unmark)"),
    Key("apostrophe", "next_mark", "Next mark", "Marks", "'",
        "the next mark, any pane (marks are kept per run)"),
    Key("M", "marks", "Marks", "Marks", "M", "every mark with its note (enter: go there)"),
    Key("slash", "search", "Search", "Search and filter", "/",
        "search (regex; plain text if it does not compile; smart case)", footer="Search",
        footer_at=3),
    Key("n", "next_match(1)", "Next match", "Search and filter", "n / N",
        "next / previous match"),
    Key("N", "next_match(-1)", "Previous match", "Search and filter"),
    Key("ampersand", "add_filter", "Add filter", "Search and filter", "&",
        "add a filter; !regex filters out; they stack", footer="Filter", footer_at=4),
    Key("t", "pick_type", "Pick type", "Search and filter", "t",
        "show only one type / state / status / event"),
    Key("L", "cycle_severity", "Minimum severity", "Search and filter", "L",
        "minimum severity: all, warnings, errors"),
    Key("ctrl+f", "toggle_filters", "Filters on/off", "Search and filter", "ctrl+f",
        "filters off / on"),
    Key("escape", "clear_filters", "Clear search and filters", "Search and filter", "esc",
        "clear search and filters"),
    Key("H", "toggle_foreign", "Hide foreign paths", "Search and filter", "H",
        "hide lines naming paths outside the run directory"),
    Key("c", "copy", "Copy record", "App", "c",
        "copy the row (OSC 52: works over SSH; up to 512K characters)"),
    Key("ctrl+s", "export", "Save view", "App", "ctrl+s", "save the rows shown as JSONL"),
    Key("ctrl+p", "command_palette", "Command palette", "App", "ctrl+p",
        "command palette (every action here)", where=APP, palette=False),
    Key("question_mark", "help", "Keys", "App", "?", "all keys (this help)", where=APP,
        footer="Keys", footer_at=7),
    Key("ctrl+z", "suspend_process", "Suspend", "App", "ctrl+z",
        "suspend to the shell; fg comes back and reads on",
        where=APP),
    Key("q", "quit", "Quit", "App", "q", "quit", where=APP, footer="Quit", footer_at=8),
)


def table(panes: Sequence = ()) -> tuple[Key, ...]:
    return pane_keys(panes) + KEYS


def bindings(where: str, panes: Sequence = ()) -> list[Binding]:
    """The BINDINGS of the app, the main screen or the row view."""
    chosen = sorted((key for key in table(panes)
                     if key.where == where and key.action != "command_palette"),
                    key=lambda key: (not key.footer, key.footer_at))
    return [Binding(key.keys, key.action, key.footer or key.title, show=bool(key.footer),
                    priority=key.priority) for key in chosen]


def help_rows(panes: Sequence) -> list[tuple[str, list[tuple[str, str]]]]:
    """(group, [(keys as written, what)]) in the table's order."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for key in table(panes):
        if key.label:
            groups.setdefault(key.group, []).append((key.label, key.text))
    return list(groups.items())


def palette_entries(panes: Sequence) -> list[Key]:
    return [key for key in table(panes) if key.palette]


def first_key(key: Key) -> str:
    """The key as the user types it, for the palette's help line."""
    name = key.keys.split(",")[0]
    return {"slash": "/", "ampersand": "&", "question_mark": "?", "escape": "esc"}.get(name,
                                                                                      name)


def markdown_table(panes: Sequence) -> str:
    """The README's key table."""
    lines = ["| key | what |", "|---|---|"]
    for group, rows in help_rows(panes):
        for label, text in rows:
            keys = " ".join(part if part == "/" and label != "/" else f"`{part}`"
                            for part in label.split(" "))
            lines.append(f"| {keys} | {text} |")
    return "\n".join(lines) + "\n"
