"""The action stream, one row an action (read on demand: see ``stream``)."""

from __future__ import annotations

from rich.text import Text

from vivtui.parsing.record import Record
from vivtui.ui import render
from vivtui.ui.panes.stream import StreamPane


class ActionsPane(StreamPane):
    title = "Actions"
    kind = "actions"

    def render_row(self, record: Record, width: int) -> Text:
        return render.action_row(record, width, self.zone, self.source_name, self.dated)
