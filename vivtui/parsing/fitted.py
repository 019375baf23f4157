"""A JSON line made to fit a stream's message, still the record it was.

A line longer than a NATS server's ``max_payload`` (1 MB unless set) is
refused whole; cut (``cut_lines.within``) it reached the other end as a
malformed line: an API call's cost left out of the spend, a session's
completion out of the sessions. A line that holds an object is sent as that
object cut to fit instead (``pruned``: the fewest values and the shortest
strings it takes, each cut saying so): its category, time and every short
field as written.
"""

from __future__ import annotations

from vivtui.parsing.pruned import MOST_ITEMS, MOST_VALUES, pruned
from vivtui.parsing.record import to_json
from vivtui.sources import json_dialect
from vivtui.sources.json_values import too_many_values

LEAST_TEXT = 64  # characters: a string is not cut shorter (the bounds halve down to it)


def fitted(data: bytes, most: int) -> bytes | None:
    """The line's object as JSON of at most ``most`` bytes, cut as little as
    the bounds halving allow; None when it holds no object, too many values
    to decode (``json_values.too_many_values``: it is no record anywhere), or
    does not fit even cut to the least."""
    if too_many_values(data) is not None:
        return None
    value = json_dialect.loads(data)
    if value.__class__ is not dict:
        return None
    values, items, text = MOST_VALUES, MOST_ITEMS, max(LEAST_TEXT, most // 2)
    while True:
        made = to_json(pruned(value, values, items, text))
        if len(made) <= most:
            return made
        if text == LEAST_TEXT and items == 1:
            return None
        values, items, text = max(1, values // 2), max(1, items // 2), max(LEAST_TEXT, text // 2)
