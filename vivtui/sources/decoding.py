"""A line's bytes as text: UTF-8, and a byte that is not UTF-8 read as
Windows-1252 (cp1252).

Vivarium's runs come from Windows (FORMATS.md's kernel lines name ``D:\\``
paths and fail with "'charmap' codec can't encode character"), where Python
writes a redirected stdout and a file opened without an encoding in the
ANSI code page: a task title's dash or quotes reach ``kernel_run.log`` as
the single bytes 0x96, 0x97, 0x93, 0x94. Replaced by U+FFFD they were lost,
and a search for them found nothing. UTF-8 is tried first and kept wherever
it is valid, so a UTF-8 file is read as before; only each byte UTF-8
refuses is read as that code page. Its five unassigned bytes stay U+FFFD,
and no byte becomes a control character (0x80-0x9F are punctuation there).
"""

from __future__ import annotations

import codecs

# The error handler's name, for ``bytes.decode("utf-8", LENIENT)`` where
# text is decoded a batch at a time.
LENIENT = "vivtui-windows-1252"

_CP1252 = tuple(bytes([byte]).decode("cp1252", "replace") for byte in range(256))


def _as_windows_1252(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    refused = error.object[error.start:error.end]
    return "".join(_CP1252[byte] for byte in refused), error.end


codecs.register_error(LENIENT, _as_windows_1252)


def text_of(data: bytes) -> str:
    """``data`` as text (see the module's note)."""
    return data.decode("utf-8", LENIENT)


def line_text(data: bytes) -> str:
    """A line's bytes as its text: ``text_of``, less what Windows adds to a
    line, a trailing CR and, on a file's first line, a byte order mark (an
    editor's, or PowerShell's ``Out-File -Encoding utf8``): behind one, a
    kernel log's first ``Traceback`` was no error."""
    return trimmed(text_of(data))


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
