"""A simulated Vivarium run, written over time, for the demo and the tests.

It writes every run file the way the real producers do (FORMATS.md), quirks
included: sessions that finish, fail or never finish; tasks moving through
statuses; API calls spending toward the budget, then BUDGET_EXCEEDED; blocked
writes; a malformed line; performance_history.json rewritten in place (and
caught half-written); the action log rotated midway.
"""

from __future__ import annotations

import os
import random
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import orjson

MODELS = ("llama-3.3-70b-versatile", "llama-3.1-8b-instant", "gpt-4o-mini")
TASKS = (
    "ARCHITECTURE REVIEW: Wave {w} Code Audit\n\nYou are a",
    "Add comprehensive error handling for request proce",
    "Refactor the budget tracker\nKeep the API stable",
    "Write tests for the safety gate",
    "Document the grind spawner options",
    "Fix flaky retry logic in api wrapper",
)
ACTORS = ("Beam-31", "Orin-7", "Vesper-12", "Quill-4", "Nova-22")
FILES = ("app/gut_check.py", "app/router.py", "lib/budget.py", "tests/test_api.py",
         "inference_engine.py", "docs/README.md")


class DemoRun:
    """Writes one simulated run into ``directory``; ``step`` writes one event."""

    def __init__(self, directory: Path | str, seed: int = 7, budget: float = 0.50,
                 rotate_after: int = 400) -> None:
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.rng = random.Random(seed)
        self.budget = budget
        # Per API wrapper (user), as the producer keeps it; $0.50 each (callers pass
        # their own limits), so that refusals come within minutes.
        self.spent: dict[str, float] = {}
        self.wave = 0
        self.session_seq = 0
        self.task_seq = 0
        self.actions_written = 0
        self.rotate_after = rotate_after
        self.rotated = False
        self.performance: list[dict] = []
        self.open_sessions: list[dict] = []
        self.steps = 0
        self._plan: list = []
        self._header()

    # -- writing ---------------------------------------------------------------

    def _now(self, utc: bool) -> str:
        if utc:
            return datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        return datetime.now().isoformat(timespec="microseconds")  # naive local, as the producer

    def _append(self, name: str, data: bytes) -> None:
        with open(self.dir / name, "ab") as handle:
            handle.write(data)

    def _json(self, name: str, obj: dict) -> None:
        self._append(name, orjson.dumps(obj) + b"\n")

    def _header(self) -> None:
        started = datetime.now()
        self._append("action_log.log", (
            "=" * 95 + f"\nACTION LOG STARTED: {started.isoformat()} ({started:%A})\n" + "=" * 95
            + "\nDAY TIME     | ACTOR        | TYPE     | ACTION         | DETAIL\n" + "-" * 95
            + "\n").encode())
        self._append("kernel_run.log", b"[AUTODISCOVER] Loading grind_tasks_ui.json\n"
                     b"[SAFETY] 24/24 tasks passed validation.\n")

    def action(self, actor: str, action_type: str, action: str, detail: str,
               session: str | None = None, **metadata) -> None:
        self._json("action_log.jsonl", {
            "timestamp": self._now(True), "actor": actor, "action_type": action_type,
            "action": action, "detail": detail, "session_id": session,
            "metadata": metadata or None})
        now = datetime.now()
        self._append("action_log.log", (
            f"{now:%a %H:%M:%S} | {actor:<12} | {action_type:<8} | {action:<14} | {detail}\n"
        ).encode())
        self.actions_written += 1
        if not self.rotated and self.actions_written >= self.rotate_after:
            self.rotated = True
            os.replace(self.dir / "action_log.jsonl", self.dir / "action_log.jsonl.1")
            self.action("SYSTEM", "SYSTEM", "log_rotated", "action_log.jsonl rotated to .1")

    def _rewrite_performance(self) -> None:
        # The producer rewrites the whole file in place: a reader can catch it half-written.
        data = orjson.dumps(self.performance, option=orjson.OPT_INDENT_2)
        path = self.dir / "performance_history.json"
        with open(path, "wb") as handle:
            handle.write(data[: len(data) // 2])
            handle.flush()
            time.sleep(0.02)
            handle.write(data[len(data) // 2:])

    # -- the story -------------------------------------------------------------

    def step(self) -> None:
        """Write the next event of the run."""
        if not self._plan:
            self._plan = self._next_wave()
        event = self._plan.pop(0)
        event()
        self.steps += 1

    def _next_wave(self) -> list:
        self.wave += 1
        count = self.rng.randint(3, 5)
        plan: list = [lambda w=self.wave, n=count: self._append(
            "kernel_run.log", f"[WAVE {w}] Starting {n} tasks in parallel...\n".encode())]
        sessions = []
        for index in range(1, count + 1):
            self.session_seq += 1
            self.task_seq += 1
            sessions.append({
                "number": self.session_seq, "index": index, "task_id": f"task-{self.task_seq:04d}",
                "actor": self.rng.choice(ACTORS), "model": self.rng.choice(MODELS),
                "title": self.rng.choice(TASKS).format(w=self.wave),
                "fate": self.rng.choices(["ok", "fail", "never", "blocked"], [6, 2, 1, 1])[0],
                "started": time.monotonic()})
        for s in sessions:
            plan.append(lambda s=s: self._start(s))
        work = [(s, i) for s in sessions for i in range(self.rng.randint(3, 6))]
        self.rng.shuffle(work)
        plan += [lambda s=s, i=i: self._work(s, i) for s, i in work]
        plan += [lambda s=s: self._finish(s) for s in sessions]
        plan.append(lambda w=self.wave: self._append("kernel_run.log",
                                                      f"[WAVE {w}] Complete\n".encode()))
        if self.wave == 2:
            plan.insert(3, lambda: self._append(
                "action_log.jsonl", b'{"timestamp": "2026-02-03T05:44:03", "actor": "Orin-7", '
                                    b'"action_type": "TOOL", "detail": "cut off mid-wri\n'))
            plan.insert(5, lambda: self.action(
                "Quill-4", "JOURNAL", "note",
                "log text is data: [bold red]not markup[/] [@click=app.quit]x[/] \x1b[2J done"))
        return plan

    def _start(self, s: dict) -> None:
        worker = "default"
        self._json("structured_logs.jsonl", {
            "timestamp": self._now(False), "level": "INFO", "message": "GrindSession started",
            "worker_id": worker, "context": {"session_id": s["index"], "run": self.wave,
                                             "task": s["title"], "model": s["model"]}})
        self._json("execution_log.jsonl", {
            "task_id": s["task_id"], "resident_id": f"res-{s['number'] % 9}",
            "worker_id": f"worker-{s['index']}", "status": "in_progress",
            "timestamp": self._now(True), "started_at": self._now(True),
            "identity_id": f"identity_{s['number']:04x}"})
        self._append("kernel_run.log",
                     f"[{s['number']}] START: {s['title'].splitlines()[0][:50]}...\n".encode())
        self.action(s["actor"], "SYSTEM", "session_start", s["title"].splitlines()[0],
                    f"session_{s['index']}", model=s["model"])

    def _work(self, s: dict, i: int) -> None:
        session = f"session_{s['index']}"
        roll = self.rng.random()
        if roll < 0.45:
            self._api_call(s)
        elif roll < 0.75:
            path = self.rng.choice(FILES)
            self.action(s["actor"], "TOOL", self.rng.choice(["create_file", "edit_file", "read_file"]),
                        f"{path} (+{self.rng.randint(1, 80)} lines)", session)
        elif roll < 0.87:
            passed, failed = self.rng.randint(0, 12), self.rng.choice([0, 0, 1, 3])
            self.action(s["actor"], "TEST", "pytest", f"{passed} pass, {failed} fail, 0 skip", session)
        elif roll < 0.93 and s["fate"] == "blocked":
            target = self.rng.choice(FILES[-2:])
            self.action(s["actor"], "SAFETY", "BLOCKED", f"protected_file: {target}", session)
            self._append("kernel_run.log",
                         f"BLOCKED: Attempt to write to protected file: {target}\n".encode())
        elif roll < 0.96:
            self.action(s["actor"], "SAFETY", "WARNING", "sensitive_file: inference_engine.py", session)
            self._append("kernel_run.log", b"CAUTION: Writing to sensitive file: inference_engine.py\n")
        else:
            self.action(s["actor"], "IDENTITY", "tokens", f"+5 (helpful review) | balance: {40 + i}")

    def _api_call(self, s: dict) -> None:
        cost = round(self.rng.uniform(0.004, 0.03), 6)
        tokens_in, tokens_out = self.rng.randint(200, 4000), self.rng.randint(50, 900)
        user = s["actor"]
        spent = self.spent.get(user, 0.0)
        if spent + cost > self.budget:
            self._json("api_audit.log", {
                "timestamp": self._now(False), "event": "BUDGET_EXCEEDED", "user": user,
                "role": "worker", "remaining": self.budget - spent, "requested": cost,
                "task_id": s["task_id"]})
            self.action("SYSTEM", "BUDGET", "EXCEEDED",
                        f"${spent + cost:.3f} > ${self.budget:.2f} limit")
            return
        if self.rng.random() < 0.06:
            self._json("api_audit.log", {
                "timestamp": self._now(False), "event": self.rng.choice(
                    ["API_CALL_FAILURE", "RATE_LIMITED"]), "user": s["actor"], "role": "worker",
                "model": s["model"], "error": "429 Too Many Requests: rate limit reached for "
                                              "model (key gsk_live_0123456789abcdef)"})
            return
        spent = self.spent[user] = spent + cost
        self._json("api_audit.log", {
            "timestamp": self._now(False), "event": "API_CALL_SUCCESS", "user": s["actor"],
            "role": "worker", "model": s["model"], "cost": cost, "input_tokens": tokens_in,
            "output_tokens": tokens_out, "call_type": self.rng.choice(["task", "review", "plan"]),
            "task_id": s["task_id"]})
        self.action(s["actor"], "API", s["model"],
                    f"{tokens_in + tokens_out} tokens | ${cost:.4f}", f"session_{s['index']}")
        self.action("SYSTEM", "BUDGET", "cost_update",
                    f"${spent:.3f}/${self.budget:.2f} ({spent / self.budget:.0%})")

    def _finish(self, s: dict) -> None:
        if s["fate"] == "never":
            return  # crashed: a start with no completion
        ok = s["fate"] == "ok"
        elapsed = round(time.monotonic() - s["started"], 6)
        self._json("structured_logs.jsonl", {
            "timestamp": self._now(False), "level": "INFO" if ok else "ERROR",
            "message": "GrindSession completed", "worker_id": "default",
            "context": {"session_id": s["index"], "run": self.wave, "elapsed_seconds": elapsed,
                        "returncode": 0 if ok else 1, "success": ok,
                        "verification_status": "verified" if ok else "failed",
                        "hallucination_risk": "low" if ok else "high"}})
        status = {"ok": "completed", "fail": "failed", "blocked": "safety_blocked"}[s["fate"]]
        record = {"task_id": s["task_id"], "worker_id": f"worker-{s['index']}", "status": status,
                  "timestamp": self._now(True), "completed_at": self._now(True),
                  "model": s["model"], "budget_used": round(self.rng.uniform(0.01, 0.2), 4),
                  "safety_passed": s["fate"] != "blocked"}
        if not ok:
            record["errors"] = {"fail": "No subtasks generated",
                                "blocked": "Attempt to write to protected file"}[s["fate"]]
        self._json("execution_log.jsonl", record)
        if ok:
            self._append("kernel_run.log", f"[{s['number']}] DONE ({int(elapsed)}s) - "
                                           f"{self.rng.randint(1, 5)} files\n".encode())
        else:
            self._append("kernel_run.log", f"[{s['number']}] FAILED: {record['errors']}\n".encode())
        self.performance.append({
            "timestamp": self._now(False), "session_id": s["index"], "duration_seconds": elapsed,
            "success": ok, "quality_score": round(self.rng.uniform(0.6, 0.95) if ok else 0.2, 2),
            "task_description": s["title"].splitlines()[0],
            "files_modified": [self.rng.choice(FILES)] if ok else [],
            "lessons_learned": ["Keep changes small"] if ok
            else ["FAIL: exit code 1, no files modified"]})
        self._rewrite_performance()


def write_forever(directory: Path | str, rate: float, stop: threading.Event | None = None,
                  limit: int | None = None) -> DemoRun:
    """Write events at ``rate`` per second until ``stop`` is set (or ``limit`` events)."""
    run = DemoRun(directory)
    stop = stop or threading.Event()
    interval = 1.0 / rate if rate > 0 else 0.0
    while not stop.is_set() and (limit is None or run.steps < limit):
        run.step()
        if interval:
            stop.wait(interval * run.rng.uniform(0.3, 1.7))
    return run
