"""The app's keys ahead of the reading: keys typed before the first frame held
for it, and each key's frame before more of a backlog.

Mixed into the app, which makes ``_held_keys`` (a list until the first frame),
``_key_answer_due``, ``_collector_held`` (None), ``_intake``, ``tailing`` and
``layout_``, and calls ``_release_collector`` as it ends.
"""

from __future__ import annotations

from contextlib import ExitStack
from time import monotonic
from typing import Callable

from textual import events

from vivtui.parsing.kinds import gc_paused

INPUT_FIRST_S = 0.1  # at most, backlog batches wait after a key for its frame
KEY_ANSWER_S = 0.2  # the previews' parsing and taking in wait this long after a key


class KeysFirst:
    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and self.layout_ is not None:
            if self._held_keys is not None:
                # Before the first frame, the pane tabs are not settled: a pane
                # chosen by a key typed ahead was switched back at once.
                self._held_keys.append(event)
                return
            self._input_first()
        await super().on_event(event)

    def on_ready(self) -> None:
        # Textual's Ready: the first frame is out, so the pane tabs are settled.
        # (After the refresh that follows it, the keys had waited 55-100 ms
        # more on a big run, behind the screen's queue.)
        self._release_keys()

    def _release_keys(self) -> None:
        held, self._held_keys = self._held_keys, None
        for event in held or ():
            self.post_message(event)

    def _input_first(self) -> None:
        """A key's frame before more of a backlog: no batch is taken in, and the
        tail loops parse none, until it is out (or ``INPUT_FIRST_S`` passed).
        Switching panes while a whole big run was read took 0.3-2 s."""
        self._intake.quiet(INPUT_FIRST_S)
        self.tailing.key_pressed()
        self.call_after_refresh(self.tailing.line_drawn)
        # Not at the next frame: at a big run's first frame, a pane key passed
        # up to its binding 100 ms after the app got it, and its pane was
        # drawn after that (the last key's time counts).
        self._key_answer_due = monotonic() + KEY_ANSWER_S
        self.set_timer(KEY_ANSWER_S, self._key_answered)
        if self._collector_held is None:
            # Nor a pass of the collector: on a big run's UI thread, one fell
            # in a key's answer now and then (95-124 ms, loop_lag.py).
            self._collector_held = ExitStack()
            self._collector_held.enter_context(gc_paused())

    def _key_answered(self) -> None:
        if monotonic() >= self._key_answer_due - 0.001:  # (an earlier key's timer: not yet)
            self._key_answer_due = float("inf")
            self.tailing.key_answered()
            self._release_collector()

    def answer_waits_for_work(self) -> None:
        """The key's answer waits for work of the screen's process (a jump
        for the timeline's merge): that work goes on now, not after the
        key's answer time (a merge paced for its own key kept e waiting)."""
        self.tailing.key_answered()

    def _release_collector(self) -> None:
        held, self._collector_held = self._collector_held, None
        if held is not None:
            held.close()


def keys_before(app, scan) -> None:
    """A scan of the screen's worker gives a key's answer and the frames on
    their way their turn before each of its pages."""
    pace = worker_pace_of(app)
    if pace is not None:
        scan.pace = pace


def worker_pace_of(app) -> Callable[[], None] | None:
    """For work on a worker of the screen's, called between its pieces: a
    key's answer and the frames on their way first (a run's app: its tailing
    knows when they are out; None elsewhere)."""
    tailing = getattr(app, "tailing", None)
    return None if tailing is None else tailing.worker_pace()
