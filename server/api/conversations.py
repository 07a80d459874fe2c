"""Conversation routes: create, post a message (JSON or server-sent events), list messages, leave
the queue for a person."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import StreamingResponse

from agent.language import reply_language
from server import escalation_flow, handoffs, queue_exit, turns
from server.api import sse
from server.api.ids import cursor_query
from server.api.schemas import (
    ConversationOut,
    ConversationsOut,
    ErrorOut,
    HandoffOut,
    MessageIn,
    MessagesOut,
    TurnOut,
)
from server.auth import Principal, principal_from_request
from server.errors import ApiError
from server.storage import repository as repo

router = APIRouter(prefix="/v1/conversations", tags=["conversations"])
_ERRORS = {code: {"model": ErrorOut} for code in (400, 401, 403, 404, 409, 413, 422, 503)}


@router.post("", response_model=ConversationOut, status_code=201, responses=_ERRORS)
def create_conversation(request: Request, principal: Principal = Depends(principal_from_request)):
    """Starts a conversation for the calling client."""
    if not principal.is_client:
        raise ApiError(403, "forbidden", "Only clients start conversations.")
    services = request.app.state.services
    with services.sessions() as session:
        repo.ensure_client(session, principal.id)
        conversation = repo.create_conversation(session, principal.id)
        repo.record_audit(session, "client", principal.id, "conversation_created", conversation.id)
        session.commit()
        return {"id": conversation.id}


@router.get("", response_model=ConversationsOut, responses=_ERRORS)
def list_conversations(
    request: Request,
    principal: Principal = Depends(principal_from_request),
    limit: int = Query(default=20, ge=1, le=100),
):
    """The calling client's conversations, newest first (to resume one in a new tab)."""
    if not principal.is_client:
        raise ApiError(403, "forbidden", "Only clients list their conversations here.")
    services = request.app.state.services
    with services.sessions() as session:
        rows = repo.client_conversations(session, principal.id, limit)
        return {
            "conversations": [
                {"id": c.id, "owner": c.owner, "created_at": c.created_at.isoformat()} for c in rows
            ]
        }


@router.post(
    "/{conversation_id}/messages",
    response_model=TurnOut,
    responses=_ERRORS,
    description="Send a message. With `Accept: text/event-stream` the reply streams as "
    "server-sent events: `delta` events with pieces of text (a `reset` event withdraws the "
    "pieces shown so far, and a replacement follows), then one `reply` event carrying the whole "
    "reply object. Comment lines (`: keep-alive`) arrive while the reply is being prepared. "
    "While a person owns the conversation the Assistant stays silent: `reply` is null and "
    "`notice` carries the queue notice, if any.",
)
def post_message(
    conversation_id: str,
    body: MessageIn,
    request: Request,
    principal: Principal = Depends(principal_from_request),
    idempotency_key: str | None = Header(default=None, max_length=200),
):
    services = request.app.state.services
    text = turns.check_text(body.text, services.settings.max_message_chars)
    accepted = turns.accept(services, principal, conversation_id, text, idempotency_key)
    if "text/event-stream" in request.headers.get("accept", ""):
        return StreamingResponse(
            sse.reply_events(services, accepted),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    outcome = accepted.outcome or turns.answer(services, accepted.message)
    return turns.outcome_view(accepted.message.id, outcome)


@router.get("/{conversation_id}/messages", response_model=MessagesOut, responses=_ERRORS)
def list_messages(
    conversation_id: str,
    request: Request,
    principal: Principal = Depends(principal_from_request),
    limit: int = Query(default=100, ge=1, le=200, description="How many messages, at most."),
    before: int | None = cursor_query("Only messages older than this id."),
):
    """The conversation's latest messages (or those before `before`), oldest first."""
    services = request.app.state.services
    turns.visible_conversation(services, principal, conversation_id)
    with services.sessions() as session:
        rows = repo.list_messages(session, conversation_id, limit + 1, before)
    older = len(rows) > limit
    rows = rows[-limit:]
    return {
        "conversation_id": conversation_id,
        "messages": [turns.message_view(m) for m in rows],
        "next_before": rows[0].id if older and rows else None,
    }


@router.post(
    "/{conversation_id}/leave-queue",
    response_model=HandoffOut,
    responses=_ERRORS,
    description="The client no longer needs a person: the waiting hand-off leaves its queue, the "
    "Assistant answers again, and a `left_queue` notice is stored. 409 `not_handed_off` when the "
    "conversation waits for no one, 409 `with_person` once a person has taken it (the client tells "
    "them instead), 409 `crisis_handoff` when it was queued for a crisis (a person will come). "
    'Saying so in the chat ("取消排队", "cancel queue") does the same.',
)
def leave_queue(
    conversation_id: str, request: Request, principal: Principal = Depends(principal_from_request)
):
    services = request.app.state.services
    conversation = turns.visible_conversation(services, principal, conversation_id)
    if not principal.is_client or conversation.client_id != principal.id:
        raise ApiError(403, "forbidden", "Only the conversation's client can leave its queue.")
    with services.sessions() as session:
        handoff = handoffs.active_handoff(session, conversation_id)
        if handoff is None:
            raise ApiError(409, "not_handed_off", "This conversation is not waiting for a person.")
        latest = repo.latest_client_message(session, conversation_id)
        language = reply_language(latest.text) if latest else "zh"
        if not queue_exit.may_leave(handoff):
            raise ApiError(
                409,
                "crisis_handoff",
                "This conversation waits for a person because the client may be in crisis.",
            )
        left = handoff.status == "waiting" and queue_exit.leave(
            session, handoff, ("client", principal.id)
        )
        if not left:
            session.rollback()
            raise ApiError(
                409, "with_person", "A person has taken this conversation; tell them instead."
            )
        escalation_flow.add_notice(session, services, conversation_id, "left_queue", language)
        place = handoffs.place(session, services.queues, handoff, language)
        session.commit()
        return place
