"""Composing a planned turn's reply: the model when one is configured and healthy, otherwise (or
when it fails, is slow, or answers without grounding) the offline responder, within a deadline.

Every path yields the reply as `Delta`s, so streaming and plain replies are the same code. When a
model's partial answer has to be withdrawn, a `Reset` comes before the replacement.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from typing import Any

from agent.classify.types import Classification
from agent.llm.chat import LlmError
from agent.responders.grounding import UngroundedError
from agent.responders.llm import LlmResponder
from agent.responders.offline import Draft, OfflineResponder
from agent.types import Citation, Delta, HistoryTurn, ReplyStatus, Reset, TurnEvent
from knowledge.retrieval import ArticleHit, RetrievalResult

log = logging.getLogger("agent")
_SENTENCE = re.compile(r"(?<=[。！？；!?;\n])")


@dataclass
class TurnPlan:
    """What the Assistant decided before writing anything."""

    text: str
    language: str
    route: str
    retrieval: RetrievalResult
    classification: Classification | None
    started: float
    scenario: Any = None  # agent.scenarios.ScenarioMatch when a scenario was chosen
    scenario_articles: list[ArticleHit] = field(default_factory=list)
    rewritten: str | None = None
    query: str = ""  # the text searched: the client's, without masked personal data
    model_allowed: bool = True  # False when the client's input tried to steer the model
    handoff_reason: str | None = None  # set with the route "handoff"
    fallback_again: bool = False  # the previous reply was "not covered" too: say it differently
    person_coming: bool = False  # handed to a person with this answer: no "reply 转人工" in it
    did_not_help: bool = False  # the message only says the last answer did not help


@dataclass(frozen=True)
class Composed:
    text: str
    citations: list[Citation]
    status: ReplyStatus
    responder: str  # offline | llm | scenario
    template: str
    details: dict = field(default_factory=dict)


class Composer:
    def __init__(
        self,
        offline: OfflineResponder,
        llm: LlmResponder | None = None,
        deadline_seconds: float = 20.0,
        scenario_strict: bool = False,
    ) -> None:
        self.offline = offline
        self.llm = llm
        self._deadline_seconds = deadline_seconds
        self._scenario_strict = scenario_strict

    def compose(
        self,
        plan: TurnPlan,
        history: list[HistoryTurn],
        profile: Any = None,
        cancel: threading.Event | None = None,
    ) -> Generator[TurnEvent, None, Composed]:
        fallback = self._approved(plan, profile)
        if (
            self.llm is None
            or not plan.model_allowed
            or not _wants_model(plan, self._scenario_strict)
        ):
            yield from _as_deltas(fallback.text)
            return fallback
        return (yield from self._with_model(plan, history, profile, fallback, cancel))

    def _with_model(self, plan, history, profile, fallback, cancel):
        deadline = plan.started + self._deadline_seconds
        guidance = plan.scenario.guidance(plan.language, profile) if plan.scenario else None
        articles = plan.scenario_articles or plan.retrieval.articles
        shown = _Counting(
            self.llm.stream(plan.text, plan.language, articles, history, guidance, deadline, cancel)
        )
        try:
            draft = yield from shown
        except (LlmError, UngroundedError) as exc:
            if isinstance(exc, LlmError) and exc.reason == "cancelled":
                return Composed(shown.text, [], "interrupted", "llm", self.llm.version, {})
            log.warning("LLM answer not used (%s); offline answer sent", exc.reason)
            if shown.count:
                yield Reset()
            yield from _as_deltas(fallback.text)
            return Composed(
                fallback.text,
                fallback.citations,
                fallback.status,
                fallback.responder,
                fallback.template,
                {**fallback.details, "llm_failure": exc.reason},
            )
        return Composed(
            draft.text, draft.citations, "answered", "llm", draft.template, draft.details
        )

    def _approved(self, plan: TurnPlan, profile) -> Composed:
        """The answer that needs no model: approved scenario text or the offline responder's."""
        if plan.scenario is not None:
            citations = [
                Citation(h.article_id, h.title, n)
                for n, h in enumerate(plan.scenario_articles, start=1)
            ]
            text = plan.scenario.render(plan.language, profile)
            if citations:
                text += "\n\n" + self.offline.sources(citations, plan.language)
            if plan.person_coming:  # sent with a hand-off (fraud, a complaint): say who comes next
                text += "\n\n" + self.offline.person_coming(plan.language)
            ref = f"scenario:{plan.scenario.scenario_id}"
            return Composed(text, citations, "answered", "scenario", ref)
        draft = self._offline_draft(plan)
        return Composed(draft.text, draft.citations, draft.status, "offline", draft.template)

    def _offline_draft(self, plan: TurnPlan) -> Draft:
        if plan.route in ("greeting", "thanks", "crisis"):
            return self.offline.small_talk(plan.route, plan.language)
        if plan.route == "handoff":
            return self.offline.handoff(plan.handoff_reason, plan.language)
        if plan.route == "not_covered":
            return self.offline.not_covered(
                plan.language,
                again=plan.fallback_again,
                person_coming=plan.person_coming,
                did_not_help=plan.did_not_help,
            )
        if plan.route == "refused":
            return self.offline.refused(plan.language, again=plan.fallback_again)
        return self.offline.respond(plan.retrieval, plan.language, plan.person_coming)


def _wants_model(plan: TurnPlan, scenario_strict: bool) -> bool:
    if plan.route == "scenario":
        return not scenario_strict
    return plan.route in ("knowledge", "pinned")


def _as_deltas(text: str) -> Iterator[Delta]:
    for piece in _SENTENCE.split(text):
        if piece:
            yield Delta(piece, whole=True)


class _Counting:
    """Passes a responder's deltas on, remembering how much of them the client has seen."""

    def __init__(self, inner: Generator) -> None:
        self._inner = inner
        self.count = 0
        self.text = ""

    def __iter__(self):
        return self

    def __next__(self):
        delta = next(self._inner)  # StopIteration carries the draft through `yield from`
        self.count += 1
        self.text += delta.text
        return delta

    def send(self, value):
        return self.__next__()

    def throw(self, *args):
        return self._inner.throw(*args)

    def close(self):
        self._inner.close()
