"""A stream's runs made local: the mirror started in a private directory, its
history waited for, and the run directories it holds."""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from vivtui.safetext import one_line
from vivtui.stream.connect import Link, NoServer, nats_module, without_login
from vivtui.stream.mirror import MirrorThread

REPLAY_TIMEOUT_S = 120.0


class StreamError(Exception):
    """The stream could not be read (no server, no stream, refused)."""


def say(text: str) -> None:
    sys.stderr.write(f"vivtui: {one_line(text, 300)}\n")


@contextmanager
def mirrored(link: Link, quiet: bool = False,
             wait: bool = False) -> Iterator[tuple[Path, MirrorThread]]:
    """(the mirror's root, the mirror) once the stream's history is written;
    the mirror goes on following until the block ends, then is removed.
    ``wait``: a stream not made yet is waited for (the monitor), not an error."""
    nats_module()  # nats-py missing: said before anything starts
    root = Path(tempfile.mkdtemp(prefix="vivtui-nats-"))
    tell = (lambda text: None) if quiet else say
    thread = MirrorThread(link, root, tell, wait)
    try:
        tell(f"replaying {link.address.shown} …")
        thread.start()
        if not thread.wait_caught_up(REPLAY_TIMEOUT_S):
            raise StreamError(f"{link.address.shown}: the history was not replayed within "
                              f"{REPLAY_TIMEOUT_S:.0f} s")
        if thread.failed is not None:
            raise StreamError(_reason(thread.failed))
        yield root, thread
    finally:
        thread.stop()
        shutil.rmtree(root, ignore_errors=True)


def wait_for_run(root: Path, host: str | None, run: str, thread: MirrorThread,
                 shown: str) -> Path:
    """The run's mirrored directory, waited for while the stream has none (a
    run not shipped yet is waited for, as a missing file is)."""
    found = run_dirs(root, host, run)
    if not found:
        say(f"{shown}: no such run in the stream yet; waiting for it (ctrl+c to stop)")
    while not found:
        if thread.failed is not None:
            raise StreamError(_reason(thread.failed))
        time.sleep(0.25)
        found = run_dirs(root, host, run)
    return found[0]


def run_dirs(root: Path, host: str | None = None, run: str | None = None) -> list[Path]:
    """The mirrored runs (``root/HOST/RUN``), those asked for only."""
    found = sorted(path for path in root.glob("*/*") if path.is_dir())
    return [path for path in found
            if (run is None or path.name == run) and (host is None or path.parent.name == host)]


def _reason(exc: BaseException) -> str:
    """Why, in a line; a URL's credentials never in it, whatever --show-secrets says."""
    if isinstance(exc, NoServer):
        return str(exc)
    name = type(exc).__name__
    text = str(exc) or {"NoServersError": "no server answered",
                        "NotFoundError": "no vivtui stream there (ship a run first)"}.get(name, "")
    return without_login(f"{name}: {text}" if text else name)
