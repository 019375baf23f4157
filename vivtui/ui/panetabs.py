"""The panes' tabs: a TabbedContent whose tab follows the focus only while it is there.

Textual switches the tab to a pane when a widget in it gets the focus, by a
message handled later. Keys typed ahead (at start-up above all: the hidden
panes are mounted after the first frame, and focusing one waits for it) could
switch on before that message was handled, which then switched the tab back.
"""

from __future__ import annotations

from textual.widgets import TabbedContent, TabPane


class PaneTabs(TabbedContent):
    def _on_tab_pane_focused(self, event: TabPane.Focused) -> None:
        focused = self.app.focused
        if focused is None or event.tab_pane not in focused.ancestors_with_self:
            event.prevent_default()  # stale: the focus has moved on since
            event.stop()
