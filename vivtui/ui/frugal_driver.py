"""Textual's Linux driver, writing only what changed on the screen (see
``screen_diff``) and at most ``fps`` frames a second while the screen changes
by itself; a frame that answers a key or the mouse goes out at once.

Over SSH every byte crosses the link, and on a slow one frames queue in front
of the answer to a key. Frames that come faster than the cap merge in the
screen model and go out together when the cap allows.
"""

from __future__ import annotations

import asyncio
import os
from time import monotonic

from textual import events
from textual.drivers.linux_driver import LinuxDriver

from vivtui.ui.screen_diff import ScreenModel

SYNC_START, SYNC_END = "\x1b[?2026h", "\x1b[?2026l"
INPUT_GRACE_S = 0.25  # frames this soon after input are its answer: never held back
FPS_ENV = "VIVTUI_FPS"
FRUGAL_ENV = "VIVTUI_FRUGAL"  # 0: Textual's own output, for comparison and odd terminals


class SizedDriver(LinuxDriver):
    """Textual's own output, at the terminal's size (see ``tty_size``)."""

    def _get_terminal_size(self) -> tuple[int, int]:
        return tty_size(self._file) or super()._get_terminal_size()


class FrugalDriver(SizedDriver):
    fps: float = 0.0  # 0: no cap

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._model = ScreenModel()
        self._sync = False
        self._sent_at = float("-inf")
        self._input_at = float("-inf")
        self._held: asyncio.TimerHandle | None = None

    def process_message(self, message) -> None:
        if isinstance(message, (events.Key, events.MouseDown, events.MouseScrollUp,
                                events.MouseScrollDown, events.Paste)):
            self._input_at = monotonic()
        super().process_message(message)

    def write(self, data: str) -> None:
        if data == SYNC_START or data == SYNC_END:
            self._sync = True  # the terminal has it: each frame sent is wrapped in it
            return
        size = self._get_terminal_size()
        model = self._model
        if size != (model.width, model.height):
            model.resize(*size)
        if model.apply(data):
            self._frame_due()
            return
        self._send_held()
        if not model.harmless(data):
            model.forget()
        super().write(data)

    def _frame_due(self) -> None:
        if self._held is not None:
            return
        now = monotonic()
        wait = self._sent_at + 1.0 / self.fps - now if self.fps else 0.0
        if wait <= 0 or now - self._input_at < INPUT_GRACE_S:
            self._send()
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._send()
            return
        self._held = loop.call_later(wait, self._send_held)

    def _send_held(self) -> None:
        if self._held is not None:
            self._held.cancel()
            self._held = None
            self._send()

    def _send(self) -> None:
        self._held = None
        data = self._model.render()
        self._sent_at = monotonic()
        if data:
            super().write(f"{SYNC_START}{data}{SYNC_END}" if self._sync else data)

    def stop_application_mode(self) -> None:
        self._send_held()
        super().stop_application_mode()


def tty_size(file) -> tuple[int, int] | None:
    """The terminal's own size, asked of the terminal (None: not a terminal).

    Textual asks ``shutil``, which prefers ``COLUMNS`` and ``LINES`` from the
    environment: inherited by a tmux server or left by a shell, they are stale
    the moment the terminal differs, and a frame drawn for 80x24 in a 140x20
    pane lands its lower rows on the last one (the status line vanished under
    the footer)."""
    try:
        width, height = os.get_terminal_size(file.fileno())
    except (AttributeError, ValueError, OSError):
        return None
    return (width, height) if width > 0 and height > 0 else None


def driver_class(fps: float | None) -> type[LinuxDriver] | None:
    """The driver for a frame cap (None: ``VIVTUI_FPS`` or none); Textual's own
    output for ``VIVTUI_FRUGAL=0``; None where Textual's driver is to be used
    (not a Linux-like terminal, or a driver chosen by whoever runs vivtui:
    textual-serve's web driver)."""
    if os.name != "posix" or os.environ.get("TEXTUAL_DRIVER"):
        return None
    if os.environ.get(FRUGAL_ENV, "1") == "0":
        return SizedDriver
    if fps is None:
        try:
            fps = max(0.0, float(os.environ.get(FPS_ENV, "0") or 0))
        except ValueError:
            fps = 0.0
    return type("FrugalDriver", (FrugalDriver,), {"fps": fps})
