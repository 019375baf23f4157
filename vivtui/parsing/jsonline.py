"""Decoding one line of a JSONL file into an object, or a malformed record."""

from __future__ import annotations

import orjson

from vivtui.parsing.record import Record, malformed


def decode_text(data: bytes) -> str:
    """Bytes as text: invalid UTF-8 becomes U+FFFD, a trailing CR is dropped."""
    return data.decode("utf-8", "replace").rstrip("\r")


def load_object(kind: str, data: bytes, line: int, offset: int) -> dict | Record:
    """The line's JSON object, or a malformed record saying why it is not one."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        # orjson refuses invalid UTF-8 outright; the same line with U+FFFD in
        # place of the bad bytes is still a good record.
        repaired = data.decode("utf-8", "replace")
        try:
            value = orjson.loads(repaired)
        except orjson.JSONDecodeError:
            return malformed(kind, line, offset, repaired.rstrip("\r"), "not JSON")
    if isinstance(value, dict):
        return value
    return malformed(
        kind, line, offset, decode_text(data), f"JSON {type(value).__name__}, not an object"
    )
