"""The installed command in a real terminal on runs read through NATS JetStream:
a run shipped while a writer appends to it, watched from the stream, and the
overview of the stream's runs."""

from __future__ import annotations

import shutil
import subprocess
import uuid

import orjson
import pytest

from tests.natsserver import Server
from tests.tui.test_e2e import vivtui_command, wait_for

pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
    pytest.mark.skipif(shutil.which("nats-server") is None,
                       reason="nats-server is not installed (Debian: apt-get install nats-server)"),
]


def test_a_run_watched_through_the_stream_while_it_is_written(tmp_path):
    server = Server(tmp_path / "nats").start()
    run = tmp_path / "kernel-7"
    run.mkdir()
    log = run / "action_log.jsonl"
    log.write_bytes(orjson.dumps({"actor": "Seed-1", "action_type": "TOOL",
                                  "action": "read_file", "detail": "shipped before"}) + b"\n")
    shipper = subprocess.Popen([*vivtui_command().split(), "ship", str(run), "--to", server.url,
                                "--host", "alpha"], stderr=subprocess.DEVNULL)
    session = f"vivtui-e2e-nats-{uuid.uuid4().hex[:8]}"
    try:
        subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "30",
                        f"TERM=xterm-256color {vivtui_command()} {server.url}/kernel-7"],
                       check=True)
        wait_for(session, "shipped before", timeout=20)
        for i in range(3):  # written on the run's host, shipped, mirrored, shown
            marker = f"live-{i}-{uuid.uuid4().hex[:6]}"
            with open(log, "ab") as handle:
                handle.write(orjson.dumps({"actor": "Writer", "action_type": "ERROR",
                                           "action": "boom", "detail": marker}) + b"\n")
            wait_for(session, marker, timeout=10)
        subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True)
        overview = f"{session}-all"
        subprocess.run(["tmux", "new-session", "-d", "-s", overview, "-x", "140", "-y", "20",
                        f"TERM=xterm-256color {vivtui_command()} {server.url}"], check=True)
        try:
            # the status line is the frame's last: a capture may come mid-frame
            screen = wait_for(overview, "1 runs", timeout=20)
            assert "alpha" in screen and "kernel-7" in screen
        finally:
            subprocess.run(["tmux", "kill-session", "-t", overview], capture_output=True)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
        shipper.terminate()
        shipper.wait(10)
        server.stop()
