"""The only place a pane is declared: its name, key, title, picker title, class
and the record kinds whose arrival redraws it at once. The main screen, the key
table, the help and the palette read it; a new pane is a module here and a row
below."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from vivtui.ui.panes.actions import ActionsPane
from vivtui.ui.panes.base import Pane
from vivtui.ui.panes.budget import BudgetPane
from vivtui.ui.panes.queue import QueuePane
from vivtui.ui.panes.sessions import SessionsPane
from vivtui.ui.panes.stream import KernelPane
from vivtui.ui.panes.timeline import TimelinePane


@dataclass(frozen=True, slots=True)
class PaneSpec:
    name: str
    key: str
    picker: str  # what `t` offers to show only one of
    cls: type[Pane]
    streams: tuple[str, ...] = ()  # record kinds drawn as they arrive (others: each second)
    home_of: tuple[str, ...] = ()  # file kinds that, opened alone, open on this pane

    @property
    def title(self) -> str:
        return self.cls.title


PANES: tuple[PaneSpec, ...] = (
    PaneSpec("actions", "1", "action type", ActionsPane, streams=("actions",),
             home_of=("actions",)),
    PaneSpec("sessions", "2", "state", SessionsPane, home_of=("sessions", "performance")),
    PaneSpec("queue", "3", "status", QueuePane, home_of=("tasks",)),
    PaneSpec("budget", "4", "event", BudgetPane, home_of=("api", "safety")),
    PaneSpec("kernel", "5", "class", KernelPane, streams=("kernel",), home_of=("kernel",)),
    PaneSpec("timeline", "6", "type", TimelinePane),
)
NAMES = tuple(spec.name for spec in PANES)
BY_NAME = {spec.name: spec for spec in PANES}


def pane_of_kind(kind: str) -> str | None:
    """The pane that lists a kind's records one per row, if any."""
    return next((spec.name for spec in PANES if kind in spec.streams), None)


def home_pane(kinds: list[str], present: Collection[str] = ()) -> str:
    """The pane a run opens on: the one of its file when it is one file; for
    a run directory, the action stream, unless other files are there and it
    is not (``present``: the kinds whose file is): then the first pane of one
    of those (a part of a run copied: its sessions alone opened on an empty
    action stream, "waiting for actions")."""
    if len(kinds) == 1:
        present = kinds
    elif not present or PANES[0].home_of[0] in present:
        return NAMES[0]
    return next((spec.name for spec in PANES if set(spec.home_of) & set(present)), NAMES[0])
