"""The installed command in a real terminal (tmux) on a run a writer appends to."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import orjson
import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def vivtui_command() -> str:
    installed = Path(sys.executable).with_name("vivtui")
    return str(installed) if installed.exists() else f"{sys.executable} -m vivtui"


def capture(session: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True,
                          text=True).stdout


def alive(session: str) -> bool:
    return subprocess.run(["tmux", "has-session", "-t", session],
                          capture_output=True).returncode == 0


def wait_for(session: str, needle: str, timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = capture(session)
        if needle in screen:
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{needle!r} not on screen after {timeout}s:\n{screen}")


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_new_lines_appear_in_a_real_terminal(tui, tmp_path, size):
    session = f"vivtui-e2e-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "action_log.jsonl"
    log.write_bytes(orjson.dumps({"actor": "Seed-1", "action_type": "TOOL", "action": "read_file",
                                  "detail": "already there"}) + b"\n")
    width, height = size
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", str(width), "-y",
                    str(height), f"TERM=xterm-256color {vivtui_command()} {tmp_path}"], check=True)
    try:
        wait_for(session, "already there")
        for i in range(3):
            marker = f"appended-{i}-{uuid.uuid4().hex[:6]}"
            with open(log, "ab") as handle:
                handle.write(orjson.dumps({"actor": "Writer", "action_type": "ERROR",
                                           "action": "boom", "detail": marker}) + b"\n")
            wait_for(session, marker, timeout=5)
        (tmp_path / "kernel_run.log").write_bytes(b"BLOCKED: late file\n")  # created late
        subprocess.run(["tmux", "send-keys", "-t", session, "5"], check=True)
        wait_for(session, "BLOCKED: late file")  # the pane reads its file itself ...
        wait_for(session, "files 2/7")  # ... and the tail loop counts it
        subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and alive(session):
            time.sleep(0.1)
        assert not alive(session), "q did not quit"
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def styled(session: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-e", "-t", session],
                          capture_output=True, text=True).stdout


def settled(session: str, quiet: float = 0.6, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    last, since = styled(session), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        screen = styled(session)
        if screen != last:
            last, since = screen, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
    return last


def test_frugal_output_draws_what_textual_draws(tmp_path):
    """The same run in two terminals, one with Textual's own output: after a
    followed list scrolled, keys moved the cursor and panes switched, both
    terminals show the same cells in the same styles."""
    log = tmp_path / "action_log.jsonl"
    lines = [orjson.dumps({"timestamp": f"2026-02-03T05:44:{i % 60:02d}.000+00:00",
                           "actor": f"Actor-{i % 7}", "action_type": ("TOOL", "ERROR")[i % 5 == 0],
                           "action": "read_file", "detail": f"line {i} 字 détail"}) + b"\n"
             for i in range(80)]
    log.write_bytes(b"".join(lines[:30]))
    sessions = {}
    for label, frugal in (("frugal", "1"), ("plain", "0")):
        sessions[label] = name = f"vivtui-{label}-{uuid.uuid4().hex[:8]}"
        subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "100", "-y", "30",
                        f"TERM=xterm-256color VIVTUI_FRUGAL={frugal} {vivtui_command()} "
                        f"--utc --finished {tmp_path}"], check=True)
    try:
        for name in sessions.values():
            wait_for(name, "line 29")
        for line in lines[30:]:
            with open(log, "ab") as handle:
                handle.write(line)
            time.sleep(0.03)
        for name in sessions.values():
            wait_for(name, "line 79")
        for keys in ([], ["k", "k", "k"], ["PageUp"], ["2"], ["1", "G"]):
            for name in sessions.values():
                if keys:
                    subprocess.run(["tmux", "send-keys", "-t", name, *keys], check=True)
            screens = {label: settled(name) for label, name in sessions.items()}
            assert screens["frugal"] == screens["plain"], f"after {keys}"
    finally:
        for name in sessions.values():
            subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def test_ctrl_z_suspends_to_the_shell_and_fg_brings_the_whole_screen_back(tui, tmp_path):
    """Back from ``fg``, Textual redrew only what had changed: the tabs and
    the footer stayed blank (its own output as well as the frugal one's)."""
    session = f"vivtui-e2e-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "action_log.jsonl"
    log.write_bytes(orjson.dumps({"actor": "Seed-1", "action_type": "TOOL", "action": "read_file",
                                  "detail": "already there"}) + b"\n")
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "30",
                    "bash --norc --noprofile"], check=True)
    try:
        subprocess.run(["tmux", "send-keys", "-t", session,
                        f"PS1='shell$ ' TERM=xterm-256color {vivtui_command()} {tmp_path}",
                        "Enter"], check=True)
        wait_for(session, "already there")
        subprocess.run(["tmux", "send-keys", "-t", session, "C-z"], check=True)
        wait_for(session, "Stopped")
        with open(log, "ab") as handle:  # written while it is stopped
            handle.write(orjson.dumps({"actor": "Writer", "action_type": "TOOL",
                                       "action": "edit_file", "detail": "while away"}) + b"\n")
        subprocess.run(["tmux", "send-keys", "-t", session, "fg", "Enter"], check=True)
        screen = wait_for(session, "while away")
        time.sleep(0.5)
        lines = capture(session).splitlines()
        assert "1 Actions" in lines[0] and "Quit" in lines[-1], screen
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
