"""Shipping through NATS JetStream: lines/s of ``vivtui ship`` against a bare
nats-py publish loop in the same run, and the latency from a line appended to
a file until the monitor shows it, through the stream against the file read
directly (tmux, 160x48). Needs nats-server.

    python benchmarks/ship.py [--lines 200000] [--appends 20]

Figures, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from harness import Session, append_to_screen_ms, vivtui_command
from ssh_bytes import make_lines

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vivtui.stream import subjects as sj  # noqa: E402
from vivtui.stream.connect import Link  # noqa: E402
from vivtui.stream.ship import WINDOW, Shipper  # noqa: E402


def nats_server(store: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(["nats-server", "-js", "-a", "127.0.0.1", "-p", str(port),
                                "-sd", str(store)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return process, f"nats://127.0.0.1:{port}"


async def bare_loop(url: str, lines: list[bytes]) -> float:
    """The same lines published as a plain client would: windows of async
    publishes with a message id each, no files read."""
    import nats

    nc = await nats.connect(url)
    js = nc.jetstream()
    await js.add_stream(name="BARE", subjects=["bare.>"], duplicate_window=600)
    start = time.perf_counter()
    for at in range(0, len(lines), WINDOW):
        futures = [await js.publish_async("bare.h.r.kernel", line,
                                          headers={sj.MSG_ID: f"bare/{at + i}"})
                   for i, line in enumerate(lines[at:at + WINDOW])]
        await asyncio.gather(*futures)
    took = time.perf_counter() - start
    await nc.close()
    return took


def ship_all(url: str, run_dir: Path, count: int) -> float:
    """Seconds until ``vivtui ship``'s loop has sent the ``count`` lines of the
    run's files (connecting and reading included); it is left running."""
    shipper = Shipper(run_dir, Link(sj.parse_address(url)), "bench", "h", say=lambda text: None)
    start = time.perf_counter()
    threading.Thread(target=lambda: asyncio.run(shipper.run_until(asyncio.Event())),
                     daemon=True).start()
    while shipper.progress.lines < count:
        time.sleep(0.01)
    return time.perf_counter() - start


def latency(session: Session, log: Path, appends: int, start_seq: int) -> list[float]:
    out = []
    for line in make_lines(appends, start_seq, seed=3):
        took = append_to_screen_ms(session, log, line, 5.0)
        if took is not None:
            out.append(took)
        time.sleep(0.3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--appends", type=int, default=20)
    args = parser.parse_args()
    if shutil.which("nats-server") is None:
        sys.exit("ship: nats-server is needed")
    work = Path(tempfile.mkdtemp(prefix="vivtui-ship-"))
    server, url = nats_server(work / "store")
    try:
        lines = make_lines(args.lines, 0, seed=1)
        run_dir = work / "bench"
        run_dir.mkdir()
        (run_dir / "action_log.jsonl").write_bytes(b"".join(lines))
        payloads = [line.rstrip(b"\n") for line in lines]
        bare = asyncio.run(bare_loop(url, payloads))
        shipped = ship_all(url, run_dir, args.lines)
        mb = sum(map(len, lines)) / 1e6
        print(f"ship: {args.lines} action lines ({mb:.1f} MB), nats-server on loopback")
        print(f"  bare nats-py publish loop: {args.lines / bare:>9,.0f} lines/s ({bare:.2f} s)")
        print(f"  vivtui ship:               {args.lines / shipped:>9,.0f} lines/s "
              f"({shipped:.2f} s, files read and followed)")

        live = work / "live"
        live.mkdir()
        log = live / "action_log.jsonl"
        log.write_bytes(b"".join(make_lines(100, 10_000_000, seed=2)))
        shipper_process = subprocess.Popen(vivtui_command("ship", str(live), "--to", url,
                                                          "--host", "h"),
                                           stderr=subprocess.DEVNULL)
        time.sleep(2)
        direct = Session(f"ship-direct-{time.monotonic_ns()}", vivtui_command(str(log)), {},
                         (160, 48))
        stream = Session(f"ship-stream-{time.monotonic_ns()}",
                         vivtui_command(f"{url}/h/live"), {}, (160, 48))
        try:
            time.sleep(4)
            through_file = latency(direct, log, args.appends, 20_000_000)
            through_stream = latency(stream, log, args.appends, 30_000_000)
        finally:
            direct.close()
            stream.close()
            shipper_process.terminate()
        for name, figures in (("the file directly", through_file),
                              ("through the stream", through_stream)):
            if figures:
                print(f"  append to screen, {name:<18}: median {statistics.median(figures):6.1f} "
                      f"ms, max {max(figures):6.1f} ms ({len(figures)} of {args.appends} seen)")
            else:
                print(f"  append to screen, {name:<18}: not seen")
    finally:
        server.terminate()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
