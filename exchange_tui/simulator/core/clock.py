"""The simulator's clocks: the wall clock in milliseconds, and a manual one that moves only when told to."""

from __future__ import annotations

import time


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class ManualClock:
    """A clock that moves only when told to: ``SimulatorState(clock=ManualClock(...))``."""

    def __init__(self, now_ms: int | None = None) -> None:
        self.now_ms = wall_clock_ms() if now_ms is None else now_ms

    def __call__(self) -> int:
        return self.now_ms

    def advance(self, ms: int) -> None:
        self.now_ms += ms
