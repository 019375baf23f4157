"""`vivtui serve` in a real headless browser: Chromium (Debian's) loads the
page, its terminal connects, and the monitor's screen of the action stream
arrives in the page's websocket (read over the DevTools protocol: the page's
terminal draws on a canvas, so its text is not in the DOM)."""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import subprocess
import sys
import time

import pytest

aiohttp = pytest.importorskip("aiohttp", reason="vivtui serve needs textual-serve (aiohttp)")
from tests.ports import free_port, wait_for_port  # noqa: E402

pytest.importorskip("textual_serve", reason="vivtui serve needs textual-serve")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None,
                                reason="no chromium: .ci/run installs Debian's package")


async def frames_until(debug_port: int, url: str, wanted: bytes, timeout: float) -> bytes:
    """The page's websocket frames, joined, until ``wanted`` is among them."""
    async with aiohttp.ClientSession() as http:
        deadline = time.monotonic() + timeout
        while True:
            try:
                async with http.get(f"http://127.0.0.1:{debug_port}/json/list") as answer:
                    pages = [t for t in await answer.json() if t["type"] == "page"]
                if pages:
                    break
            except aiohttp.ClientError:
                pass
            assert time.monotonic() < deadline, "chromium's DevTools never answered"
            await asyncio.sleep(0.2)
        async with http.ws_connect(pages[0]["webSocketDebuggerUrl"], max_msg_size=0) as cdp:
            for number, (method, params) in enumerate([("Network.enable", {}),
                                                       ("Page.navigate", {"url": url})]):
                await cdp.send_json({"id": number + 1, "method": method, "params": params})
            received = b""
            while time.monotonic() < deadline:
                try:
                    message = await cdp.receive_json(timeout=max(0.1, deadline -
                                                                 time.monotonic()))
                except asyncio.TimeoutError:
                    break
                if message.get("method") != "Network.webSocketFrameReceived":
                    continue
                frame = message["params"]["response"]
                data = frame["payloadData"]
                received += base64.b64decode(data) if frame["opcode"] == 2 else data.encode()
                if wanted in received:
                    break
            return received


def test_the_page_loads_and_shows_the_action_stream(run_dir, tmp_path):
    port, debug_port = free_port(), free_port()
    server = subprocess.Popen([sys.executable, "-m", "vivtui", "serve", str(run_dir), "--port",
                               str(port), "--fresh"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, env={**os.environ, "TZ": "UTC"})
    browser = None
    try:
        wait_for_port(port)
        browser = subprocess.Popen(
            [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
             "--disable-dev-shm-usage", f"--remote-debugging-port={debug_port}",
             f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,800",
             "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        received = asyncio.run(frames_until(debug_port, f"http://127.0.0.1:{port}/",
                                            b"gut_check.py", timeout=60))
        # The action stream's rows, drawn by the monitor in the page's terminal.
        assert b"gut_check.py" in received and b"Actions" in received
    finally:
        for process in (browser, server):
            if process is not None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()


def test_listening_beyond_this_host_warns_that_there_is_no_authentication(run_dir):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "vivtui", "serve", str(run_dir), "--host",
                               "0.0.0.0", "--port", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    try:
        wait_for_port(port)
    finally:
        server.terminate()
        _, err = server.communicate(timeout=10)
    assert b"no authentication" in err and b"ssh -L" in err
