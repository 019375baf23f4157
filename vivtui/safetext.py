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
from typing import Callable

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_AND_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_WHITESPACE_RUN = re.compile(r"[\r\n\t]+")
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
                        "\u2066-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]")

# Keys pasted into error messages must not be shown whole on a shared screen, copied
# or saved. The shapes of the common secret scanners' detectors (gitleaks,
# detect-secrets): provider prefixes, then secrets known by their key name. Each
# keeps what says which kind of secret it was (its prefix, its key name).
_EDGE = r"(?<![A-Za-z0-9])"  # not \b: "_" is a word character, and keys follow one
_PREFIXED = (
    r"gsk_|sk-(?:ant-|proj-)?|xai-|AIza|ghp_|gho_|ghu_|ghs_|ghr_|github_pat_|glpat-|hf_"
    r"|(?:sk|rk|pk)_(?:live|test)_|xox[abposr]-|npm_|pypi-|AKIA|ASIA|AGPA|AIDA|AROA|ANPA"
    r"|SG\.|shpat_|dop_v1_"
)
_SECRET_WORDS = r"api[_-]?key|secret|passw(?:or)?d|pwd|credential|private[_-]?key|access[_-]?key"
_SECRET = re.compile(
    rf"{_EDGE}(?P<prefix>{_PREFIXED})[A-Za-z0-9_\-.]{{8,}}"
    # Authorization headers and JSON web tokens
    r"|(?P<bearer>(?i:bearer|token)\s+)[A-Za-z0-9\-._~+/]{12,}=*"
    r"|(?P<jwt>eyJ)[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"
    # key=value, "key": "value", key: value, by the key's name
    rf"|(?P<named>(?i:{_SECRET_WORDS}|token)[\w.-]*[\"']?\s*[:=]\s*[\"']?)"
    # not a number (token counts), not a JSON literal
    r"(?![\"']|\s|$|null\b|none\b|true\b|false\b|[\d.]+(?:[\s,;}\"']|$))[^\s\"',;}&]{4,}"
    # credentials in a URL: scheme://user:password@host
    r"|(?P<url>://[^/\s:@\"']+:)[^/\s@\"']+(?=@)"
    r"|(?P<pem>-----BEGIN [A-Z ]*PRIVATE KEY-----)[^-]*"
)
MASK = "…[redacted]"
# What a line must hold (lower-cased) for the pattern to be tried at all: the
# pattern costs ~60 µs on a 230-character line, these tests ~2 µs, and most
# lines hold none of them.
_TRIGGERS = tuple({t.lower() for t in (
    "gsk_", "sk-", "xai-", "aiza", "gh", "github_pat_", "glpat-", "hf_", "_live_", "_test_",
    "xox", "npm_", "pypi-", "akia", "asia", "agpa", "aida", "aroa", "anpa", "sg.", "shpat_",
    "dop_v1_", "bearer", "token", "eyj", "key", "secret", "passw", "pwd", "credential",
    "://", "private")})
_reveal = False  # --show-secrets: for those who need the raw text

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


# A preview reads this much past its limit, no more: a 30 MB line was
# redacted and cleaned whole (4 s, on the screen's thread) to show 600 characters.
PREVIEW_MARGIN = 1024
PREVIEW_MOST = 256 << 10  # read at most (a line of blank lines: ~30 ms)
_TOKEN_ENDS = " \t\r\n\"',;}&"  # what ends a secret's value (``_SECRET``)


def head_of(text: str, size: int) -> str:
    """``text``'s first ``size`` characters, to be redacted alone. A token
    cut there is dropped unless ``PREVIEW_MARGIN`` of it is left: a secret's
    pattern could miss a short piece, and a long piece is matched as the
    whole would be."""
    head = text[:size]
    if len(head) < len(text):
        token_start = max(map(head.rfind, _TOKEN_ENDS)) + 1
        if len(head) - token_start < PREVIEW_MARGIN:
            head = head[:token_start]
    return head


def preview(text: str, limit: int) -> str:
    """``one_line(redact(text), limit)`` of text of any length, read only up
    to ``PREVIEW_MARGIN`` past ``limit`` (``head_of``)."""
    size = limit + PREVIEW_MARGIN
    while len(text) > size:
        shown = one_line(redact(head_of(text, size)))
        # Line breaks collapse: read further while they leave too little to show.
        if len(shown) >= limit or size >= PREVIEW_MOST:
            return shown[:max(0, limit - 1)] + "…"
        size = min(size * 8, PREVIEW_MOST)
    return one_line(redact(text), limit)


def redact(text: str, pace: Callable[[], object] | None = None) -> str:
    """Mask secrets, keeping what names their kind (a prefix, a key name).
    ``pace``: called between the pieces of a long text (``_redacted_in_pieces``)."""
    if _reveal:
        return text
    lowered = text.lower()
    for trigger in _TRIGGERS:
        if trigger in lowered:
            if len(text) > REDACT_PIECE + REDACT_REACH:
                return _redacted_in_pieces(text, pace=pace)
            return _SECRET.sub(_mask, text)
    return text


# A long text is searched this many characters a call (3-4 ms): a call holds
# the GIL, and a save's 20 MB line (4 s in one call) froze the screen; in
# pieces of 128K characters (27 ms), each of the screen's many waits for the
# GIL took up to one, and frames took 0.1-0.8 s.
REDACT_PIECE = 16 << 10
# A secret that begins in a piece is searched for this far past it; a match
# that reaches that far (a PEM private key's body, 1.7-6.4 KB) is taken again
# from where it begins, on the whole text.
REDACT_REACH = 1 << 10


def _redacted_in_pieces(text: str, piece: int = REDACT_PIECE, reach: int = REDACT_REACH,
                        pace: Callable[[], object] | None = None) -> str:
    """``_SECRET.sub(_mask, text)``, a piece at a time (the same, but for a
    secret whose key name alone is longer than ``reach``), ``pace`` called
    before each: a thread's key waits for no more than a piece."""
    out: list[str] = []
    done = start = 0
    end = len(text)
    while start < end:
        if pace is not None:
            pace()
        stop = start + piece
        bound = min(end, stop + reach)
        found = _SECRET.search(text, start, bound)
        if found is None or found.start() >= stop:
            start = stop
            continue
        if found.end() == bound < end:  # (perhaps cut short by the bound)
            found = _SECRET.match(text, found.start()) or found
        out += (text[done:found.start()], _mask(found))
        done = start = found.end()
    out.append(text[done:])
    return "".join(out)


_SECRET_NAME = re.compile(rf"(?i:{_SECRET_WORDS}|auth[_-]?token|access[_-]?token|^token$)")


def is_secret_name(name: str) -> bool:
    """A field whose name says its value is a secret."""
    return not _reveal and _SECRET_NAME.search(name) is not None


def _mask(found: re.Match) -> str:
    return next(group for group in found.groups() if group is not None) + MASK


def reveal_secrets(on: bool) -> None:
    """``--show-secrets``: every output shows them (set once, at start)."""
    global _reveal
    _reveal = on
    _SEEN_LINES.clear()


# Short strings that repeat, made safe once each (``safe_line``).
_SEEN_LINES: dict[str, str] = {}
SEEN_LINES_MOST = 4096
SEEN_LINE_LONGEST = 200


def safe_line(text: str) -> str:
    """``one_line(redact(text))``, looked up for a short string seen before:
    a model's name, a worker's, the error every failed task gives. Filtering
    200k sessions spent 0.57 s of its 0.96 s redacting each one's model name
    again."""
    found = _SEEN_LINES.get(text)
    if found is None:
        found = one_line(redact(text))
        if len(text) <= SEEN_LINE_LONGEST:
            if len(_SEEN_LINES) >= SEEN_LINES_MOST:
                _SEEN_LINES.clear()
            _SEEN_LINES[text] = found
    return found


def shareable(text: str) -> str:
    """Text leaving vivtui for elsewhere (the clipboard, a saved file):
    secrets masked, control characters replaced."""
    return clean(redact(text))
