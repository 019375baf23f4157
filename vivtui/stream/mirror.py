"""Watching from the stream: what JetStream holds of the runs, written into
run directories of vivtui's own (``root/HOST/RUN/FILE``), which the monitor,
the overview and ``summary`` then read as they read any run.

Mirroring rather than a second way into the panes: every pane, the triage,
the alerts and the summary work unchanged, and give the same figures as on
the files, because they read the same bytes. The files are vivtui's (a
private temporary directory, removed at exit), never a run's.

Lines are written in file order: a line that comes before the one it follows
(a window published again after a failover) waits for it; a line already
written (published twice) is dropped. A new generation of a file (rotated,
re-created, truncated on its host) replaces the mirror's file, so that the
monitor sees a rotation, as it would have on the host.
"""

from __future__ import annotations

import asyncio
import os
import threading
import zlib
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from vivtui.sources.cut_lines import cut_note
from vivtui.stream import subjects as sj
from vivtui.stream.connect import Link, LinkHealth, connect

HELD_MAX = 10_000  # lines waiting for an earlier one; past this, the gap is given up


class MirrorFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.generation: str | None = None
        self.expected = 0  # the offset the next line starts at
        self.held: dict[int, tuple[bytes, int | None]] = {}
        self.dropped = 0  # lines published twice, not written again
        self._fd: int | None = None
        self._after_cut = False

    def take(self, generation: str, offset: int, data: bytes,
             length: int | None = None) -> None:
        """``length``: the line's in its file, when ``data`` is shorter (None: its own)."""
        if generation != self.generation:
            self._start(generation, offset)
        if offset < self.expected:
            self.dropped += 1
            return
        if offset > self.expected and self._after_cut:
            self.expected = offset  # (the cut line was longer in the file)
        if offset > self.expected:
            self.held[offset] = (data, length)
            if len(self.held) <= HELD_MAX:
                return
            self.expected = min(self.held)  # a gap the stream will not fill: go on
            data, length = self.held.pop(self.expected)
        self._write(data, length)
        while self.expected in self.held:
            self._write(*self.held.pop(self.expected))

    def _write(self, data: bytes, length: int | None) -> None:
        os.write(self._fd, data + b"\n")
        self.expected += (len(data) if length is None else length) + 1
        # A line too long to hold shipped cut (``cut_lines``) by a shipper that
        # did not say its length: the next line is further on than its bytes say.
        self._after_cut = length is None and cut_note(data) is not None

    def _start(self, generation: str, offset: int) -> None:
        """A new life of the file: a new file in place of the old one (a
        rotation to whoever follows it)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fresh = self.path.with_name(f".{self.path.name}.new")
        fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600)
        os.replace(fresh, self.path)
        self.close()
        self._fd = fd
        self.generation = generation
        self.expected = offset  # the stream may have lost its start (limits): from there
        self.held.clear()
        self._after_cut = False

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class Mirror:
    """Messages of the stream, each put where its run and file say."""

    def __init__(self, root: Path, prefix: str = sj.PREFIX) -> None:
        self.root = Path(root)
        self.prefix = prefix
        self.files: dict[str, MirrorFile] = {}
        self.messages = 0
        self.foreign = 0  # messages on our subjects that were not ours (not written)

    def run_dir(self, host: str, run: str) -> Path:
        return self.root / host / run

    def take(self, subject: str, data: bytes, headers: dict | None) -> None:
        parts = sj.parts_of(subject, self.prefix)
        headers = headers or {}
        if parts is None or headers.get(sj.FILE) != parts[2]:
            self.foreign += 1
            return
        host, run, name = parts
        self.messages += 1
        path = self.run_dir(host, run) / name
        if headers.get(sj.ENCODING) == "zlib":
            self._snapshot(path, data)
            return
        try:
            offset = int(headers[sj.OFFSET])
        except (KeyError, ValueError):
            self.foreign += 1
            return
        mirrored = self.files.get(subject)
        if mirrored is None:
            mirrored = self.files[subject] = MirrorFile(path)
        mirrored.take(headers.get(sj.GENERATION, ""), offset, data, _length(headers))

    @staticmethod
    def _snapshot(path: Path, data: bytes) -> None:
        """A whole rewritten file (performance_history.json), replaced at once."""
        try:
            content = zlib.decompress(data)
        except zlib.error:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = path.with_name(f".{path.name}.new")
        fresh.write_bytes(content)
        os.chmod(fresh, 0o600)
        os.replace(fresh, path)

    def close(self) -> None:
        for mirrored in self.files.values():
            mirrored.close()


async def mirror_until(link: Link, mirror: Mirror, stop: asyncio.Event,
                       caught_up: Callable[[], None], say: Callable[[str], None],
                       wait: bool = False, health: LinkHealth | None = None) -> None:
    """Every message of the runs asked for (``link.address``), history first,
    then live, until ``stop``; ``caught_up`` once the history is written.
    ``wait``: a stream not made yet (no run shipped yet) is waited for, as a
    missing file is; else it is an error."""
    from nats.js.api import DeliverPolicy

    nc = await connect(link, "vivtui mirror", say, health=health)
    try:
        js = nc.jetstream()
        subjects = sj.filter_of(link.address, mirror.prefix)
        info = await _stream_info(js, stop, caught_up, say, link) if wait else \
            await js.stream_info(sj.STREAM)
        if info is None:
            return  # stopped while waiting
        told = False
        if info.state.messages == 0:
            caught_up()
            told = True

        async def arrived(msg) -> None:
            nonlocal told
            mirror.take(msg.subject, msg.data, msg.headers)
            if not told and msg.metadata.num_pending == 0:
                told = True
                caught_up()

        async def subscribe():
            return await js.subscribe(subjects, cb=arrived, ordered_consumer=True,
                                      deliver_policy=DeliverPolicy.ALL)

        subscription = await subscribe()
        if not told:
            # No message may match the run asked for: known from the subjects.
            matching = await js.stream_info(sj.STREAM, subjects_filter=subjects)
            if not (matching.state.subjects or {}):
                told = True
                caught_up()
        created = info.created
        while not await _stopped_within(stop, STREAM_CHECK_S):
            now = await _stream_now(js, health)
            if now is None or now.created == created:
                continue
            # Deleted and made again (a shipper makes it): the consumer went
            # with it. Read the new one from its start; lines the mirror holds
            # already are not written twice (``Mirror.take``).
            created = now.created
            if health is not None:
                health.found()
            with suppress(Exception):  # (the old consumer is gone with its stream)
                await subscription.unsubscribe()
            subscription = await subscribe()
        await subscription.unsubscribe()
    finally:
        mirror.close()
        await nc.drain()


STREAM_CHECK_S = 5.0  # how often a mirror looks whether its stream is still there


async def _stopped_within(stop: asyncio.Event, seconds: float) -> bool:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except asyncio.TimeoutError:
        return False
    return True


async def _stream_now(js, health: LinkHealth | None):
    """The stream's info; None while it is missing (said: ``health``; the
    mirror would merely stop growing) or the link gives no answer."""
    from nats.js.errors import NotFoundError

    try:
        return await js.stream_info(sj.STREAM)
    except NotFoundError:
        if health is not None:
            health.gone()
    except Exception:  # noqa: BLE001 - the link's own trouble: ``health`` hears of it
        pass
    return None


async def _stream_info(js, stop: asyncio.Event, caught_up, say, link: Link):
    """The stream's info once it exists (None: stopped first); its history is
    empty meanwhile."""
    from nats.js.errors import NotFoundError

    told = False
    while not stop.is_set():
        try:
            return await js.stream_info(sj.STREAM)
        except NotFoundError:
            if not told:
                told = True
                say(f"no vivtui stream at {link.address.shown} yet: waiting for a shipper")
                caught_up()
        await _stopped_within(stop, 1.0)
    return None


class MirrorThread:
    """The mirror on a thread of its own (its own event loop): what the monitor
    and ``summary`` start before they read the mirror's directories."""

    def __init__(self, link: Link, root: Path, say: Callable[[str], None],
                 wait: bool = False) -> None:
        self.wait = wait  # for a stream not made yet (see mirror_until)
        self.mirror = Mirror(root)
        self.link = link
        self.say = say
        self.health = LinkHealth(link.address.shown)
        self.caught_up = threading.Event()
        self.failed: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="vivtui mirror", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wait_caught_up(self, timeout: float | None = None) -> bool:
        """The history written (or the mirror failed: ``failed``)."""
        return self.caught_up.wait(timeout)

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            try:
                self._loop.call_soon_threadsafe(self._stop.set)
            except RuntimeError:
                pass  # the loop closed meanwhile: the thread is ending
        self._thread.join(5)

    def _run(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            await mirror_until(self.link, self.mirror, self._stop, self.caught_up.set, self.say,
                               self.wait, self.health)

        try:
            asyncio.run(main())
        except BaseException as exc:  # noqa: BLE001 - said by whoever waits
            self.failed = exc
            self.caught_up.set()


def _length(headers: dict) -> int | None:
    try:
        return int(headers[sj.LENGTH])
    except (KeyError, ValueError):
        return None
