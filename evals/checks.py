"""Checking one reply against one turn's expectations."""

from __future__ import annotations

from agent.types import Reply
from evals.suite import Expectation


def check_reply(reply: Reply, expect: Expectation) -> list[str]:
    """What failed, one short sentence each; empty when the reply meets every expectation."""
    failures: list[str] = []
    cited = [c.article_id for c in reply.citations]
    for article_id in expect.cite_top3:
        if article_id not in cited[:3]:
            failures.append(f"{article_id} not in top-3 citations {cited[:3]}")
    for article_id in expect.cite:
        if article_id not in cited:
            failures.append(f"{article_id} not cited")
    for text in expect.contains:
        if text not in reply.text:
            failures.append(f"missing text '{text}'")
    for text in expect.not_contains:
        if text in reply.text:
            failures.append(f"unwanted text '{text}'")
    if expect.status and reply.status != expect.status:
        failures.append(f"status {reply.status}, expected {expect.status}")
    if expect.intent and reply.intent != expect.intent:
        failures.append(f"intent {reply.intent}, expected {expect.intent}")
    emotion = (reply.emotion or {}).get("label")
    if expect.emotion and emotion != expect.emotion:
        failures.append(f"emotion {emotion}, expected {expect.emotion}")
    return failures
