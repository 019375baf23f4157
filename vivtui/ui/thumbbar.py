"""A vertical scrollbar repainted only when its thumb moves on screen.

Textual repaints a scrollbar whenever its position or the scrolled height
changes. A view that follows a stream changes both with every new row, and
repainting the bar was a sixth of each frame; on a long log the thumb moves
one eighth of a cell every few thousand rows.
"""

from __future__ import annotations

from math import ceil

from rich.console import RenderableType
from textual.reactive import Reactive
from textual.scrollbar import ScrollBar, ScrollBarRender

EIGHTHS = len(ScrollBarRender.VERTICAL_BARS)  # the bar's glyphs: eighths of a cell


class ThumbBar(ScrollBar):
    window_virtual_size: Reactive[int] = Reactive(100, repaint=False)
    window_size: Reactive[int] = Reactive(0, repaint=False)
    position: Reactive[float] = Reactive(0, repaint=False)

    def __init__(self, *, thickness: int = 1) -> None:
        super().__init__(vertical=True, name="vertical", thickness=thickness)
        self._drawn: tuple | None = None
        self._check_pending = False

    def thumb(self) -> tuple:
        """Where the thumb is drawn, in eighths of a cell, by the arithmetic of
        Textual's ScrollBarRender (the version is pinned)."""
        size = self.size.height
        virtual = ceil(self.window_virtual_size)
        window = ceil(self.window_size if self.window_size < self.window_virtual_size else 0)
        if not (window and size and virtual and size != virtual):
            return (size,)
        thumb = max(1, window / (virtual / size))
        start = int((size - thumb) * (self.position / (virtual - window)) * EIGHTHS)
        return (size, start, start + ceil(thumb * EIGHTHS))

    def render(self) -> RenderableType:
        self._drawn = self.thumb()
        return super().render()

    def _check_soon(self) -> None:
        # Once the view has set all three: a new row changes the height first
        # and the position next, and the thumb in between is not the one drawn.
        if not self._check_pending:
            self._check_pending = True
            self.call_later(self._repaint_if_moved)

    def _repaint_if_moved(self) -> None:
        self._check_pending = False
        if self.thumb() != self._drawn:
            self.refresh()

    def watch_window_virtual_size(self) -> None:
        self._check_soon()

    def watch_window_size(self) -> None:
        self._check_soon()

    def watch_position(self) -> None:
        self._check_soon()
