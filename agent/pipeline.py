"""The Assistant: orders the steps of one turn. The mechanics live in the step modules."""

from __future__ import annotations

import logging
import time

from agent.language import reply_language
from agent.responders.offline import OfflineResponder
from agent.types import HistoryTurn, Reply
from knowledge.retrieval import Retriever

log = logging.getLogger("agent")


class Assistant:
    """Answers one client turn from the knowledge base.

    Takes text that `agent.intake.prepare_client_text` already normalised and masked."""

    def __init__(self, retriever: Retriever, responder: OfflineResponder) -> None:
        self._retriever = retriever
        self._responder = responder

    def knowledge_reachable(self) -> bool:
        return self._retriever.store_reachable()

    def answer(self, text: str, history: list[HistoryTurn] | None = None) -> Reply:
        started = time.perf_counter()
        language = reply_language(text)
        vector = self._retriever.embed_query(text)  # once per turn, shared by every later step
        retrieval = self._retriever.search(text, vector)
        draft = self._responder.respond(retrieval, language)
        elapsed_ms = (time.perf_counter() - started) * 1000
        log.debug("turn answered: status=%s in %.1f ms", draft.status, elapsed_ms)
        return Reply(
            text=draft.text,
            citations=draft.citations,
            status=draft.status,
            annotations={
                "language": language,
                "responder": "offline",
                "prompt_version": draft.template,
                "retrieval": {
                    "confidence": round(retrieval.confidence, 4),
                    **{k: round(v, 4) for k, v in retrieval.signals.items()},
                    "articles": retrieval.article_ids(),
                },
                "elapsed_ms": round(elapsed_ms, 1),
            },
        )

    def unavailable(self, text: str) -> Reply:
        """The reply when the knowledge base cannot be searched at all: honest, and a person is
        offered. The client's message is already stored, so nothing is lost."""
        draft = self._responder.not_covered(reply_language(text))
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
