"""kernel_run.log lines by class, waves, and the numbered sessions they mention."""

from __future__ import annotations

from collections import Counter

from vivtui.parsing.kernel import session_number, wave_number
from vivtui.parsing.record import Record


class KernelTracker:
    def __init__(self) -> None:
        self.lines = 0
        self.by_class: Counter = Counter()
        self.waves: list[int] = []
        self.wave_starts = 0  # "[WAVE N] Starting" lines: a restarted kernel repeats N
        # [N] -> the lines naming it (numbers, not records: 892k of 1M lines were kept)
        self.sessions: dict[int, list[int]] = {}
        self.version = 0

    def apply(self, records: list[Record]) -> None:
        for record in records:
            line = str(record.raw)
            self.lines += 1
            self.by_class[record.category] += 1
            wave = wave_number(line)
            if wave is not None:
                if not self.waves or self.waves[-1] != wave:
                    self.waves.append(wave)
                if "Starting" in line:
                    self.wave_starts += 1
            number = session_number(line)
            if number is not None:
                self.sessions.setdefault(number, []).append(record.line)
        if records:
            self.version += 1
