"""The hidden panes, mounted after the first frame one at a time, the pane a
key asks for first.

Textual's ``Lazy`` mounted every hidden pane in one chain of callbacks after
the first frame. A key typed as the monitor showed up bubbled up to the
screen's bindings only once the whole chain was done: on a big run it waited
40-50 ms behind the five mounts before its pane was even chosen. Here each
mount is its own message in the screen's queue, so a key goes between two of
them; the pane it switches to is mounted at once, and the others wait until
it is on screen.
"""

from __future__ import annotations

from textual.widget import Widget


class StandIn(Widget):
    """Where a hidden pane goes once it is mounted."""

    DEFAULT_CSS = """
    StandIn {
        display: none;
    }
    """

    def __init__(self, pane: Widget) -> None:
        super().__init__()
        self.pane = pane


class LaterPanes:
    """The stand-ins of ``screen``'s panes not mounted yet, by name, in
    mounting order."""

    def __init__(self, screen: Widget) -> None:
        self._screen = screen
        self._waiting: dict[str, StandIn] = {}
        # A pane a key switched to, until a mounted pane is shown: the other
        # mounts (5-25 ms each on a big run) would put its frame off.
        self.wanted: str | None = None
        self._held = False  # the chain stopped for ``wanted``: goes on once it is shown

    def stand_in(self, name: str, pane: Widget) -> StandIn:
        self._waiting[name] = stand_in = StandIn(pane)
        return stand_in

    @property
    def waiting(self) -> bool:
        return bool(self._waiting)

    def start(self) -> None:
        """The chain of mounts, from after the next frame."""
        self._screen.call_after_refresh(self._screen.call_later, self._chain)

    def _chain_on(self) -> None:
        # At once, but in a message of its own: a key waiting goes first.
        self._screen.call_later(self._chain)

    def want(self, name: str) -> None:
        """``name`` mounted now if it is waiting (a key switched to it), in the
        frame of its tab's switch, and ``wanted`` until a mounted pane is
        shown (``settled``)."""
        if name not in self._waiting or name == self.wanted:
            return  # mounted, or asked for already (its mount's message is on its way)
        self._waiting = {name: self._waiting[name], **self._waiting}
        self.wanted = name
        self._screen.call_later(self._mount_wanted)

    def settled(self) -> None:
        """A mounted pane is shown: no pane is on its way (a key may have
        switched elsewhere meanwhile), and the chain goes on."""
        self.wanted = None
        if self._held:
            self._held = False
            self.start()

    def settled_for(self, name: str) -> None:
        """``settled``, ``name`` being shown, unless a key wants another pane since."""
        if self.wanted == name:
            self.settled()

    async def _mount_wanted(self) -> None:
        with self._screen.app.batch_update():  # the tab's switch and its rows in one frame
            await self.mount_next()

    async def _chain(self) -> None:
        if self.wanted is not None:
            self._held = True
            return
        await self.mount_next()
        if self._waiting:
            self._chain_on()

    async def mount_next(self) -> None:
        """The next waiting pane mounted in its stand-in's place."""
        if not self._waiting:
            return
        name = next(iter(self._waiting))
        stand_in = self._waiting.pop(name)
        parent = stand_in.parent
        if parent is None or not stand_in.is_attached:
            return  # the screen is going away
        await parent.mount(stand_in.pane, after=stand_in)
        await stand_in.remove()
