"""NO_COLOR without losing what matters: failures and cautions stay prominent.

Textual's NO_COLOR filter turns every colour into a grey of its brightness, so
red text (errors, `failed`, BUDGET EXCEEDED) came out darker than plain text.
This filter runs before it and swaps those colours for bold white (underlined
where the text was bold already: a strong failure), which the grey filter
keeps as it is.
"""

from __future__ import annotations

from functools import lru_cache

from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import LineFilter

from vivtui.ui import styles

_SWAPS = {RichColor.parse(colour).triplet: (Style.parse(plain), Style.parse(strong))
          for colour, (plain, strong) in styles.MONOCHROME.items()}


class KeepProminence(LineFilter):
    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [Segment(text, _swapped(style), control) if style is not None else
                Segment(text, style, control) for text, style, control in segments]


@lru_cache(1024)
def _swapped(style: Style) -> Style:
    color = style.color
    if color is None or color.triplet is None:
        return style
    swap = _SWAPS.get(color.triplet)
    if swap is None:
        return style
    plain, strong = swap
    return style + (strong if style.bold else plain)
