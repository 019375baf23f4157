"""The footer of keys, rebuilt only when the keys it shows change.

Textual's ``Footer`` rebuilds all its key widgets whenever its screen says its
bindings were updated: on every focus change and every ``refresh_bindings``,
whether or not a shown key changed. Each rebuild took 12-63 ms on the UI
thread (a widget per key, styled afresh), five of them came at start-up, and
a key pressed in the first second waited behind all five (150-300 ms for a
pane switch; a later one waited behind the two each switch brings).
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    """A ``Footer`` whose rebuilds (``recompose``) happen only for a change
    of what it shows, and at most one per refresh."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple | None = None  # the keys it was last built with
        self._looking = False  # a look at the keys is scheduled already

    def bindings_changed(self, screen: Screen) -> None:
        # As Footer's own, but one look after the refresh, however many notices came.
        self._bindings_ready = True
        if not screen.app.app_focus or self._looking:
            return
        if self.is_attached and screen is self.screen:
            self._looking = True
            if self._shown is None:
                # The first build in the first frame: after it, the footer line
                # was blank in the first frames, and its build (30-45 ms) came
                # just when a key pressed at the first frame was on its way.
                self.call_next(self._rebuild_if_changed)
            else:
                self.call_after_refresh(self._rebuild_if_changed)

    async def _rebuild_if_changed(self) -> None:
        self._looking = False
        if not self.is_attached:
            return
        keys = self.shown_keys()
        if keys != self._shown:
            self._shown = keys
            await self.recompose()

    def shown_keys(self) -> tuple:
        """What the footer draws from its screen's bindings (as ``Footer.compose``
        reads them): each shown key, its action, label, group and state."""
        return tuple((binding.key, binding.action, binding.description, binding.group,
                      enabled, tooltip)
                     for _, binding, enabled, tooltip in self.screen.active_bindings.values()
                     if binding.show)
