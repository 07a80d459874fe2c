"""The Assistant: orders the steps of one turn. The mechanics live in the step modules."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator
from typing import Any, Protocol

import numpy as np

from agent.classify.contentless import CONTENTLESS, contentless_classification, is_contentless
from agent.classify.flags import phrases_only
from agent.classify.local import is_follow_up_phrase, names_own_topic
from agent.classify.types import Classification
from agent.compliance.filter import ComplianceFilter
from agent.compliance.gate import guarded, reply_context
from agent.compliance.types import ReplyContext
from agent.escalation import ConversationState, Escalation, EscalationPolicy
from agent.language import reply_language
from agent.responders.composer import Composed, Composer, TurnPlan
from agent.responders.offline import OfflineResponder
from agent.responders.rewrite import QuestionRewriter
from agent.routing import choose_route, with_intent_support
from agent.scenarios import ClientProfile, shown_name
from agent.types import Final, HistoryTurn, Reply, TurnEvent
from knowledge.glossary import in_chinese_terms
from knowledge.retrieval import RetrievalResult, Retriever

log = logging.getLogger("agent")


class Classifier(Protocol):
    def classify(
        self, text: str, vector: np.ndarray | None, previous: str | None = None, embed=None
    ) -> Classification: ...


class Assistant:
    """Answers one client turn from the knowledge base.

    Takes text that `agent.intake.prepare_client_text` already normalised and masked."""

    def __init__(
        self,
        retriever: Retriever,
        composer: Composer | OfflineResponder,
        classifier: Classifier | None = None,
        min_confidence: float = 0.5,
        pinned_articles: dict[str, str] | None = None,
        intent_articles: dict[str, list[str]] | None = None,
        scenarios: Any = None,
        rewriter: QuestionRewriter | None = None,
        compliance: ComplianceFilter | None = None,
        article_risk: dict[str, str] | None = None,
        escalation: EscalationPolicy | None = None,
    ) -> None:
        self._retriever = retriever
        self._composer = composer if isinstance(composer, Composer) else Composer(composer)
        self._classifier = classifier
        self._min_confidence = min_confidence
        self._pinned = pinned_articles or {}  # intent -> the article that answers it
        self._intent_articles = intent_articles or {}  # intent -> the articles about it
        self._scenarios = scenarios  # agent.scenarios.ScenarioBook, when loaded
        self._rewriter = rewriter
        self._compliance = compliance
        self._article_risk = article_risk or {}  # article id -> R1..R5 of what it describes
        self._escalation = escalation

    def knowledge_reachable(self) -> bool:
        return self._retriever.store_reachable()

    def answer(self, text: str, history: list[HistoryTurn] | None = None, profile=None) -> Reply:
        """The whole reply at once."""
        for event in self.stream(text, history, profile):
            if isinstance(event, Final):
                return event.reply
        raise RuntimeError("a turn ended without a reply")  # a bug, not a runtime condition

    def stream(
        self,
        text: str,
        history: list[HistoryTurn] | None = None,
        profile=None,
        cancel: threading.Event | None = None,
        state: ConversationState | None = None,
    ) -> Iterator[TurnEvent]:
        """The reply as it is written: `Delta`s (and a `Reset` if a model's answer is withdrawn),
        then one `Final` with the reply to store."""
        profile = profile or ClientProfile()  # an unknown client: slots are left out kindly
        history = _without_client_name(history or [], profile)
        state = state or ConversationState()
        plan = self.plan(text, history)
        checked_in = self._check_input(plan, history)
        escalation = self._escalate(plan, history, state)
        events = self._composer.compose(plan, history, profile, cancel)
        checked_out: tuple = ()
        if self._compliance is not None:
            context = self._reply_context(plan, profile)
            model_may_write = self._composer.llm is not None and plan.model_allowed
            composed, checked_out = yield from guarded(
                events, self._compliance, context, send_safe_reply=not model_may_write
            )
            if composed.status == "blocked" and model_may_write:
                # The model's answer broke a rule: the approved (offline or scenario) answer is
                # sent instead, through the same filter.
                rules = sorted({i.rule_id for i in checked_out if i.action == "block"})
                log.warning(
                    "LLM answer not used (compliance_block: %s); offline answer sent",
                    ", ".join(rules),
                )
                plan.model_allowed = False
                retry = self._composer.compose(plan, history, profile, cancel)
                composed, more = yield from guarded(retry, self._compliance, context)
                checked_out += more
        else:
            composed = yield from events
        if composed.status == "blocked" and escalation is not None and not escalation.failure:
            escalation = self._escalation.decide(
                state, plan.route, None, "blocked", plan.classification
            )
        reply = _reply(plan, composed, checked_in + checked_out, escalation)
        log.debug(
            "turn answered: route=%s responder=%s status=%s in %.1f ms",
            plan.route,
            composed.responder,
            composed.status,
            reply.annotations["elapsed_ms"],
        )
        yield Final(reply)

    def plan(self, text: str, history: list[HistoryTurn]) -> TurnPlan:
        """Classify, search and route: everything before the reply is written."""
        started = time.monotonic()
        language = reply_language(text)
        previous = _previous_client_text(history)
        # Masked personal data ("138****5678") says nothing about the question and, as words no
        # article uses, made covered questions look uncovered: it is left out of the search.
        # English product names in a Chinese message are read as our Chinese words.
        query = in_chinese_terms(_without_masked_data(text))
        vector = self._retriever.embed_query(query)  # once per turn, shared by every later step
        classification = self._classify(query, vector, previous)
        plan = TurnPlan(text, language, "", None, classification, started)
        plan.query = query
        plan.retrieval = with_intent_support(
            classification,
            self._retrieve(plan, vector, previous, history),
            self._min_confidence,
            self._intent_articles,
        )
        plan.route = choose_route(
            classification, plan.retrieval, self._min_confidence, self._pinned, text
        )
        self._apply_scenario(plan, vector)
        if plan.route == "pinned":
            article_id = self._pinned[classification.top3[0][0]]
            plan.retrieval = self._retriever.article_result(article_id, query, vector)
        return plan

    def classify_only(self, text: str, history: list[HistoryTurn]) -> Classification | None:
        """Intent, emotion and flags of a message the Assistant will not answer (a person has the
        conversation), for the person's view and for crisis detection."""
        query = _without_masked_data(text)
        return self._classify(
            query, self._retriever.embed_query(query), _previous_client_text(history)
        )

    def _check_input(self, plan: TurnPlan, history: list[HistoryTurn]) -> tuple:
        """Input rules over the conversation's recent client turns. An attempt to steer the model
        keeps the model out of this turn (the offline answer cannot be steered); a request for
        prohibited content gets the safe reply, unless the client is in crisis: care and the
        hotline come first ("你保证我稳赚不赔，不然我就不活了" had been refused and told to ask
        for a person)."""
        if self._compliance is None:
            return ()
        turns = [t.text for t in history if t.role == "client"] + [plan.text]
        found = self._compliance.check_input(turns, plan.language)
        if any(i.action == "block" for i in found):
            plan.model_allowed = False
        refused = any(i.action == "block" and i.category != "prompt_injection" for i in found)
        if refused and plan.route != "crisis":  # a client in crisis gets the crisis reply
            plan.route = "refused"
        return found

    def _escalate(
        self, plan: TurnPlan, history: list[HistoryTurn], state: ConversationState
    ) -> Escalation | None:
        """The escalation decision before the reply is written. A request for a person, or the
        last failure the policy allows, is answered with the hand-off reply instead of another
        attempt; the same fallback is never sent twice in a row."""
        if self._escalation is None:
            return None
        policy = self._escalation
        immediate = policy.immediate_reason(plan.classification, plan.text)
        failure = policy.failure_signal(plan.route, plan.text, _previous_client_text(history))
        decision = policy.decide(state, plan.route, immediate, failure, plan.classification)
        if decision.reason in ("requested", "failures"):
            plan.route, plan.handoff_reason = "handoff", decision.reason
            plan.scenario, plan.scenario_articles = None, []
            return decision
        in_context = plan.classification is not None and plan.classification.resolved_with_context
        if failure == "did_not_help" and (
            plan.route in ("greeting", "thanks")
            or (policy.only_complains(plan.text) and not in_context)
        ):
            # "that's not what I asked" is no thank-you, and no question to look up either; a
            # follow-up read with the question before it ("还是不行") is answered in context
            plan.route = "not_covered"
            plan.did_not_help = state.last_status is not None  # there was an answer to fault
            plan.scenario, plan.scenario_articles = None, []
        elif _only_marks(plan) and state.last_status is not None:
            plan.route, plan.did_not_help = "not_covered", True  # "？？？" after an answer
            plan.scenario, plan.scenario_articles = None, []
        if decision.handoff and plan.route != "crisis":
            plan.person_coming = True  # the answer goes out with the hand-off: a person is coming
        again = {"not_covered": "not_covered", "refused": "blocked"}
        if plan.route in again and state.last_status == again[plan.route]:
            plan.fallback_again = True  # the same fallback twice in a row is never sent
        return decision

    def _reply_context(self, plan: TurnPlan, profile) -> ReplyContext:
        articles = [h.article_id for h in plan.scenario_articles] or plan.retrieval.article_ids()[
            :1
        ]
        intent = plan.classification.intent if plan.classification else None
        if plan.route in ("crisis", "handoff", "not_covered"):
            # No risk reminder under a message to a client in danger, a hand-off, or a reply that
            # gives no investment content ("你们能帮我买美股期权吗" is not covered, yet options)
            intent, articles = None, []
        risk_level = getattr(profile, "risk_level", None)
        return reply_context(plan.language, intent, risk_level, articles, self._article_risk)

    def _classify(
        self, text: str, vector: np.ndarray, previous: str | None
    ) -> Classification | None:
        if self._classifier is None:
            return None
        if is_contentless(text):  # "???" names nothing; every backend read it from its marks
            return contentless_classification(text)
        try:
            return self._classifier.classify(
                text, vector, previous, embed=self._retriever.embed_queries
            )
        except Exception as exc:  # a broken model must not stop the turn
            log.warning(
                "classifier failed (%s); the turn goes on with the listed risk phrases only",
                type(exc).__name__,
            )
            return phrases_only(text)

    def _retrieve(self, plan: TurnPlan, vector, previous, history) -> RetrievalResult:
        retrieval = self._retriever.search(plan.query, vector)
        resolved = plan.classification is not None and plan.classification.resolved_with_context
        follow_up = is_follow_up_phrase(plan.text) or resolved
        if not (previous and follow_up):
            return retrieval
        # A follow-up ("还是不行") is searched as what the client means: rewritten by the model
        # when there is one, otherwise together with the question it follows.
        query = in_chinese_terms(f"{_without_masked_data(previous)} {plan.query}")
        if self._rewriter is not None:
            deadline = plan.started + 5.0
            plan.rewritten = self._rewriter.rewrite(plan.text, history, plan.language, deadline)
            query = plan.rewritten or query
        combined = self._retriever.search(query)
        if not resolved and not self._about_own_topic(plan, combined):
            return retrieval
        return combined if combined.confidence > retrieval.confidence else retrieval

    def _about_own_topic(self, plan: TurnPlan, combined: RetrievalResult) -> bool:
        """Whether the search read with the previous question still answers a follow-up that
        names its own subject (read alone by the classifier): its first article must be one of
        the intent's. "那港股通呢" after a 科创板 question takes that question's predicate and
        stays about 港股通; "那两融呢" after "港股通怎么开通" read together was about 港股通,
        and is searched alone."""
        if not names_own_topic(plan.text) or plan.classification is None:
            return True
        own = self._intent_articles.get(plan.classification.intent)
        first = combined.article_ids()[:1]
        return not own or (bool(first) and first[0] in own)

    def _apply_scenario(self, plan: TurnPlan, vector: np.ndarray) -> None:
        """An approved scenario takes over a turn about its case, except small talk and
        questions routed as not covered."""
        if self._scenarios is None or plan.route in ("crisis", "greeting", "thanks", "not_covered"):
            return
        if plan.classification is not None and "crisis" in plan.classification.flags:
            return  # a person, not a template, answers a client in crisis
        intent, confidence = plan.classification.top3[0] if plan.classification else (None, 0.0)
        match = self._scenarios.choose(intent, confidence, vector)
        if match is None:
            return
        plan.route, plan.scenario = "scenario", match
        plan.scenario_articles = [
            self._retriever.article_result(a, plan.query, vector).articles[0]
            for a in match.articles
        ]

    def unavailable(self, text: str) -> Reply:
        """The reply when the knowledge base cannot be searched at all: honest, and a person is
        offered. The client's message is already stored, so nothing is lost."""
        draft = self._composer.offline.unavailable(reply_language(text))
        return Reply(
            text=draft.text,
            citations=[],
            status="degraded",
            annotations={
                "responder": "offline",
                "prompt_version": draft.template,
                "degraded": "retrieval_unavailable",
            },
        )


_MASKED = re.compile(r"[\w.@+-]*\*{2,}[\w.@+-]*")


def _only_marks(plan: TurnPlan) -> bool:
    return plan.classification is not None and plan.classification.backend == CONTENTLESS


def _without_masked_data(text: str) -> str:
    stripped = _MASKED.sub(" ", text)
    return stripped if stripped.strip() else text


def _without_client_name(history: list[HistoryTurn], profile: ClientProfile) -> list[HistoryTurn]:
    """The conversation as the Assistant (and any model) reads it: approved scenario texts address
    the client by the profile's name, and earlier replies holding it must not carry it into a
    prompt: the name as stored and as shown (cleaned and shortened), longest first. A
    one-character name is left alone (it would take the character out of every word)."""
    names = {(profile.name or "").strip(), shown_name(profile) or ""}
    names = sorted((n for n in names if len(n) >= 2), key=len, reverse=True)
    if not names:
        return history
    scrubbed = []
    for turn in history:
        text = turn.text
        for name in names:
            text = text.replace(name, _client_word(turn.text))
        scrubbed.append(HistoryTurn(turn.role, text))
    return scrubbed


def _client_word(text: str) -> str:
    return "客户" if re.search(r"[\u4e00-\u9fff]", text) else "the client"


def _previous_client_text(history: list[HistoryTurn]) -> str | None:
    for turn in reversed(history):
        if turn.role == "client":
            return turn.text
    return None


def _reply(
    plan: TurnPlan, composed: Composed, interventions: tuple, escalation: Escalation | None
) -> Reply:
    classification = plan.classification
    return Reply(
        text=composed.text,
        citations=composed.citations,
        status=composed.status,
        intent=classification.intent if classification else None,
        emotion=classification.emotion_view() if classification else None,
        annotations=_annotations(plan, composed, interventions, escalation),
        interventions=list(interventions),
    )


def _annotations(
    plan: TurnPlan, composed: Composed, interventions: tuple, escalation: Escalation | None
) -> dict:
    retrieval = plan.retrieval
    return {
        "language": plan.language,
        "route": plan.route,
        "responder": composed.responder,
        "prompt_version": composed.template,
        "scenario": plan.scenario.scenario_id if plan.scenario else None,
        "rewritten_question": plan.rewritten,
        **({"llm": composed.details} if composed.details else {}),
        "retrieval": {
            "confidence": round(retrieval.confidence, 4),
            **{k: round(v, 4) for k, v in retrieval.signals.items()},
            "articles": retrieval.article_ids(),
        },
        "classification": plan.classification.as_dict() if plan.classification else None,
        "compliance": [
            {"rule_id": i.rule_id, "action": i.action, "where": i.where} for i in interventions
        ],
        "escalation": escalation.as_dict() if escalation else None,
        "elapsed_ms": round((time.monotonic() - plan.started) * 1000, 1),
    }
