"""The tail loops' previews (``tailing.Tailing``'s part): a big file's newest
lines, posted before its reading from the start gets there (``Feed.preview``),
taken into a store of their own in the loop's thread, or read while the
monitor started (``early_previews``); and the lines written after them, while
the reading from the start has not got there yet.
"""

from __future__ import annotations

from functools import partial
from typing import Callable

from vivtui.ingest.apart import ReadApart
from vivtui.ingest.batch import Batch
from vivtui.ingest.early_previews import WAIT_S as EARLY_WAIT_S
from vivtui.ingest.feeds import Feed
from vivtui.ingest.intake import split
from vivtui.store.run import RunStore

PREVIEW_PIECE = 500  # records of a preview taken in between two looks for a frame on its way
PREVIEW_PACE_S = 0.1  # at most, in all, a preview's taking in waits for frames
KEY_WAIT_S = 0.3  # at most, per piece of a preview, while a key is being answered
KEYS_MOST_S = 1.0  # at most, in all, per stage of a preview (parsing, taking in)
PREVIEW_WAIT_S = 2.0  # at most, for a big file's preview to be drawn before its backlog is read


class PreviewLoops:
    """Mixed into ``tailing.Tailing``, whose loops, pacing and hand-over it uses
    (``_frames_first``, ``_backlog_turn``, ``_hand_over``, ``_spawn``…)."""

    def _preview(self, feed: Feed, beside: bool = False) -> None:
        """The file's newest lines read, and posted: by this thread, or
        ``beside`` it by another, while this one goes on to start the process
        that reads its backlog (the turns at the processes go to the costliest
        backlogs first, and waited for their previews to be taken in)."""
        if feed in self._shown_early:
            return
        try:
            batch = self._early_preview(feed)
            if batch is None:
                with self._backlog_turn:
                    batch = feed.preview(pace=self._frames_first(0.0, keys=KEYS_MOST_S))
        except Exception as exc:  # noqa: BLE001 - reported; the file is read all the same
            self._report(f"previewing {feed.path.name}", exc)
            return
        if batch is None:
            return
        # Its backlog is taken in apart (``read_all``): said from the
        # preview's first frame, whose head said "Queue 0 tasks" else.
        feed.apart = self._apart is not None
        if beside:
            self._posting.add(feed)
            self._spawn(partial(self._post_preview, feed, batch), f"previewing {feed.kind}")
        else:
            self._post_preview(feed, batch)

    def early_previews(self) -> list[Batch]:
        """From the UI thread, before the first frame: the previews read while
        the monitor started that are in already (``early``), for the first
        frame to show; the tail loops wait for the others."""
        out = []
        for feed in self.feeds:
            batch = self._early_preview(feed, wait=0.0) if feed.kind in self.previewed else None
            if batch is not None:
                feed.apart = self._apart is not None
                self._shown_early.add(feed)
                out.append(batch)
        return out

    def _early_preview(self, feed: Feed, wait: float = EARLY_WAIT_S) -> Batch | None:
        """The preview read while the monitor started, if it was (``early``)."""
        if self._early is None or self._preview_store is None:
            return None
        store = self._early.take(feed, wait)
        if store is None:
            return None
        return Batch(feed.kind, source=feed.path.name, preview=True,
                     apart=ReadApart(feed.kind, self._preview_store(store)))

    def _post_preview(self, feed: Feed, batch: Batch) -> None:
        try:
            if self._preview_store is not None and batch.apart is None:
                batch = self._taken_in(batch, self._preview_store(),
                                       self._frames_first(PREVIEW_PACE_S, keys=KEYS_MOST_S))
            # Its frame first, and for longer than a line's: the backlog's batches
            # and parsing, competing for the UI thread and the GIL, put it off by seconds.
            self.screen_busy()
            self._hand_over(batch)
        except Exception as exc:  # noqa: BLE001 - reported; the file is read all the same
            self._report(f"previewing {feed.path.name}", exc)
            return
        finally:
            self._posting.discard(feed)
        self._screen_free.wait(PREVIEW_WAIT_S)

    def _taken_in(self, batch: Batch, store: RunStore, pace: Callable[[], None]) -> Batch:
        """A preview taken in here, a piece at a time (in its turn, with
        ``pace`` between), posted whole: taken in on the UI thread, a big
        run's three previews kept a key pressed at the first frame waiting
        300-600 ms, against 190-260 ms without previews."""
        made = ReadApart(batch.kind, store)
        rest: Batch | None = batch
        while rest is not None:
            pace()
            piece, rest = split(rest, PREVIEW_PIECE)
            with self._backlog_turn:
                made.take(piece)
        return Batch(batch.kind, source=batch.source, preview=True, apart=made)

    def _post_preview_more(self, feed: Feed) -> None:
        if feed in self._posting:
            return  # after the preview they follow: taken in before it, its store replaced them
        more_preview = feed.preview_more()
        if more_preview is not None:
            self._hand_over(more_preview)
