"""``vivtui summary``: read a run once and report it, as text for people or JSON."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, tzinfo
from itertools import islice
from operator import attrgetter
from pathlib import Path
from typing import Any

from vivtui.ingest.counting import count_records
from vivtui.ingest.layout import RunLayout
from vivtui.ingest.split_read import read_run
from vivtui.parsing.kinds import SPECS
from vivtui.parsing.record import MALFORMED, Record
from vivtui.parsing.values import text
from vivtui.safetext import preview
from vivtui.store.activity import LIVE, UNDATED, RunActivity, skew_words
from vivtui.store.budget_limits import BASIS_WORDS
from vivtui.store.run import RunStore
from vivtui.store.safety import SOURCES
from vivtui.store.session import Session
from vivtui.store.sessions import RUNNING, STALLED, UNFINISHED
from vivtui.store.tasks import Task


def collect(path: Path | str, zone: tzinfo | None = None, budget: float | None = None,
            activity: RunActivity | None = None,
            rows: int = 0, processes: int | None = None) -> tuple[RunLayout, RunStore]:
    """Every file of the run read to its end (an unfinished last line
    too, unless the run is live or idle: ``split_read._last_lines``), a big
    run's by several processes (``split_read``).
    ``rows``: per kind, kept for whoever reads them; the summary reads counts and
    models only (a big run's kept rows were most of its memory)."""
    return read_run(path, zone, budget, activity, rows, processes)


def summary_dict(layout: RunLayout, store: RunStore, limit: int = 20) -> dict[str, Any]:
    """The report; ``limit``: the newest items kept per list (sessions
    open, sessions and tasks failed)."""
    statuses = {status.name: status for status in layout.statuses()}
    files = {}
    for spec in SPECS:
        status = statuses.get(spec.name)
        if status is None:  # single-file mode: the other files are not part of it
            files[spec.name] = {"state": "missing", "records": 0, "malformed": 0,
                                "path": None}
            continue
        records, bad = status.records, status.malformed
        if not status.used:
            # Present but not read (action_log.log beside the JSONL): counted all the same.
            records, bad = (_counted(spec, status.path, layout) if status.state == "ok"
                            else (0, 0))
        # "records" are the lines that became good records; the others are "malformed".
        entry = {"state": status.state, "records": records - bad, "malformed": bad,
                 "path": str(status.path)}
        if not status.used:
            entry["used"] = False
        if status.note:
            entry["note"] = status.note
        files[spec.name] = entry
    if layout.single_file:
        single = layout.feeds[0]
        status = single.status()[0]
        files[single.path.name] = {"state": status.state,
                                   "records": single.records - single.malformed,
                                   "malformed": single.malformed, "path": str(single.path),
                                   "read_as": single.spec.name,
                                   **({"note": status.note} if status.note else {})}

    s, b, k, p, t = store.sessions, store.budget, store.kernel, store.performance, store.tasks
    now = store.now()  # (the run's clock: its naive times may be ahead of this one)
    run = store.run_state(now)
    states = s.state_counts(run.state)
    forecast = b.forecast(now) if run.live else None
    return {
        "run": {"state": run.state,
                "last_event": run.last_event.isoformat() if run.last_event else None,
                "times_ahead_s": run.skew.total_seconds()},
        "files": files,
        "actions": {"total": store.buffers["actions"].total
                    - store.by_category["actions"][MALFORMED],
                    "by_type": dict(store.by_category["actions"])},
        "sessions": {"started": s.started, "completed": s.completed, "succeeded": s.succeeded,
                     "failed": s.failed, "unfinished": states[UNFINISHED],
                     "running": states[RUNNING], "stalled": states[STALLED],
                     "orphan_completions": s.orphan_completions,
                     "latest_open": [_session_item(x, run.state)
                                     for x in _newest_where(s.sessions, _is_open, limit)],
                     "latest_failed": [_session_item(x, run.state)
                                       for x in _newest_where(s.sessions, _failed, limit)]},
        "tasks": {"total": len(t.tasks), "by_status": dict(t.by_status()),
                  "latest_failed": [_task_item(task) for task in _newest(t.failed(), limit)]},
        "api": {"calls": b.calls, "succeeded": b.succeeded, "failed": b.failed,
                "cost_usd": round(b.cost, 10), "input_tokens": b.input_tokens,
                "output_tokens": b.output_tokens, "budget_exceeded": b.budget_exceeded,
                "task_budget_exceeded": b.task_budget_exceeded,
                "rate_limited": b.rate_limited, "violations": b.violations,
                "bad_values": [{"file": store.source_of(r), "line": r.line, "field": name,
                                "value": _show(value, 60)} for r, name, value in b.bad_values],
                "budget_limit_usd": b.limit,
                "remaining_usd": None if b.remaining is None else round(b.remaining, 10),
                "by_model": {model: {"calls": u.calls, "cost_usd": round(u.cost, 10)}
                             for model, u in b.by_model.items()}},
        "budget": {"limit_usd": b.limit, "limit_source": b.limit_source,
                   "limit_basis": b.limit_basis, "refused": b.refused,
                   "by_user": {w.user: {"calls": w.calls, "cost_usd": round(w.cost, 10),
                                        "refused": w.refused,
                                        "limit_usd": b.limit_of(w),
                                        "limit_known": b.limit_known(w),
                                        "remaining_usd": round(b.remaining_of(w), 10)
                                        if b.limit_known(w) else None}
                               for w in b.wrappers()},
                   "forecast_s": round(forecast.seconds, 1) if forecast else None},
        "safety": {"blocked": store.safety.total,
                   "by_source": {source: store.safety.by_source.get(source, 0)
                                 for source in SOURCES},
                   "by_reason": dict(store.safety.reasons())},
        "kernel": {"lines": k.lines, "blocked": k.by_class["blocked"],
                   "error": k.by_class["error"], "caution": k.by_class["caution"],
                   "waves": k.waves, "wave_starts": k.wave_starts},
        "performance": {"entries": p.count, "succeeded": p.succeeded,
                        "failed": p.failed, "mean_duration_s": p.mean_duration,
                        "mean_quality": p.mean_quality, "out_of_range": p.out_of_range},
        "malformed": [{"file": store.source_of(r), "line": r.line, "why": r.note}
                      for r in store.malformed],
    }


def _counted(spec, path: Path, layout: RunLayout) -> tuple[int, int]:
    """(records, malformed) of a file the run does not read, counted when
    the run was read (``split_read``), else now."""
    if path in layout.counted:
        return layout.counted[path]
    return count_records(spec, path, layout.feeds[0].zone if layout.feeds else None)


def _skew_note(ahead_s: float) -> str:
    """The run's naive times' distance from this clock, as the monitor says it."""
    return f" (times {skew_words(timedelta(seconds=ahead_s))}: --tz?)" if ahead_s else ""


def _show(value: object, limit: int = 160) -> str:
    """Log text made safe for a terminal: one line, no escapes, no whole keys."""
    return preview(text(value), limit)


def _newest(items: list, limit: int) -> list:
    """The newest ``limit`` of ``items`` (in the order seen: the newest last)."""
    return items[len(items) - limit:] if 0 < limit < len(items) else items if limit else []


def _left_out(total: int, shown: list, out: list[str]) -> None:
    if total > len(shown):
        out.append(f"  … {total - len(shown)} earlier not shown")


def _newest_where(items: Sequence, wanted: Callable[[Any], bool], limit: int) -> list:
    """The newest ``limit`` of ``items`` that are ``wanted``, found from the
    newest (the big run's 200k sessions walked whole: 110 ms a list)."""
    found = list(islice(filter(wanted, reversed(items)), limit))
    found.reverse()
    return found


_is_open = attrgetter("is_open")


def _failed(session: Session) -> bool:
    return session.outcome is False


def _session_item(session: Session, run_state: str) -> dict[str, Any]:
    worker, run, number = session.key
    return {"state": session.state(run_state), "started": _iso(session.started_at),
            "ended": _iso(session.ended_at), "worker": _plain(worker), "run": _plain(run),
            "session": _plain(number), "returncode": _plain(session.context("returncode")),
            "title": _show(session.title, 200)}


def _session_words(item: dict[str, Any]) -> str:
    return (f"worker {_show(item['worker'], 24)} run {_show(item['run'], 8)} "
            f"session {_show(item['session'], 8)}")


def _task_item(task: Task) -> dict[str, Any]:
    error = task.error
    return {"task_id": _plain(task.task_id), "status": _show(task.status, 40),
            "at": _iso(task.when), "error": _show(error, 500) if error else None}


def _iso(when: datetime | None) -> str | None:
    return when.isoformat(timespec="seconds") if when is not None else None


def _plain(value: object) -> object:
    """A JSON number or truth as it is; anything else (an integer past 64
    bits too: a line read in Python's dialect keeps one) as safe text."""
    if value is None or value.__class__ in (float, bool) or (
            value.__class__ is int and -(1 << 63) <= value < 1 << 64):
        return value
    return _show(value, 200)


def render_text(layout: RunLayout, store: RunStore, limit: int = 20) -> str:
    data = summary_dict(layout, store, limit)
    r = data["run"]
    out: list[str] = [f"Run: {_show(layout.root, 300)}",
                      f"State: {r['state']}, last event {r['last_event'] or '-'}"
                      + (" (no line carries a date)" if r["state"] == UNDATED else "")
                      + _skew_note(r["times_ahead_s"]),
                      "", "Files"]
    for name, entry in data["files"].items():
        if layout.single_file and entry["path"] is None:
            continue  # not part of a file given alone (the JSON keeps every name)
        extra = f"  ({_show(entry['note'])})" if entry.get("note") else ""
        bad = f", {entry['malformed']} malformed" if entry["malformed"] else ""
        out.append(f"  {name:<26} {entry['state']:<10} {entry['records']:>8} records{bad}{extra}")

    s = data["sessions"]
    out += ["", f"Sessions: {s['started']} started, {s['completed']} completed "
                f"({s['succeeded']} ok, {s['failed']} failed), {s['unfinished']} unfinished, "
                f"{s['stalled']} stalled, {s['running']} running"]
    _left_out(s["unfinished"] + s["stalled"] + s["running"], s["latest_open"], out)
    for item in s["latest_open"]:
        out.append(f"  {item['state'].upper():<10}  {item['started'] or '?'}  "
                   f"{_session_words(item)}  {_show(item['title'], 60)}")
    _left_out(s["failed"], s["latest_failed"], out)
    for item in s["latest_failed"]:
        out.append(f"  FAILED      {item['ended'] or '?'}  {_session_words(item)} "
                   f"rc={_show(item['returncode'], 8)}  {_show(item['title'], 60)}")

    t = data["tasks"]
    statuses = ", ".join(f"{n} {st}" for st, n in sorted(t["by_status"].items(), key=lambda x: -x[1]))
    out += ["", f"Tasks: {t['total']}" + (f" ({_show(statuses, 400)})" if statuses else "")]
    _left_out(len(store.tasks.failed()), t["latest_failed"], out)
    for item in t["latest_failed"]:
        out.append(f"  {_show(item['status'], 20).upper():<16} {item['at'] or '-' * 25}  "
                   f"{_show(item['task_id'], 30)}  "
                   f"{_show(item['error'] or '(no error given)', 120)}")

    a = data["api"]
    g = data["budget"]
    out += ["", f"API: {a['calls']} calls ({a['succeeded']} ok, {a['failed']} failed), "
                f"${a['cost_usd']:.4f}, {a['input_tokens']} in / {a['output_tokens']} out tokens",
            f"  limit ${g['limit_usd']:.2f} per wrapper ({BASIS_WORDS[g['limit_basis']]}), "
            f"{g['refused']} refused, forecast "
            + (f"{g['forecast_s']:.0f} s" if g["forecast_s"] is not None
               else "none (not live)" if data["run"]["state"] != LIVE
               else "none (no wrapper with a known limit spent lately)")]
    for bad in a["bad_values"][:limit]:
        out.append(f"  BAD VALUE (not summed) {bad['file']}:{bad['line']} "
                   f"{bad['field']}={bad['value']}")
    for user, w in _last(list(g["by_user"].items()), limit, out):
        out.append(f"  wrapper {_show(user, 30):<30} {w['calls']:>6} calls  ${w['cost_usd']:.4f} "
                   + (f"of ${w['limit_usd']:.2f}, ${w['remaining_usd']:.4f} left"
                      if w["limit_known"] else
                      f"past ${w['limit_usd']:.2f} with no refusal: limit unknown")
                   + (f", {w['refused']} refused" if w["refused"] else ""))
    out.append(f"  refused (budget exceeded) {a['budget_exceeded']}, task budget exceeded "
               f"{a['task_budget_exceeded']}, rate limited {a['rate_limited']}, "
               f"violations {a['violations']}")
    for model, usage in sorted(a["by_model"].items(), key=lambda x: -x[1]["cost_usd"]):
        out.append(f"  {_show(model, 40):<40} {usage['calls']:>6} calls  ${usage['cost_usd']:.4f}")
    for record in _last(list(store.budget.problems), limit, out):
        out.append(f"  {_when(record)}  {_show(record.summary)}")

    y = data["safety"]
    out += ["", f"Safety gates: {y['blocked']} blocked ("
                + ", ".join(f"{source} {n}" for source, n in y["by_source"].items()) + ")"]
    for reason, n in list(y["by_reason"].items())[:limit]:
        out.append(f"  {n:>6}  {_show(reason, 100)}")
    for record in _last(list(store.blocked), limit, out):
        out.append(f"  {record.kind:<8} {_when(record)}  {_show(record.summary)}")

    k = data["kernel"]
    # (The kernel pane numbers every line of the file, blank ones too.)
    out += ["", f"Kernel: {k['lines']} non-blank lines, {k['blocked']} blocked, "
                f"{k['error']} error, {k['caution']} caution, {k['wave_starts']} wave starts"]
    p = data["performance"]
    duration = f"{p['mean_duration_s']:.1f}s" if p["mean_duration_s"] is not None else "-"
    quality = f"{p['mean_quality']:.2f}" if p["mean_quality"] is not None else "-"
    left_out = (f" ({p['out_of_range']} values out of range not counted)"
                if p["out_of_range"] else "")
    out += [f"Performance: {p['entries']} entries ({p['succeeded']} ok, {p['failed']} failed), "
            f"mean duration {duration}, mean quality {quality}{left_out}"]

    out += ["", f"Malformed lines: {store.malformed_count}"]
    for record in _last(list(store.malformed), limit, out):
        out.append(f"  {store.source_of(record)}:{record.line}  {record.note}: "
                   f"{_show(record.raw, 100)}")
    return "\n".join(out) + "\n"


def _last(items: list, limit: int, out: list[str]) -> list:
    """The newest ``limit`` items, with a line saying how many were left out."""
    shown = _newest(items, limit)
    _left_out(len(items), shown, out)
    return shown


def _when(record: Record) -> str:
    return record.ts.isoformat(timespec="seconds") if record.ts else "-" * 19
