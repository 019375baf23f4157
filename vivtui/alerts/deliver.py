"""How an alert leaves vivtui besides the screen: a command run per alert, and
the escape sequences of a bell and a desktop notification (which pass
through SSH to the operator's terminal).

The command is never run through a shell: its words are split once, from the
option, and the alert goes to its standard input as JSON. A log's text never
becomes part of a command line.
"""

from __future__ import annotations

import queue
import shlex
import subprocess
import threading
from collections.abc import Callable

import orjson

from vivtui.alerts.alert import Alert
from vivtui.safetext import one_line

COMMAND_TIMEOUT_S = 30.0
QUEUED_MOST = 100  # alerts waiting for the command; more are dropped, and said so
NOTIFY_KINDS = ("osc9", "osc777")
BELL = "\a"


def alert_line(alert: Alert) -> bytes:
    """The alert as one line of JSON (``watch --json``, the command's input)."""
    return orjson.dumps(alert.as_json()) + b"\n"


def alert_text(alert: Alert) -> str:
    """The alert as one line for people."""
    evidence = f" ({alert.evidence})" if alert.evidence else ""
    history = " [history]" if not alert.live else ""
    return (f"{alert.time.isoformat(timespec='seconds')} {alert.severity:<8} {alert.rule}: "
            f"{alert.message}{evidence}{history}")


def notification(alert: Alert, kind: str = "osc9") -> str:
    """A desktop notification as an escape sequence: OSC 9 (iTerm2, WezTerm,
    Windows Terminal, kitty) or OSC 777 (VTE terminals, foot, urxvt)."""
    body = one_line(f"{alert.rule}: {alert.message}", 200)
    if kind == "osc777":
        return f"\x1b]777;notify;vivtui {alert.severity};{body.replace(';', ',')}\x07"
    return f"\x1b]9;vivtui {alert.severity}: {body}\x07"


class Ringer:
    """How an alert of a line written while watched is rung, by the monitor and
    by ``watch`` alike: the bell (``bell``), a desktop notification (written
    with ``write``) and the alert command, each if asked for."""

    def __init__(self, write: Callable[[str], None], bell: Callable[[], None] | None = None,
                 notify: str | None = None, command: AlertCommand | None = None) -> None:
        self._write = write
        self._bell = bell
        self._notify = notify
        self.command = command

    def ring(self, alert: Alert) -> None:
        if self._bell is not None:
            self._bell()
        if self._notify:
            self._write(notification(alert, self._notify))
        if self.command is not None:
            self.command.send(alert)

    def close(self, wait: float = 0.0) -> None:
        if self.command is not None:
            self.command.close(wait)


class AlertCommand:
    """``--alert-cmd``: ``command``'s words run once per alert, one at a time
    on a thread of its own (a slow command never holds the screen back)."""

    def __init__(self, command: str, report: Callable[[str], None]) -> None:
        self.argv = shlex.split(command)
        if not self.argv:
            raise ValueError("--alert-cmd: no command given")
        self._report = report
        self._queue: queue.Queue[Alert | None] = queue.Queue(QUEUED_MOST)
        self.dropped = 0
        self.ran = 0
        self._thread = threading.Thread(target=self._run, name="vivtui alert command",
                                        daemon=True)
        self._thread.start()

    def send(self, alert: Alert) -> None:
        try:
            self._queue.put_nowait(alert)
        except queue.Full:
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 100 == 0:
                self._report(f"alert command: {self.dropped} alerts dropped, "
                             f"{QUEUED_MOST} were waiting")

    def close(self, wait: float = 0.0) -> None:
        """No more alerts; the ones waiting are run if ``wait`` allows."""
        try:
            self._queue.put(None, timeout=max(wait, 0.01))
        except queue.Full:
            return
        self._thread.join(wait)

    def _run(self) -> None:
        while (alert := self._queue.get()) is not None:
            self._run_one(alert)

    def _run_one(self, alert: Alert) -> None:
        name = self.argv[0]
        try:
            done = subprocess.run(self.argv, input=alert_line(alert), stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, timeout=COMMAND_TIMEOUT_S,
                                  check=False)
        except subprocess.TimeoutExpired:
            self._report(f"alert command {name}: still running after "
                         f"{COMMAND_TIMEOUT_S:.0f} s, stopped")
            return
        except OSError as exc:
            self._report(f"alert command {name}: {exc.strerror or exc}")
            return
        self.ran += 1
        if done.returncode != 0:
            said = done.stderr.decode("utf-8", "replace").strip().splitlines()
            self._report(f"alert command {name} exited with {done.returncode}"
                         + (f": {one_line(said[-1], 200)}" if said else ""))
