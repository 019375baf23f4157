"""A file counted, not kept: the records and malformed lines of a file a
run does not use (the action log's text twin beside the JSONL), for the
report that lists it (``vivtui summary``)."""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path

from vivtui.ingest.feeds import BATCH_BYTES, Feed, read_to_end
from vivtui.parsing.action_text import EntryCounter
from vivtui.parsing.kinds import FileSpec
from vivtui.sources.tailer import LineTailer


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
    the assembler would hand them out (``EntryCounter``), none made."""
    counter = EntryCounter()
    tailer = LineTailer(path, budget=BATCH_BYTES)
    try:
        while True:
            chunk = tailer.read(final=True)
            for run in chunk.runs:
                counter.feed_all(run.pieces)
            if not chunk.more:
                return counter.records
    finally:
        tailer.close()
