"""Plain values that travel through a turn."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ReplyStatus = Literal["answered", "not_covered", "degraded", "interrupted", "blocked", "handed_off"]


@dataclass(frozen=True)
class Citation:
    article_id: str
    title: str
    ref: int | None = None  # the [n] marker in the reply's text that points here

    def as_dict(self) -> dict:
        return {"article_id": self.article_id, "title": self.title, "ref": self.ref}


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
    interventions: list[Any] = field(default_factory=list)  # agent.compliance Interventions


@dataclass(frozen=True)
class Delta:
    """A piece of the reply that may be shown to the client now."""

    text: str
    whole: bool = False
    """The piece ends where a sentence ends (the responders cut their text into sentences), so
    the compliance filter need not wait for the next piece to know the sentence is complete."""


@dataclass(frozen=True)
class Reset:
    """Everything shown of this reply so far is withdrawn; a replacement follows."""


@dataclass(frozen=True)
class Final:
    """The whole reply, as stored."""

    reply: Reply


TurnEvent = Delta | Reset | Final
