"""What the terminal is left with when the monitor ends on an unhandled
exception: its traceback, without the values of its locals.

Textual's report shows each frame's locals: a record's fields there are log
text, and may hold a secret the screen masks (an API key, a password), left
in the terminal's scrollback; and a value nested 1000 deep, pretty-printed
for the report, held the terminal at full CPU for minutes before it closed.
"""

from __future__ import annotations


class PlainCrashReport:
    """For the app (Textual's ``App._fatal_error``, with the pinned version's
    steps): the report kept for the terminal once the app has closed."""

    def _fatal_error(self) -> None:
        # Imported only for a crash: ``rich.traceback`` brings Pygments, 64 ms
        # and 3.6 MB at every start (the first screen waited for them).
        import rich
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        report = Traceback(show_locals=False, width=None, suppress=[rich])
        self._exit_renderables.append(Segments(self.console.render(report,
                                                                   self.console.options)))
        self._close_messages_no_wait()
