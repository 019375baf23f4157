"""Alerts on screen: the status line's banner until they are seen, and the list
(key ``a``) of every alert with its time, rule and evidence."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import tzinfo
from operator import attrgetter

from rich.text import Text
from textual.binding import Binding

from vivtui.alerts.alert import CRITICAL, WARNING, Alert
from vivtui.ingest.layout import LineReread
from vivtui.parsing.record import Record, new_record
from vivtui.ui import render, styles
from vivtui.ui.listscreen import ListScreen

_TIME = attrgetter("time")
SEVERITY_STYLE = {CRITICAL: styles.FAILURE_STRONG, WARNING: styles.CAUTION_STRONG}
BANNER_STYLE = {CRITICAL: styles.ALERT_CRITICAL, WARNING: styles.ALERT_WARNING}


def banner(unseen: Sequence[Alert], width: int) -> Text:
    """The newest alert not seen yet, and how many there are, on a line of its
    own above the status: until ``a`` lists them."""
    newest = unseen[-1]
    out = Text(no_wrap=True, overflow="ellipsis", end="")
    count = (f" ⚑ {len(unseen)} new alerts " if len(unseen) > 1 else " ⚑ ALERT ")
    out.append(count, BANNER_STYLE.get(newest.severity, styles.ALERT_OTHER))
    out.append(f" {render.safe(newest.rule, 20)}: ", SEVERITY_STYLE.get(newest.severity, ""))
    tail = Text(f"  ({render.safe(newest.evidence, 60)})" if newest.evidence else "",
                styles.NOTE)
    tail.append("  a: list", styles.NOTE)
    room = max(10, width - out.cell_len - tail.cell_len - 1)
    out.append(render.fit(render.safe(newest.message, 300), room).rstrip())
    out.append_text(tail)
    out.truncate(max(1, width - 1))
    out.append("\n")
    return out


def elsewhere(alerts: int, rung: int) -> Text:
    """The status line's count of the other runs' alerts (``R``: the overview)."""
    out = Text(end="")
    out.append(f" R runs ⚑{alerts}", styles.FAILURE_STRONG if rung else styles.NOTE)
    return out


SHORT_SEVERITY = {CRITICAL: "crit", WARNING: "warn"}
WIDE = 120  # from this width, times have their date


def alert_row(alert: Alert, width: int, zone: tzinfo | None = None) -> Text:
    """Time, severity, rule, message; the evidence in the last column, where
    a long message cannot push it off. History rows are dim."""
    stamp = "%m-%d %H:%M:%S" if width >= WIDE else "%H:%M:%S"
    when = alert.time.astimezone(zone).strftime(stamp)
    evidence = render.safe(alert.evidence, 40)
    cells = [(when, len(when), styles.NOTE),
             (SHORT_SEVERITY.get(alert.severity, alert.severity), 4,
              SEVERITY_STYLE.get(alert.severity, "")),
             (render.safe(alert.rule, 14), 14, styles.STRONG)]
    used = sum(cell[1] + 1 for cell in cells)
    cells.append((render.safe(alert.message, 300), max(8, width - used - 1 - len(evidence)),
                  "" if alert.live else styles.NOTE))
    cells.append((evidence, 0, styles.NOTE))
    return render.columns(cells, width)


class AlertsScreen(ListScreen):
    """Every alert, newest first by their own times (a backlog's files are read
    one after another); enter shows its evidence."""

    BINDINGS = [Binding("a", "app.pop_screen", "Back", show=False)]

    def __init__(self, alerts: Sequence[Alert], fired: int, zone: tzinfo | None,
                 show: Callable[[Alert], None]) -> None:
        alerts = sorted(alerts, key=_TIME, reverse=True)
        super().__init__(_about(alerts, fired), alerts,
                         lambda alert, width: alert_row(alert, width, zone), show,
                         empty="No alert has fired.")


def _about(alerts: Sequence[Alert], fired: int) -> Text:
    live = sum(alert.live for alert in alerts)
    about = Text(no_wrap=True, overflow="ellipsis", end="")
    about.append(f" {fired} alert{'s' if fired != 1 else ''}", styles.STRONG)
    listed = f", the newest {len(alerts)} listed" if fired > len(alerts) else ""
    about.append(f" ({live} while watched, {len(alerts) - live} in the history{listed}; "
                 "dim), newest first; enter: evidence", styles.NOTE)
    return about


class AlertActions:
    """The alerts' keys and banner on the main screen (a mixin of ``MainScreen``)."""

    def alerts_fired(self, fired: list[Alert]) -> None:
        live = [alert for alert in fired if alert.live]
        self.unseen.extend(live)
        # A backlog's (history) alerts are counted by the next tick's status: a
        # status line for each of its batches was a third of a big run's reading.
        if live and self._ready:
            self.status_soon()

    def action_alerts(self) -> None:
        self.app.push_screen(AlertsScreen(self.alerts.alerts, self.alerts.fired,
                                                    self.zone, self.show_alert))
        self.unseen.clear()
        self.refresh_status()

    def show_alert(self, alert: Alert) -> None:
        """An alert's evidence in the inspector, read from its file as it is now."""
        record = None
        if alert.kind is not None and alert.offset is not None and alert.line is not None:
            place = (alert.line, alert.offset)
            row = LineReread.of(self.run_layout, alert.kind).rows_at([place]).get(place)
            record = new_record(Record, row) if row is not None else None
        if record is None:
            self.say(f"{alert.rule}: {alert.message}"
                     + (f" ({alert.evidence}: no longer in the file)" if alert.evidence else ""))
            return
        self.inspect(record)
