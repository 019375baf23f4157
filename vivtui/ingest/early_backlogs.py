"""Which backlogs other processes read, in what turns; and the first of those
processes started while the monitor starts, not after its first frame.

The tail loops started them once Textual was imported and the first frame
out: 0.6-0.7 s after the monitor was, and each process then spent about
0.2 s importing before it read a line. Here ``launch`` starts the ones the
turns give out first (``Turns.take_first``) before Textual is imported: at
idle priority (``child_command.lowered``), they take what the
import and the first frame leave of the cores. Each tail loop takes its
own over (``take``) where it would have started it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from vivtui.ingest.apart import ReadApart
from vivtui.ingest.apart_parts import ApartParts
from vivtui.ingest.apart_process import ApartProcess, reads_apart, worth_it
from vivtui.ingest.costs import cost_of
from vivtui.ingest.feeds import Feed
from vivtui.ingest.turns import Turn, Turns


def read_elsewhere(feed: Feed, processes: int) -> bool:
    """Is the feed's backlog for another process to read (``apart_process``),
    given ``processes`` at once? Any big line file's: read by threads of the
    monitor's process, the backlogs took turns at the GIL with each other and
    with the screen."""
    if not processes:
        return False
    chosen = feed.current_choice()  # the file it settled on, or would
    return chosen is not None and reads_apart(chosen[0]) and worth_it(chosen[1])


def feed_cost(feed: Feed) -> float:
    chosen = feed.current_choice()
    return cost_of(*chosen) if chosen is not None else 0.0


def turns_for(feeds: Iterable[Feed], processes: int) -> Turns:
    """The turns at ``processes`` processes for the backlogs of ``feeds`` read elsewhere."""
    return Turns(processes, {feed.kind: feed_cost(feed) for feed in feeds
                             if read_elsewhere(feed, processes)})


@dataclass
class Started:
    """A backlog's process, the reading it was given, and its turn."""

    process: ApartProcess | ApartParts
    reading: ReadApart
    turn: Turn

    @classmethod
    def launch(cls, feed: Feed, reading: ReadApart, turn: Turn, turns: Turns) -> Started | None:
        """The process (two, for a file read alone: ``apart_parts``) that reads
        the feed's backlog into ``reading``'s copy; None, and the turn given
        back, when none could be started (the tail loop reads it)."""
        start = ApartParts.start if turns.alone(feed.kind) else ApartProcess.start
        process = start(feed, reading)
        if process is None:
            turn.give_back()
            return None
        return cls(process, reading, turn)


class EarlyBacklogs:
    """The processes started before the tail loops, and the run's turns."""

    def __init__(self, turns: Turns, started: dict[Feed, Started]) -> None:
        self.turns = turns
        self._started = started

    @classmethod
    def start(cls, feeds: list[Feed], processes: int,
              make_reading: Callable[[str], ReadApart]) -> EarlyBacklogs | None:
        """The first turns' processes started now (call before Textual is
        imported); None when no backlog is for another process."""
        turns = turns_for(feeds, processes)
        first = turns.take_first()
        if not first:
            return None
        by_kind = {feed.kind: feed for feed in feeds}
        started = {}
        for kind, turn in first.items():
            feed = by_kind[kind]
            begun = Started.launch(feed, make_reading(kind), turn, turns)
            if begun is not None:
                started[feed] = begun
        return cls(turns, started)

    def has(self, feed: Feed) -> bool:
        return feed in self._started

    def take(self, feed: Feed) -> Started | None:
        """The feed's process, if one was started for it, taken over by its tail loop."""
        return self._started.pop(feed, None)

    def close(self) -> None:
        """The processes not taken over stopped (the monitor ends)."""
        for feed in list(self._started):
            begun = self._started.pop(feed, None)
            if begun is not None:
                begun.process.stop()
                begun.turn.give_back()
