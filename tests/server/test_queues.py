"""The queue book: which queue a hand-off goes to, who may take it, and in what order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.handoffs import QueueBook
from server.storage.models import Handoff

BOOK = QueueBook.load()
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def _waiting(tier, seconds, bonus=0.0) -> Handoff:
    return Handoff(tier=tier, requested_at=NOW - timedelta(seconds=seconds), priority_bonus=bonus)


@pytest.mark.parametrize(
    ("skill", "tier", "queue"),
    [
        ("service", "basic", "service"),
        ("service", "growth", "service"),
        ("advisor", "growth", "advisor"),
        ("advisor", "basic", "advisor"),
        ("service", "hnw", "private"),
        ("advisor", "hnw", "private"),
        ("service", "unknown-tier", "service"),
    ],
)
def test_skill_and_tier_pick_the_queue(skill, tier, queue):
    assert BOOK.pick(skill, tier) == queue


def test_roles_take_only_their_queues():
    assert BOOK.may_take("agent", "service") and not BOOK.may_take("agent", "advisor")
    assert BOOK.may_take("advisor", "advisor") and not BOOK.may_take("advisor", "service")
    assert BOOK.may_take("admin", "advisor") and not BOOK.may_take("client", "service")
    assert BOOK.visible_to("admin") == list(BOOK.queues)


def test_growth_tier_overtakes_basic_as_its_two_minute_target_nears():
    basic = _waiting("basic", 150)  # half of its 5 minutes
    growth = _waiting("growth", 90)  # three quarters of its 2 minutes
    assert BOOK.priority(growth, NOW) > BOOK.priority(basic, NOW)
    crisis = _waiting("basic", 1, bonus=BOOK.priority_bonus["crisis"])
    assert BOOK.priority(crisis, NOW) > BOOK.priority(growth, NOW)


def test_the_estimated_wait_grows_with_the_queue_ahead():
    assert BOOK.estimate_minutes("service", 0) == 1
    assert BOOK.estimate_minutes("service", 3) == 12
    assert BOOK.estimate_minutes("advisor", 2) == 12


def test_a_file_without_queues_is_refused(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("failure_limit: 3\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no queues"):
        QueueBook.load(path)
