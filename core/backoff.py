"""A per-process back-off after a failure of an outside service (the cache's Redis, the broker).

After a failure, callers skip the service for a while instead of paying a connection attempt (or a
socket timeout) on every request to something that has just failed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Backoff:
    """`failed()` starts (or extends) a rest of `seconds()`; `resting()` says whether it is on."""

    def __init__(self, seconds: Callable[[], float]):
        self._seconds = seconds
        self._lock = threading.Lock()
        self._until = 0.0

    def resting(self) -> bool:
        return time.monotonic() < self._until

    def failed(self) -> bool:
        """Start the rest; True when this failure began it (the one worth logging)."""
        with self._lock:
            now = time.monotonic()
            first = now >= self._until
            self._until = now + self._seconds()
        return first
