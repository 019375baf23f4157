"""``vivtui ship``: a run directory's lines published to JetStream as they are written.

The files are followed with the monitor's tailer (rotation, truncation, half
lines, files that come late). Every complete line is a message whose id is
(host, run, file, generation, offset): the server keeps one of each, so a
shipper restarted, or two at once, never store a line twice. The stream is the
only state: at start each file's newest message says where to go on from.

A generation is one life of a file: its device and inode and the start of its
first line. Rotation, re-creation and truncation start a new one, and the
mirror (``stream.mirror``) starts its file over as the monitor expects.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from hashlib import blake2b
from pathlib import Path

from vivtui.ingest.layout import AUDIT_SUBDIR
from vivtui.parsing.fitted import fitted
from vivtui.parsing.kinds import BY_NAME, SNAPSHOT, SPECS
from vivtui.sources.cut_lines import within
from vivtui.sources.regular import open_regular, read_regular
from vivtui.sources.snapshot import WHOLE_FILE_LIMIT
from vivtui.sources.tailer import LineTailer
from vivtui.sources.watcher import watch_directories
from vivtui.stream import subjects as sj
from vivtui.stream.connect import Link, NoServer, connect, ensure_stream

WINDOW = 512  # messages published before their acknowledgements are awaited
HEADERS_ROOM = 1024  # bytes of a message left to its headers
LOOK_S = 0.25  # a look at every file even without a change notice
RETRY_S = 0.5
ACK_S = 5.0  # a window's acknowledgements awaited this long before it goes again
STATUS_S = 2.0
QUIET_STATUS_S = 60.0
FIRST_BYTES = 64  # of the first line: part of a generation


def generation_of(identity: tuple[int, int], first_line: bytes) -> str:
    digest = blake2b(f"{identity[0]}:{identity[1]}:".encode() + first_line[:FIRST_BYTES],
                     digest_size=8)
    return digest.hexdigest()


def first_line_of(path: Path) -> tuple[tuple[int, int], bytes] | None:
    """(device, inode) and the first line's start, if the file has a whole first line."""
    try:
        fd = open_regular(path)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        head = os.pread(fd, 1 << 16, 0)
    finally:
        os.close(fd)
    end = head.find(b"\n")
    return ((st.st_dev, st.st_ino), head[:end]) if end >= 0 else None


@dataclass
class ShippedFile:
    name: str
    subject: str
    paths: list[Path]  # where it may be: vivarium/meta/audit/ first, as the monitor looks
    snapshot: bool
    tailer: LineTailer | None = None
    generation: str = ""
    resume: tuple[str, int, int] | None = None  # (generation, offset, line) the stream ends at
    last_snapshot: str = ""  # the digest of the snapshot version shipped last
    seen: tuple = ()  # the snapshot file's (inode, size, mtime) at the last look
    lines: int = 0
    note: str = ""  # a problem said once

    def path(self) -> Path:
        return next((p for p in self.paths if p.exists()), self.paths[0])

    @property
    def json_lines(self) -> bool:
        return BY_NAME[self.name].from_object is not None


def _sendable(data: bytes, max_payload: int, shipped: ShippedFile) -> bytes:
    """A line the server takes: whole; else, a JSON line's object cut to fit
    (``parsing.fitted``: the record it was, its long values cut); else cut,
    as a line too long to hold is. (Published whole, it was refused again
    and again, and no line after it was ever shipped.)"""
    room = max_payload - HEADERS_ROOM
    if len(data) <= room:
        return data
    made = fitted(data, room) if shipped.json_lines else None
    return made if made is not None else within(data, room)


@dataclass
class Progress:
    lines: int = 0
    bytes: int = 0
    snapshots: int = 0
    last: float | None = None


class Shipper:
    def __init__(self, run_dir: Path, link: Link, run: str, host: str, *,
                 prefix: str = sj.PREFIX, replicas: int = 1,
                 say: Callable[[str], None] | None = None) -> None:
        self.run_dir = Path(run_dir)
        self.link = link
        self.run = sj.token(run)
        self.host = sj.token(host)
        self.prefix = prefix
        self.replicas = replicas
        self.say = say or (lambda text: sys.stderr.write(f"vivtui ship: {text}\n"))
        self.files = [ShippedFile(spec.name, sj.subject(prefix, host, run, spec.name),
                                  [self.run_dir / AUDIT_SUBDIR / spec.name,
                                   self.run_dir / spec.name], spec.mode == SNAPSHOT)
                      for spec in SPECS]
        self.progress = Progress()
        self._wake: asyncio.Event | None = None

    # -- the loop ---------------------------------------------------------------------

    async def run_until(self, stop: asyncio.Event) -> None:
        while True:  # a shipper may start before its server: it waits, saying so
            try:
                nc = await connect(self.link, f"vivtui ship {self.host}/{self.run}", self.say)
                break
            except NoServer as exc:
                self.say(f"{exc}; trying again")
        try:
            js = nc.jetstream()
            await self._stream(js)
            for shipped in self.files:
                await self._resume(js, shipped)
            self._wake = asyncio.Event()
            loop = asyncio.get_running_loop()
            watching = threading.Event()
            threading.Thread(target=watch_directories, daemon=True, name="vivtui ship watcher",
                             args=([self.run_dir, self.run_dir / AUDIT_SUBDIR],
                                   lambda names: loop.call_soon_threadsafe(self._wake.set),
                                   watching),
                             kwargs={"on_failure": lambda exc: self.say(
                                 f"watching the run failed ({type(exc).__name__}: {exc}); "
                                 "started again")}).start()
            told, said = time.monotonic(), ""
            try:
                while not stop.is_set():
                    self._wake.clear()
                    for shipped in self.files:
                        await self._ship(js, shipped, nc.max_payload)
                    # Said when it changed (every STATUS_S at most), else once a minute.
                    quiet = time.monotonic() - told
                    status = self.status() if quiet >= STATUS_S else said
                    if status != said or quiet >= QUIET_STATUS_S:
                        told, said = time.monotonic(), status
                        self.say(status)
                    try:
                        await asyncio.wait_for(self._wake.wait(), LOOK_S)
                    except asyncio.TimeoutError:
                        pass
            finally:
                watching.set()
        finally:
            await nc.drain()

    async def _stream(self, js) -> None:
        """The stream, made if missing; a cluster that is still electing its
        leader (or a node lost) refuses for a while: asked again until it
        answers."""
        while True:
            try:
                await ensure_stream(js, self.prefix, self.replicas)
                return
            except Exception as exc:  # noqa: BLE001 - said, then asked again
                if type(exc).__module__.startswith("nats.js") or isinstance(exc, TimeoutError):
                    self.say(f"the stream is not ready ({type(exc).__name__}: {exc}); "
                             "trying again")
                    await asyncio.sleep(1.0)
                    continue
                raise

    def status(self) -> str:
        lag = sum(self._lag(shipped) for shipped in self.files)
        last = time.strftime("%H:%M:%S", time.localtime(self.progress.last)) \
            if self.progress.last else "-"
        return (f"{self.host}/{self.run} -> {self.link.address.shown}: "
                f"{self.progress.lines} lines sent ({self.progress.bytes} bytes), "
                f"{self.progress.snapshots} snapshots, lag {lag} bytes, last sent {last}")

    @staticmethod
    def _lag(shipped: ShippedFile) -> int:
        tailer = shipped.tailer
        if tailer is None or shipped.snapshot:
            return 0
        try:
            return max(0, os.stat(tailer.path).st_size - tailer.offset + tailer.unfinished_length)
        except OSError:
            return 0

    # -- where the stream ends ------------------------------------------------------------

    async def _resume(self, js, shipped: ShippedFile) -> None:
        from nats.js.errors import NotFoundError

        try:
            last = await js.get_last_msg(sj.STREAM, shipped.subject)
        except NotFoundError:
            return
        headers = last.headers or {}
        if shipped.snapshot:
            shipped.last_snapshot = headers.get(sj.GENERATION, "")
            return
        try:
            offset, line = int(headers[sj.OFFSET]), int(headers[sj.LINE])
        except (KeyError, ValueError):
            return
        shipped.resume = (headers.get(sj.GENERATION, ""), offset + len(last.data or b"") + 1,
                          line)

    # -- lines ----------------------------------------------------------------------------

    def _tailer(self, shipped: ShippedFile) -> LineTailer:
        """The file's tailer; at the first look, placed where the stream ends if
        the file is the generation shipped last."""
        if shipped.tailer is not None:
            return shipped.tailer
        path = shipped.path()
        tailer = shipped.tailer = LineTailer(path)
        head = first_line_of(path)
        if shipped.resume is not None and head is not None:
            generation, offset, line = shipped.resume
            if generation_of(*head) == generation:
                tailer.resume_at(offset, line)
                shipped.generation = generation
        return tailer

    async def _ship(self, js, shipped: ShippedFile, max_payload: int) -> None:
        if shipped.snapshot:
            await self._ship_snapshot(js, shipped, max_payload)
            return
        if shipped.tailer is None and not any(p.exists() for p in shipped.paths):
            return
        tailer = self._tailer(shipped)
        while True:
            chunk = tailer.read()
            for event in chunk.events:  # rotated, truncated, created, deleted
                self.say(f"{shipped.name}: {event}")
            batch = []
            for run in chunk.runs:
                for line_no, offset, data in run:
                    if line_no == 1:  # a new file, or the file started over
                        shipped.generation = generation_of(tailer.identity, data)
                    sent = _sendable(data, max_payload, shipped)
                    batch.append((line_no, offset, sent, shipped.generation,
                                  len(data) if sent is not data else None))
            for start in range(0, len(batch), WINDOW):
                await self._publish(js, shipped, batch[start:start + WINDOW])
            if not chunk.more:
                return

    async def _publish(self, js, shipped: ShippedFile, lines: list) -> None:
        """``lines`` stored, in order: on a failure (a node lost, the link down)
        the window goes again from the first line not acknowledged; the lines
        after it that were stored are dropped by their ids."""
        streak = 0  # windows that failed in a row
        while lines:
            futures = []
            refused: BaseException | None = None
            for line_no, offset, data, generation, length in lines:
                headers = {sj.MSG_ID: sj.msg_id(self.host, self.run, shipped.name, generation,
                                                offset),
                           sj.FILE: shipped.name, sj.GENERATION: generation,
                           sj.OFFSET: str(offset), sj.LINE: str(line_no)}
                if length is not None:
                    headers[sj.LENGTH] = str(length)
                try:
                    # No wait_stall: with one, every publish yields to the loop, and
                    # each line went out in a socket write of its own (a third of the rate).
                    futures.append(await js.publish_async(shipped.subject, data,
                                                          headers=headers))
                except Exception as exc:  # noqa: BLE001 - the link is down: from here again
                    refused = exc
                    break
            if futures:
                await asyncio.wait(futures, timeout=ACK_S)
            failed = next((at for at, f in enumerate(futures)
                           if not f.done() or f.cancelled() or f.exception() is not None),
                          len(futures))
            for future in futures[failed:]:
                future.cancel()
            if failed == len(lines):
                failed = None
            done = lines if failed is None else lines[:failed]
            shipped.lines += len(done)
            self.progress.lines += len(done)
            self.progress.bytes += sum(len(item[2]) + 1 for item in done)
            if done:
                self.progress.last = time.time()
            if failed is None:
                return
            lines = lines[failed:]
            streak += 1
            await self._failed(js, shipped, _why(futures, failed, refused), streak)

    async def _failed(self, js, shipped: ShippedFile, why: BaseException | None,
                      streak: int) -> None:
        """A window not stored: said once a streak; a stream deleted under the
        shipper is made again (its lines were publishing into nothing, silently)."""
        from nats.js.errors import NoStreamResponseError

        if isinstance(why, NoStreamResponseError):
            if streak == 1:
                self.say(f"the stream is gone from {self.link.address.shown}: making it again")
            await self._stream(js)
            if streak == 1:
                return  # at once; should it still refuse, not in a busy loop
        elif streak == 1:
            reason = type(why).__name__ if why is not None else "no acknowledgement"
            self.say(f"{shipped.name}: lines not stored ({reason}); trying again")
        await asyncio.sleep(RETRY_S)

    # -- a snapshot (performance_history.json) ---------------------------------------------

    async def _ship_snapshot(self, js, shipped: ShippedFile, max_payload: int) -> None:
        path = shipped.path()
        try:
            st = os.stat(path)
        except OSError:
            return
        seen = (st.st_ino, st.st_size, st.st_mtime_ns)
        if seen == shipped.seen:
            return
        try:
            data = read_regular(path, WHOLE_FILE_LIMIT)
        except OSError:
            return
        shipped.seen = seen
        digest = blake2b(data, digest_size=8).hexdigest()
        if digest == shipped.last_snapshot:
            return
        packed = zlib.compress(data, 6)
        if len(packed) > max_payload - HEADERS_ROOM:
            if not shipped.note:
                shipped.note = (f"{shipped.name}: {len(packed)} bytes compressed, over the "
                                f"server's max_payload ({max_payload}): not shipped")
                self.say(shipped.note)
            return
        headers = {sj.MSG_ID: sj.msg_id(self.host, self.run, shipped.name, digest, 0),
                   sj.FILE: shipped.name, sj.GENERATION: digest, sj.OFFSET: "0", sj.LINE: "1",
                   sj.ENCODING: "zlib", sj.ROLLUP: "sub"}
        streak = 0
        while True:
            try:
                await js.publish(shipped.subject, packed, headers=headers)
                break
            except Exception as exc:  # noqa: BLE001 - the link is down: try again
                streak += 1
                await self._failed(js, shipped, exc, streak)
        shipped.last_snapshot = digest
        self.progress.snapshots += 1


def _why(futures: list, failed: int, refused: BaseException | None) -> BaseException | None:
    """Why the window's first line not stored was not: its acknowledgement's
    error, or what refused its publishing."""
    if failed < len(futures):
        future = futures[failed]
        if future.done() and not future.cancelled():
            return future.exception()
    return refused
