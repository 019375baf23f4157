"""The marks (``M``): every marked row, with its note; enter goes there."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text

from vivtui.ui import render, styles
from vivtui.ui.listscreen import ListScreen
from vivtui.viewstate import Mark


def mark_row(mark: Mark, width: int) -> Text:
    return render.columns([(render.safe(mark.note or "(no note)", 40), 30,
                            styles.STRONG if mark.note else styles.NOTE),
                           (render.safe(mark.pane, 10), 9, styles.ACTIVE),
                           (render.safe(mark.text, 300), 0, "")], width)


class MarksScreen(ListScreen):
    def __init__(self, marks: Sequence[Mark], chosen: Callable[[Mark], None]) -> None:
        about = Text(no_wrap=True, overflow="ellipsis", end="")
        about.append(f" {len(marks)} mark{'s' if len(marks) != 1 else ''}", styles.STRONG)
        about.append(" in the order made; enter: go there; m on a row unmarks it", styles.NOTE)
        super().__init__(about, list(marks), mark_row, chosen,
                         empty="No marks: m on a row marks it.")
