"""A sessions file read in two parts at once (``store.session_parts``) must
leave the tracker as one reading does, wherever the cut falls: sessions
ended, left behind by a start of their key or a later wave, orphans, and
what comes after the join judged the same."""

from __future__ import annotations

from copy import deepcopy
from datetime import datetime, timezone

import orjson
import pytest

from tests.unit.test_apart_parts import join_parts, line_starts, read_part
from vivtui.parsing.kinds import spec_for_name
from vivtui.store.activity import FINISHED, IDLE, LIVE

SESSIONS = "structured_logs.jsonl"
NOW = datetime(2026, 2, 4, 3, tzinfo=timezone.utc)


def line(at: int, worker: str, run, number: int, done: bool | None = None,
         **context) -> bytes:
    """A start (``done`` None) or a completion (its success)."""
    if done is not None:
        context.update(success=done, returncode=0 if done else 1, elapsed_seconds=at * 1.5)
    else:
        context.update(task=f"task {worker} {run} {number}", model=f"m{at % 2}")
    return orjson.dumps({"timestamp": f"2026-02-04T01:{at // 60:02d}:{at % 60:02d}",
                         "level": "INFO" if done is not False else "ERROR",
                         "message": "GrindSession " + ("started" if done is None
                                                       else "completed"),
                         "worker_id": worker,
                         "context": {"session_id": number, "run": run, **context}}) + b"\n"


SCRIPT = [  # (worker, run, session, done)
    ("a", 1, 1, None), ("a", 1, 2, None), ("b", 1, 1, None), ("a", 1, 1, True),
    ("a", 1, 3, None), ("b", 1, 1, False), ("a", 1, 2, None),  # a/1/2 again: the first left
    ("b", 1, 2, None), ("a", 1, 2, False), ("a", 1, 9, True),  # an orphan
    ("b", 2, 1, None),  # b's wave 2: b/1/2 left behind ...
    ("a", 1, 3, True), ("b", 1, 2, True),  # ... and ended after
    ("a", 2, 1, None), ("a", 2, 1, False), ("a", 2, 2, None), ("a", 2, 2, False),
    ("a", 2, 3, None), ("a", 2, 3, False),  # three failed in a row
    ("b", 2, 1, True), ("a", "x", 1, None), ("a", "x", 1, True), ("a", 2, 4, None),
    ("b", 2, 5, None), ("a", 3, 1, None), ("a", 2, 4, True), ("b", 2, 5, None),
]
MORE = [("b", 2, 5, True), ("a", 3, 1, False), ("b", 3, 1, None), ("a", 3, 2, None),
        ("a", 2, 4, True)]


def sessions_file(script) -> bytes:
    return b"".join(line(at, *step) for at, step in enumerate(script))


def tracker_seen(tracker) -> tuple:
    """Everything a screen, a report or the next event reads of a tracker."""
    sessions = [(s.key, s.began and s.began.line, s.ended and s.ended.line,
                 tracker._flags[s.at], s.kept) for s in tracker.sessions]
    occurrences = {key: [s.at for s in tracker.occurrences(key)] for key in tracker.by_key}
    states = {run: (tracker.state_counts(run), list(tracker.triage_order(run, NOW).numbers))
              for run in (LIVE, IDLE, FINISHED)}
    return deepcopy((sessions, occurrences, states, [s.at for s in tracker.open_sessions()],
                     tracker.started, tracker.completed, tracker.succeeded,
                     tracker.orphan_completions, tracker._latest_run, tracker._open_runs,
                     tracker._open, tracker.lowest_run,
                     {worker: tuple(map(list, waves)) for worker, waves in tracker.waves.items()}))


def look_at_keys(store) -> None:
    """The first part's index of keys made before the join (else it is made
    from the joined keys at the first look)."""
    assert store.sessions.by_key is store.sessions.by_key


RESTART = SCRIPT[:25] + [("a", 1, 6, None), ("a", 2, 1, None)] + SCRIPT[25:]  # a: 3, then 1


@pytest.mark.parametrize("before_join", [None, look_at_keys],
                         ids=["keys not looked at", "keys looked at first"])
@pytest.mark.parametrize("script", [SCRIPT, SCRIPT[:8] + [("a", 0, 5, None)] + SCRIPT[8:],
                                    RESTART],
                         ids=["waves in order", "a run older than the latest", "a restart"])
def test_two_parts_joined_are_the_whole_sessions_file_wherever_the_cut(tmp_path, script,
                                                                        before_join):
    data = sessions_file(script)
    path = tmp_path / SESSIONS
    path.write_bytes(data)
    whole, engine, _ = read_part(path, 0, len(data), 1000)
    expected = tracker_seen(whole.sessions)
    streaks = sorted((a.line, a.message) for a in engine.alerts)
    assert whole.sessions.orphan_completions == 1 and streaks
    joined_at = []
    for cut in line_starts(data):
        store, first_engine, _, was_joined = join_parts(path, cut, before_join=before_join)
        if was_joined:  # (else the rest was read on after the first part)
            joined_at.append(cut)
        assert sorted((a.line, a.message) for a in first_engine.alerts) == streaks, cut
        assert tracker_seen(store.sessions) == expected, cut
        # What comes next is judged the same (the open sessions, the waves).
        more = sessions_file(MORE)
        for tracker in (store.sessions, whole.sessions):
            tracker.apply(Feed_rows(more, len(data)))
        assert tracker_seen(store.sessions) == tracker_seen(whole.sessions), cut
        whole, engine, _ = read_part(path, 0, len(data), 1000)  # (afresh for the next cut)
    if script is SCRIPT:
        assert joined_at == line_starts(data)
    elif script is not RESTART:  # joined only where the older run is on the first part's side
        older = data.index(b'"run":0')
        assert joined_at == [cut for cut in line_starts(data) if cut > older]


def Feed_rows(data: bytes, offset: int):
    """``data``'s lines parsed as the sessions file's, from ``offset``."""
    from vivtui.parsing.kinds import LineParser
    parser = LineParser(spec_for_name(SESSIONS))
    lines, at = [], offset
    for number, text in enumerate(data.splitlines(), 1000):
        lines.append((number, at, text))
        at += len(text) + 1
    return parser.parse(lines)
