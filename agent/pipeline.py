"""The Assistant: orders the steps of one turn. The mechanics live in the step modules."""

from __future__ import annotations

import logging
import time
from typing import Protocol

import numpy as np

from agent.classify.types import Classification
from agent.language import reply_language
from agent.responders.offline import Draft, OfflineResponder
from agent.routing import choose_route
from agent.types import HistoryTurn, Reply
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
        responder: OfflineResponder,
        classifier: Classifier | None = None,
        min_confidence: float = 0.5,
        pinned_articles: dict[str, str] | None = None,
    ) -> None:
        self._retriever = retriever
        self._responder = responder
        self._classifier = classifier
        self._min_confidence = min_confidence
        self._pinned = pinned_articles or {}  # intent -> the article that answers it

    def knowledge_reachable(self) -> bool:
        return self._retriever.store_reachable()

    def answer(self, text: str, history: list[HistoryTurn] | None = None) -> Reply:
        started = time.perf_counter()
        language = reply_language(text)
        previous = _previous_client_text(history or [])
        vector = self._retriever.embed_query(text)  # once per turn, shared by every later step
        classification = self._classify(text, vector, previous)
        retrieval = self._retrieve(text, vector, previous, classification)
        route = choose_route(classification, retrieval, self._min_confidence, self._pinned)
        if route == "pinned":
            article_id = self._pinned[classification.top3[0][0]]
            retrieval = self._retriever.article_result(article_id, text, vector)
        draft = self._draft(route, retrieval, language)
        elapsed_ms = (time.perf_counter() - started) * 1000
        log.debug("turn answered: route=%s status=%s in %.1f ms", route, draft.status, elapsed_ms)
        return Reply(
            text=draft.text,
            citations=draft.citations,
            status=draft.status,
            intent=classification.intent if classification else None,
            emotion=classification.emotion_view() if classification else None,
            annotations=_annotations(language, route, draft, retrieval, classification, elapsed_ms),
        )

    def _classify(
        self, text: str, vector: np.ndarray, previous: str | None
    ) -> Classification | None:
        if self._classifier is None:
            return None
        return self._classifier.classify(
            text, vector, previous, embed=self._retriever.embed_queries
        )

    def _retrieve(
        self,
        text: str,
        vector: np.ndarray,
        previous: str | None,
        classification: Classification | None,
    ) -> RetrievalResult:
        retrieval = self._retriever.search(text, vector)
        if previous and classification is not None and classification.resolved_with_context:
            # A follow-up ("还是不行") is searched together with the question it follows.
            combined = self._retriever.search(f"{previous} {text}")
            if combined.confidence > retrieval.confidence:
                return combined
        return retrieval

    def _draft(self, route: str, retrieval: RetrievalResult, language: str) -> Draft:
        if route in ("greeting", "thanks"):
            return self._responder.small_talk(route, language)
        if route == "not_covered":
            return self._responder.not_covered(language)
        return self._responder.respond(retrieval, language)  # knowledge and pinned alike

    def unavailable(self, text: str) -> Reply:
        """The reply when the knowledge base cannot be searched at all: honest, and a person is
        offered. The client's message is already stored, so nothing is lost."""
        draft = self._responder.unavailable(reply_language(text))
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


def _previous_client_text(history: list[HistoryTurn]) -> str | None:
    for turn in reversed(history):
        if turn.role == "client":
            return turn.text
    return None


def _annotations(language, route, draft, retrieval, classification, elapsed_ms) -> dict:
    return {
        "language": language,
        "route": route,
        "responder": "offline",
        "prompt_version": draft.template,
        "retrieval": {
            "confidence": round(retrieval.confidence, 4),
            **{k: round(v, 4) for k, v in retrieval.signals.items()},
            "articles": retrieval.article_ids(),
        },
        "classification": classification.as_dict() if classification else None,
        "elapsed_ms": round(elapsed_ms, 1),
    }
