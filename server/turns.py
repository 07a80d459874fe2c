"""One client turn through storage: store the message first, answer, store the reply.

The client's message is committed before the Assistant sees it, so a crash or a failing index
loses nothing. An `Idempotency-Key` makes a retried POST return the first reply instead of
answering twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from agent.compliance.types import Intervention
from agent.escalation import ConversationState
from agent.intake import prepare_client_text
from agent.language import reply_language
from agent.scenarios import ClientProfile
from agent.types import Delta, Final, HistoryTurn, Reply, Reset, TurnEvent
from server import escalation_flow, handoffs
from server.auth import Principal
from server.errors import ApiError
from server.escalation_flow import Outcome
from server.services import Services
from server.storage import repository as repo
from server.storage.models import Client, Conversation, Message

log = logging.getLogger("server")
HISTORY_TURNS = 10
_HISTORY_ROLES = ("client", "assistant", "agent", "advisor")


@dataclass(frozen=True)
class Accepted:
    """A stored client message, and its outcome if an earlier request already produced one."""

    message: Message
    outcome: Outcome | None


def check_text(raw: object, max_chars: int) -> str:
    if not isinstance(raw, str):
        raise ApiError(422, "invalid_request", "Field 'text' must be a string.")
    if not raw.strip():
        raise ApiError(422, "empty_text", "The message text is empty.")
    if len(raw) > max_chars:
        raise ApiError(413, "text_too_long", f"The message is longer than {max_chars} characters.")
    return raw


def visible_conversation(
    services: Services, principal: Principal, conversation_id: str
) -> Conversation:
    """The conversation, if this caller may see it; otherwise 404, never 403, so that ids of
    other clients' conversations are not confirmed to exist."""
    with services.sessions() as session:
        conversation = repo.get_conversation(session, conversation_id)
    if conversation is None or (principal.is_client and conversation.client_id != principal.id):
        raise ApiError(404, "conversation_not_found", "No such conversation.")
    return conversation


def accept(
    services: Services, principal: Principal, conversation_id: str, raw: str, key: str | None
) -> Accepted:
    """Stores the client's message (masked) unless this key already stored it."""
    conversation = visible_conversation(services, principal, conversation_id)
    if not principal.is_client or conversation.client_id != principal.id:
        raise ApiError(403, "forbidden", "Only the conversation's client can send messages here.")
    prepared = prepare_client_text(raw)
    if not prepared.text:
        raise ApiError(422, "empty_text", "The message text is empty.")
    if len(prepared.text) > services.settings.max_message_chars:  # normalising can lengthen text
        raise ApiError(
            413,
            "text_too_long",
            f"The message is longer than {services.settings.max_message_chars} characters.",
        )
    for _attempt in range(2):
        with services.sessions() as session:
            if key:
                existing = repo.find_client_message(session, conversation_id, key)
                if existing is not None:
                    return _replay(services, session, existing, prepared.text)
            try:  # the insert itself raises when a concurrent retry stored this key first
                message = repo.add_message(
                    session,
                    conversation_id,
                    "client",
                    prepared.text,
                    "received",
                    idempotency_key=key,
                    annotations={"masked": list(prepared.kinds)} if prepared.kinds else None,
                )
                # Masking happened before storage, so the input rules never see the raw data:
                # the masking itself is recorded as the personal-data intervention.
                repo.record_interventions(
                    session,
                    conversation_id,
                    message.id,
                    None,
                    [
                        Intervention("in-personal-data", "personal_data", "mask", "input", kind)
                        for kind in prepared.kinds
                    ],
                )
                repo.record_audit(
                    session,
                    "client",
                    principal.id,
                    "message_received",
                    conversation_id,
                    message_id=message.id,
                    masked=list(prepared.kinds),
                )
                session.commit()
                return Accepted(message, None)
            except IntegrityError:
                session.rollback()  # replay the stored one on the next pass
    raise ApiError(409, "conflict", "The message could not be stored; retry.")


def _replay(services: Services, session, existing: Message, text: str) -> Accepted:
    if existing.text != text:
        raise ApiError(
            409,
            "idempotency_key_reused",
            "This Idempotency-Key was already used for a different message.",
        )
    if repo.find_reply(session, existing.id) is None and existing.status not in (
        "queued",
        "with_person",
    ):
        return Accepted(existing, None)  # never answered (or interrupted): answer afresh
    return Accepted(existing, _stored_outcome(services, session, existing))


def _stored_outcome(services: Services, session, message: Message) -> Outcome:
    """What a turn already stored: the reply (or, while a person had the conversation, none),
    the notice that followed it, and the hand-off as it stands now."""
    found = repo.find_reply(session, message.id)
    if found is not None and found.role == "system":
        reply, notice = None, found
    else:
        reply = found
        notice = repo.find_reply(session, found.id) if found is not None else None
    handoff = handoffs.active_handoff(session, message.conversation_id)
    if message.status == "left_queue":  # the notice answered it; the hand-off it left
        handoff = handoffs.latest_handoff(session, message.conversation_id)
    place = None
    if handoff is not None and (notice is not None or reply is None):
        place = handoffs.place(session, services.queues, handoff, reply_language(message.text))
    return Outcome(reply, notice, place)


def answer(services: Services, message: Message) -> Outcome:
    """Runs the turn on a stored message and stores its outcome (once)."""
    outcome = None
    for event in answer_stream(services, message):
        outcome = event if isinstance(event, Outcome) else outcome
    return outcome


def answer_stream(
    services: Services, message: Message, cancel: threading.Event | None = None
) -> Iterator[Delta | Reset | Outcome]:
    """The reply as it is written, then the stored outcome. When `cancel` is set (the client
    went away) before the reply is complete, the client's message is marked interrupted and no
    reply is stored, so a retry with the same Idempotency-Key answers afresh. While a person owns
    the conversation the Assistant stays silent: the outcome holds only a queue notice (as it does
    for a client asking to leave a queue they are not in)."""
    with services.sessions() as session:
        owner = repo.get_conversation(session, message.conversation_id).owner
    if owner != "assistant":
        outcome = escalation_flow.while_with_people(services, message)
    else:
        outcome = escalation_flow.not_queued(services, message)
    if outcome is not None:
        yield outcome
        return
    history = _history(services, message)
    profile, state = _profile(services, message)
    reply = None
    for event in _assistant_events(services, message, history, profile, state, cancel):
        if isinstance(event, Final):
            reply = event.reply
        else:
            yield event
    if reply.status == "interrupted":
        _mark_interrupted(services, message, reply)
        return
    yield _store_reply(services, message, reply)


def _store_reply(services: Services, message: Message, reply: Reply) -> Outcome:
    with services.sessions() as session:
        try:  # one reply per message: a racing retry's insert raises here
            stored = repo.add_message(
                session,
                message.conversation_id,
                "assistant",
                reply.text,
                reply.status,
                reply_to=message.id,
                intent=reply.intent,
                emotion=reply.emotion,
                citations=[c.as_dict() for c in reply.citations],
                annotations=reply.annotations,
            )
            repo.record_interventions(
                session, message.conversation_id, message.id, stored.id, reply.interventions
            )
            client_message = session.get(Message, message.id)
            client_message.status = "answered"
            client_message.intent = reply.intent
            client_message.emotion = reply.emotion
            repo.record_audit(
                session,
                "assistant",
                "anxin",
                "reply_sent",
                message.conversation_id,
                message_id=stored.id,
                reply_to=message.id,
                status=reply.status,
                articles=[c.article_id for c in reply.citations],
            )
            notice, place = _apply_escalation(session, services, message, reply, stored)
            session.commit()
            return Outcome(stored, notice, place)
        except IntegrityError:
            session.rollback()
    with services.sessions() as session:  # a racing retry stored its reply first: that one wins
        return _stored_outcome(services, session, message)


def _apply_escalation(session, services: Services, message: Message, reply: Reply, stored):
    """Stores the turn's escalation decision: the failure count, and the hand-off if any."""
    decision = reply.annotations.get("escalation")
    conversation = repo.get_conversation(session, message.conversation_id)
    if not decision:
        return None, None
    conversation.failure_count = decision["streak"]
    if not decision["handoff"]:
        return None, None
    urgent = bool(reply.emotion and reply.emotion.get("intensity", 0) >= 3)
    return escalation_flow.escalate(
        session,
        services,
        conversation,
        decision["reason"],
        decision["skill"],
        reply.annotations.get("language", "zh"),
        urgent,
        reply_to=stored.id,
    )


def _history(services: Services, message: Message) -> list[HistoryTurn]:
    with services.sessions() as session:
        rows = repo.list_messages(session, message.conversation_id, HISTORY_TURNS, message.id)
    # Internal notes and queue notices are not part of what the Assistant (or a model) reads.
    return [HistoryTurn(row.role, row.text) for row in rows if row.role in _HISTORY_ROLES]


def _profile(services: Services, message: Message) -> tuple[ClientProfile, ConversationState]:
    """The client's profile and what the escalation policy needs about the conversation."""
    with services.sessions() as session:
        conversation = repo.get_conversation(session, message.conversation_id)
        client = session.get(Client, conversation.client_id)
        last = repo.last_reply(session, message.conversation_id, message.id)
        state = ConversationState(conversation.failure_count, last.status if last else None)
        if client is None:
            return ClientProfile(), state
        return ClientProfile(client.display_name, client.tier, client.risk_level), state


def _mark_interrupted(services: Services, message: Message, reply: Reply) -> None:
    with services.sessions() as session:
        client_message = session.get(Message, message.id)
        client_message.status = "interrupted"
        repo.record_interventions(
            session, message.conversation_id, message.id, None, reply.interventions
        )
        repo.record_audit(
            session,
            "assistant",
            "anxin",
            "reply_interrupted",
            message.conversation_id,
            message_id=message.id,
            shown_chars=len(reply.text),
        )
        session.commit()
    log.info("reply interrupted: the client went away", extra=_ids(message))


def _assistant_events(
    services: Services,
    message: Message,
    history: list[HistoryTurn],
    profile: ClientProfile,
    state: ConversationState,
    cancel: threading.Event | None,
) -> Iterator[TurnEvent]:
    assistant = services.assistant
    if assistant is None:
        log.warning("knowledge base not ready; degraded reply", extra=_ids(message))
        draft = services.offline_responder().unavailable(reply_language(message.text))
        yield Delta(draft.text)
        yield Final(
            Reply(
                draft.text,
                [],
                "degraded",
                annotations={
                    "degraded": "knowledge_base_not_ready",
                    "prompt_version": draft.template,
                },
            )
        )
        return
    shown = False
    try:
        for event in assistant.stream(message.text, history, profile, cancel, state):
            shown = shown or isinstance(event, Delta)
            yield event
    except Exception as exc:  # the index or embedder failed: degrade, never drop the message
        log.warning(
            "assistant failed (%s); degraded reply", type(exc).__name__, extra=_ids(message)
        )
        reply = assistant.unavailable(message.text)
        if shown:
            yield Reset()
        yield Delta(reply.text)
        yield Final(reply)


def _ids(message: Message) -> dict:
    return {"conversation_id": message.conversation_id}


def outcome_view(message_id: int, outcome: Outcome) -> dict:
    """The body of a turn's response (and of the streamed `reply` event)."""
    return {
        "message_id": message_id,
        "reply": reply_view(outcome.reply) if outcome.reply is not None else None,
        "notice": message_view(outcome.notice) if outcome.notice is not None else None,
        "handoff": outcome.handoff,
    }


def message_view(message: Message) -> dict:
    return {
        "id": message.id,
        "role": message.role,
        "text": message.text,
        "status": message.status,
        "reply_to": message.reply_to,
        "citations": message.citations or [],
        "intent": message.intent,
        "emotion": message.emotion,
        "notice": (message.annotations or {}).get("notice") if message.role == "system" else None,
        "rating": (message.annotations or {}).get("rating")
        if message.role == "assistant"
        else None,
        "created_at": message.created_at.isoformat() if message.created_at else None,
    }


def reply_view(message: Message) -> dict:
    return {
        "id": message.id,
        "text": message.text,
        "citations": message.citations or [],
        "intent": message.intent,
        "emotion": message.emotion,
        "status": message.status,
    }
