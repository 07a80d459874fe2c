"""Running a conversation suite (escalation) through the service: client messages, a person's
actions, and whether each client message started a hand-off.

The driver speaks the service's HTTP API (`server.evaluation.ServiceConversations` runs the real
app in-process), so queues, ownership and the return to the Assistant are the real ones.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from agent.types import Citation, Reply
from evals.checks import check_reply
from evals.runner import CaseResult, RunResult, TurnResult
from evals.suite import Case, Expectation, Suite


class ConversationDriver(Protocol):
    def start(self, client: str) -> None: ...

    def say(self, text: str) -> dict:
        """The turn's response body: reply (or null), notice, handoff."""

    def act(self, action: str, text: str | None = None) -> dict:
        """A person's action (claim, agent_reply, resolve) or the client's thumbs-down on the
        latest reply; the response body."""


def check_outcome(body: dict, expect: Expectation, started: bool) -> list[str]:
    failures: list[str] = []
    reply = body.get("reply")
    if expect.silent is not None and (reply is None) != expect.silent:
        failures.append("the Assistant answered" if expect.silent else "the Assistant was silent")
    if reply is not None:
        failures += check_reply(_as_reply(reply), expect)
    elif expect.contains or expect.status:
        failures.append("no reply to check")
    if expect.handoff is not None and started != expect.handoff:
        failures.append("handed off" if started else "did not hand off")
    handoff = body.get("handoff") or {}
    if expect.handoff_reason and handoff.get("reason") != expect.handoff_reason:
        failures.append(f"reason {handoff.get('reason')}, expected {expect.handoff_reason}")
    if expect.queue and handoff.get("queue") != expect.queue:
        failures.append(f"queue {handoff.get('queue')}, expected {expect.queue}")
    notice = (body.get("notice") or {}).get("notice")
    if expect.notice and notice != expect.notice:
        failures.append(f"notice {notice}, expected {expect.notice}")
    return failures


def _as_reply(body: dict) -> Reply:
    return Reply(
        body["text"],
        [Citation(c["article_id"], c["title"], c.get("ref")) for c in body["citations"]],
        body["status"],
        body.get("intent"),
        body.get("emotion"),
    )


@dataclass
class EscalationTurn(TurnResult):
    action: str = "say"
    handoff_expected: bool | None = None
    handed_off: bool = False


class EscalationRun(RunResult):
    def handoff_scores(self) -> dict:
        judged = [
            t
            for c in self.cases
            for t in c.turns
            if isinstance(t, EscalationTurn) and t.handoff_expected is not None
        ]
        tp = sum(t.handed_off and t.handoff_expected for t in judged)
        fp = sum(t.handed_off and not t.handoff_expected for t in judged)
        fn = sum(not t.handed_off and t.handoff_expected for t in judged)
        return {
            "judged_turns": len(judged),
            "handoff_precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
            "handoff_recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
            "false_handoffs": fp,
            "missed_handoffs": fn,
        }

    @property
    def passed(self) -> bool:
        scores = self.handoff_scores()
        floor = self.suite.handoff_min or 0.0
        return (
            self.pass_rate >= self.suite.pass_rate
            and scores["handoff_precision"] >= floor
            and scores["handoff_recall"] >= floor
        )

    def summary(self) -> dict:
        return {**super().summary(), **self.handoff_scores(), "passed": self.passed}

    def table(self) -> str:
        s = self.handoff_scores()
        return (
            super().table()
            + f"\nhand-off precision {s['handoff_precision']:.3f}, recall {s['handoff_recall']:.3f}"
            f" over {s['judged_turns']} turns ({s['false_handoffs']} false, "
            f"{s['missed_handoffs']} missed; required {self.suite.handoff_min or 0:.2f})"
        )


def run_case(case: Case, driver: ConversationDriver) -> CaseResult:
    result = CaseResult(case.id, case.tags)
    driver.start(case.client)
    known_handoff = None
    for turn in case.turns:
        started = time.perf_counter()
        say = turn.action == "say"
        body = driver.say(turn.text) if say else driver.act(turn.action, turn.text)
        ms = (time.perf_counter() - started) * 1000
        handoff = body.get("handoff") or {}
        began = bool(handoff) and handoff.get("id") != known_handoff and turn.action == "say"
        if handoff.get("id") is not None and handoff.get("state") != "resolved":
            known_handoff = handoff["id"]
        if turn.action == "thumbs_down" and handoff:
            began, known_handoff = True, handoff.get("id")
        reply = body.get("reply") or {}
        result.turns.append(
            EscalationTurn(
                text=turn.text or f"[{turn.action}]",
                reply=reply.get("text", ""),
                status=reply.get("status", "silent" if turn.action == "say" else turn.action),
                citations=[c["article_id"] for c in reply.get("citations", [])],
                failures=check_outcome(body, turn.expect, began),
                ms=round(ms, 2),
                action=turn.action,
                handoff_expected=turn.expect.handoff,
                handed_off=began,
            )
        )
    return result


def run_suite(suite: Suite, driver: ConversationDriver) -> EscalationRun:
    started = datetime.now(UTC).isoformat(timespec="seconds")
    return EscalationRun(suite, [run_case(case, driver) for case in suite.cases], started)
