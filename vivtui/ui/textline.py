"""One line of styled text (pane heads, the filter bar, the status line).

Drawn through Textual's line API and only when its text changes. A Static
took ~0.6 ms a frame per line through its content pipeline, and a pane's head
changes with every new row of a live stream.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget


class TextLine(Widget):
    DEFAULT_CSS = """
    TextLine { height: 1; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._text = Text("")
        self._strip: Strip | None = None  # the text drawn, for ``_drawn_for``
        self._drawn_for: tuple = ()

    def update(self, text: Text) -> None:
        """Show ``text`` (already display-safe: built by ``ui.render``)."""
        if text == self._text:
            return
        self._text = text
        self._strip = None
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y:
            return Strip.blank(width, base)
        strip = self._strip
        if strip is None or self._drawn_for != (width, base):
            line = self._text.copy()
            line.truncate(width, overflow=line.overflow or "crop")
            # The widget's colours under the text's own (Static does the same).
            segments = Segment.apply_style(line.render(self.app.console), base)
            strip = Strip(list(segments)).crop_extend(0, width, base)
            self._strip, self._drawn_for = strip, (width, base)
        return strip
