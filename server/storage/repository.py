"""Reads and writes of conversations, messages, clients and the audit trail.

Functions take a Session and leave committing to the caller, so one unit of work can span several.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.storage.models import AuditEvent, Client, Conversation, InterventionRecord, Message


def ensure_client(session: Session, client_id: str) -> Client:
    """The client's profile, created with the basic tier on first contact."""
    client = session.get(Client, client_id)
    if client is None:
        client = Client(id=client_id, tier="basic")
        session.add(client)
        session.flush()
    return client


def create_conversation(session: Session, client_id: str) -> Conversation:
    conversation = Conversation(id=str(uuid.uuid4()), client_id=client_id)
    session.add(conversation)
    session.flush()
    return conversation


def client_conversations(session: Session, client_id: str, limit: int) -> list[Conversation]:
    return list(
        session.scalars(
            select(Conversation)
            .where(Conversation.client_id == client_id)
            .order_by(Conversation.created_at.desc(), Conversation.id)
            .limit(limit)
        )
    )


def get_conversation(session: Session, conversation_id: str) -> Conversation | None:
    return session.get(Conversation, conversation_id)


def find_client_message(session: Session, conversation_id: str, key: str) -> Message | None:
    return session.scalar(
        select(Message).where(
            Message.conversation_id == conversation_id, Message.idempotency_key == key
        )
    )


def find_reply(session: Session, message_id: int) -> Message | None:
    return session.scalar(select(Message).where(Message.reply_to == message_id))


def latest_client_message(session: Session, conversation_id: str) -> Message | None:
    return session.scalar(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.role == "client")
        .order_by(Message.id.desc())
        .limit(1)
    )


def last_reply(session: Session, conversation_id: str, before_id: int) -> Message | None:
    """The Assistant's latest reply before this message."""
    return session.scalar(
        select(Message)
        .where(
            Message.conversation_id == conversation_id,
            Message.role == "assistant",
            Message.id < before_id,
        )
        .order_by(Message.id.desc())
        .limit(1)
    )


def add_message(
    session: Session, conversation_id: str, role: str, text: str, status: str, **fields: Any
) -> Message:
    message = Message(
        conversation_id=conversation_id, role=role, text=text, status=status, **fields
    )
    session.add(message)
    session.flush()
    return message


def list_messages(
    session: Session,
    conversation_id: str,
    limit: int = 200,
    before_id: int | None = None,
    include_notes: bool = False,
) -> list[Message]:
    """Oldest first. Internal notes (staff only) are left out unless asked for."""
    query = select(Message).where(Message.conversation_id == conversation_id)
    if not include_notes:
        query = query.where(Message.role != "note")
    if before_id is not None:
        query = query.where(Message.id < before_id)
    rows = session.scalars(query.order_by(Message.id.desc()).limit(limit)).all()
    return list(reversed(rows))


def record_audit(
    session: Session,
    actor_role: str,
    actor_id: str,
    action: str,
    conversation_id: str | None = None,
    **detail: Any,
) -> None:
    session.add(
        AuditEvent(
            actor_role=actor_role,
            actor_id=actor_id,
            action=action,
            conversation_id=conversation_id,
            detail=detail or None,
        )
    )


def record_interventions(
    session: Session,
    conversation_id: str,
    input_id: int | None,
    reply_id: int | None,
    found,
    actor: tuple[str, str] | None = None,
) -> None:
    """Stores interventions: input ones against the client's message, output ones against the
    reply (or the client's message when no reply was stored). `actor` is (role, staff id) when
    a person wrote the message."""
    for item in found:
        session.add(
            InterventionRecord(
                conversation_id=conversation_id,
                message_id=input_id if item.where == "input" or reply_id is None else reply_id,
                rule_id=item.rule_id,
                category=item.category,
                action=item.action,
                where=item.where,
                detail=item.detail[:200] if item.detail else None,
                actor_role=actor[0] if actor else None,
                actor_id=actor[1] if actor else None,
            )
        )


def list_interventions(
    session: Session,
    limit: int,
    before_id: int | None = None,
    conversation_id: str | None = None,
    rule_id: str | None = None,
) -> list[InterventionRecord]:
    """Newest first."""
    query = select(InterventionRecord)
    if before_id is not None:
        query = query.where(InterventionRecord.id < before_id)
    if conversation_id:
        query = query.where(InterventionRecord.conversation_id == conversation_id)
    if rule_id:
        query = query.where(InterventionRecord.rule_id == rule_id)
    return list(session.scalars(query.order_by(InterventionRecord.id.desc()).limit(limit)))
