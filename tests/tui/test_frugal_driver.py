"""The driver sends only changes, holds frames past its cap, and answers input at once."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from textual import events

from vivtui.cli import monitor_parser
from vivtui.ui.frugal_driver import SizedDriver, driver_class


def make(fps: float):
    driver = driver_class(fps)(SimpleNamespace())
    written: list[str] = []
    driver._writer_thread = SimpleNamespace(write=written.append)
    driver._get_terminal_size = lambda: (20, 4)
    driver.send_message = lambda message: None
    return driver, written


async def test_frames_past_the_cap_merge_and_go_out_later():
    driver, written = make(fps=4)
    driver.write("\x1b[1;1Habc\x1b[4;1H")
    assert written == ["\x1b[1;1Habc\x1b[4;1H"]
    driver.write("\x1b[1;1Habd\x1b[4;1H")
    driver.write("\x1b[2;1Hxyz\x1b[4;1H")
    assert len(written) == 1  # within a quarter of a second of the last
    await asyncio.sleep(0.4)
    assert written[1:] == ["\x1b[1;3Hd\x1b[2;1Hxyz\x1b[4;1H"]  # both, changed cells only


async def test_a_frame_after_a_key_is_not_held():
    driver, written = make(fps=1)
    driver.write("\x1b[1;1Habc\x1b[4;1H")
    driver.process_message(events.Key("j", "j"))
    driver.write("\x1b[2;1Hj\x1b[4;1H")
    assert written[-1] == "\x1b[2;1Hj\x1b[4;1H"


async def test_other_output_goes_out_after_held_frames_and_in_order():
    driver, written = make(fps=1)
    driver.write("\x1b[1;1Habc")
    driver.write("\x1b[1;1Habd")
    driver.write("\x07")
    assert written == ["\x1b[1;1Habc", "\x1b[1;3Hd", "\x07"]


async def test_a_terminal_with_synchronized_output_gets_each_frame_wrapped():
    driver, written = make(fps=0)
    driver.write("\x1b[?2026h")
    driver.write("\x1b[1;1Habc")
    driver.write("\x1b[?2026l")
    assert written == ["\x1b[?2026h\x1b[1;1Habc\x1b[?2026l"]


def test_frames_cap_from_the_command_line_or_the_environment(monkeypatch):
    assert monitor_parser().parse_args(["--fps", "5"]).fps == 5
    with pytest.raises(SystemExit):
        monitor_parser().parse_args(["--fps", "-1"])
    monkeypatch.setenv("VIVTUI_FPS", "3")
    assert driver_class(None).fps == 3
    assert driver_class(7).fps == 7
    monkeypatch.setenv("VIVTUI_FRUGAL", "0")
    assert driver_class(None) is SizedDriver  # Textual's output, at the terminal's size
    monkeypatch.setenv("TEXTUAL_DRIVER", "textual_serve.driver:WebDriver")
    assert driver_class(None) is None


async def test_the_size_is_the_terminals_not_a_stale_environments(monkeypatch):
    import fcntl
    import os
    import pty
    import struct
    import termios

    from vivtui.ui.frugal_driver import tty_size

    leader, follower = pty.openpty()
    try:
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 20, 140, 0, 0))
        monkeypatch.setenv("COLUMNS", "80")
        monkeypatch.setenv("LINES", "24")
        with os.fdopen(os.dup(follower), "w") as terminal:
            for driver in (driver_class(0)(SimpleNamespace()), SizedDriver(SimpleNamespace())):
                driver._file = terminal
                assert driver._get_terminal_size() == (140, 20)
        assert tty_size(SimpleNamespace()) is None  # not a terminal: Textual's answer
    finally:
        os.close(leader)
        os.close(follower)
