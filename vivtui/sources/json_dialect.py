"""JSON as the producers write it, for what orjson refuses of it.

Vivarium's producers are Python programs, and Python's ``json.dumps`` writes
``NaN``, ``Infinity`` and ``-Infinity`` for floats that are not finite, and
``"\\udcff"`` for a lone surrogate (a byte that text decoded with
``surrogateescape`` kept). orjson refuses all three, and a line holding one
was shown as malformed: an API call with a NaN cost was left out of the
calls, a session completion out of the sessions (so it looked unfinished).
Python's own parser reads them; the rest of vivtui never sees a lone
surrogate, which can be neither written to a terminal nor as JSON: it
becomes U+FFFD here, as an invalid UTF-8 byte does. Numbers that are not
finite stay floats (``values.number`` takes none of them).
"""

from __future__ import annotations

import json
import re
from codecs import BOM_UTF8
from typing import Any

import orjson

from vivtui.sources.decoding import text_of
from vivtui.sources.json_depth import bounded


class _NotJson:
    """``NOT_JSON``'s class: pickled as the name ``NOT_JSON``, it is the same
    object in the process that loads it (a long line's answer comes from a
    helper: ``sources.elsewhere``)."""

    def __reduce__(self) -> str:
        return "NOT_JSON"

    def __repr__(self) -> str:
        return "NOT_JSON"


NOT_JSON: Any = _NotJson()  # (a sentinel: the refused path runs for every line of a text file)

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_OPENS, _CLOSES = (b"{", b"["), (b"}", b"]")


def loads(data: bytes) -> Any:
    """The JSON value ``data`` holds (cut if nested too deep: ``json_depth``),
    or ``NOT_JSON``."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        value = after_orjson(data)
    return bounded(value, data)


def after_orjson(data: bytes) -> Any:
    """What ``data``, which orjson refused, holds: its value once a UTF-8 byte
    order mark is dropped or a line that is not UTF-8 is read as Windows-1252
    (``decoding.text_of``; orjson refuses both outright), else as Python
    reads it (``python_dialect``), else ``NOT_JSON``. Valid UTF-8 is not
    given to orjson again: a file of plain text lines took three failed
    decodings a line (16 us, a third of it their exceptions)."""
    if data.startswith(BOM_UTF8):  # a file saved by an editor that marks UTF-8
        data = data[len(BOM_UTF8):]
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    text = None
    if not data.isascii():
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = text_of(data)
            try:
                return orjson.loads(text)
            except orjson.JSONDecodeError:
                pass
    # Only what opens and closes like an object or array goes on: the slow
    # parser is not run on every line of a plain text file, nor on a line cut short.
    if data.lstrip()[:1] not in _OPENS or data.rstrip()[-1:] not in _CLOSES:
        return NOT_JSON
    return python_dialect(text if text is not None else data.decode("ascii"))


def python_dialect(text: str) -> Any:
    """An object or array as Python's ``json`` reads it (non-finite numbers,
    lone surrogates made U+FFFD), or ``NOT_JSON``."""
    try:
        value = json.loads(text)
        return _mended(value) if _SURROGATE_ESCAPE.search(text) else value
    except (ValueError, RecursionError):
        return NOT_JSON


def _mended(value: Any) -> Any:
    """The value with each lone surrogate in its strings (keys too) made U+FFFD."""
    if value.__class__ is str:
        return _SURROGATE.sub("\ufffd", value)
    if value.__class__ is dict:
        return {_mended(key): _mended(item) for key, item in value.items()}
    if value.__class__ is list:
        return [_mended(item) for item in value]
    return value
