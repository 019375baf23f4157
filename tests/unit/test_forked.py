"""A child forked for a backlog or a summary's group (``ingest.forked``):
its work done with only the descriptors it was given, its end said as a
``Popen``'s is."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

import pytest

from vivtui.ingest.forked import FAILED, Forked, can_fork

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks on Linux only")


def test_the_work_runs_with_only_the_kept_descriptors_open():
    said_read, said = os.pipe()
    other_read, other = os.pipe()  # another child's pipe: never held by this one

    def work():
        try:
            os.fstat(other)
            held = b"held"
        except OSError:
            held = b"closed"
        os.write(said, held)

    child = Forked.start(work, [said])
    os.close(said)
    os.close(other)
    assert os.read(other_read, 1) == b""  # its end, though the child may still run
    assert os.read(said_read, 16) == b"closed"
    assert child.wait() == 0 and child.poll() == 0
    os.close(said_read)
    os.close(other_read)


def test_work_that_raises_ends_failed_and_prints_nothing(capfd):
    def work():
        print("not on the monitor's screen")
        raise ValueError("bad input")

    child = Forked.start(work, [])
    assert child.wait() == FAILED
    out, err = capfd.readouterr()
    assert out == err == ""


def test_a_killed_child_ends_at_once():
    child = Forked.start(lambda: time.sleep(100), [])
    assert child.poll() is None
    child.kill()
    assert child.wait() == -signal.SIGKILL
    child.kill()  # (ended: nothing to do)


def test_no_fork_while_another_thread_runs(monkeypatch):
    go = threading.Event()
    other = threading.Thread(target=go.wait)
    other.start()
    try:
        assert not can_fork()
    finally:
        go.set()
        other.join()
    # Alone, as the monitor is before Textual's import (other tests leave threads).
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert can_fork()


def test_a_child_whose_work_cannot_be_sent_is_killed_and_waited_for(monkeypatch):
    import pickle
    import subprocess

    from vivtui.ingest import python_child

    monkeypatch.setattr(python_child, "can_fork", lambda: False)
    made = []
    popen = subprocess.Popen
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: made.append(popen(*a, **k))
                        or made[-1])
    command = [sys.executable, "-c", "import sys, time; sys.stdin.read(); time.sleep(30)"]
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        python_child.started(command, print, lambda: None, ())  # (a lambda: not picklable)
    assert len(made) == 1 and made[0].returncode is not None  # gone, not left to run on
