"""What a turn does about people: puts a conversation in a queue when the policy says so, tells
the client their place in it, and keeps the Assistant silent while a person owns the conversation.

The notices are `system` messages in the conversation, so the client sees them in the message
list and live through the events stream, whichever server process wrote them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from agent.classify.flags import FlagPhrases
from agent.language import reply_language
from agent.types import HistoryTurn
from server import handoffs, queue_exit
from server.services import Services
from server.storage import repository as repo
from server.storage.models import Client, Conversation, Message

log = logging.getLogger("server")
_CRISIS_PHRASES = FlagPhrases.load()


@dataclass(frozen=True)
class Outcome:
    """A turn's stored result: the Assistant's reply (none while a person owns the conversation),
    a notice about the queue, and the hand-off's state."""

    reply: Message | None
    notice: Message | None = None
    handoff: dict[str, Any] | None = None


def notice_text(services: Services, key: str, language: str, **values: Any) -> str:
    return services.prompts.get("handoff_notice").render(
        key, language, **{k: str(v) for k, v in values.items()}
    )


def add_notice(
    session: Session,
    services: Services,
    conversation_id: str,
    key: str,
    language: str,
    reply_to: int | None = None,
    **values,
) -> Message:
    """A `system` notice; `reply_to` ties it to the message it answers, so a retried request
    finds it again."""
    return repo.add_message(
        session,
        conversation_id,
        "system",
        notice_text(services, key, language, **values),
        "notice",
        reply_to=reply_to,
        annotations={"notice": key, "language": language},
    )


def escalate(
    session: Session,
    services: Services,
    conversation: Conversation,
    reason: str,
    skill: str,
    language: str,
    urgent: bool = False,
    actor: tuple[str, str] = ("assistant", "anxin"),
    reply_to: int | None = None,
) -> tuple[Message, dict]:
    """Queues the conversation (unless it already is) and stores the notice with its place."""
    handoff = handoffs.active_handoff(session, conversation.id)
    if handoff is None:
        client = session.get(Client, conversation.client_id)
        tier = client.tier if client else "basic"
        handoff = handoffs.enqueue(
            session, services.queues, conversation, tier, reason, skill, urgent
        )
        repo.record_audit(
            session,
            actor[0],
            actor[1],
            "handoff_requested",
            conversation.id,
            handoff_id=handoff.id,
            reason=reason,
            queue=handoff.queue,
        )
    place = handoffs.place(session, services.queues, handoff, language)
    notice = place_notice(
        session, services, conversation.id, "queued", place, language, reply_to=reply_to
    )
    return notice, place


def place_notice(
    session: Session,
    services: Services,
    conversation_id: str,
    key: str,
    place: dict,
    language,
    reply_to: int | None = None,
) -> Message:
    """A notice telling the client their queue, how many are ahead and the estimated wait. A
    conversation queued for a crisis is not told how to leave the queue (`queue_exit`)."""
    if place.get("reason") == "crisis" and key in ("queued", "waiting"):
        key = f"{key}_stay"
    return add_notice(
        session,
        services,
        conversation_id,
        key,
        language,
        reply_to,
        queue=place["queue_name"],
        ahead=place["ahead"],
        minutes=place["estimated_wait_minutes"],
    )


def _classify(services: Services, message: Message):
    """The message's intent and emotion for the person's view; None when the classifier is off
    or fails (the message is stored all the same)."""
    if services.assistant is None:
        return None
    with services.sessions() as session:
        rows = repo.list_messages(session, message.conversation_id, 6, message.id)
        history = [HistoryTurn(r.role, r.text) for r in rows if r.role in ("client", "assistant")]
    try:
        return services.assistant.classify_only(message.text, history)
    except Exception as exc:  # the embedder or classifier failed: the message still goes through
        log.warning("classifying a message for a person failed: %s", type(exc).__name__)
        return None


def while_with_people(services: Services, message: Message) -> Outcome | None:
    """A client message while the conversation waits for or is with a person: no answer from the
    Assistant; a notice with the place in the queue while waiting. A crisis message still gets
    the hotline at once and moves to the front of the queue. A waiting client who asks to leave
    the queue (`queue_exit`) is given back to the Assistant."""
    language = reply_language(message.text)
    classification = _classify(services, message)
    with services.sessions() as session:
        handoff = handoffs.active_handoff(session, message.conversation_id)
        client_message = session.get(Message, message.id)
        if handoff is None:  # resolved meanwhile by another process: the Assistant answers
            return None
        if classification is not None:
            client_message.intent = classification.intent
            client_message.emotion = classification.emotion_view()
        notice = None
        crisis = "crisis" in _CRISIS_PHRASES.find(message.text) or (
            classification is not None and "crisis" in classification.flags
        )
        if crisis:
            handoff.priority_bonus = max(
                handoff.priority_bonus, services.queues.priority_bonus.get("crisis", 0.0)
            )
            handoff.reason = "crisis"  # what the person must know first, whatever came before
            notice = repo.add_message(
                session,
                message.conversation_id,
                "system",
                services.offline_responder().small_talk("crisis", language).text,
                "notice",
                reply_to=message.id,
                annotations={"notice": "crisis", "language": language},
            )
        if not crisis and queue_exit.asks_to_leave(message.text):
            return _asked_to_leave(session, services, handoff, client_message, language)
        place = handoffs.place(session, services.queues, handoff, language)
        if handoff.status == "waiting" and not crisis:
            notice = place_notice(
                session, services, message.conversation_id, "waiting", place, language, message.id
            )
        client_message.status = "queued" if handoff.status == "waiting" else "with_person"
        session.commit()
        return Outcome(None, notice, place)


def not_queued(services: Services, message: Message) -> Outcome | None:
    """A client who asks to leave a queue they are not in ("取消排队", "cancel queue" with no
    hand-off) is told so in a `not_queued` notice. None, and the Assistant answers as usual, when
    the message asks something else too, or says something that hands off at once (a crisis)."""
    if not queue_exit.asks_only_to_leave(message.text):
        return None
    classification = _classify(services, message)
    # The words say what the message is, so the classifier reading 排队 or 人工 as a request for
    # a person is no reason to hand off; its risk flags and emotion are.
    reason = services.escalation.immediate_reason(classification, message.text)
    if reason not in (None, "requested") or _CRISIS_PHRASES.find(message.text) - {"wants_human"}:
        return None
    language = reply_language(message.text)
    with services.sessions() as session:
        client_message = session.get(Message, message.id)
        if classification is not None:
            client_message.intent = classification.intent
            client_message.emotion = classification.emotion_view()
        client_message.status = "not_queued"
        notice = add_notice(
            session, services, message.conversation_id, "not_queued", language, message.id
        )
        session.commit()
        return Outcome(None, notice, None)


def _asked_to_leave(
    session: Session, services: Services, handoff, client_message: Message, language: str
) -> Outcome:
    """A waiting client asking to leave the queue leaves it, unless it is queued for a crisis
    (`crisis_stays`); once a person has the conversation, the client is told to tell them."""
    key = None
    if handoff.status == "claimed":
        key = "tell_person"  # the person reads the message too, and decides
    elif not queue_exit.may_leave(handoff):
        key = "crisis_stays"
    if key is None:
        if queue_exit.leave(session, handoff, ("client", handoff.client_id)):
            key, client_message.status = "left_queue", "left_queue"
        else:  # a person claimed it at the same moment
            session.refresh(handoff)
            key = "tell_person"
    if key != "left_queue":
        client_message.status = "queued" if handoff.status == "waiting" else "with_person"
    notice = add_notice(
        session, services, client_message.conversation_id, key, language, client_message.id
    )
    place = handoffs.place(session, services.queues, handoff, language)
    session.commit()
    return Outcome(None, notice, place)
