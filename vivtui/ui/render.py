"""The one place where records become styled text.

Every string from a log goes through ``safe`` (control characters replaced,
keys masked, one line) and into a ``rich.text.Text`` built piece by piece:
never into a markup string, so ``[bold]`` or ``[@click=...]`` in a log stays
literal, and escape sequences never reach the terminal.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from rich.cells import cell_len, set_cell_size
from rich.text import Text

from vivtui.parsing.record import ERROR, WARNING, GluedRecord, Record, UnreadRecord
from vivtui.parsing.values import text
from vivtui.safetext import PREVIEW_MOST, clean, head_of, preview, redact, safe_line
from vivtui.store.sessions import (
    FAILED,
    RUNNING,
    STALLED,
    SUCCEEDED,
    UNFINISHED,
    Session,
)
from vivtui.store.tasks import Task
from vivtui.ui import styles

SEVERITY_STYLE = styles.SEVERITY
TYPE_STYLE = styles.ACTION_TYPE
STATE_STYLE = {FAILED: styles.FAILURE_STRONG, UNFINISHED: styles.CAUTION_STRONG,
               STALLED: styles.CAUTION_STRONG, RUNNING: styles.ACTIVE, SUCCEEDED: styles.SUCCESS}
STATE_MARK = {FAILED: "✗ failed", UNFINISHED: "? unfinished", STALLED: "‖ stalled",
              RUNNING: "▶ running", SUCCEEDED: "✓ ok"}


def _listed(value: object) -> list:
    """A field that should hold a list, as one (a lone value, a list of it;
    none, an empty one): a history's entry may hold anything there."""
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


def safe(value: object, limit: int | None = None) -> str:
    """Log data as one display-safe line."""
    if limit is None:
        return safe_line(value if value.__class__ is str else text(value))
    return preview(text(value), limit)


def safe_block(value: object, most: int | None = None) -> str:
    """Log data kept multi-line (the inspector, histories), still display-safe;
    with ``most``, its first ``most`` characters and a line saying how many more."""
    whole = text(value)
    if most is None or len(whole) <= most:
        return clean(redact(whole)).expandtabs(4)
    head = head_of(whole, most)
    return (clean(redact(head)).expandtabs(4)
            + f"\n… {len(whole) - len(head):,} more characters not shown (the file holds them)")


def fit(value: str, width: int) -> str:
    """Exactly ``width`` cells: cut with an ellipsis, or padded. Counted in
    cells, not characters: CJK and emoji take two (they shifted columns)."""
    if value.isascii():
        if len(value) > width:
            return value[: max(0, width - 1)] + "…" if width > 0 else ""
        return value.ljust(width)
    if cell_len(value) > width:
        return set_cell_size(value, max(0, width - 1)) + "…" if width > 0 else ""
    return set_cell_size(value, width)


def clock(ts: datetime | None, zone: tzinfo | None = None, dated: bool = False) -> str:
    """The time of day; with the date too when the run spans days (``dated``)."""
    if ts is None:
        return "--:--:--" if not dated else "--.-- --:--:--"
    return ts.astimezone(zone).strftime("%m-%d %H:%M:%S" if dated else "%H:%M:%S")


def time_cell(ts: datetime | None, zone: tzinfo | None, dated: bool) -> tuple[str, int, str]:
    """A row's time column."""
    return clock(ts, zone, dated), 14 if dated else 8, styles.NOTE


def stamp(ts: datetime | None, zone: tzinfo | None, now: datetime) -> str:
    """A time with its date when it is not today's (a year too if not this year's)."""
    if ts is None:
        return "-"
    local = ts.astimezone(zone)
    if local.date() == now.astimezone(zone).date():
        return local.strftime("%H:%M:%S")
    return minute(ts, zone, now)


def minute(ts: datetime, zone: tzinfo | None, now: datetime) -> str:
    """A minute with its date, a year too when not this year's (an old run's
    "12-04" read as this December's)."""
    local = ts.astimezone(zone)
    return local.strftime("%m-%d %H:%M" if local.year == now.astimezone(zone).year
                          else "%Y-%m-%d %H:%M")


def span(start: datetime, end: datetime, zone: tzinfo | None, now: datetime) -> str:
    """From ``start`` to ``end`` (a time strip's bin): the end's date too when
    the span is of days (a ten-month run binned by the week read "12-03
    00:00–00:00")."""
    ends = (f"{end.astimezone(zone):%H:%M}" if end - start < timedelta(days=1)
            else minute(end, zone, now))
    return f"{minute(start, zone, now)}–{ends}"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m" if seconds % 60 == 0 else f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def record_style(record: Record) -> str:
    if record.severity in (ERROR, WARNING):
        return SEVERITY_STYLE[record.severity]
    if record.kind == "actions":
        return TYPE_STYLE.get(record.category, SEVERITY_STYLE[record.severity])
    return SEVERITY_STYLE[record.severity]


def columns(parts: list[tuple[str, int, str]], width: int) -> Text:
    """Cells of (text, width, style); the last cell takes what is left."""
    row = Text(no_wrap=True, overflow="ellipsis", end="")
    used = 0
    for index, (value, cell_width, style) in enumerate(parts):
        if index == len(parts) - 1:
            cell_width = max(0, width - used)
        row.append(fit(value, cell_width), style)
        if index < len(parts) - 1:
            row.append(" ")
        used += cell_width + 1
    return row


def line_number(line: int) -> str:
    """Lines count from 1; 0 is a line of a big log's tail read before its
    history was counted (a fraction of a second): not known yet."""
    return str(line) if line > 0 else "?"


def malformed_row(record: Record, width: int, source: str) -> Text:
    # Records glued on its line after it (its note says so), a crash's damage
    # before them: how many, for the inspector shows them.
    glued = (f"({record.glued_count} after it) "
             if record.__class__ is GluedRecord and record.glued else "")
    return columns([("MALFORMED", 9, styles.FAILURE_BADGE),
                    (f"{source}:{line_number(record.line)} {glued}{record.note}: "
                     f"{safe(record.raw, 400)}", 0,
                     styles.FAILURE)], width)


def unread_row(record: Record, width: int) -> Text:
    """A long line's row while a thread reads it (``store.big_rows``)."""
    return columns([("", 8, ""), (record.summary, 0, styles.NOTE)], width)


def action_row(record: Record, width: int, zone: tzinfo | None = None,
               source: str = "action_log.jsonl", dated: bool = False) -> Text:
    if record.malformed:
        return malformed_row(record, width, source)
    if record.__class__ is UnreadRecord:
        return unread_row(record, width)
    if not record.raw and not record.category:
        # Not an event (FORMATS.md: skipped), but the file's line all the same:
        # rows and line numbers stay the file's.
        return columns([("", 14 if dated else 8, ""), ("(blank line)", 0, styles.NOTE)], width)
    f = record.fields
    style = record_style(record)
    detail_style = style if record.severity in (ERROR, WARNING) else ""
    actor_width = 16 if width >= 160 else 12 if width >= 100 else 9
    action_width = 24 if width >= 160 else 16 if width >= 100 else 12
    detail = safe(f.get("detail"), 600)
    if record.__class__ is GluedRecord:  # records glued on its line after it
        detail = f"({record.glued_note}) {detail}"
    return columns([
        time_cell(record.ts, zone, dated),
        (safe(f.get("actor") or "UNKNOWN", 40), actor_width, styles.STRONG),
        (safe(record.category, 20), 8, style),
        (safe(f.get("action"), 60), action_width, style),
        (detail, 0, detail_style),
    ], width)


def kernel_row(record: Record, width: int, zone: tzinfo | None = None,
               source: str = "kernel_run.log") -> Text:
    if record.__class__ is UnreadRecord:
        return unread_row(record, width)
    line = safe(record.raw, 600)
    style = record_style(record)
    if line.startswith("[WAVE"):
        style = styles.WAVE
    # Line 0: not known yet (the file's history is still being indexed).
    number = f"{record.line:>6}" if record.line else ""
    return columns([(number, max(6, len(number)), styles.NOTE), (line, 0, style)], width)


def session_row(session: Session, width: int, now: datetime, run: str,
                quality: float | None = None, zone: tzinfo | None = None,
                dated: bool = False) -> Text:
    state = session.state(run)
    if state in (RUNNING, STALLED) and session.started_at is not None:
        elapsed = duration((now - session.started_at).total_seconds())
    else:
        elapsed = duration(session.elapsed)
    worker, run, number = session.key
    rc = session.context("returncode")
    verification = safe(session.context("verification_status") or "", 20)
    wide = width >= 100
    rc_cell = ("" if rc is None else f"rc={safe(rc, 6)}", 5, styles.FAILURE if rc not in (None, 0) else "")
    parts = [
        (STATE_MARK[state], 12, STATE_STYLE[state]),
        time_cell(session.started_at, zone, dated),
        (elapsed, 7, STATE_STYLE[state] if state in (RUNNING, STALLED) else ""),
        (f"r{safe(run, 5)}/s{safe(number, 5)}", 9 if wide else 8, ""),
    ]
    if wide:  # model, verification and quality only where there is room
        parts += [
            (safe(session.context("model"), 30), 24 if width >= 160 else 14, styles.MODEL),
            rc_cell,
            (verification, 9, styles.FAILURE if verification == "failed" else ""),
            (f"{quality:.2f}" if quality is not None else "", 4, ""),
        ]
    else:
        parts.append(rc_cell)
    parts.append((safe(session.title, 200), 0,
                  styles.STRONG if state in (FAILED, UNFINISHED, STALLED) else ""))
    return columns(parts, width)


def task_row(task: Task, width: int, zone: tzinfo | None = None, dated: bool = False) -> Text:
    used = task.budget_used
    style = record_style(task.shown)
    parts = [
        (safe(task.task_id, 40), 12, styles.STRONG),
        (safe(task.status, 30), 16, style),
        time_cell(task.when, zone, dated),
        (safe(task.last("worker_id"), 30), 9, ""),
    ]
    if width >= 100:
        parts.append((safe(task.last("model"), 40), 24, styles.MODEL))
    parts += [
        ("" if used is None else f"${used:.4f}", 8, styles.MONEY),
        (safe(task.error, 300), 0, styles.FAILURE if task.failed else ""),
    ]
    return columns(parts, width)


def problem_row(record: Record, width: int, zone: tzinfo | None = None,
                dated: bool = False) -> Text:
    # (The summary after its category as far as a preview reads: a 20 MB one was
    # copied twice at each draw.)
    start = len(record.category)
    rest = record.summary[start:start + PREVIEW_MOST].strip()
    return columns([time_cell(record.ts, zone, dated),
                    (safe(record.category, 40), 28, record_style(record)),
                    (safe(rest, 600), 0, "")], width)


KIND_LABEL = {"actions": "action", "sessions": "session", "tasks": "task", "api": "api",
              "kernel": "kernel", "performance": "perf", "safety": "safety"}


def timeline_row(record: Record, width: int, zone: tzinfo | None = None,
                 placed: datetime | None = None, summary: str | None = None) -> Text:
    """``summary``: the record's, if made elsewhere (default: made here)."""
    ts = record.ts or placed
    when = ts.astimezone(zone).strftime("%m-%d %H:%M:%S") if ts else "-"
    summary = safe(record.summary if summary is None else summary, 600)
    # The summary names the event: styled there rather than repeated in a column.
    head = next((c for c in (safe(record.category, 40), safe(record.category, 40).upper())
                 if c and summary.startswith(c) and summary[len(c):len(c) + 1] in ("", " ")), "")
    parts = [(when, 14, styles.NOTE), (KIND_LABEL.get(record.kind, record.kind), 7, styles.ACTIVE)]
    if head:
        parts.append((head, len(head), record_style(record)))
    parts.append((summary[len(head):].lstrip(), 0, ""))
    return columns(parts, width)


def history_text(task: Task, history: list[Record | None], zone: tzinfo | None = None,
                 dated: bool = False) -> Text:
    """A task's newest events (``history``: None where the file no longer has one)."""
    out = Text(no_wrap=True, end="")
    out.append(f"{safe(task.task_id, 60)}", styles.STRONG)
    out.append(f"  {task.events} events\n", styles.NOTE)
    for record in history:
        if record is None:
            out.append("  (no longer in the file: rotated or truncated since)\n", styles.NOTE)
            continue
        out.append(f"  {clock(record.ts, zone, dated)}  ", styles.NOTE)
        out.append(fit(safe(record.category, 30), 18), record_style(record))
        detail = record.fields.get("errors") or record.fields.get("result_summary")
        if detail:
            out.append(safe(detail, 300), styles.FAILURE if record.severity == ERROR else "")
        out.append("\n")
    return out


def gauge(fraction: float, width: int) -> Text:
    width = max(10, width)
    filled = min(width, int(round(min(1.0, max(0.0, fraction)) * width)))
    style = styles.level(fraction)
    bar = Text(end="")
    bar.append("█" * filled, style)
    bar.append("░" * (width - filled), styles.NOTE)
    return bar


def money(value: float | None) -> str:
    """Cents where they say it all (limits), sub-cent precision for spend."""
    if value is None:
        return "-"
    if abs(value) >= 10 or round(value, 2) == value:
        return f"${value:,.2f}"
    return f"${value:.4f}"


_SESSION_FIELDS = ("model", "returncode", "elapsed_seconds", "verification_status",
                   "file_verification_passed", "hallucination_risk", "claimed_files",
                   "verified_files", "stdout_length", "stderr_length")


def session_text(session: Session, perf: Record | None, now: datetime, run: str,
                 zone: tzinfo | None = None, dated: bool = False) -> Text:
    """The selected session in full: task text, completion fields, metrics."""
    state = session.state(run)
    worker, run, number_ = session.key
    out = Text(end="")
    out.append(STATE_MARK[state], STATE_STYLE[state])
    if state == UNFINISHED and session.ended is None and session.superseded:
        out.append(f" ({session.why_left_behind()})", styles.NOTE)
    out.append(f"  worker {safe(worker, 40)}  run {safe(run, 10)}  session {safe(number_, 10)}"
               f"  started {clock(session.started_at, zone, dated)}  ended "
               f"{clock(session.ended_at, zone, dated)}\n")
    task = session.context("task")
    if task is not None:
        out.append("task  ", styles.STRONG)
        out.append(safe(task, 400) + "\n")
    fields = [(name, session.context(name)) for name in _SESSION_FIELDS]
    shown = "  ".join(f"{name}={safe(value, 80)}" for name, value in fields if value is not None)
    if shown:
        out.append(shown + "\n")
    if perf is not None:
        f = perf.fields
        out.append("performance  ", styles.STRONG)
        out.append(f"quality {safe(f.get('quality_score'), 10)}  duration "
                   f"{safe(f.get('duration_seconds'), 12)}s  files modified: "
                   f"{safe(', '.join(map(text, _listed(f.get('files_modified')))) or '-', 200)}\n")
        for lesson in _listed(f.get("lessons_learned"))[:4]:
            out.append("  lesson: ", styles.NOTE)
            out.append(safe(lesson, 300) + "\n",
                       styles.FAILURE if text(lesson).startswith("FAIL") else "")
    return out
