"""Queues of conversations waiting for a person: which queue, in what order, how long.

The needed skill (service or advisor) and the client's tier pick the queue. Order is by priority:
the share of the tier's target response time already waited, plus a bonus for urgent reasons
(a crisis first of all), so a growth-tier client overtakes basic ones as their 2-minute target
nears. All state is in the database; any server process computes the same order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.escalation import POLICY_FILE
from server.storage.models import Conversation, Handoff

ACTIVE = ("waiting", "claimed")
WITHDRAWN = "withdrawn"  # the client left the queue (`queue_exit`)


@dataclass(frozen=True)
class Queue:
    name: str
    skill: str  # service, advisor or any
    tiers: tuple[str, ...]
    names: dict[str, str]  # language -> the name a client reads


@dataclass(frozen=True)
class QueueBook:
    queues: dict[str, Queue]
    roles: dict[str, tuple[str, ...]]
    target_seconds: dict[str, int]
    priority_bonus: dict[str, float]
    handle_minutes: dict[str, float]

    @classmethod
    def load(cls, path: Path = POLICY_FILE) -> QueueBook:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        queues = {
            name: Queue(
                name,
                str(spec["skill"]),
                tuple(spec["tiers"]),
                {"zh": spec.get("name_zh", name), "en": spec.get("name_en", name)},
            )
            for name, spec in (data.get("queues") or {}).items()
        }
        if not queues:
            raise ValueError(f"{path}: no queues")
        return cls(
            queues=queues,
            roles={role: tuple(names) for role, names in (data.get("roles") or {}).items()},
            target_seconds={k: int(v) for k, v in (data.get("target_seconds") or {}).items()},
            priority_bonus={k: float(v) for k, v in (data.get("priority_bonus") or {}).items()},
            handle_minutes={k: float(v) for k, v in (data.get("handle_minutes") or {}).items()},
        )

    def pick(self, skill: str, tier: str) -> str:
        """The queue for this skill and tier; the first queue of the skill when no tier fits."""
        for queue in self.queues.values():
            if tier in queue.tiers and queue.skill in (skill, "any"):
                return queue.name
        for queue in self.queues.values():
            if queue.skill == skill:
                return queue.name
        return next(iter(self.queues))

    def may_take(self, role: str, queue: str) -> bool:
        return role == "admin" or queue in self.roles.get(role, ())

    def visible_to(self, role: str) -> list[str]:
        return list(self.queues) if role == "admin" else list(self.roles.get(role, ()))

    def display_name(self, queue: str, language: str) -> str:
        spec = self.queues.get(queue)
        return spec.names.get(language, queue) if spec else queue

    def target(self, tier: str) -> int:
        return self.target_seconds.get(tier, max(self.target_seconds.values(), default=300))

    def priority(self, handoff: Handoff, now: datetime) -> float:
        waited = (now - handoff.requested_at).total_seconds()
        return waited / self.target(handoff.tier) + handoff.priority_bonus

    def estimate_minutes(self, queue: str, ahead: int) -> int:
        """Minutes until a person is likely free: those ahead times the average handling time."""
        return max(1, math.ceil(ahead * self.handle_minutes.get(queue, 5.0)))


def now() -> datetime:
    return datetime.now(UTC)


def active_handoff(session: Session, conversation_id: str) -> Handoff | None:
    return session.scalar(
        select(Handoff)
        .where(Handoff.conversation_id == conversation_id, Handoff.status.in_(ACTIVE))
        .order_by(Handoff.id.desc())
        .limit(1)
    )


def latest_handoff(session: Session, conversation_id: str) -> Handoff | None:
    return session.scalar(
        select(Handoff)
        .where(Handoff.conversation_id == conversation_id)
        .order_by(Handoff.id.desc())
        .limit(1)
    )


def enqueue(
    session: Session,
    book: QueueBook,
    conversation: Conversation,
    tier: str,
    reason: str,
    skill: str,
    urgent: bool,
) -> Handoff:
    """Puts the conversation in its queue; the Assistant stays silent from now on."""
    bonus = book.priority_bonus.get(reason, 0.0)
    if urgent and reason != "strong_emotion":
        bonus += book.priority_bonus.get("strong_emotion", 0.0)
    handoff = Handoff(
        conversation_id=conversation.id,
        client_id=conversation.client_id,
        queue=book.pick(skill, tier),
        skill=skill,
        tier=tier,
        reason=reason,
        status="waiting",
        priority_bonus=bonus,
        requested_at=now(),
        transfers=0,
    )
    session.add(handoff)
    conversation.owner = "queue"
    conversation.failure_count = 0
    session.flush()
    return handoff


def waiting(session: Session, book: QueueBook, queues: list[str]) -> list[Handoff]:
    """Waiting hand-offs of these queues, most urgent first."""
    rows = session.scalars(
        select(Handoff).where(Handoff.status == "waiting", Handoff.queue.in_(queues))
    ).all()
    moment = now()
    return sorted(rows, key=lambda h: (-book.priority(h, moment), h.id))


def ahead_of(session: Session, book: QueueBook, handoff: Handoff) -> int:
    """How many waiting conversations of the same queue come first."""
    order = waiting(session, book, [handoff.queue])
    ids = [h.id for h in order]
    return ids.index(handoff.id) if handoff.id in ids else 0


def place(session: Session, book: QueueBook, handoff: Handoff, language: str) -> dict[str, Any]:
    """The client's view of a hand-off: queue, place in it and the estimated wait."""
    state = {"waiting": "waiting", "claimed": "with_person", WITHDRAWN: "left"}.get(
        handoff.status, "resolved"
    )
    ahead = ahead_of(session, book, handoff) if state == "waiting" else 0
    return {
        "id": handoff.id,
        "state": state,
        "queue": handoff.queue,
        "queue_name": book.display_name(handoff.queue, language),
        "reason": handoff.reason,
        "ahead": ahead,
        "estimated_wait_minutes": book.estimate_minutes(handoff.queue, ahead)
        if state == "waiting"
        else 0,
    }
