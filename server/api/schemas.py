"""Request and response bodies of the public API (they also document it in OpenAPI)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class MessageIn(BaseModel):
    text: str = Field(description="What the client typed; 1–4,000 characters.")


class CitationOut(BaseModel):
    article_id: str
    title: str
    ref: int | None = None
    """The [n] marker in the reply's text that points to this article."""


class ReplyOut(BaseModel):
    id: int
    text: str
    citations: list[CitationOut]
    intent: str | None = Field(description="Null until the intent classifier exists.")
    emotion: dict | None = Field(description="Null until the emotion classifier exists.")
    status: str = Field(
        description="answered, not_covered, degraded, blocked (the safe reply replaced a reply "
        "that broke a rule) or handed_off."
    )


class MessageOut(BaseModel):
    id: int
    role: str
    text: str
    status: str
    reply_to: int | None
    citations: list[CitationOut]
    intent: str | None
    emotion: dict | None
    notice: str | None = Field(
        default=None,
        description="For `system` messages: queued, waiting, joined, transferred, returned, "
        "left_queue, not_queued or crisis.",
    )
    rating: bool | None = Field(
        default=None, description="For Assistant replies: the client's thumbs up (true) or down."
    )
    created_at: str | None


class HandoffOut(BaseModel):
    id: int
    state: str = Field(
        description="waiting, with_person, resolved, or left (the client left the queue)."
    )
    queue: str
    queue_name: str = Field(description="The queue's name in the client's language.")
    reason: str = Field(
        description="requested, failures, crisis, fraud, regulator_threat, strong_emotion or "
        "advisor_topic."
    )
    ahead: int = Field(description="Conversations ahead in the queue (0 unless waiting).")
    estimated_wait_minutes: int


class TurnOut(BaseModel):
    message_id: int = Field(description="The stored client message.")
    reply: ReplyOut | None = Field(
        description="The Assistant's reply; null while a person owns the conversation."
    )
    notice: MessageOut | None = Field(
        default=None, description="A `system` message about the queue, stored in the conversation."
    )
    handoff: HandoffOut | None = Field(
        default=None,
        description="The hand-off this turn started, or the one the conversation is in; "
        "null otherwise.",
    )


class ConversationOut(BaseModel):
    id: str


class ConversationItem(BaseModel):
    id: str
    owner: str = Field(description="assistant, queue (waiting for a person) or person.")
    created_at: str


class ConversationsOut(BaseModel):
    conversations: list[ConversationItem] = Field(description="Newest first.")


class MessagesOut(BaseModel):
    conversation_id: str
    messages: list[MessageOut] = Field(description="Oldest first.")
    next_before: int | None = Field(
        description="Pass as `before` to get the older messages; null when there are none."
    )


class ErrorDetail(BaseModel):
    code: str
    message: str
    request_id: str | None


class ErrorOut(BaseModel):
    error: ErrorDetail
