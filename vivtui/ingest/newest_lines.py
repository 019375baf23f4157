"""A big line file's newest lines, read ahead of its reading from the start
(``Feed.preview``): its last megabyte, then what is written after it, until
the reading from the start gets there.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from pathlib import Path

from vivtui.parsing.context import ParseContext
from vivtui.parsing.kinds import FileSpec, LineParser
from vivtui.parsing.record import Records
from vivtui.sources.tailer import Chunk, LineTailer, Place

PREVIEW_BYTES = 1 << 20
PIECE_LINES = 1000  # parsed between two calls of the pace


class NewestLines:
    """The tail of one file and the parser of its kind. Line numbers are not
    known yet (0); offsets are."""

    def __init__(self, tailer: LineTailer, parser: LineParser) -> None:
        self._tailer = tailer
        self._parser = parser

    @classmethod
    def opened(cls, spec: FileSpec, path: Path, zone: tzinfo | None) -> NewestLines | None:
        """Its last megabyte made ready to be read; None when the file cannot
        be opened or holds no more than that."""
        tailer = LineTailer(path, budget=PREVIEW_BYTES, tail_bytes=PREVIEW_BYTES)
        if tailer.open_now() is None or tailer.started_at == 0:
            tailer.close()
            return None
        return cls(tailer, LineParser(spec, ParseContext(zone)))

    def read(self) -> Chunk:
        """The lines not read yet (raises ``OSError`` as the tailer does)."""
        return self._tailer.read()

    def records(self, chunk: Chunk, pace: Callable[[], object] | None = None) -> Records:
        """``chunk``'s lines parsed, ``pace`` called between pieces of them
        (a key's frame goes first)."""
        lines = [(0, offset, data) for _, offset, data in chunk]
        parse = self._parser.parse
        records = parse(lines[:PIECE_LINES])
        for at in range(PIECE_LINES, len(lines), PIECE_LINES):
            if pace is not None:
                pace()
            records.extend(parse(lines[at:at + PIECE_LINES]))
        return records

    def place(self) -> Place:
        return self._tailer.place()

    def took_over(self, place: Place) -> None:
        """Read up to ``place`` elsewhere (a copy of it in another process)."""
        self._tailer.took_over(place)

    def close(self) -> None:
        self._tailer.close()
