"""One line of styled text (pane heads, the filter bar, the status line), or a
few (the audit pane's overview, whose figures change with every call).

Drawn through Textual's line API and only when its text changes. A Static
took ~0.6 ms a frame per line through its content pipeline, and a pane's head
changes with every new row of a live stream. With ``wrap``, a text wider than
the terminal takes a second line (or a third) instead of losing its end: at
80 columns the heads' last counts were cut off. The height changes (a layout)
only when the number of lines does.
"""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.strip import Strip
from textual.widget import Widget

MAX_LINES = 3
_SPACES = re.compile(r" +")
# A space that a line is not broken at (a head's "rate limited 1"): drawn as a
# plain space, so that the screen's text (a copy, a search of it) has none.
NO_BREAK = "\u00a0"


class TextLine(Widget):
    DEFAULT_CSS = """
    TextLine { height: 1; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None,
                 wrap: bool = False, max_lines: int = MAX_LINES) -> None:
        super().__init__(id=id, classes=classes)
        self._max_lines = max_lines
        self._text = Text("")
        self._strips: list[Strip] | None = None  # the text drawn, for ``_drawn_for``
        self._drawn_for: tuple = ()
        self._wrap = wrap
        self._lines = 1

    def update(self, text: Text) -> None:
        """Show ``text`` (already display-safe: built by ``ui.render``)."""
        if text == self._text:
            return
        self._text = text
        self._strips = None
        self._fit_height()
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._strips = None
        self._fit_height()

    def _fit_height(self) -> None:
        if not self._wrap:
            return
        width = self.size.width
        lines = self._split(width) if width else [self._text]
        if len(lines) != self._lines:
            self._lines = len(lines)
            self.styles.height = self._lines

    def _split(self, width: int) -> list[Text]:
        text = self._text
        if not self._wrap or text.cell_len <= width:
            return [text]
        lines: list[Text] = []
        # Only the first lines are shown: what cannot reach them is not wrapped.
        text = text[:(self._max_lines + 1) * width * 2]
        parts = [part for line in text.split("\n", allow_blank=True)
                 for part in _lines_of(line, width, self._max_lines)]
        for part in parts:
            if len(lines) >= self._max_lines:
                break
            if part.cell_len <= width:
                lines.append(part)
                continue
            part.no_wrap = False  # a head is built not to wrap; here it may
            lines.extend(part.wrap(self.app.console, width, overflow="ellipsis"))
        return lines[:self._max_lines] or [text]

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if self._strips is None or self._drawn_for != (width, base):
            strips = []
            for line in self._split(width):
                line = line.copy()
                if NO_BREAK in line.plain:
                    line.plain = line.plain.replace(NO_BREAK, " ")  # (the spans stay)
                line.truncate(width, overflow=line.overflow or "crop")
                # The widget's colours under the text's own (Static does the same).
                segments = Segment.apply_style(line.render(self.app.console), base)
                strips.append(Strip(list(segments)).crop_extend(0, width, base))
            self._strips, self._drawn_for = strips, (width, base)
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(width, base)


def _is_mark(word: str) -> bool:
    """A one-character sign that goes with what follows it ("⚑ 3", "$ $0.41")."""
    return len(word) == 1 and not word.isalnum()


def _lines_of(text: Text, width: int, most: int) -> list[Text]:
    """``text`` in lines of at most ``width`` cells (the first ``most``, then
    the rest), broken at spaces but not right after a mark nor right before a
    figure (wrapped at any space, the status line ended one line with "⚑"
    and began the next with its number; a head ended with "warnings" and
    began with "3"), and between two items (two spaces or more) where that
    fills half the line or more ("tokens" no longer parted from its figure).
    A word wider than a line is left whole, for the caller to fold."""
    plain = text.plain
    breaks = [(found.start(), found.end()) for found in _SPACES.finditer(plain)
              if not _is_mark(plain[plain.rfind(" ", 0, found.start()) + 1:found.start()])
              and not plain[found.end():found.end() + 1].isdigit()]
    lines, start, at = [], 0, 0
    while len(lines) < most and cell_len(plain[start:]) > width:
        fit = gap = None
        cells, counted = 0, start
        for index in range(at, len(breaks)):
            end, after = breaks[index]
            if end <= start:
                continue  # (spaces the text starts with)
            cells += cell_len(plain[counted:end])
            counted = end
            if cells > width:
                break
            fit = (end, after, index)
            if after - end > 1 and cells >= width // 2:
                gap = fit
        chosen = gap or fit
        if chosen is None:
            break
        end, after, index = chosen
        lines.append(text[start:end])
        start, at = after, index + 1
    lines.append(text[start:])
    return lines
