"""Search and filter predicates over the text of rows; no terminal needed.

A pattern is a regular expression, or plain text when it does not compile
(``[bold`` finds the text ``[bold``). Smart case, as in less and vim: a
pattern with no capital letter ignores case. It is matched against what the
row says, not the line's raw JSON (whose key names matched everything). A
field term ``name:pattern`` (``status:failed``, ``type:SAFETY``,
``actor:Beam-31``, ``source:kernel``) matches one field; ``raw:pattern`` the
line as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

import re2

from vivtui.parsing.record import SEVERITY_RANK


@dataclass(frozen=True)
class Pattern:
    text: str
    regex: Any  # compiled by RE2: ``search`` and ``finditer`` as ``re``'s
    invert: bool = False  # a filter-out (typed with a leading "!")
    literal: bool = False  # did not compile as a regex: matched as plain text
    field: str | None = None  # a field term's field name
    fold: bool = False  # ignores case (smart case: no capital letter typed)
    plain: str | None = None  # ASCII text with nothing a regex reads otherwise (see ``search``)

    def search(self, haystack: str) -> bool:
        # Plain text in ASCII is looked for by ``in``, as RE2 would find it:
        # through RE2's Python wrapper each test cost about 10 us, and a
        # search over 200k sessions froze the screen for 2 s.
        plain = self.plain
        if plain is not None and haystack.isascii():
            return plain in (haystack.lower() if self.fold else haystack)
        return self.regex.search(haystack) is not None

    @property
    def highlighter(self) -> Any:
        """What marks its matches in a row on screen: ``re``'s for plain text
        (a literal: no backtracking), else RE2's (through its Python wrapper,
        marking a screen of rows took 128 ms of the UI thread)."""
        if self.plain is None:
            return self.regex
        return re.compile(re.escape(self.plain), re.IGNORECASE if self.fold else 0)

    def found_in(self, described: tuple) -> bool:
        """In a row as ``Describe`` tells it."""
        return self.matches(described[0], described[3] if len(described) > 3 else None)

    def matches(self, text: str, lookup: Lookup | None = None) -> bool:
        if self.field is None:
            return self.search(text)
        value = lookup(self.field) if lookup is not None else None
        return value is not None and self.search(value)


Lookup = Callable[[str], "str | None"]  # a row's field by name (see ``FIELD_NAMES``)

# The field terms a pattern may start with; anything else is text ("error: x").
FIELD_NAMES = frozenset({"type", "status", "event", "class", "level", "state", "source",
                         "kind", "severity", "actor", "action", "user", "role", "model",
                         "worker", "session", "task", "identity", "reason", "raw"})
_FIELD_TERM = re.compile(r"([a-z]+):(.+)", re.DOTALL)


TIME = "@time"  # a lookup's name for the row's time (no field term can name it)


def compile_pattern(text: str, allow_invert: bool = False) -> Pattern:
    invert = allow_invert and text.startswith("!")
    body = text[1:] if invert else text
    term = _FIELD_TERM.fullmatch(body)
    field = term.group(1) if term and term.group(1) in FIELD_NAMES else None
    if field is not None:
        body = term.group(2)
    fold = not any(ch.isupper() for ch in body)
    try:
        return Pattern(text, _linear(body, fold), invert, field=field, fold=fold,
                       plain=body if _is_plain(body) else None)
    except re2.error:
        # Not a regular expression RE2 takes (a syntax error, a look-around or a
        # back-reference): the text as typed.
        return Pattern(text, _linear(re2.escape(body), fold), invert, literal=True,
                       field=field, fold=fold, plain=body if body.isascii() else None)


_REGEX_SYNTAX = frozenset(".^$*+?{}[]\\|()")


def _is_plain(body: str) -> bool:
    """ASCII that a regex reads as itself."""
    return body.isascii() and _REGEX_SYNTAX.isdisjoint(body)


def _linear(body: str, fold: bool):
    """A pattern matched in time linear in the text, whatever it says (Python's
    re backtracks: "(a+)+$" froze the screen; it holds the GIL, so a worker
    thread did not help)."""
    options = re2.Options()
    options.log_errors = False  # RE2 writes its errors to stderr: onto the screen
    options.case_sensitive = not fold
    return re2.compile(body, options)


@dataclass
class FilterSet:
    """What one pane lets through: stacked patterns, a category choice, a
    minimum severity. ``enabled`` switches them all off and on at once."""

    patterns: list[Pattern] = field(default_factory=list)
    categories: frozenset[str] | None = None
    min_severity: str | None = None
    hide_foreign_under: str | None = None  # hide lines naming paths outside this run root
    enabled: bool = True
    # Only rows of this time span [start, end), chosen on the time strip: a row's
    # time is its lookup's TIME field.
    time_span: tuple[datetime, datetime] | None = None

    @property
    def active(self) -> bool:
        return self.enabled and bool(self.patterns or self.categories is not None
                                     or self.min_severity or self.hide_foreign_under is not None
                                     or self.time_span is not None)

    def describe(self) -> list[str]:
        parts = [("! " + p.text[1:]) if p.invert else ("& " + p.text) for p in self.patterns]
        if self.categories is not None:
            parts.append("type=" + ",".join(sorted(self.categories)))
        if self.min_severity:
            parts.append(f"≥{self.min_severity}")
        if self.hide_foreign_under is not None:
            parts.append("no foreign paths")
        if self.time_span is not None:
            start, end = self.time_span
            parts.append(f"time {start:%H:%M}–{end:%H:%M}")
        return parts

    def clear(self) -> None:
        self.patterns.clear()
        self.categories = None
        self.min_severity = None
        self.time_span = None
        self.enabled = True

    def accepts(self, text: str, category: str = "", severity: str = "info",
                lookup: Lookup | None = None) -> bool:
        if not self.enabled:
            return True
        if self.categories is not None and category not in self.categories:
            return False
        if self.min_severity and SEVERITY_RANK.get(severity, 0) < SEVERITY_RANK[self.min_severity]:
            return False
        for pattern in self.patterns:
            if pattern.matches(text, lookup) == pattern.invert:
                return False
        if self.hide_foreign_under is not None and has_foreign_path(text, self.hide_foreign_under):
            return False
        if self.time_span is not None:
            when = lookup(TIME) if lookup is not None else None
            if when is None or not self.time_span[0] <= when < self.time_span[1]:
                return False
        return True


def line_prefilter(patterns: list[Pattern]) -> Callable[[bytes], bool] | None:
    """A test on a line's bytes, before it is parsed, that turns away only lines
    the patterns would turn away: plain-text patterns looked for in ASCII
    lines (where bytes and text agree, case folding included). None when no
    pattern allows it. Scanning a whole file for a word no longer parses every
    line of it."""
    tests = []
    for pattern in patterns:
        if pattern.field is not None or not pattern.plain:
            continue
        fold = pattern.fold
        needle = pattern.plain.encode().lower() if fold else pattern.plain.encode()
        tests.append((needle, fold, pattern.invert))
    if not tests:
        return None

    def keep(data: bytes) -> bool:
        if not data.isascii() or b"\\" in data:
            return True  # decided on the parsed line (an escape reads otherwise there)
        folded = data.lower()
        for needle, fold, invert in tests:
            if (needle in (folded if fold else data)) == invert:
                return False
        return True

    return keep


SEVERITY_STEPS = (None, "warning", "error")


def next_severity(current: str | None) -> str | None:
    """The `L` key's cycle: everything, warnings and worse, errors only."""
    return SEVERITY_STEPS[(SEVERITY_STEPS.index(current) + 1) % len(SEVERITY_STEPS)]


# item -> (text, category, severity[, lookup]): what the row says, and its fields.
Describe = Callable[[object], tuple]


def record_field(record, name: str) -> str | None:
    """A record's field for a field term: the category under any of its names,
    the file kind, or a field of the line (``worker`` is ``worker_id``...).
    ``TIME``: its time (a datetime), for the time strip's span."""
    if name == TIME:
        return record.ts
    if name in ("type", "status", "event", "class", "level", "state"):
        return record.category
    if name in ("source", "kind"):
        return f"{record.kind} {SOURCE_ALIASES.get(record.kind, '')}"
    if name == "severity":
        return record.severity
    if name == "raw":
        return record.line_text
    fields = record.fields
    for key in (name, f"{name}_id"):
        value = fields.get(key)
        if value is not None:
            return value if isinstance(value, str) else str(value)
    if name in ("session", "task", "worker", "run"):
        context = fields.get("context")
        if isinstance(context, dict):
            value = context.get(name) if name == "task" else context.get(f"{name}_id")
            if value is not None:
                return str(value)
    return None


# Other names users know a file kind by (the timeline's labels, the summary's names).
SOURCE_ALIASES = {"actions": "action action_log", "sessions": "session structured_logs",
                  "tasks": "task execution_log queue", "api": "api_audit budget",
                  "kernel": "kernel_run", "performance": "perf",
                  "safety": "safety_audit"}


# Paths of earlier environments: Windows drives and old experiment folders.
FOREIGN_PATH = re.compile(r"\b[A-Za-z]:\\|\bexperiments/exp_\d{8}_\d{6}|(?<![\w.])/(?:home|Users|mnt|tmp)/")


def has_foreign_path(text: str, run_root: str = "") -> bool:
    """Does the line name a path that is not under the run directory?"""
    for found in FOREIGN_PATH.finditer(text):
        if not (run_root and text.startswith(run_root, found.start())):
            return True
    return False
