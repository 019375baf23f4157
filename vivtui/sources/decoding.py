"""A line's bytes as text: UTF-8, and a line that is not UTF-8 read as
Windows-1252 (cp1252).

Vivarium's runs come from Windows (FORMATS.md's kernel lines name ``D:\\``
paths and fail with "'charmap' codec can't encode character"), where Python
writes a redirected stdout and a file opened without an encoding in the
ANSI code page: a task title's dash or quotes reach ``kernel_run.log`` as
the single bytes 0x96, 0x97, 0x93, 0x94. Replaced by U+FFFD they were lost,
and a search for them found nothing. A line is written in one encoding, so
one that is valid UTF-8 is read as UTF-8 (a UTF-8 file reads as before) and
any other wholly as that code page: both in C. (Read byte by byte instead,
keeping what UTF-8 there is in a line, a megabyte of binary noise took 0.6
to 1.8 s.) Its five unassigned bytes stay U+FFFD, and no byte becomes a
control character (0x80-0x9F are punctuation there). The producers' JSON is
ASCII (``json.dumps`` escapes the rest): only their text files hold such bytes.
"""

from __future__ import annotations

import re

# A run of NUL bytes this long or longer is a crash's (a block the file grew
# by and never had written); shorter ones are left to the screen's marks.
NUL_RUN_LEAST = 4


def text_of(data: bytes) -> str:
    """``data`` (one line) as text (see the module's note)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def lines_text(datas: list[bytes]) -> tuple[str, list[str]]:
    """Lines as one text joined by newlines, and each line's: decoded at once
    when all are UTF-8, else each on its own (``text_of``)."""
    joined = b"\n".join(datas)
    try:
        text = joined.decode("utf-8")
    except UnicodeDecodeError:
        contents = list(map(text_of, datas))
        return "\n".join(contents), contents
    return text, text.split("\n")


def line_text(data: bytes) -> str:
    """A line's bytes as its text: ``text_of``, less what Windows adds to a
    line, a trailing CR and, on a file's first line, a byte order mark (an
    editor's, or PowerShell's ``Out-File -Encoding utf8``): behind one, a
    kernel log's first ``Traceback`` was no error."""
    return trimmed(text_of(data))


def damage_text(data: bytes) -> str:
    """A malformed line's text (``line_text``), each run of NUL bytes a crash
    left in it said by its length: ``{"timestamp": "2026-…⟨300 NUL bytes⟩``
    (a row of hundreds of replacement marks said less, and hid what follows)."""
    text = line_text(data)
    return _NUL_RUN.sub(_nul_run_text, text) if "\x00" in text else text


_NUL_RUN = re.compile("\x00{%d,}" % NUL_RUN_LEAST)


def _nul_run_text(run: re.Match) -> str:
    return f"⟨{len(run.group())} NUL bytes⟩"


def trimmed(text: str) -> str:
    """A decoded line less a trailing CR and a leading byte order mark."""
    return text.rstrip("\r").removeprefix(BOM)


BOM = "\ufeff"


def is_utf8(data: bytes) -> bool:
    """Is ``data`` read as written (valid UTF-8), not through Windows-1252?"""
    if data.isascii():
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
