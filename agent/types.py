"""Plain values that travel through a turn."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ReplyStatus = Literal["answered", "not_covered", "degraded"]


@dataclass(frozen=True)
class Citation:
    article_id: str
    title: str

    def as_dict(self) -> dict[str, str]:
        return {"article_id": self.article_id, "title": self.title}


@dataclass(frozen=True)
class HistoryTurn:
    """An earlier message of the conversation, as the Assistant sees it."""

    role: str
    text: str


@dataclass(frozen=True)
class Reply:
    """What the Assistant says for one turn, with everything stored beside it."""

    text: str
    citations: list[Citation]
    status: ReplyStatus
    intent: str | None = None
    emotion: dict[str, Any] | None = None
    annotations: dict[str, Any] = field(default_factory=dict)
