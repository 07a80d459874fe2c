"""A circuit breaker: after repeated failures the model is skipped for a while, so clients get the
offline answer at once instead of waiting for timeouts on every turn."""

from __future__ import annotations

import threading
import time


class CircuitBreaker:
    """closed → (N failures in a row) → open → (after `reset_after` s) → one trial call."""

    def __init__(self, failures: int = 5, reset_after: float = 30.0, clock=time.monotonic) -> None:
        self._limit = failures
        self._reset_after = reset_after
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> str:
        with self._lock:
            if self._opened_at is None:
                return "closed"
            return "half_open" if self._cooled_down() else "open"

    def allow(self) -> bool:
        """Whether a call may go ahead now; in half-open state only one trial at a time."""
        with self._lock:
            if self._opened_at is None:
                return True
            if self._cooled_down() and not self._trial_running:
                self._trial_running = True
                return True
            return False

    def succeeded(self) -> None:
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._trial_running = False

    def failed(self) -> None:
        with self._lock:
            self._failures += 1
            self._trial_running = False
            if self._failures >= self._limit or self._opened_at is not None:
                self._opened_at = self._clock()  # a failed trial opens it again

    def _cooled_down(self) -> bool:
        return self._clock() - self._opened_at >= self._reset_after
