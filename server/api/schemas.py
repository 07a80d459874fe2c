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
    status: str = Field(description="answered, not_covered or degraded.")


class TurnOut(BaseModel):
    message_id: int = Field(description="The stored client message.")
    reply: ReplyOut


class ConversationOut(BaseModel):
    id: str


class MessageOut(BaseModel):
    id: int
    role: str
    text: str
    status: str
    reply_to: int | None
    citations: list[CitationOut]
    intent: str | None
    emotion: dict | None
    created_at: str | None


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
