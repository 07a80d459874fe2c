"""Server-sent events for one reply: pieces as they are written, a keep-alive comment while
nothing is ready, and the whole reply at the end.

The turn runs in a worker thread; this async side only forwards. When the client goes away, the
turn's cancel flag is set, the Assistant cancels the model request, and the turn is recorded as
interrupted.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator

from agent.types import Delta, Reset
from server import turns
from server.escalation_flow import Outcome
from server.services import Services
from server.storage.models import Message

log = logging.getLogger("server")
_DONE = object()


async def reply_events(services: Services, accepted: turns.Accepted) -> AsyncIterator[str]:
    message_id = accepted.message.id
    if accepted.outcome is not None:  # a retry: the stored outcome, at once
        yield event("reply", turns.outcome_view(message_id, accepted.outcome))
        return
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()
    cancel = threading.Event()
    worker = threading.Thread(
        target=_run_turn,
        args=(
            services,
            accepted.message,
            cancel,
            lambda item: loop.call_soon_threadsafe(queue.put_nowait, item),
        ),
        name="anxin-turn",
        daemon=True,
    )
    worker.start()
    try:
        while True:
            try:
                item = await asyncio.wait_for(queue.get(), services.settings.stream_heartbeat)
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            if item is _DONE:
                return
            yield _render(item, message_id)
    finally:
        cancel.set()  # harmless after the end; stops the model when the client left early


def _run_turn(services: Services, message: Message, cancel: threading.Event, put) -> None:
    try:
        for item in turns.answer_stream(services, message, cancel):
            put(item)
    except Exception as exc:  # storage failed mid-turn; the client's message is already stored
        log.error(
            "streamed turn failed: %s",
            type(exc).__name__,
            extra={"conversation_id": message.conversation_id},
        )
        put(exc)
    finally:
        put(_DONE)


def _render(item, message_id: int) -> str:
    if isinstance(item, Delta):
        return event("delta", {"text": item.text})
    if isinstance(item, Reset):
        return event("reset", {})
    if isinstance(item, Outcome):
        return event("reply", turns.outcome_view(message_id, item))
    return event(
        "error",
        {"code": "storage_unavailable", "message": "The reply could not be stored; retry."},
    )


def event(name: str, data: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
