"""A waiting client leaving the queue, through the API or by saying so in the chat ("取消排队",
"不用转人工了", "cancel queue"). Only while the conversation waits: once a person has claimed it,
the client tells that person, who resolves it.

Only explicit words about the queue or the person count: a thank-you or "已经解决了" does not (the
queue notices say how to leave), nor does "不等了", which is as often the start of a complaint. A
conversation queued for a crisis cannot be left at all: a client who has shown despair is not left
alone because they said so ("取消排队吧，反正活着也没意思了"), and its notices do not offer it."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from agent.escalation import declines_person
from server import handoffs
from server.storage import repository as repo
from server.storage.models import Handoff

_LEAVE_QUEUE = re.compile(
    r"(取消|退出|离开)(排队|队列)|(不用|不需要|不要|无需)(再)?(排队|排了)"
    r"|\bcancel (the |my )?(queue|request|hand-?off|transfer)\b|\bleave the queue\b",
    re.IGNORECASE,
)
# "为什么不用人工" asks why, "不是不需要人工" still wants one: neither leaves the queue.
_NOT_LEAVING = re.compile(r"为什么|为啥|怎么(不|没)|不是不|\?|？")


def asks_to_leave(text: str) -> bool:
    """Whether a waiting client's message asks to leave the queue."""
    asked = _LEAVE_QUEUE.search(text) or declines_person(text)
    return bool(asked) and not _NOT_LEAVING.search(text)


def may_leave(handoff: Handoff) -> bool:
    """Whether the client may take this hand-off out of its queue: not when it is for a crisis."""
    return handoff.reason != "crisis"


def leave(session: Session, handoff: Handoff, actor: tuple[str, str]) -> bool:
    """Takes a waiting hand-off out of its queue and gives the conversation back to the Assistant;
    the caller tells the client (`left_queue`). False when the hand-off is no longer waiting (a
    person claimed it at the same moment): the update only applies to a waiting row, as `claim`'s
    does."""
    changed = (
        session.query(Handoff)
        .filter(Handoff.id == handoff.id, Handoff.status == "waiting")
        .update({"status": handoffs.WITHDRAWN, "resolved_at": handoffs.now()})
    )
    if changed != 1:
        return False
    conversation = repo.get_conversation(session, handoff.conversation_id)
    conversation.owner, conversation.failure_count = "assistant", 0
    repo.record_audit(
        session,
        actor[0],
        actor[1],
        "handoff_withdrawn",
        handoff.conversation_id,
        handoff_id=handoff.id,
    )
    return True
