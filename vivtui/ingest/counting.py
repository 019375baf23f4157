"""A file counted, not kept: the records and malformed lines of a file a
run does not use (the action log's text twin beside the JSONL), for the
report that lists it (``vivtui summary``)."""

from __future__ import annotations

import os
from datetime import tzinfo
from pathlib import Path

from vivtui.ingest import kept_reading
from vivtui.ingest.feeds import BATCH_BYTES, Feed, read_to_end
from vivtui.ingest.kept_answers import Kept
from vivtui.parsing.action_text import EntryCounter
from vivtui.parsing.kinds import ACTION_TEXT, FileSpec
from vivtui.sources.tailer import LineTailer

COUNTED = "records counted"  # what the count's key is made of, beside the file's


def count_records(spec: FileSpec, path: Path, zone: tzinfo | None) -> tuple[int, int]:
    """(records, malformed) of a file read as ``spec`` and not kept."""
    if spec.assembled:
        return _count_entries(path), 0  # (the assembler makes no malformed record)
    feed = Feed([(spec, path)], zone)
    try:
        read_to_end(feed, lambda batch: None)
    finally:
        feed.close()
    return feed.records, feed.malformed


def _count_entries(path: Path) -> int:
    """The records of an action log's text form, counted line by line as
    the assembler would hand them out (``EntryCounter``), none made; a big
    one's count read on from what the last count kept (``kept_reading``)."""
    counter = EntryCounter()
    tailer = LineTailer(path, budget=BATCH_BYTES)

    def take(kept: tuple) -> None:
        counter.records, counter.pending, place = kept
        tailer.took_over(place)

    def read(final: bool) -> None:
        while True:
            chunk = tailer.read(final=final)
            for run in chunk.runs:
                counter.feed_all(run.pieces)
            if not chunk.more:
                return

    def stop_at(limit: int | None) -> None:
        tailer.limit = limit

    try:
        fd = tailer.open_now()
        size = os.fstat(fd).st_size if fd is not None else 0
        kept = (Kept.of(path, ACTION_TEXT.name, None, COUNTED, fd)
                if fd is not None and size > kept_reading.KEEP_OVER else None)
        kept_reading.read_on(kept, size, take, read, stop_at,
                             lambda: (counter.records, counter.pending, tailer.place()))
        return counter.records
    finally:
        tailer.close()
