"""The one palette: every style vivtui draws with, by what it means.

Nothing else names a colour; the render layer and the widgets say which of
these a piece of text is. Colours are given as RGB, not as ANSI names: Textual
maps ANSI names through its theme (blue came out violet, yellow orange, red
and magenta the same pink), and the producer's colours are what its users know.
"""

from __future__ import annotations

from vivtui.parsing.record import ERROR, INFO, OK, WARNING

STRONG = "bold"
NOTE = "dim"
PLAIN = ""
HEADING = "bold underline"
RED = "#ff5f5f"
ORANGE = "#ff8c1a"
YELLOW = "#ffd75f"
GREEN = "#5fd75f"
BLUE = "#6c9eff"
TEAL = "#2ec4b6"
PURPLE = "#b48cff"
CYAN = "#5fd7ff"
PINK = "#e38fd6"

FAILURE = RED  # a failed thing's text, a failure count's label
FAILURE_STRONG = f"bold {RED}"
FAILURE_BADGE = f"bold {RED} reverse"  # MALFORMED
ALERT_CRITICAL = f"bold white on {RED}"  # the alert banner's badge
ALERT_WARNING = f"bold black on {ORANGE}"
ALERT_OTHER = "bold reverse"
CAUTION = ORANGE
CAUTION_STRONG = f"bold {ORANGE}"
SUCCESS = GREEN
ACTIVE = CYAN  # running, elapsed time ticking, a file kind's label
WAVE = f"bold {CYAN}"
MODEL = PINK
MONEY = YELLOW
KEY = f"bold {CYAN}"  # a key in the help
SEARCH_HIT = f"bold black on {YELLOW}"
CURSOR = "reverse"  # the selected row of the focused pane
STRIP_CURSOR = "on #4e4e7a"  # the time strip's chosen bin (reverse hid a full block)
CURSOR_UNFOCUSED = "underline"
STRING_VALUE = "green"  # the inspector's field values
OTHER_VALUE = "cyan"

SEVERITY = {ERROR: FAILURE_STRONG, WARNING: CAUTION, OK: SUCCESS, INFO: PLAIN}
# The producer's own colours for action types (FORMATS.md), for rows that are
# not an error or warning.
ACTION_TYPE = {"COST": YELLOW, "API": YELLOW, "SOCIAL": TEAL, "IDENTITY": TEAL,
               "JOURNAL": TEAL, "TOOL": BLUE, "SYSTEM": PURPLE}

# Under NO_COLOR, Textual turns colours into greys by brightness: red became
# the dimmest text on screen. These keep failures and cautions prominent there
# (see ui/prominence.py): (colour, style it takes instead, when bold too).
MONOCHROME = {RED: ("bold #ffffff", "bold underline #ffffff"),
              ORANGE: ("bold #ffffff", "bold italic #ffffff")}


def level(fraction: float) -> str:
    """A share of a limit used: fine, close (80 %), over."""
    return FAILURE if fraction >= 1 else CAUTION if fraction >= 0.8 else SUCCESS
