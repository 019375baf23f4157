"""``vivtui summary``: read a run once and report it, as text for people or JSON."""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path
from typing import Any

from vivtui.ingest.feeds import read_to_end
from vivtui.ingest.layout import RunLayout, discover
from vivtui.parsing.kinds import SPECS
from vivtui.parsing.record import Record
from vivtui.parsing.values import text
from vivtui.safetext import one_line, redact
from vivtui.store.budget import DEFAULT_LIMIT
from vivtui.store.run import RunStore


def collect(path: Path | str, zone: tzinfo | None = None,
            budget: float = DEFAULT_LIMIT) -> tuple[RunLayout, RunStore]:
    """Every file of the run read to its end (an unfinished last line included)."""
    layout = discover(path, zone)
    store = RunStore(budget)
    for feed in layout.feeds:
        read_to_end(feed, store.apply_batch)
        feed.close()
    return layout, store


def summary_dict(layout: RunLayout, store: RunStore) -> dict[str, Any]:
    statuses = {status.name: status for status in layout.statuses()}
    files = {}
    for spec in SPECS:
        status = statuses.get(spec.name)
        if status is None:  # single-file mode: the other files are not part of it
            files[spec.name] = {"state": "missing", "records": 0, "malformed": 0,
                                "path": None}
            continue
        entry = {"state": status.state, "records": status.records if status.used else 0,
                 "malformed": status.malformed if status.used else 0,
                 "path": str(status.path)}
        if not status.used:
            entry["used"] = False
        if status.note:
            entry["note"] = status.note
        files[spec.name] = entry
    if layout.single_file:
        single = layout.feeds[0]
        files[single.path.name] = {"state": single.status()[0].state, "records": single.records,
                                   "malformed": single.malformed, "path": str(single.path),
                                   "read_as": single.spec.name}

    s, b, k, p, t = store.sessions, store.budget, store.kernel, store.performance, store.tasks
    return {
        "files": files,
        "actions": {"total": store.buffers["actions"].total,
                    "by_type": dict(store.by_category["actions"])},
        "sessions": {"started": s.started, "completed": s.completed, "succeeded": s.succeeded,
                     "failed": s.failed, "unfinished": len(s.unfinished),
                     "orphan_completions": s.orphan_completions},
        "tasks": {"total": len(t.tasks), "by_status": dict(t.by_status())},
        "api": {"calls": b.calls, "succeeded": b.succeeded, "failed": b.failed,
                "cost_usd": round(b.cost, 10), "input_tokens": b.input_tokens,
                "output_tokens": b.output_tokens, "budget_exceeded": b.budget_exceeded,
                "task_budget_exceeded": b.task_budget_exceeded,
                "rate_limited": b.rate_limited, "violations": b.violations,
                "budget_limit_usd": b.limit, "remaining_usd": round(b.remaining, 10),
                "by_model": {model: {"calls": u.calls, "cost_usd": round(u.cost, 10)}
                             for model, u in b.by_model.items()}},
        "kernel": {"lines": k.lines, "blocked": k.by_class["blocked"],
                   "error": k.by_class["error"], "caution": k.by_class["caution"],
                   "waves": k.waves},
        "performance": {"entries": len(p.entries), "succeeded": p.succeeded,
                        "failed": p.failed, "mean_duration_s": p.mean_duration,
                        "mean_quality": p.mean_quality},
        "malformed": [{"file": store.source_of(r), "line": r.line, "why": r.note}
                      for r in store.malformed],
    }


def _show(value: object, limit: int = 160) -> str:
    """Log text made safe for a terminal: one line, no escapes, no whole keys."""
    return one_line(redact(text(value)), limit)


def render_text(layout: RunLayout, store: RunStore, limit: int = 20) -> str:
    data = summary_dict(layout, store)
    out: list[str] = [f"Run: {_show(layout.root, 300)}", "", "Files"]
    for name, entry in data["files"].items():
        extra = f"  ({_show(entry['note'])})" if entry.get("note") else ""
        bad = f", {entry['malformed']} malformed" if entry["malformed"] else ""
        out.append(f"  {name:<26} {entry['state']:<10} {entry['records']:>8} records{bad}{extra}")

    s = data["sessions"]
    out += ["", f"Sessions: {s['started']} started, {s['completed']} completed "
                f"({s['succeeded']} ok, {s['failed']} failed), {s['unfinished']} unfinished"]
    for session in _last(store.sessions.unfinished, limit, out):
        when = session.started_at.isoformat(timespec="seconds") if session.started_at else "?"
        worker, run, number = session.key
        out.append(f"  UNFINISHED  {when}  worker {_show(worker, 24)} run {_show(run, 8)} "
                   f"session {_show(number, 8)}  {_show(session.title, 60)}")
    failed_sessions = [x for x in store.sessions.sessions if x.outcome is False]
    for session in _last(failed_sessions, limit, out):
        worker, run, number = session.key
        out.append(f"  FAILED      worker {_show(worker, 24)} run {_show(run, 8)} session "
                   f"{_show(number, 8)} rc={_show(session.context('returncode'), 8)}  "
                   f"{_show(session.title, 60)}")

    t = data["tasks"]
    statuses = ", ".join(f"{n} {st}" for st, n in sorted(t["by_status"].items(), key=lambda x: -x[1]))
    out += ["", f"Tasks: {t['total']}" + (f" ({_show(statuses, 400)})" if statuses else "")]
    for task in _last(store.tasks.failed(), limit, out):
        out.append(f"  {_show(task.status, 20).upper():<16} {_show(task.task_id, 30)}  "
                   f"{_show(task.error or '(no error given)', 120)}")

    a = data["api"]
    out += ["", f"API: {a['calls']} calls ({a['succeeded']} ok, {a['failed']} failed), "
                f"${a['cost_usd']:.4f} of ${a['budget_limit_usd']:.2f} "
                f"(${a['remaining_usd']:.4f} left), {a['input_tokens']} in / "
                f"{a['output_tokens']} out tokens"]
    out.append(f"  budget exceeded {a['budget_exceeded']}, task budget exceeded "
               f"{a['task_budget_exceeded']}, rate limited {a['rate_limited']}, "
               f"violations {a['violations']}")
    for model, usage in sorted(a["by_model"].items(), key=lambda x: -x[1]["cost_usd"]):
        out.append(f"  {_show(model, 40):<40} {usage['calls']:>6} calls  ${usage['cost_usd']:.4f}")
    for record in _last(store.budget.problems, limit, out):
        out.append(f"  {_when(record)}  {_show(record.summary)}")

    out += ["", f"Safety gates: {store.blocked_count} blocked"]
    for record in _last(list(store.blocked), limit, out):
        out.append(f"  {record.kind:<8} {_when(record)}  {_show(record.summary)}")

    k = data["kernel"]
    out += ["", f"Kernel: {k['lines']} lines, {k['blocked']} blocked, {k['error']} error, "
                f"{k['caution']} caution" + (f", waves {k['waves'][0]}–{k['waves'][-1]}"
                                             if k["waves"] else "")]
    p = data["performance"]
    duration = f"{p['mean_duration_s']:.1f}s" if p["mean_duration_s"] is not None else "-"
    quality = f"{p['mean_quality']:.2f}" if p["mean_quality"] is not None else "-"
    out += [f"Performance: {p['entries']} entries ({p['succeeded']} ok, {p['failed']} failed), "
            f"mean duration {duration}, mean quality {quality}"]

    out += ["", f"Malformed lines: {store.malformed_count}"]
    for record in _last(list(store.malformed), limit, out):
        out.append(f"  {store.source_of(record)}:{record.line}  {record.note}: "
                   f"{_show(record.raw, 100)}")
    return "\n".join(out) + "\n"


def _last(items: list, limit: int, out: list[str]) -> list:
    """The newest ``limit`` items, with a line saying how many were left out."""
    if len(items) > limit:
        out.append(f"  … {len(items) - limit} earlier not shown")
        return items[-limit:]
    return items


def _when(record: Record) -> str:
    return record.ts.isoformat(timespec="seconds") if record.ts else "-" * 19
