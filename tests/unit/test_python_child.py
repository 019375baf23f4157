"""A forked copy of the process (``python_child.Forked``): it ends itself,
silently on failure, and is waited for and stopped as a new process is."""

import os
import time

from vivtui.ingest.python_child import Forked


def test_a_copy_does_its_work_and_its_end_is_its_own(capfd):
    read, write = os.pipe()

    def work() -> None:
        os.write(write, b"done")
        os._exit(0)

    child = Forked.start(work)
    os.close(write)
    assert child.wait() == 0 and os.read(read, 10) == b"done"
    os.close(read)
    failing = Forked.start(lambda: 1 / 0)  # raises: ends with 1, never back in the caller's code
    assert failing.wait() == 1
    returned = Forked.start(lambda: None)
    assert returned.wait() == 1
    out, err = capfd.readouterr()
    assert "ZeroDivisionError" not in out + err  # (the screen is the terminal)


def test_a_copy_is_stopped_and_polled():
    child = Forked.start(lambda: time.sleep(30))
    assert child.poll() is None
    child.kill()
    assert child.wait() == -9 and child.poll() == -9
    child.kill()  # (once ended: nothing)
