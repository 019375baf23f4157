"""Make untrusted log text safe to put on a terminal.

Log strings are data. Control characters (C0 except tab/newline, DEL, C1) would
let a log line move the cursor, clear the screen or retitle the terminal, so they
become U+FFFD before any text reaches a widget or stdout. Invisible format
characters (bidi overrides and isolates such as U+202E, zero-width characters,
tags) would reorder or hide what a line says: they are shown as a visible
``⟨U+202E⟩``.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_AND_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_WHITESPACE_RUN = re.compile(r"[\r\n\t]+")
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
                        "\u2066-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]")

# Keys pasted into error messages must not be shown whole on a shared screen.
_SECRET = re.compile(
    r"\b(gsk_|sk-(?:ant-|proj-)?|xai-|AIza|ghp_|github_pat_)[A-Za-z0-9_\-]{8,}"
)

REPLACEMENT = "\ufffd"


def clean(text: str) -> str:
    """Keep tabs and newlines, replace every other control character."""
    return _CONTROL.sub(REPLACEMENT, show_invisible(text))


def show_invisible(text: str) -> str:
    """Invisible format characters as visible placeholders."""
    if text.isascii():
        return text
    return _INVISIBLE.sub(_placeholder, text)


def _placeholder(found: re.Match) -> str:
    return f"⟨U+{ord(found.group()):04X}⟩"


def one_line(text: str, limit: int | None = None) -> str:
    """Collapse line breaks and tabs to a space, replace control characters."""
    text = _CONTROL_AND_BREAKS.sub(
        REPLACEMENT, _WHITESPACE_RUN.sub(" ", show_invisible(text))
    )
    if limit is not None and len(text) > limit:
        text = text[: max(0, limit - 1)] + "…"
    return text


def redact(text: str) -> str:
    """Mask API keys, keeping the prefix so the key kind stays recognisable."""
    return _SECRET.sub(lambda m: m.group(1) + "…[redacted]", text)
