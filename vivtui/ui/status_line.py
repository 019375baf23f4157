"""The main screen's status line: run state, files, errors, spend and follow,
with the alerts, failures and a stream's link problems before them; and the
run's state as judged while its files are read.

Mixed into the main screen: needs ``store``, ``run_layout``, ``panes``,
``previews``, ``alerts``, ``elsewhere``, ``unseen``, ``failures``,
``source_note``, ``zone``, ``now``, ``reading``, ``current_pane`` and ``_ready``.
"""

from __future__ import annotations

from functools import partial

from textual.css.query import NoMatches

from vivtui.sources.regular import size_of
from vivtui.store.activity import LIVE, UNDATED, RunState
from vivtui.ui import alerts as alerts_ui
from vivtui.ui import heads
from vivtui.ui.textline import TextLine
from vivtui.ui.timestrip import status_strip

STATUS_STRIP, STATUS_STRIP_FROM = 16, 110  # the status line's time strip: bins, from width


class StatusLine:
    def refresh_status(self) -> None:
        try:
            status = self.query_one("#status", TextLine)
        except NoMatches:
            return  # the screen is going away (an alert or a failure said at exit)
        statuses = self.run_layout.statuses()
        status.update(self.status_text(statuses))
        unreadable = {s.kind: f"{s.name}: unreadable ({s.note or 'no reason given'})"
                      for s in statuses if s.state == "unreadable"}
        read = {s.kind: s for s in statuses if s.used and s.state == "ok"}
        for pane in self.panes.values():
            pane.file_problem(next((unreadable[k] for k in pane.reads if k in unreadable), None),
                              next((read[k] for k in pane.reads if k in read), None))

    def status_text(self, statuses=None):
        pane = self.current_pane()
        if statuses is None:
            statuses = self.run_layout.statuses()
        text = self._status_line(statuses, pane, self.size.width >= STATUS_STRIP_FROM)
        if self.elsewhere is not None:
            text = alerts_ui.elsewhere(*self.elsewhere()).append_text(text)
        if self.unseen:
            text = alerts_ui.banner(self.unseen, self.size.width).append_text(text)
        if self.failures:
            text = heads.failures(self.failures).append_text(text)
        note = self.source_note()
        if note:
            text = heads.source_problem(note).append_text(text)
        return text

    def _status_line(self, statuses, pane, wide: bool):
        """The status itself, in one row if it can be: a file named there
        (unreadable, not read) took the line to two rows, one less for the
        pane. The time strip gives way first, then why the file was not read
        (its pane says it too); only then does the line wrap."""
        status = partial(heads.status, statuses, self.store,
                         pane.follow_text() if pane is not None else None, self.now(), self.zone,
                         alerts=self.alerts.fired, counting=self.reading(),
                         run=self.run_judged(), spend_counted=self._counted_whole("api"))
        strip = status_strip(self.store, STATUS_STRIP) if wide else None
        tries = ((strip, False), (None, False), (None, True)) if strip is not None else (
            (None, False), (None, True))
        for shown, brief in tries:
            text = status(strip=shown, brief=brief)
            if text.cell_len <= self.size.width:
                break
        return text

    def _counted_whole(self, kind: str) -> bool:
        """Is ``kind``'s big file being counted apart (``ingest.apart``), its
        figures none of the store's until it is read? As its pane's preview says."""
        shown = self.previews.for_reads((kind,))
        return shown is not None and shown.counting

    def run_judged(self) -> RunState | None:
        """Live, idle or finished, from what is read so far; None while
        nothing dated is, and the backlogs are being read: a run finished
        hours ago was said to be "live" for the seconds its big files took.
        While they are, a big file's preview has seen its newest lines: the
        newer sign of life of the two judges (the files read first may end
        earlier: the run's last event went back by a day on a big run)."""
        now = self.now()
        run = self.store.run_state(now)
        if not self._unread():
            return run
        preview = self.previews.store
        judged = preview.run_state(now) if preview is not None else None
        if judged is not None and judged.since is not None and (
                run.since is None or judged.since > run.since):
            return judged
        return run if run.state not in (LIVE, UNDATED) or run.since is not None else None

    def _unread(self) -> bool:
        """Has a file with something in it still to be read, or is one being
        read? (Not a run only waited for, nor one read to its end with no
        time in it: those are judged as ever.)"""
        for feed in self.run_layout.feeds:
            chosen = feed.current_choice()
            if (chosen is not None and feed.reading_backlog() is not None
                    and size_of(chosen[1]) > 0):
                return True
        return False

    def report_failure(self, message: str) -> None:
        self.failures.append(message)
        if self._ready:
            self.refresh_status()

