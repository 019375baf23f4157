"""An alert and what decides when one fires: the rules' names, the severities,
the thresholds (``AlertSettings``). The rules themselves are ``rules``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

INFO, WARNING, CRITICAL = "info", "warning", "critical"

BUDGET, REFUSED, STREAK = "budget", "budget-refused", "failure-streak"
RUN_STALL, SESSION_STALL, SAFETY = "run-stall", "session-stall", "safety-block"
BURST, MALFORMED_LINES, FILE_TROUBLE = "api-burst", "malformed", "file-trouble"
RULES = (BUDGET, REFUSED, STREAK, RUN_STALL, SESSION_STALL, SAFETY, BURST,
         MALFORMED_LINES, FILE_TROUBLE)
RULE_TEXT = {
    BUDGET: "a wrapper's spend crossed a share of its limit",
    REFUSED: "a wrapper refused a call: BUDGET_EXCEEDED (once per wrapper)",
    STREAK: "sessions or tasks failed several times in a row",
    RUN_STALL: "a live run stopped writing",
    SESSION_STALL: "a session open too long without a completion",
    SAFETY: "a safety gate blocked something (each block)",
    BURST: "a burst of RATE_LIMITED or API_CALL_FAILURE events",
    MALFORMED_LINES: "malformed lines in a file that had none",
    FILE_TROUBLE: "a run file became unreadable or was truncated",
}


@dataclass(frozen=True, slots=True)
class Alert:
    time: datetime  # of its evidence where it has a time, else when it fired
    rule: str
    severity: str
    message: str  # one line, secrets masked
    file: str | None = None  # the evidence: file name and line number
    line: int | None = None
    run: str = ""
    live: bool = True  # False: found in what the files held when first read
    kind: str | None = None  # the evidence's record kind and offset, to show it
    offset: int | None = None

    @property
    def evidence(self) -> str:
        if self.file is None:
            return ""
        return self.file if self.line is None else f"{self.file}:{self.line}"

    def as_json(self) -> dict[str, Any]:
        return {"time": self.time.isoformat(), "rule": self.rule, "severity": self.severity,
                "message": self.message, "file": self.file, "line": self.line,
                "run": self.run, "history": not self.live}


@dataclass(frozen=True, slots=True)
class AlertSettings:
    budget_levels: tuple[float, ...] = (0.5, 0.8, 0.95)  # shares of a wrapper's limit
    streak: int = 3  # failures in a row
    session_stall: float = 600.0  # seconds open with no completion while the run is live
    burst: int = 5  # RATE_LIMITED or failed calls ...
    burst_window: float = 60.0  # ... within this many seconds (by their own times)
    off: frozenset[str] = frozenset()  # rules not checked
