"""Big run files for the benchmarks, one kind or a whole run directory.

Deterministic (``--seed``), realistic lines in FORMATS.md's shapes (the same
shapes the demo writer uses), written fast. The last line of each file carries
a fixed-width ``seq=NNNNNNNN`` marker placed where the pane that lists it
shows it, so that the shared harness (../shared/bench/tui_bench.py) can tell
when the file's end is on screen:

- kernel_run.log: the last line's text;
- api_audit.log: the last event is an API failure whose error says it (the
  audit pane lists failures);
- execution_log.jsonl: the last task fails with it as its error (failures first);
- structured_logs.jsonl: the last session fails and its task title says it.

    python benchmarks/make_run.py --kind kernel --lines 1000000 --out /tmp/big
    python benchmarks/make_run.py --kind all --lines 1000000 --out /tmp/bigrun

``--lines`` counts lines for kernel and api; tasks (4 events each) and
sessions (a start and a completion each) for the queue and session logs.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from vivtui.demo import ACTORS, FILES, MODELS, TASKS  # noqa: E402

START = datetime(2026, 2, 3, 21, 0, 0)
SEQ = "seq=%08d"


class Clock:
    """Event times: a few events a second, from ``START``."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.t = START

    def tick(self) -> datetime:
        self.t += timedelta(milliseconds=self.rng.randint(5, 400))
        return self.t

    def naive(self) -> str:
        return self.tick().isoformat(timespec="microseconds")

    def utc(self) -> str:
        return self.tick().isoformat(timespec="milliseconds") + "+00:00"


def kernel_lines(rng: random.Random, count: int) -> Iterator[str]:
    session, wave = 0, 0
    yield "[AUTODISCOVER] Loading grind_tasks_ui.json"
    yield "[SAFETY] 210/210 tasks passed validation."
    emitted = 2
    while emitted < count - 1:
        wave += 1
        size = rng.randint(3, 6)
        block = [f"[WAVE {wave}] Starting {size} tasks in parallel..."]
        numbers = list(range(session + 1, session + size + 1))
        session += size
        for n in numbers:
            block.append(f"[{n}] START: {rng.choice(TASKS).splitlines()[0][:50]}...")
        for n in numbers:
            roll = rng.random()
            if roll < 0.05:
                block.append("BLOCKED: Attempt to write to protected file: "
                             f"experiments/exp_{wave}/{rng.choice(FILES)}")
            elif roll < 0.1:
                block.append(f"CAUTION: Writing to sensitive file: {rng.choice(FILES)}")
            elif roll < 0.12:
                block.append("  [!] Failed to load D:\\codingProjects\\grind_tasks_meta_wave2.json:"
                             " Extra data: line 50 column 1 (char 1748)")
            fate = rng.random()
            if fate < 0.8:
                block.append(f"[{n}] DONE ({rng.randint(5, 300)}s) - {rng.randint(1, 9)} files")
            elif fate < 0.9:
                block.append(f"[{n}] FAILED: Budget exhausted")
            else:
                block.append(f"[{n}] EXCEPTION: 'charmap' codec can't encode character "
                             "'\\u2011' in position 12")
        block.append(f"[WAVE {wave}] Complete")
        for line in block[: count - 1 - emitted]:
            yield line
            emitted += 1
    yield f"[{session + 1}] DONE (42s) - 3 files {SEQ % count}"


def api_lines(rng: random.Random, count: int) -> Iterator[str]:
    clock = Clock(rng)
    spent: dict[str, float] = {}
    limit = 40.0  # per wrapper: refusals come late in a 1M-line file
    for _ in range(count - 1):
        user = rng.choice(ACTORS)
        roll = rng.random()
        if roll < 0.9:
            cost = round(rng.uniform(0.00001, 0.0004), 6)
            if spent.get(user, 0.0) + cost > limit:
                yield _json({"timestamp": clock.naive(), "event": "BUDGET_EXCEEDED",
                             "user": user, "role": "worker",
                             "remaining": round(limit - spent[user], 6), "requested": cost})
                continue
            spent[user] = spent.get(user, 0.0) + cost
            yield _json({"timestamp": clock.naive(), "event": "API_CALL_SUCCESS", "user": user,
                         "role": "worker", "model": rng.choice(MODELS), "cost": cost,
                         "input_tokens": rng.randint(200, 4000),
                         "output_tokens": rng.randint(50, 900),
                         "call_type": rng.choice(["task", "review", "plan"]),
                         "task_id": f"task-{rng.randint(1, 5000):04d}"})
        elif roll < 0.97:
            yield _json({"timestamp": clock.naive(), "event": "API_CALL_ATTEMPT", "user": user,
                         "role": "worker", "model": rng.choice(MODELS)})
        else:
            yield _json({"timestamp": clock.naive(),
                         "event": rng.choice(["API_CALL_FAILURE", "RATE_LIMITED"]),
                         "user": user, "role": "worker", "model": rng.choice(MODELS),
                         "error": "429 Too Many Requests: rate limit reached for model"})
    yield _json({"timestamp": clock.naive(), "event": "API_CALL_FAILURE", "user": ACTORS[0],
                 "role": "worker", "model": MODELS[0],
                 "error": f"{SEQ % count} 503 Service Unavailable"})


def task_lines(rng: random.Random, count: int) -> Iterator[str]:
    """``count`` tasks, four status events each (queued, in progress, then an end)."""
    clock = Clock(rng)
    for number in range(1, count + 1):
        task = f"task-{number:06d}"
        worker = f"worker-{rng.randint(1, 8)}"
        last = number == count
        for status in ("queued", "in_progress"):
            yield _json({"task_id": task, "resident_id": f"res-{number % 9}",
                         "worker_id": worker, "status": status, "timestamp": clock.utc(),
                         "identity_id": f"identity_{number:04x}"})
        fate = "failed" if last else rng.choices(
            ["completed", "failed", "safety_blocked", "requeued"], [85, 8, 2, 5])[0]
        record = {"task_id": task, "worker_id": worker, "status": fate,
                  "timestamp": clock.utc(), "completed_at": clock.utc(),
                  "model": rng.choice(MODELS), "budget_used": round(rng.uniform(0.01, 0.2), 4),
                  "safety_passed": fate != "safety_blocked"}
        if fate != "completed":
            record["errors"] = SEQ % count if last else "No subtasks generated"
        yield _json(record)
        yield _json({"task_id": task, "worker_id": worker, "status": "verified",
                     "timestamp": clock.utc()} if fate == "completed" else
                    {"task_id": task, "worker_id": worker, "status": fate,
                     "timestamp": clock.utc(), "errors": record.get("errors")})


def session_lines(rng: random.Random, count: int) -> Iterator[str]:
    """``count`` sessions: a start and (mostly) a completion each, in waves
    of a few sessions per worker run."""
    clock = Clock(rng)
    run, done = 0, 0
    while done < count:
        run += 1
        size = min(rng.randint(3, 6), count - done)
        for index in range(1, size + 1):
            last = done + index == count
            title = SEQ % count if last else rng.choice(TASKS).format(w=run)
            yield _json({"timestamp": clock.naive(), "level": "INFO",
                         "message": "GrindSession started", "worker_id": "default",
                         "context": {"session_id": index, "run": run, "task": title,
                                     "model": rng.choice(MODELS)}})
        for index in range(1, size + 1):
            last = done + index == count
            if not last and rng.random() < 0.03:
                continue  # never finished
            ok = not last and rng.random() < 0.85
            yield _json({"timestamp": clock.naive(), "level": "INFO" if ok else "ERROR",
                         "message": "GrindSession completed", "worker_id": "default",
                         "context": {"session_id": index, "run": run,
                                     "elapsed_seconds": round(rng.uniform(5, 300), 6),
                                     "returncode": 0 if ok else 1, "success": ok,
                                     "verification_status": "verified" if ok else "failed"}})
        done += size


def _json(obj: dict) -> str:
    return orjson.dumps(obj).decode()


KINDS: dict[str, tuple[str, Callable[[random.Random, int], Iterator[str]]]] = {
    "kernel": ("kernel_run.log", kernel_lines),
    "api": ("api_audit.log", api_lines),
    "tasks": ("execution_log.jsonl", task_lines),
    "sessions": ("structured_logs.jsonl", session_lines),
}


def write(kind: str, count: int, out: Path, seed: int) -> Path:
    name, lines = KINDS[kind]
    path = out / name
    rng = random.Random(f"{seed}-{kind}")
    with open(path, "w", buffering=1 << 20) as handle:
        for line in lines(rng, count):
            handle.write(line)
            handle.write("\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", choices=[*KINDS, "all"], required=True)
    parser.add_argument("--lines", type=int, required=True,
                        help="lines (kernel, api); tasks; sessions")
    parser.add_argument("--tasks", type=int, help="with --kind all: tasks (default lines/5)")
    parser.add_argument("--sessions", type=int, help="with --kind all: sessions (lines/5)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    counts = {args.kind: args.lines}
    if args.kind == "all":
        counts = {"kernel": args.lines, "api": args.lines,
                  "tasks": args.tasks or args.lines // 5,
                  "sessions": args.sessions or args.lines // 5}
    for kind, count in counts.items():
        path = write(kind, count, args.out, args.seed)
        print(f"{path}: {count:,} {'lines' if kind in ('kernel', 'api') else kind}, "
              f"{path.stat().st_size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
