"""Failures in a row: the streak rule's count, kept so that a file read in
two parts at once (``ingest.apart_parts``) is counted as one.

The part after the cut does not know the streak it starts in; it keeps its
lead (the failures before its first success, the first ``needed`` of them
as rows) and the alert it fired in it. Joined to the part before, the
streak across the cut fires where one reading would have fired it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from vivtui.parsing.record import ERROR, OK, Record

_SEVERITY_AT, _MALFORMED_AT = map(Record._fields.index, ("severity", "malformed"))


@dataclass(slots=True)
class Streak:
    what: str  # "sessions", "tasks"
    length: int = 0
    fired: bool = False
    broken: bool = False  # a success seen: the lead is over
    lead: list[tuple] = field(default_factory=list)  # its first failures' rows (``needed``)
    lead_alert: object = None  # the alert fired in the lead, if any

    def firing(self, rows: list, needed: int) -> Iterator[tuple]:
        """Failures (error severity) against successes (ok), in file order:
        the rows at which the streak reaches ``needed`` (once until a success)."""
        for row in rows:
            severity = row[_SEVERITY_AT]
            if severity != ERROR and severity != OK or row[_MALFORMED_AT]:
                continue
            if severity == OK:
                self.length, self.fired, self.broken = 0, False, True
                continue
            self.length += 1
            if not self.broken and len(self.lead) < needed:
                self.lead.append(row)
            if self.length >= needed and not self.fired:
                self.fired = True
                yield row

    def fired_alert(self, alert: object) -> None:
        """The alert made for the row ``firing`` gave last."""
        if not self.broken:
            self.lead_alert = alert

    def followed_by(self, later: Streak, needed: int) -> tuple[object, tuple | None]:
        """``later`` (the file's part after this one's) joined on: this
        streak is the one across both from now on. Returns the alert of
        ``later``'s lead that one reading would not have fired (None: none)
        and the row at which it would have fired one instead (None: none)."""
        dropped, fire_at = None, None
        if later.lead_alert is not None or len(later.lead) + self.length >= needed:
            dropped = later.lead_alert
            if not self.fired and self.length + len(later.lead) >= needed:
                fire_at = later.lead[needed - self.length - 1]
        if later.broken:
            self.length, self.fired = later.length, later.fired
        else:
            self.length += later.length
            self.fired = self.fired or fire_at is not None or later.fired
        return dropped, fire_at
