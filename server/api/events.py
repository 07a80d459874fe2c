"""Live events of one conversation, as server-sent events: every new message the caller may see
(a person's reply, the Assistant's, queue notices), read from the database, so a message written
by any server process reaches a client connected to any other.

Resume with `Last-Event-ID` (or `?after=`): each event's id is the message id.
"""

from __future__ import annotations

import asyncio
import time

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from server import turns
from server.api.ids import cursor_query, header_cursor
from server.api.schemas import ErrorOut
from server.api.sse import event
from server.auth import Principal, principal_from_request
from server.storage.models import Message

router = APIRouter(prefix="/v1/conversations", tags=["conversations"])
_ERRORS = {code: {"model": ErrorOut} for code in (401, 404, 422)}
_BATCH = 100
# A stream ends after this long; the client reconnects with Last-Event-ID and misses nothing.
MAX_STREAM_SECONDS = 1800.0


@router.get(
    "/{conversation_id}/events",
    responses=_ERRORS,
    response_class=StreamingResponse,
    description="Server-sent events: `message` events carry a message object (as in the "
    "message list) as they are stored; `: keep-alive` comments come between. Clients never "
    "receive internal notes. Without `Last-Event-ID` or `after`, only messages stored from now on.",
)
def conversation_events(
    conversation_id: str,
    request: Request,
    principal: Principal = Depends(principal_from_request),
    after: int | None = cursor_query("Only messages after this id.", minimum=0),
    last_event_id: str | None = Header(default=None),
):
    services = request.app.state.services
    turns.visible_conversation(services, principal, conversation_id)
    include_notes = not principal.is_client
    cursor = header_cursor(last_event_id)  # a reconnect: it knows best
    if cursor is None:
        cursor = after
    if cursor is None:
        cursor = _latest_id(services, conversation_id)
    stream = _stream(request, services, conversation_id, cursor, include_notes)
    return StreamingResponse(
        stream,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _stream(request: Request, services, conversation_id: str, cursor: int, notes: bool):
    poll = services.settings.events_poll_seconds
    heartbeat = services.settings.stream_heartbeat
    quiet_since = started = time.monotonic()
    yield ": connected\n\n"
    while time.monotonic() - started < MAX_STREAM_SECONDS and not await request.is_disconnected():
        rows = await asyncio.to_thread(_after, services, conversation_id, cursor, notes)
        for message in rows:
            cursor = message["id"]
            yield f"id: {cursor}\n" + event("message", message)
            quiet_since = time.monotonic()
        if time.monotonic() - quiet_since >= heartbeat:
            yield ": keep-alive\n\n"
            quiet_since = time.monotonic()
        if not rows:
            await asyncio.sleep(poll)


def _latest_id(services, conversation_id: str) -> int:
    with services.sessions() as session:
        latest = session.scalar(
            select(Message.id)
            .where(Message.conversation_id == conversation_id)
            .order_by(Message.id.desc())
            .limit(1)
        )
    return latest or 0


def _after(services, conversation_id: str, cursor: int, notes: bool) -> list[dict]:
    with services.sessions() as session:
        query = select(Message).where(
            Message.conversation_id == conversation_id, Message.id > cursor
        )
        if not notes:
            query = query.where(Message.role != "note")
        rows = session.scalars(query.order_by(Message.id).limit(_BATCH)).all()
        return [turns.message_view(m) for m in rows]
