"""What every chat backend offers: start a reply, read its pieces with a timeout, cancel it."""

from __future__ import annotations

import queue
from dataclasses import dataclass
from typing import Literal, Protocol

from agent.errors import AnxinError


class LlmError(AnxinError):
    """The model could not give a reply: unreachable, refused, too slow or malformed."""

    def __init__(self, reason: str, message: str = "") -> None:
        super().__init__(message or reason)
        self.reason = reason  # a stable word for logs and annotations: timeout, http_429, ...


@dataclass(frozen=True)
class ChatMessage:
    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True)
class ChatRequest:
    messages: tuple[ChatMessage, ...]
    max_tokens: int = 600
    temperature: float = 0.2


_END = object()


class ChatStream:
    """Pieces of one reply, handed over through a queue from whoever produces them."""

    def __init__(self) -> None:
        self._queue: queue.Queue = queue.Queue()
        self.started = False  # a first piece of text has arrived

    def put(self, piece: str) -> None:
        self._queue.put(piece)

    def fail(self, error: LlmError) -> None:
        self._queue.put(error)

    def end(self) -> None:
        self._queue.put(_END)

    def next(self, timeout: float) -> str | None:
        """The next piece, or None at the end. Raises LlmError on failure, and with reason
        "poll" when nothing came within `timeout`."""
        try:
            item = self._queue.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            raise LlmError("poll", "nothing yet") from None
        if item is _END:
            return None
        if isinstance(item, LlmError):
            raise item
        self.started = True
        return item

    def cancel(self) -> None:
        """Stops the upstream request; subclasses close their connection or generation."""


class ChatModel(Protocol):
    name: str

    def start(self, request: ChatRequest) -> ChatStream: ...
