"""The escalation suite: its format, the runner's scores, and the shipped suite through the real
service (queues, people and the return to the Assistant)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from evals.escalation import run_suite
from evals.suite import Suite, load_suite
from server.evaluation import ServiceConversations
from server.settings import Settings

SUITE = Path(__file__).resolve().parents[2] / "evals" / "suites" / "escalation.yaml"
HELD_OUT = SUITE.with_name("escalation-heldout.yaml")


class _NeverHandsOff:
    """A driver for a service that never hands off: the scores must say so."""

    def start(self, client):
        self.next_id = 1

    def say(self, text):
        self.next_id += 1
        reply = {"id": self.next_id, "text": "答复", "citations": [], "status": "answered"}
        return {"reply": reply, "notice": None, "handoff": None}

    def act(self, action, text=None):
        return {}


def test_the_suite_is_large_and_covers_every_required_kind():
    suite = load_suite(SUITE)
    assert len(suite.cases) >= 60 and suite.handoff_min == 0.95
    tags = {t for case in suite.cases for t in case.tags}
    assert {"fallback_loop", "request", "waiting", "emotion", "crisis", "return"} <= tags
    assert all(len(case.turns) >= 1 for case in suite.cases)
    assert sum(len(case.turns) > 1 for case in suite.cases) >= 60  # multi-turn cases


def test_a_message_turn_needs_text_and_actions_are_known():
    with pytest.raises(ValidationError, match="needs text"):
        Suite.model_validate({"name": "x", "cases": [{"id": "a", "turns": [{"action": "say"}]}]})
    with pytest.raises(ValidationError):
        Suite.model_validate({"name": "x", "cases": [{"id": "a", "turns": [{"action": "dance"}]}]})


def test_missed_hand_offs_fail_the_run():
    suite = load_suite(SUITE)
    expected = sum(1 for case in suite.cases for turn in case.turns if turn.expect.handoff)
    result = run_suite(suite, _NeverHandsOff())
    scores = result.handoff_scores()
    assert scores["handoff_recall"] == 0.0 and scores["missed_handoffs"] == expected > 50
    assert not result.passed


def test_the_shipped_suites_pass_through_the_service(data_dir_with_index, database_url):
    settings = Settings(data_dir=data_dir_with_index, database_url=database_url)
    with ServiceConversations(settings) as driver:
        result = run_suite(load_suite(SUITE), driver)
        held_out = run_suite(load_suite(HELD_OUT), driver)
    summary = result.summary()
    failed = [c.id for c in result.cases if not c.passed]
    assert result.passed, (summary, failed)
    assert summary["handoff_precision"] >= 0.95 and summary["handoff_recall"] >= 0.95
    # The separately written cases: judged by hand-off scores only (some of their reply
    # expectations fail for retrieval reasons, see the README).
    # Held at its measured precision (1.0): a floor of 0.95 let one false hand-off (a calm question
    # about spotting fraud, read as angry 3) pass unnoticed between sessions.
    scores = held_out.handoff_scores()
    assert scores["handoff_precision"] >= 0.99 and scores["handoff_recall"] >= 0.95, scores
