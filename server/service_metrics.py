"""Service figures for administrators: satisfaction, escalation, containment and first-contact
resolution, computed from the database.

- conversations: those with at least one client message (in the period);
- escalation rate: the share of them handed to a person at least once;
- containment: the share the Assistant handled alone (1 − escalation rate);
- first-contact resolution: the share resolved without a second hand-off or a transfer — every
  contained conversation, and every escalated one whose single hand-off was resolved by the first
  person to claim it;
- CSAT: the share of ratings whose mean of speed, resolution and attitude is 4 or more.
"""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server import handoffs
from server.storage.models import Feedback, Handoff, Message


def summary(session: Session, since: datetime | None = None) -> dict:
    conversations = select(Message.conversation_id).where(Message.role == "client")
    if since is not None:
        conversations = conversations.where(Message.created_at >= since)
    active = set(session.scalars(conversations.distinct()))
    rows = (
        [h for h in session.scalars(select(Handoff).where(Handoff.conversation_id.in_(active)))]
        if active
        else []
    )
    by_conversation: dict[str, list[Handoff]] = {}
    for handoff in rows:
        by_conversation.setdefault(handoff.conversation_id, []).append(handoff)
    escalated = len(by_conversation)
    first_contact = sum(
        1
        for items in by_conversation.values()
        if len(items) == 1 and items[0].status == "resolved" and items[0].transfers == 0
    )
    total = len(active)
    ratings = (
        list(session.scalars(select(Feedback).where(Feedback.conversation_id.in_(active))))
        if active
        else []
    )
    waits = [
        (h.claimed_at - h.requested_at).total_seconds() for h in rows if h.claimed_at is not None
    ]
    return {
        "conversations": total,
        "escalated_conversations": escalated,
        "escalation_rate": _share(escalated, total),
        "containment": _share(total - escalated, total),
        "first_contact_resolution": _share(total - escalated + first_contact, total),
        "handoffs_by_reason": dict(Counter(h.reason for h in rows)),
        "handoffs_open": sum(1 for h in rows if h.status in handoffs.ACTIVE),
        "median_wait_to_claim_seconds": round(statistics.median(waits), 1) if waits else None,
        "ratings": len(ratings),
        "csat": _share(
            sum(1 for r in ratings if (r.speed + r.resolution + r.attitude) / 3 >= 4), len(ratings)
        ),
        "mean_rating": {
            key: round(statistics.fmean(getattr(r, key) for r in ratings), 2) if ratings else None
            for key in ("speed", "resolution", "attitude")
        },
    }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
