"""Calling a chat model under the service's rules: a circuit breaker, a first-token and an idle
timeout, an overall deadline, and cancellation when the client goes away."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

from agent.llm.breaker import CircuitBreaker
from agent.llm.chat import ChatModel, ChatRequest, LlmError

POLL_SECONDS = 0.2  # how often a waiting call looks at the cancel flag


class LlmCaller:
    def __init__(
        self,
        model: ChatModel,
        breaker: CircuitBreaker,
        first_token_timeout: float = 12.0,
        idle_timeout: float = 8.0,
    ) -> None:
        self.model = model
        self.breaker = breaker
        self._first_token_timeout = first_token_timeout
        self._idle_timeout = idle_timeout

    def stream(
        self, request: ChatRequest, deadline: float, cancel: threading.Event | None = None
    ) -> Iterator[str]:
        """The reply's pieces. Raises LlmError (reason: circuit_open, timeout, deadline,
        cancelled, http_NNN, connection, malformed); the upstream call is cancelled on any exit."""
        if not self.breaker.allow():
            raise LlmError("circuit_open", "the model is skipped after repeated failures")
        stream = self.model.start(request)
        finished = False
        try:
            while True:
                piece = self._next(stream, deadline, cancel)
                if piece is None:
                    finished = True
                    self.breaker.succeeded()
                    return
                yield piece
        except LlmError as exc:
            if exc.reason != "cancelled":
                self.breaker.failed()
            raise
        finally:
            if not finished:
                stream.cancel()

    def _next(self, stream, deadline: float, cancel: threading.Event | None) -> str | None:
        limit = self._idle_timeout if stream.started else self._first_token_timeout
        waited_until = time.monotonic() + limit
        while True:
            if cancel is not None and cancel.is_set():
                raise LlmError("cancelled", "the client went away")
            now = time.monotonic()
            if now >= deadline:
                raise LlmError("deadline", "the reply took longer than the turn's deadline")
            if now >= waited_until:
                what = "an idle stream" if stream.started else "no first token"
                raise LlmError("timeout", f"the model timed out ({what})")
            try:
                return stream.next(min(POLL_SECONDS, deadline - now, waited_until - now))
            except LlmError as exc:
                if exc.reason != "poll":
                    raise
