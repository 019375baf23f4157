"""The one palette: every style vivtui draws with, by what it means.

Nothing else names a colour; the render layer and the widgets say which of
these a piece of text is.
"""

from __future__ import annotations

from vivtui.parsing.record import ERROR, INFO, OK, WARNING

STRONG = "bold"
NOTE = "dim"
PLAIN = ""
HEADING = "bold underline"
FAILURE = "red"  # a failed thing's text, a failure count's label
FAILURE_STRONG = "bold red"
FAILURE_BADGE = "bold red reverse"  # MALFORMED
CAUTION = "dark_orange"
CAUTION_STRONG = "bold dark_orange"
SUCCESS = "green"
ACTIVE = "cyan"  # running, elapsed time ticking, a file kind's label
WAVE = "bold cyan"
MODEL = "magenta"
MONEY = "yellow"
KEY = "bold cyan"  # a key in the help
SEARCH_HIT = "bold black on yellow"
CURSOR = "reverse"  # the selected row of the focused pane
CURSOR_UNFOCUSED = "underline"
STRING_VALUE = "green"  # the inspector's field values
OTHER_VALUE = "cyan"

SEVERITY = {ERROR: FAILURE_STRONG, WARNING: CAUTION, OK: SUCCESS, INFO: PLAIN}
# The producer's own colours for action types (FORMATS.md), for rows that are
# not an error or warning.
ACTION_TYPE = {"COST": MONEY, "API": MONEY, "SOCIAL": ACTIVE, "IDENTITY": ACTIVE,
               "JOURNAL": ACTIVE, "TOOL": "blue", "SYSTEM": MODEL}


def level(fraction: float) -> str:
    """A share of a limit used: fine, close (80 %), over."""
    return FAILURE if fraction >= 1 else CAUTION if fraction >= 0.8 else SUCCESS
