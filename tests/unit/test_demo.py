"""The README's first command runs on this: the simulated run must be a real one."""

from __future__ import annotations

import orjson

from vivtui.demo import write_forever
from vivtui.summary import collect, summary_dict


def test_the_demo_writes_every_run_file_with_the_quirks_it_promises(tmp_path):
    write_forever(tmp_path, rate=0, limit=400)
    layout, store = collect(tmp_path)
    report = summary_dict(layout, store)
    files = report["files"]
    for name in ("action_log.jsonl", "structured_logs.jsonl", "execution_log.jsonl",
                 "api_audit.log", "kernel_run.log", "performance_history.json"):
        assert files[name]["state"] == "ok", name
    lines = [line for name in ("action_log.jsonl.1", "action_log.jsonl")
             for line in (tmp_path / name).read_bytes().splitlines()]
    assert sum(1 for line in lines if not _parses(line)) == 1  # the promised malformed line
    assert store.sessions.sessions and store.tasks.tasks
    assert store.budget.calls > 0 and store.budget.cost > 0
    assert store.blocked_count > 0  # blocked writes
    assert (tmp_path / "action_log.jsonl.1").exists()  # rotated midway


def _parses(line: bytes) -> bool:
    try:
        return isinstance(orjson.loads(line), dict)
    except orjson.JSONDecodeError:
        return False
