"""A waiting client leaving the queue, through the API or by saying so in the chat ("取消排队",
"不用转人工了", "cancel queue"). Only while the conversation waits: once a person has claimed it,
the client tells that person, who resolves it. A client who says so outside any queue is told
they are not waiting for a person, unless the message asks something else too.

Only explicit words about the queue or the person count: a thank-you or "已经解决了" does not (the
queue notices say how to leave), nor does "不等了", which is as often the start of a complaint. A
conversation queued for a crisis cannot be left at all: a client who has shown despair is not left
alone because they said so ("取消排队吧，反正活着也没意思了"), and its notices do not offer it."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from agent.escalation import declines_person, without_declining
from knowledge.text import normalise
from server import handoffs
from server.storage import repository as repo
from server.storage.models import Handoff

_LEAVE_QUEUE = re.compile(
    r"(取消|退出|离开)(排队|队列)|(不用|不需要|不要|无需)(再)?(排队|排了)"
    r"|\bcancel (the |my )?(queue|hand-?off)\b|\bleave the queue\b",
    re.IGNORECASE,
)
# Only while waiting: outside a queue "cancel my transfer" is a bank transfer, "cancel my
# request" as likely an order.
_LEAVE_WHILE_WAITING = re.compile(r"\bcancel (the |my )?(request|transfer)\b", re.IGNORECASE)
# "为什么不用人工" asks why, "不是不需要人工" still wants one: neither leaves the queue.
_NOT_LEAVING = re.compile(r"为什么|为啥|怎么(不|没)|不是不|\?|？")
# What may come with the words about the queue without asking anything: thanks, "never mind",
# "it is solved", particles.
_COURTESY = re.compile(
    r"谢谢|感谢|多谢|好的|好吧|好了|算了|没事了?|(问题)?(已经)?解决了|我自己(来|弄|看看)?|请|麻烦"
    r"|\b(thanks|thank you|please|never ?mind|ok(ay)?|any ?more|now|just|i|i'?m|it'?s|all|fine"
    r"|good|solved|sorted)\b",
    re.IGNORECASE,
)
# A person named outside the declining words ("取消排队，转人工"), or an order ("取消排队的委托":
# an order queued at the limit price): not only leaving.
_NOT_ONLY_LEAVING = re.compile(
    r"人工|真人|客服|经理|委托|订单|挂单|撤单|买单|卖单|涨停|跌停|成交"
    r"|\b(person|human|agent|advisor|orders?|trades?)\b",
    re.IGNORECASE,
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[a-z0-9]+", re.IGNORECASE)
# As for a message that says an answer did not help (`agent.escalation`): what is left must hold
# 4 Chinese characters or 4 words to ask something of its own.
_QUESTION_MIN_CJK = 4
_QUESTION_MIN_WORDS = 4


def asks_to_leave(text: str) -> bool:
    """Whether a waiting client's message asks to leave the queue."""
    text = normalise(text)  # 取消排隊, ｃａｎｃｅｌ ｑｕｅｕｅ
    asked = _LEAVE_QUEUE.search(text) or _LEAVE_WHILE_WAITING.search(text) or declines_person(text)
    return bool(asked) and not _NOT_LEAVING.search(text)


def asks_only_to_leave(text: str) -> bool:
    """Whether a message outside any queue asks to leave one, or to do without a person, and
    nothing else: "取消排队" had read as cancelling an order and got an answer about orders."""
    text = normalise(text)
    if not (_LEAVE_QUEUE.search(text) or declines_person(text)) or _NOT_LEAVING.search(text):
        return False
    rest = _COURTESY.sub(" ", _LEAVE_QUEUE.sub(" ", without_declining(text)))
    if _NOT_ONLY_LEAVING.search(rest):
        return False
    cjk, words = len(_CJK.findall(rest)), len(_LATIN_WORD.findall(rest))
    return cjk < _QUESTION_MIN_CJK and words < _QUESTION_MIN_WORDS


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
