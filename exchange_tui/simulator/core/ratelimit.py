"""Sliding-window request counting, on whatever clock the caller passes in."""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable


class SlidingWindowLimiter:
    """At most ``limit`` accepted hits per key in any window of ``window_ms``; refused hits are not counted."""

    def __init__(self) -> None:
        self._hits: dict[Hashable, deque[int]] = {}

    def allow(self, key: Hashable, limit: int, window_ms: int, now_ms: int) -> bool:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now_ms - window_ms:
            hits.popleft()
        if len(hits) >= limit:
            return False
        hits.append(now_ms)
        return True

    def clear(self) -> None:
        self._hits.clear()

    def window(self, key: Hashable, window_ms: int, now_ms: int) -> tuple[int, int]:
        """How many accepted hits ``key`` has in the window ending at ``now_ms``, and when the oldest of them
        leaves it (``now_ms`` when there are none): what a rate-limit header reports."""
        hits = [hit for hit in self._hits.get(key, ()) if hit > now_ms - window_ms]
        return len(hits), (hits[0] + window_ms if hits else now_ms)
