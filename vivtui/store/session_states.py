"""A GrindSession's state, judged from its tracker's columns (its flags and
whether it ended): the states a triager looks at first (``PROBLEMS``), and
their order (``session_order`` keeps the sessions in it; ``store.sessions``
keeps the columns)."""

from __future__ import annotations

from typing import Any

from vivtui.parsing.record import ERROR, INFO, OK, WARNING
from vivtui.store.activity import IDLE, LIVE

RUNNING = "running"
STALLED = "stalled"  # open while the run has gone quiet: may yet finish, probably not
SUCCEEDED = "ok"
FAILED = "failed"
UNFINISHED = "unfinished"

# What a triager looks at first: failed, then never finished, then running
# (``session_order``). The states to triage (``PROBLEMS``) come first.
STATE_ORDER = {FAILED: 0, UNFINISHED: 1, STALLED: 2, RUNNING: 3, SUCCEEDED: 4}
STATE_SEVERITY = {FAILED: ERROR, UNFINISHED: WARNING, STALLED: WARNING, RUNNING: INFO,
                  SUCCEEDED: OK}
PROBLEMS = (FAILED, UNFINISHED, STALLED)

SUPERSEDED = 1  # in a session's flags; its outcome is in the bits above
OUTCOMES = (None, True, False)


def state_of(end_at: int, flags: int, run: str) -> str:
    if end_at < 0:
        if flags & SUPERSEDED:
            return UNFINISHED
        return {LIVE: RUNNING, IDLE: STALLED}.get(run, UNFINISHED)
    return FAILED if OUTCOMES[flags >> 1] is False else SUCCEEDED


def is_problem(session: Any, run: str) -> bool:
    """A session to triage: failed, never finished, or stalled."""
    return session.state(run) in PROBLEMS
