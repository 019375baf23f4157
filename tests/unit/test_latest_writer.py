"""The kept view is written on a thread of its own: the UI thread never waits
for a disk, a later state replaces one not yet written, and a failure is
said once, on the UI thread's next look."""

from __future__ import annotations

import threading

from vivtui.latest_writer import LatestWriter
from vivtui.ui import viewkeeper
from vivtui.ui.viewkeeper import ViewKeeper
from vivtui.viewstate import PaneView, ViewState, load_state


class SlowDisk:
    """Each write waits until the disk is let go; what was written, in order."""

    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.started = threading.Event()
        self.free = threading.Event()

    def write(self, data: bytes) -> None:
        self.started.set()
        assert self.free.wait(5)
        self.written.append(data)


def test_the_latest_state_replaces_those_not_yet_written_and_is_written_at_close():
    disk = SlowDisk()
    writer = LatestWriter(disk.write)
    writer.put(b"1")
    assert disk.started.wait(5)  # "1" is being written: the disk holds it
    writer.put(b"2")
    writer.put(b"3")  # "2" was never written: "3" took its place
    assert disk.written == []  # put returned while the disk was busy
    disk.free.set()
    writer.close()
    assert disk.written == [b"1", b"3"]
    writer.put(b"4")  # after close: nothing more
    assert disk.written == [b"1", b"3"]


def test_a_failed_write_is_told_once():
    def failing(data: bytes) -> None:
        raise PermissionError(13, "Permission denied")

    writer = LatestWriter(failing)
    writer.put(b"x")
    writer.close()
    problem = writer.problem()
    assert isinstance(problem, PermissionError) and problem.strerror == "Permission denied"
    assert writer.problem() is None


def test_the_keeper_hands_the_state_over_and_says_a_failure_on_its_next_save(
        tmp_path, monkeypatch):
    disk = SlowDisk()
    monkeypatch.setattr(viewkeeper, "write_state", lambda path, data: disk.write(data))
    said: list[str] = []
    keeper = ViewKeeper(tmp_path / "state.json", False, said.append)
    keeper.state = ViewState(pane="queue", panes={"queue": PaneView(follow=False)})
    keeper.save()  # returns with the disk still busy
    assert disk.started.wait(5) and disk.written == []
    disk.free.set()
    keeper.close()
    assert disk.written == [keeper.state.as_bytes()]

    blocked = tmp_path / "a file"
    blocked.write_text("")
    monkeypatch.undo()
    keeper = ViewKeeper(blocked / "state.json", False, said.append)  # its directory is a file
    keeper.state = ViewState(pane="queue")
    keeper.save()
    keeper._writer.close()  # the failed write done
    keeper.save()
    assert len(said) == 1 and said[0].startswith("the view cannot be kept: ")
    keeper.state = ViewState(pane="sessions")
    keeper.save()  # not kept any more, not said again
    assert len(said) == 1


def test_the_state_written_by_the_thread_reads_back(tmp_path):
    keeper = ViewKeeper(tmp_path / "state.json", False, print)
    keeper.state = ViewState(pane="sessions", panes={"sessions": PaneView(filters=["x"])})
    keeper.save()
    keeper.close()
    assert load_state(tmp_path / "state.json") == (keeper.state, None)
