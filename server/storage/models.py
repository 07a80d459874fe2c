"""Tables. Messages carry each turn's annotations; the audit trail records who did what."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import DateTime, TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator):
    """A time with its UTC offset on every database: SQLite keeps none and handed times back
    naive, so some API fields went out without an offset."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        # SQLite compares text: a time with another offset (10:50+08:00) must be written as UTC
        # (02:50) before it is stored or compared; a naive time is taken to be UTC already.
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JSON}


class Client(Base):
    """A brokerage customer; `id` is the subject of their token."""

    __tablename__ = "clients"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(120))
    tier: Mapped[str] = mapped_column(String(20), default="basic")  # basic, growth, hnw
    risk_level: Mapped[str | None] = mapped_column(String(2))  # C1–C5, null if never assessed
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="open")
    owner: Mapped[str] = mapped_column(String(20), default="assistant")  # assistant or a person
    failure_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Message(Base):
    """One message of a conversation. Client text is stored normalised and masked."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "idempotency_key", name="uq_messages_idempotency"),
        Index("ix_messages_conversation_order", "conversation_id", "id"),
        # One reply per client message, even when two retries race to answer it.
        UniqueConstraint("reply_to", name="uq_messages_reply_to"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"))
    role: Mapped[str] = mapped_column(String(20))  # client, assistant, agent, system
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    reply_to: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    intent: Mapped[str | None] = mapped_column(String(60))
    emotion: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    citations: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    annotations: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEvent(Base):
    """Append-only record of actions; `detail` never holds client text."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_role: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(60))
    conversation_id: Mapped[str | None] = mapped_column(String(36), index=True)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class InterventionRecord(Base):
    """What a compliance rule did to one message (client input, Assistant reply or a person's
    message to the client)."""

    __tablename__ = "interventions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    rule_id: Mapped[str] = mapped_column(String(80), index=True)
    category: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(20))
    where: Mapped[str] = mapped_column(String(10))
    detail: Mapped[str | None] = mapped_column(String(200))
    actor_role: Mapped[str | None] = mapped_column(String(20))
    """`agent`, `advisor` or `admin` for a person's message; null for the Assistant or a client."""
    actor_id: Mapped[str | None] = mapped_column(String(64))
    """The person's staff id (the token's subject), never their name."""


class Handoff(Base):
    """One hand-off of a conversation to a person: waiting in a queue, claimed, then resolved."""

    __tablename__ = "handoffs"
    __table_args__ = (Index("ix_handoffs_status_queue", "status", "queue"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    queue: Mapped[str] = mapped_column(String(20))
    skill: Mapped[str] = mapped_column(String(20))  # service or advisor
    tier: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="waiting")  # claimed, resolved
    priority_bonus: Mapped[float] = mapped_column(default=0.0)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_role: Mapped[str | None] = mapped_column(String(20))
    claimed_at: Mapped[datetime | None] = mapped_column()
    first_reply_at: Mapped[datetime | None] = mapped_column()
    resolved_at: Mapped[datetime | None] = mapped_column()
    transfers: Mapped[int] = mapped_column(Integer, default=0)
    package: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Feedback(Base):
    """The client's rating of one resolved hand-off (1–5 each) and an optional comment."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    handoff_id: Mapped[int] = mapped_column(ForeignKey("handoffs.id"), unique=True)
    speed: Mapped[int] = mapped_column(Integer)
    resolution: Mapped[int] = mapped_column(Integer)
    attitude: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class KnowledgeDraft(Base):
    """A person's resolution saved as a draft article, for the knowledge team to review."""

    __tablename__ = "knowledge_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
