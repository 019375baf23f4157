"""Runs through NATS JetStream, against a real nats-server: shipped lines are
stored once whatever happens to the files or the shipper, and what is read back
from the stream sums up as the files do."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import orjson
import pytest

from tests.natsserver import (
    LoopThread,
    Server,
    cluster,
    needs_nats,
    stream_messages,
    wait_for,
)
from vivtui.cli import main
from vivtui.sources.cut_lines import cut_note
from vivtui.stream import subjects as sj
from vivtui.stream.connect import Link, without_login
from vivtui.stream.mirror import MirrorFile, MirrorThread
from vivtui.stream.ship import Shipper

FIXTURE_RUN = Path(__file__).parent.parent / "fixtures" / "run"


# -- names and addresses (no server) ------------------------------------------------------

def test_addresses_and_subjects():
    address = sj.parse_address("nats://u:secret@a:4222,b:4223/host-1/run.7")
    assert address.servers == ("nats://u:secret@a:4222", "nats://u:secret@b:4223")
    assert (address.host, address.run) == ("host-1", "run_7")
    assert "secret" not in address.shown and address.shown == "nats://a:4222,b:4223/host-1/run_7"
    assert sj.parse_address("nats://h:1/r").run == "r" and sj.parse_address("nats://h:1").run is None
    for bad in ("http://h:1", "nats://", "nats://h:1/a/b/c"):
        with pytest.raises(ValueError):
            sj.parse_address(bad)
    subject = sj.subject("vivtui", "my.host", "run *1", "action_log.log")
    assert subject == "vivtui.my_host.run__1.actions-text"
    assert sj.parts_of(subject) == ("my_host", "run__1", "action_log.log")
    assert sj.parts_of("vivtui.h.r.nothing") is None
    assert without_login("refused: nats://u:p@h:1, tls://t@h:2") == "refused: nats://h:1, tls://h:2"


def test_the_mirror_writes_in_file_order_once_and_starts_over_on_a_new_generation(tmp_path):
    mirrored = MirrorFile(tmp_path / "kernel_run.log")
    mirrored.take("g1", 0, b"one")
    mirrored.take("g1", 8, b"three")  # before "two": waits for it
    assert mirrored.path.read_bytes() == b"one\n"
    mirrored.take("g1", 4, b"two")
    mirrored.take("g1", 4, b"two")  # published twice
    assert mirrored.path.read_bytes() == b"one\ntwo\nthree\n" and mirrored.dropped == 1
    inode = os.stat(mirrored.path).st_ino
    mirrored.take("g2", 0, b"new")  # rotated on its host: a new file here too
    assert mirrored.path.read_bytes() == b"new\n" and os.stat(mirrored.path).st_ino != inode
    mirrored.close()



def test_a_line_sent_shorter_says_its_length_and_the_mirror_goes_on_from_it(tmp_path):
    mirrored = MirrorFile(tmp_path / "api_audit.log")
    mirrored.take("g1", 0, b"one")
    mirrored.take("g1", 30, b"after")  # waits for the line before it
    mirrored.take("g1", 4, b"{fitted}", length=25)  # 25 bytes in the file: ends at 30
    mirrored.take("g1", 36, b"last")
    assert mirrored.path.read_bytes() == b"one\n{fitted}\nafter\nlast\n"
    assert mirrored.dropped == 0 and not mirrored.held
    mirrored.close()

# -- against a server -----------------------------------------------------------------------

@pytest.fixture
def server(tmp_path):
    if shutil.which("nats-server") is None:
        pytest.skip("nats-server is not installed (Debian: apt-get install nats-server)")
    (tmp_path / "nats").mkdir()
    started = Server(tmp_path / "nats").start()
    yield started
    started.stop()


def shipping(run_dir: Path, url: str, run: str = "r1", replicas: int = 1) -> tuple:
    shipper = Shipper(run_dir, Link(sj.parse_address(url)), run, "h1", replicas=replicas,
                      say=lambda text: None)
    return shipper, LoopThread(shipper.run_until).start()


def _lines(messages, name: str) -> list[tuple[str, int, bytes]]:
    return [(h[sj.GENERATION], int(h[sj.OFFSET]), data) for _, h, data in messages
            if h.get(sj.FILE) == name]


def _summary(*argv: str, capsys) -> dict:
    assert main(["summary", *argv, "--json", "--finished"]) == 0
    return orjson.loads(capsys.readouterr().out)


def _without_paths(report: dict) -> dict:
    report = dict(report)
    report["files"] = {name: {k: v for k, v in entry.items() if k != "path"}
                       for name, entry in report["files"].items()}
    return report


@needs_nats
def test_summary_on_the_stream_is_the_summary_on_the_files(server, tmp_path, capsys):
    run_dir = tmp_path / "r1"
    shutil.copytree(FIXTURE_RUN, run_dir)
    shipper, thread = shipping(run_dir, server.url)
    wait_for(lambda: shipper.progress.lines >= 57 and shipper.progress.snapshots == 1)
    thread.stop()
    on_files = _summary(str(run_dir), capsys=capsys)
    on_stream = _summary(f"{server.url}/r1", capsys=capsys)
    assert _without_paths(on_stream) == _without_paths(on_files)
    assert on_stream["sessions"]["started"] == 4 and on_stream["performance"]["entries"] == 2


@needs_nats
def test_every_line_once_through_appends_rotation_truncation_and_a_restart(server, tmp_path):
    run_dir = tmp_path / "r1"
    run_dir.mkdir()
    log = run_dir / "kernel_run.log"
    written: list[bytes] = []

    def append(count: int, path: Path = log) -> None:
        with open(path, "ab") as file:
            for _ in range(count):
                line = f"[WAVE 1] line {len(written):05d}".encode()
                written.append(line)
                file.write(line + b"\n")

    shipper, thread = shipping(run_dir, server.url)
    append(200)
    with open(log, "ab") as file:
        file.write(b"[WAVE 1] half a li")  # a half line: not shipped until it ends
    wait_for(lambda: shipper.progress.lines == 200)
    with open(log, "ab") as file:
        file.write(b"ne\n")
    written.append(b"[WAVE 1] half a line")
    wait_for(lambda: shipper.progress.lines == 201)
    append(20)  # and at once rotated: the old file's last lines not read yet
    os.rename(log, run_dir / "kernel_run.log.1")
    append(100)
    wait_for(lambda: shipper.progress.lines == 321)
    thread.stop()  # the shipper killed mid-stream ...
    append(150)
    shipper, thread = shipping(run_dir, server.url)  # ... and started again
    wait_for(lambda: shipper.progress.lines == 150)
    os.truncate(log, 0)  # copytruncate
    append(50)
    wait_for(lambda: shipper.progress.lines == 200)
    thread.stop()
    stored = _lines(stream_messages(server.url), "kernel_run.log")
    assert [data for _, _, data in stored] == written  # every line, once, in order
    assert len({(g, o) for g, o, _ in stored}) == len(stored)
    assert len({g for g, _, _ in stored}) == 3  # the first file, the rotated-in, the truncated


def read_to_end(shipper: Shipper) -> bool:
    """Every line file the shipper ships, there, read to its end."""
    return all(shipped.snapshot or not shipped.path().exists()
               or (shipped.tailer is not None
                   and shipped.tailer.offset >= shipped.path().stat().st_size)
               for shipped in shipper.files)


@needs_nats
def test_two_shippers_at_once_store_each_line_once(server, tmp_path):
    run_dir = tmp_path / "r1"
    shutil.copytree(FIXTURE_RUN, run_dir)
    first, one = shipping(run_dir, server.url)
    second, two = shipping(run_dir, server.url)
    # Each reads every file to its end; one that starts after the other has
    # stored lines goes on from where the stream ends, not sending them again
    # (waiting for 57 sent by each failed about one run in twenty under load).
    wait_for(lambda: read_to_end(first) and read_to_end(second))
    assert first.progress.lines + second.progress.lines >= 57
    one.stop()
    two.stop()
    messages = [m for m in stream_messages(server.url) if m[1].get(sj.ENCODING) != "zlib"]
    assert len(messages) == 57


@needs_nats
def test_a_cluster_node_lost_while_shipping_loses_nothing(tmp_path):
    nodes = cluster(tmp_path / "nats")
    try:
        url = ",".join(node.url for node in nodes).replace(",nats://", ",")
        run_dir = tmp_path / "r1"
        run_dir.mkdir()
        log = run_dir / "api_audit.log"
        mirror = MirrorThread(Link(sj.parse_address(url + "/r1")), tmp_path / "mirror",
                              lambda text: None)

        def append(start: int, count: int) -> None:
            with open(log, "ab") as file:
                for i in range(start, start + count):
                    file.write(f"2026-02-11 00:00:00 | API_CALL_SUCCESS | n={i:05d}\n".encode())

        shipper, thread = shipping(run_dir, url, replicas=3)
        append(0, 300)
        wait_for(lambda: shipper.progress.lines == 300, timeout=60)
        mirror.start()
        assert mirror.wait_caught_up(30) and mirror.failed is None
        nodes[0].stop()  # the node both may be connected to
        append(300, 300)
        wait_for(lambda: shipper.progress.lines == 600, timeout=60)
        mirrored = tmp_path / "mirror" / "h1" / "r1" / "api_audit.log"
        wait_for(lambda: mirrored.exists() and mirrored.read_bytes() == log.read_bytes(),
                 timeout=60)
        thread.stop()
        mirror.stop()
    finally:
        for node in nodes:
            node.stop()


@needs_nats
def test_a_shipper_killed_mid_window_and_restarted_leaves_no_gap_and_no_duplicate(server,
                                                                                  tmp_path):
    import signal
    import subprocess
    import sys
    import time

    run_dir = tmp_path / "r1"
    run_dir.mkdir()
    lines = [f"[WAVE 1] line {i:06d} {'x' * 60}".encode() for i in range(40_000)]
    (run_dir / "kernel_run.log").write_bytes(b"".join(line + b"\n" for line in lines))
    command = [sys.executable, "-m", "vivtui", "ship", str(run_dir), "--to", server.url,
               "--run", "r1", "--host", "h1"]

    def stored() -> int:
        import asyncio

        import nats

        async def count() -> int:
            nc = await nats.connect(server.url)
            try:
                info = await nc.jetstream().stream_info(sj.STREAM)
                return info.state.messages
            except Exception:  # noqa: BLE001 - not made yet
                return 0
            finally:
                await nc.close()

        return asyncio.run(count())

    first = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: stored() > 2_000, timeout=30, step=0.02)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    killed_at = stored()
    assert killed_at < len(lines)  # killed mid-stream, not after
    second = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: stored() >= len(lines), timeout=60)
        time.sleep(0.5)  # anything more would be a duplicate
    finally:
        second.terminate()
        second.wait()
    got = [data for _, _, data in _lines(stream_messages(server.url), "kernel_run.log")]
    assert got == lines


@needs_nats
def test_a_lost_link_is_said_until_the_server_is_back(tmp_path):
    """A monitor reading through the stream says when the link is down (it must
    not look as if it followed), and stops saying it once it is back."""
    store = tmp_path / "nats"
    server = Server(store).start()
    mirror = MirrorThread(Link(sj.parse_address(f"{server.url}/r1")), tmp_path / "mirror",
                          say=lambda text: None, wait=True)
    try:
        mirror.start()
        assert mirror.wait_caught_up(20)
        assert mirror.health.note() is None
        server.stop()
        wait_for(lambda: mirror.health.note() is not None, timeout=15)
        note = mirror.health.note()
        assert "stream link lost" in note and f"127.0.0.1:{server.port}" in note
        server = Server(store, port=server.port).start()
        wait_for(lambda: mirror.health.note() is None, timeout=20)
    finally:
        mirror.stop()
        server.stop()


def _delete_stream(url: str) -> None:
    import asyncio

    import nats

    async def delete() -> None:
        nc = await nats.connect(url)
        try:
            await nc.jetstream().delete_stream(sj.STREAM)
        finally:
            await nc.close()

    asyncio.run(delete())


@needs_nats
def test_a_deleted_stream_is_made_again_by_the_shipper_and_said_by_the_monitor(server,
                                                                               tmp_path):
    """Deleted under them: the shipper makes the stream again (its lines went
    nowhere, silently) and the mirror reads the new one; with no shipper to
    make it, the monitor says the stream is gone."""
    run_dir = tmp_path / "r1"
    run_dir.mkdir()
    log = run_dir / "kernel_run.log"
    log.write_bytes(b"[WAVE 1] before\n")
    said: list[str] = []
    shipper = Shipper(run_dir, Link(sj.parse_address(server.url)), "r1", "h1", say=said.append)
    thread = LoopThread(shipper.run_until).start()
    mirror = MirrorThread(Link(sj.parse_address(f"{server.url}/r1")), tmp_path / "mirror",
                          say=lambda text: None, wait=True)
    mirrored = tmp_path / "mirror" / "h1" / "r1" / "kernel_run.log"
    try:
        mirror.start()
        wait_for(lambda: mirrored.exists() and b"before" in mirrored.read_bytes())
        _delete_stream(server.url)
        with open(log, "ab") as file:
            file.write(b"[WAVE 1] after\n")
        wait_for(lambda: b"after" in mirrored.read_bytes(), timeout=30)
        assert any("the stream is gone" in text and "making it again" in text for text in said)
        assert mirrored.read_bytes() == log.read_bytes()  # each line once
        thread.stop()
        _delete_stream(server.url)
        wait_for(lambda: "the stream is gone" in (mirror.health.note() or ""), timeout=15)
    finally:
        thread.stop()
        mirror.stop()


@needs_nats
def test_a_line_over_the_servers_message_size_is_shipped_cut_and_the_lines_after_it_go_on(
        server, tmp_path):
    # A JSON line as its record cut to fit (``parsing.fitted``), a text line cut.
    run_dir = tmp_path / "r1"
    run_dir.mkdir()
    big = b'{"action_type": "write_file", "details": "' + b"x" * (3 << 20) + b' end"}'
    lines = [b'{"action_type": "spawn", "n": 1}', big, b'{"action_type": "spawn", "n": 3}']
    (run_dir / "action_log.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    kernel = [b"[WAVE 1] one", b"k" * (3 << 20) + b" end", b"[WAVE 1] three"]
    (run_dir / "kernel_run.log").write_bytes(b"\n".join(kernel) + b"\n")
    said: list[str] = []
    shipper = Shipper(run_dir, Link(sj.parse_address(server.url)), "r1", "h1",
                      say=said.append)
    thread = LoopThread(shipper.run_until).start()
    wait_for(lambda: shipper.progress.lines == 6)
    thread.stop()
    text = [data for _, _, data in _lines(stream_messages(server.url), "kernel_run.log")]
    note = cut_note(text[1])
    assert note is not None and note[0].startswith("a line of 3.0 MB")
    assert note[1].startswith(b"k" * 1000) and text[1].endswith(b"k end") and text[2] == kernel[2]
    stored = _lines(stream_messages(server.url), "action_log.jsonl")
    assert [offset for _, offset, _ in stored] == [0, len(lines[0]) + 1,
                                                   len(lines[0]) + len(big) + 2]
    assert stored[0][2] == lines[0] and stored[2][2] == lines[2]
    # (Its record, cut to fit: not a malformed line at the other end.)
    shipped = orjson.loads(stored[1][2])
    assert shipped["action_type"] == "write_file" and len(stored[1][2]) < 1 << 20
    kept = shipped["details"].index("…")
    assert shipped["details"] == "x" * kept + f"… ({(3 << 20) + 4 - kept:,} more characters" \
        " not read)"
    mirrored = MirrorFile(tmp_path / "mirror" / "action_log.jsonl")
    sent = [(h, data) for _, h, data in stream_messages(server.url)
            if h.get(sj.FILE) == "action_log.jsonl"]
    assert [h.get(sj.LENGTH) for h, _ in sent] == [None, str(len(big)), None]
    for headers, data in sent:
        mirrored.take(headers[sj.GENERATION], int(headers[sj.OFFSET]), data,
                      int(headers[sj.LENGTH]) if sj.LENGTH in headers else None)
    # The mirror goes on past it: where the next line starts, its length says.
    assert mirrored.path.read_bytes().splitlines()[1:] == [stored[1][2], lines[2]]
    mirrored.close()


def test_the_shippers_lag_counts_the_unfinished_line_and_what_is_not_read_yet(tmp_path):
    from vivtui.sources.tailer import LineTailer
    from vivtui.stream.ship import ShippedFile

    log = tmp_path / "kernel_run.log"
    log.write_bytes(b"one\ntwo\nhalf a li")
    shipped = ShippedFile("kernel_run.log", "s", [log], False, tailer=LineTailer(log))
    assert Shipper._lag(shipped) == 17  # nothing read yet
    shipped.tailer.read()
    assert Shipper._lag(shipped) == len(b"half a li")  # read, but not a line to ship yet
    with open(log, "ab") as handle:
        handle.write(b"ne\nmore\n")
    assert Shipper._lag(shipped) == len(b"half a line\nmore\n")
    shipped.tailer.close()
