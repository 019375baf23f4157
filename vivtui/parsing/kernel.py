"""kernel_run.log: orchestrator and safety output, plain text without timestamps."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from itertools import accumulate, compress, count, repeat
from operator import contains, itemgetter

from vivtui.parsing.context import ParseContext
from vivtui.parsing.long_lines import LONG_LINE, cut_text, longest_in
from vivtui.parsing.record import (
    ERROR,
    INFO,
    OK,
    SUMMARIZERS,
    WARNING,
    Record,
    Records,
)
from vivtui.sources import elsewhere
from vivtui.sources.decoding import BOM, lines_text, trimmed

KIND = "kernel"

BLOCKED = "blocked"
ERRORED = "error"
CAUTION = "caution"
OTHER = "other"

# FORMATS.md's rules: case-sensitive, first match wins; summary counts follow
# them. Every alternative of a rule starts with one of its words, so a match
# can only start where a word does, and is tried there alone (``classify``).
# Multiline: a batch's lines are classed in their joined text (``classes_in``),
# where ``^`` is each line's start; a line alone holds no newline, so there it
# is the line's start as before. (The newline before a line is no word
# character, as a line's start is none: ``\b`` holds the same.)
_RULES = (
    (BLOCKED, re.compile(r"\bBLOCKED\b"), ("BLOCKED",)),
    (ERRORED, re.compile(r"\bFAILED\b|\bEXCEPTION\b|^Traceback|Failed to|Error:", re.MULTILINE),
     ("FAILED", "EXCEPTION", "Traceback", "Failed to", "Error:")),
    (CAUTION, re.compile(r"\bCAUTION\b|\bWARNING\b|\bWarning\b"),
     ("CAUTION", "WARNING", "Warning")),
)
_CLASS_SEVERITY = {BLOCKED: ERROR, ERRORED: ERROR, CAUTION: WARNING}

_SESSION = re.compile(r"^\s*\[(\d+)\]\s*(\w+)?")
_WAVE = re.compile(r"^\s*\[WAVE (\d+)\]")
_DONE = re.compile(r"^\s*\[\d+\] DONE\b")

_PLUS_ONE = (1).__add__
_LINE, _OFFSET, _DATA = map(itemgetter, range(3))


def classify(line: str) -> str:
    """The first rule that matches ``line``, tried where its words are: a
    regex search along a 30 MB line took 3 s, finding the words 25 ms."""
    for name, pattern, words in _RULES:
        for word in words:
            if match_at_word(pattern, line, word) is not None:
                return name
    return OTHER


def match_at_word(pattern: re.Pattern, line: str, word: str) -> re.Match | None:
    """``pattern.search(line)``, for a pattern whose matches start with ``word``."""
    at = line.find(word)
    while at >= 0:
        found = pattern.match(line, at)
        if found is not None:
            return found
        at = line.find(word, at + 1)
    return None


def session_number(line: str) -> int | None:
    """The ``[N]`` that starts a numbered session line."""
    found = _SESSION.match(line)
    return int(found.group(1)) if found else None


def starts_session(line: str) -> bool:
    """Is it a ``[N] START`` line?"""
    found = _SESSION.match(line)
    return found is not None and found.group(2) == "START"


def wave_number(line: str) -> int | None:
    found = _WAVE.match(line)
    return int(found.group(1)) if found else None


def parse(data: bytes, line: int, offset: int, ctx: ParseContext) -> Record:
    """One line (not blank) as a record: see ``parse_many``."""
    return parse_many([(line, offset, data)], ctx)[0]


def parse_many(lines: Iterable[tuple[int, int, bytes]], ctx: ParseContext) -> Records:
    """``parse`` of every line that is not blank, a batch at a time: the
    batch's text searched for the rules' words, and its rows made by ``zip``
    (in C: 3 % sooner than a Python step a line). A line longer than
    ``LONG_LINE`` is classed by the helper (``_long_rows``)."""
    lines, longest = longest_in(lines)
    return _long_rows(lines, ctx) if longest > LONG_LINE else _rows(lines, ctx)


def _rows(lines: Iterable[tuple[int, int, bytes]], ctx: ParseContext) -> Records:
    kept = lines if isinstance(lines, list) else list(lines)
    datas = list(map(_DATA, kept))
    if not all(datas) or any(map(bytes.isspace, datas)):  # blank lines are no records
        kept = [item for item in kept if item[2] and not item[2].isspace()]
        datas = list(map(_DATA, kept))
    if not kept:
        return Records()
    text, contents = lines_text(datas)
    if "\r" in text or BOM in text:  # as ``line_text``
        contents = list(map(trimmed, contents))
        text = "\n".join(contents)
    classes = [OTHER] * len(contents)
    severities = [INFO] * len(contents)
    for at, name in classes_in(text, line_starts(contents)).items():
        classes[at] = name
        severities[at] = _CLASS_SEVERITY.get(name, INFO)
    done = _DONE.match
    for at in lines_holding(contents, "DONE"):
        if severities[at] == INFO and done(contents[at]):
            severities[at] = OK
    return Records(list(zip(repeat(KIND), map(_LINE, kept), map(_OFFSET, kept),
                            repeat(ctx.read_time), repeat(None), severities, classes, contents,
                            repeat(False), repeat(""))))


def _long_rows(lines: Iterable[tuple[int, int, bytes]], ctx: ParseContext) -> Records:
    """The rows of a batch holding a line longer than ``LONG_LINE``: each such
    line classed whole by the helper of the screen's process (``sources.elsewhere``),
    its text cut (``long_lines.cut_text``); the others as ever. Decoded and
    searched here, a 45 MB line held the GIL in pieces of 15-35 ms for 240 ms,
    and the screen answered no key for 318 ms (``benchmarks/loop_lag.py``)."""
    out, short = Records(), []
    for item in lines:
        if len(item[2]) <= LONG_LINE:
            short.append(item)
            continue
        out.extend(_rows(short, ctx))
        short = []
        line, offset, data = item
        try:
            parts = elsewhere.run(long_line_parts, data)
        except elsewhere.Unfinished:  # (text holds no hostile nesting: read here)
            parts = long_line_parts(data)
        if parts is not None:
            severity, name, content = parts
            out.rows.append((KIND, line, offset, ctx.read_time, None, severity, name, content,
                             False, ""))
    out.extend(_rows(short, ctx))
    return out


def long_line_parts(data: bytes) -> tuple[str, str, str] | None:
    """(Run by the helper.) A long line's severity and class, judged on the
    whole line, and its text cut (``long_lines.cut_text``); None if it is blank."""
    rows = _rows([(0, 0, data)], ParseContext()).rows
    if not rows:
        return None
    _kind, _line, _offset, _time, _zone, severity, name, content, *_ = rows[0]
    return severity, name, cut_text(content)


def line_starts(lines: list[str]) -> list[int]:
    """Where each of ``lines``, joined by newlines, starts (and where a next would)."""
    return list(accumulate(map(_PLUS_ONE, map(len, lines)), initial=0))


def classes_in(text: str, starts: list[int]) -> dict[int, str]:
    """``classify`` of each line of ``text`` (starting at ``starts``) that a
    rule matches, by its index. A rule is tried where its words are found in
    the whole text, and a line once classed is passed: ``classify`` called
    for each line holding a word took 2-3 µs a line, a rule tried where the
    word was found takes 0.5-1 µs."""
    classes: dict[int, str] = {}
    for name, pattern, words in _RULES:  # (in order: the first that matches wins)
        for word in words:
            at = text.find(word)
            while at >= 0:
                line = bisect_right(starts, at) - 1
                if line not in classes and pattern.match(text, at) is None:
                    at = text.find(word, at + 1)
                    continue
                classes.setdefault(line, name)
                at = text.find(word, starts[line + 1])
    return classes


def lines_holding(lines: list[str], word: str) -> Iterator[int]:
    """The indices of ``lines`` that hold ``word``, found in C (``map``): a
    word on every third line was found a line at a time at 1 µs each."""
    return compress(count(), map(contains, lines, repeat(word)))


def summarize(record: Record) -> str:
    return str(record.raw)


SUMMARIZERS[KIND] = summarize
