"""structured_logs.jsonl: GrindSession starts and completions, and other log events."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from operator import itemgetter

from vivtui.parsing.context import ParseContext
from vivtui.parsing.jsonline import line_parser
from vivtui.parsing.record import (
    ERROR,
    INFO,
    OK,
    SUMMARIZERS,
    WARNING,
    Record,
    new_record,
)
from vivtui.parsing.values import all_are, flag, text, texts

KIND = "sessions"

STARTED = "GrindSession started"
COMPLETED = "GrindSession completed"

_LEVEL_SEVERITY = {"ERROR": ERROR, "CRITICAL": ERROR, "WARN": WARNING, "WARNING": WARNING}


SessionKey = tuple[str, str, str]
_RAW = Record._fields.index("raw")
_RAW_OF = itemgetter(_RAW)


def context_of(fields: dict) -> dict:
    ctx = fields.get("context")
    return ctx if isinstance(ctx, dict) else {}


def fields_and_context(row: tuple) -> tuple[dict, dict]:
    """A line's fields and context (of a record, or of its plain row)."""
    fields = row[_RAW]
    if fields.__class__ is not dict:
        fields = new_record(Record, row).fields
    return fields, context_of(fields)


def key_of(fields: dict, context: dict) -> SessionKey:
    """(worker_id, run, session_id) as text: what pairs a start with its completion."""
    return text(fields.get("worker_id")), text(context.get("run")), text(context.get("session_id"))


def batch_keys(rows: Sequence[tuple]) -> tuple[list[dict], tuple[list[str], ...], list]:
    """A batch's contexts, its keys' three parts (``key_of``'s, as columns)
    and its runs as written: taken a column at a time, in C for the usual
    types (worker ids strings, runs and numbers ints), where a call of
    ``key_of`` and ``fields_and_context`` for each line was a fifth of
    taking in a big session file."""
    fields = list(map(_RAW_OF, rows))
    if not all_are(fields, dict):
        fields = [fields_and_context(row)[0] for row in rows]
    contexts = list(map(dict.get, fields, repeat("context")))
    if not all_are(contexts, dict):
        contexts = [context if context.__class__ is dict else {} for context in contexts]
    runs = list(map(dict.get, contexts, repeat("run")))
    parts = (texts(map(dict.get, fields, repeat("worker_id"))), texts(runs),
             texts(map(dict.get, contexts, repeat("session_id"))))
    return contexts, parts, runs


def session_key(record: Record) -> SessionKey:
    return key_of(*fields_and_context(record))


def from_object(obj: dict, data: bytes, line: int, offset: int, ctx: ParseContext) -> tuple:
    """The line's row (a plain tuple in the record layout: the batch parser
    runs this for every line of the session file)."""
    message = obj.get("message")
    level = obj.get("level")
    level = (level if level.__class__ is str else text(level)).upper() or "INFO"
    severity = _LEVEL_SEVERITY.get(level, INFO)
    # A message that is not a string (a real quirk) is kept as a generic entry.
    category = message if message in (STARTED, COMPLETED) else level
    if category == COMPLETED:
        success = flag(context_of(obj).get("success"))
        if success is True and severity == INFO:
            severity = OK
        elif success is False:
            severity = ERROR
    return (KIND, line, offset, obj.get("timestamp"), ctx.zone, severity, category, obj, False,
            "")


def task_title(task: object) -> str:
    """The task text is cut to 50 characters; its first line is its title."""
    return text(task).strip().split("\n", 1)[0].strip()


def summarize(record: Record) -> str:
    f = record.fields
    c = context_of(f)
    who = f"{text(f.get('worker_id')) or '?'} run {text(c.get('run')) or '?'} session {text(c.get('session_id')) or '?'}"
    if record.category == STARTED:
        return f"{who} started: {task_title(c.get('task'))} [{text(c.get('model'))}]"
    if record.category == COMPLETED:
        outcome = {True: "ok", False: "FAILED"}.get(flag(c.get("success")), "?")
        return (f"{who} completed {outcome} rc={text(c.get('returncode'), '?')}"
                f" in {text(c.get('elapsed_seconds'), '?')}s")
    return f"{record.category} {text(f.get('message'))}"


parse = line_parser(KIND, from_object)
SUMMARIZERS[KIND] = summarize
