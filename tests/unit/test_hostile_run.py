"""A hostile run directory: special files where run files should be, secrets of
every shape, non-finite and negative numbers, bidi and invisible characters.
``vivtui summary`` must finish within a time and memory limit, say what it
refused, and let nothing through raw."""

from __future__ import annotations

import codecs
import os
import resource
import subprocess
import sys

import orjson
import pytest

from tests.unit.test_render import SECRETS

LIMIT_S = 60
MEMORY = 1 << 30


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


@pytest.fixture
def hostile(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    os.mkfifo(run / "kernel_run.log")  # no writer: opening it must not wait
    (run / "performance_history.json").symlink_to("/dev/zero")  # no end
    lines = [{"timestamp": "2026-02-03T05:44:03", "event": "API_CALL_SUCCESS", "user": "u",
              "cost": 1e308, "input_tokens": -5},
             {"timestamp": "2026-02-03T05:44:04", "event": "API_CALL_SUCCESS", "user": "u",
              "cost": 1e308},
             {"timestamp": "2026-02-03T05:44:05", "event": "API_CALL_SUCCESS", "user": "u",
              "cost": "-1e9"}]
    lines += [{"timestamp": "2026-02-03T05:44:06", "event": "API_CALL_FAILURE", "user": "u",
               "error": f"failed with {secret} \u202egpj.exe\u200b"} for secret in SECRETS]
    (run / "api_audit.log").write_bytes(b"\n".join(map(orjson.dumps, lines)) + b"\n")
    return run


@pytest.mark.parametrize("as_json", [False, True])
def test_summary_survives_a_hostile_run(hostile, as_json):
    result = subprocess.run(
        [sys.executable, "-m", "vivtui", "summary", str(hostile), "--tz", "UTC"]
        + (["--json"] if as_json else []),
        capture_output=True, text=True, timeout=LIMIT_S, preexec_fn=_limited)
    assert result.returncode == 0, result.stderr[-500:]
    out = result.stdout
    assert "a FIFO (named pipe), not a regular file" in out
    assert "a character device, not a regular file" in out
    for secret, masked in SECRETS.items():
        assert secret not in out
    assert "\u202e" not in out and "\u200b" not in out and "\x1b" not in out
    assert "inf" not in out.lower().replace("info", "")
    if as_json:
        data = orjson.loads(out)
        assert data["api"]["cost_usd"] == 0 and data["api"]["input_tokens"] == 0
        assert len(data["api"]["bad_values"]) == 4


def test_a_special_or_binary_file_given_as_path_is_refused_with_its_type(tmp_path):
    fifo = tmp_path / "run.log"
    os.mkfifo(fifo)
    binary = tmp_path / "blob.dat"
    binary.write_bytes(b"\x7fELF\x00\x00\x01" * 50)
    wide = tmp_path / "orchestrator.log"
    wide.write_text("[!] Safety gate BLOCKED\r\n", encoding="utf-16")
    for path, said in ((fifo, "a FIFO (named pipe), not a regular file"),
                       (binary, "binary data"), (wide, "UTF-16 text, not UTF-8: not read")):
        result = subprocess.run([sys.executable, "-m", "vivtui", "summary", str(path)],
                                capture_output=True, text=True, timeout=LIMIT_S)
        assert result.returncode == 2 and said in result.stderr


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_a_kernel_log_in_utf16_is_named_not_read_as_noise(tmp_path, encoding):
    """Windows PowerShell 5's > writes a program's output as UTF-16. Read as
    UTF-8 every line was noise, and a log of blocks said 0 blocked."""
    text = "[1] START task\r\n[!] Safety gate BLOCKED: rm -rf /\r\n"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    (tmp_path / "kernel_run.log").write_bytes(data)
    (tmp_path / "plain.log").write_bytes(codecs.BOM_UTF8 + text.encode())
    for path in (tmp_path, tmp_path / "kernel_run.log"):
        result = subprocess.run([sys.executable, "-m", "vivtui", "summary", str(path),
                                 "--json"], capture_output=True, text=True, timeout=LIMIT_S)
        assert result.returncode == 0, result.stderr[-500:]
        kernel = orjson.loads(result.stdout)["files"]["kernel_run.log"]
        assert kernel["state"] == "unreadable" and kernel["records"] == 0
        assert "UTF-16 text, not UTF-8" in kernel["note"]
        assert "being written" not in kernel["note"]  # (not read at all: no line held)
    # A UTF-8 file that starts with its byte order mark is read.
    result = subprocess.run([sys.executable, "-m", "vivtui", "summary",
                             str(tmp_path / "plain.log"), "--json"],
                            capture_output=True, text=True, timeout=LIMIT_S)
    assert orjson.loads(result.stdout)["kernel"]["blocked"] == 1


@pytest.mark.parametrize("as_json", [False, True])
def test_fields_of_the_wrong_shape_or_size_are_counted_not_a_traceback(tmp_path, as_json):
    # A safety decision whose checks were a string ended the summary with a
    # traceback; a history's 1e300 s duration was its whole mean.
    run = tmp_path / "run"
    run.mkdir()
    (run / "safety_audit.log").write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in (
        {"timestamp": "2026-12-04T10:00:00", "checks": "not checks", "passed": False},
        {"timestamp": "2026-12-04T10:00:01", "checks": {"c": "x", "d": {"passed": False}},
         "passed": False, "blocked_reason": 5})))
    (run / "performance_history.json").write_bytes(orjson.dumps([
        {"session_id": 1, "success": True, "duration_seconds": 1e300, "quality_score": -1},
        {"session_id": 2, "success": False, "duration_seconds": -5, "quality_score": 1e308},
        {"session_id": 3, "success": True, "duration_seconds": 30, "quality_score": 0.5}]))
    result = subprocess.run(
        [sys.executable, "-m", "vivtui", "summary", str(run), "--tz", "UTC"]
        + (["--json"] if as_json else []),
        capture_output=True, text=True, timeout=LIMIT_S, preexec_fn=_limited)
    assert result.returncode == 0 and not result.stderr, result.stderr[-500:]
    if as_json:
        data = orjson.loads(result.stdout)
        assert data["safety"]["blocked"] == 2
        assert data["safety"]["by_reason"] == {"(no reason given)": 1, "5": 1}
        performance = data["performance"]
        assert (performance["mean_duration_s"], performance["mean_quality"],
                performance["out_of_range"]) == (30.0, 0.5, 4)
    else:
        assert "mean duration 30.0s, mean quality 0.50 (4 values out of range not counted)" \
            in result.stdout
