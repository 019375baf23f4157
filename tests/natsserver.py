"""Real nats-server processes for the stream tests: one with JetStream, or a
three-node cluster, on free loopback ports in a temporary directory; and a
shipper and a stream reader on threads of their own."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.ports import free_port, wait_for_port

NATS_SERVER = shutil.which("nats-server")
needs_nats = pytest.mark.skipif(
    NATS_SERVER is None, reason="nats-server is not installed (Debian: apt-get install nats-server)")


class Server:
    def __init__(self, store: Path, name: str = "solo", cluster: tuple[int, list[int]] | None = None,
                 port: int | None = None) -> None:
        self.port = port or free_port()
        store.mkdir(parents=True, exist_ok=True)
        self.args = [NATS_SERVER, "-js", "-a", "127.0.0.1", "-p", str(self.port),
                     "-sd", str(store / name), "--server_name", name]
        if cluster is not None:
            own, routes = cluster
            self.args += ["--cluster_name", "vivtui", "--cluster", f"nats://127.0.0.1:{own}",
                          "--routes", ",".join(f"nats://127.0.0.1:{r}" for r in routes)]
        self.log = store / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> Server:
        self.process = subprocess.Popen(self.args, stdout=self.log.open("ab"),
                                        stderr=subprocess.STDOUT)
        wait_for_port(self.port, 10.0)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"


def cluster(store: Path) -> list[Server]:
    ports = [free_port() for _ in range(3)]
    return [Server(store, f"n{i}", (ports[i], [p for p in ports if p != ports[i]])).start()
            for i in range(3)]


class LoopThread:
    """A coroutine run on a thread with its own loop until ``stop``."""

    def __init__(self, make) -> None:
        self._make = make  # make(stop_event) -> coroutine
        self.error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> LoopThread:
        self._thread.start()
        self._ready.wait(5)
        return self

    def stop(self, timeout: float = 15.0) -> None:
        if self._loop is not None and not self._loop.is_closed():
            try:
                self._loop.call_soon_threadsafe(self._stop.set)
            except RuntimeError:
                pass
        self._thread.join(timeout)
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            self._ready.set()
            await self._make(self._stop)

        try:
            asyncio.run(main())
        except BaseException as exc:  # noqa: BLE001 - raised in stop()
            self.error = exc
            self._ready.set()


def stream_messages(url: str, subjects: str = "vivtui.>") -> list:
    """Every message of the stream on ``subjects``: (subject, headers, data)."""
    import nats
    from nats.js.api import DeliverPolicy

    async def read() -> list:
        nc = await nats.connect(url)
        try:
            js = nc.jetstream()
            info = await js.stream_info("VIVTUI", subjects_filter=subjects)
            if not (info.state.subjects or {}):
                return []
            got: list = []
            done = asyncio.Event()

            async def arrived(msg) -> None:
                got.append((msg.subject, dict(msg.headers or {}), msg.data))
                if msg.metadata.num_pending == 0:
                    done.set()

            sub = await js.subscribe(subjects, cb=arrived, ordered_consumer=True,
                                     deliver_policy=DeliverPolicy.ALL)
            await asyncio.wait_for(done.wait(), 20)
            await sub.unsubscribe()
            return got
        finally:
            await nc.close()

    return asyncio.run(read())


def wait_for(check, timeout: float = 20.0, step: float = 0.1) -> None:
    end = time.monotonic() + timeout
    while not check():
        if time.monotonic() > end:
            raise AssertionError("timed out waiting")
        time.sleep(step)
