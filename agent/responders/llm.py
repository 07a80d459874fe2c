"""The LLM responder: the model writes the answer from numbered sources, and only a grounded
answer reaches the client.

The model's text passes through two gates before any of it is shown: reasoning blocks are
removed, and sentences are held until the answer has cited a source it was given. Failures raise,
so the caller can answer from the offline responder instead.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Generator
from dataclasses import dataclass, field

from agent.llm.calling import LlmCaller
from agent.llm.chat import ChatRequest
from agent.llm.reasoning import ReasoningFilter
from agent.responders.context import Source, build_context, choose_sources
from agent.responders.grounding import GroundedRelease
from agent.types import Citation, Delta, HistoryTurn
from knowledge.retrieval import ArticleHit
from prompts.registry import Template


@dataclass(frozen=True)
class LlmDraft:
    text: str
    citations: list[Citation]
    template: str
    details: dict = field(default_factory=dict)  # model, tokens, sources: for annotations


class LlmResponder:
    def __init__(
        self,
        caller: LlmCaller,
        template: Template,
        context_tokens: int = 3000,
        max_output_tokens: int = 600,
        temperature: float = 0.2,
    ) -> None:
        self.caller = caller
        self._template = template
        self._budget = context_tokens
        self._max_tokens = max_output_tokens
        self._temperature = temperature

    @property
    def version(self) -> str:
        return self._template.ref

    def stream(
        self,
        question: str,
        language: str,
        articles: list[ArticleHit],
        history: list[HistoryTurn],
        guidance: str | None,
        deadline: float,
        cancel: threading.Event | None = None,
    ) -> Generator[Delta, None, LlmDraft]:
        """Yields released sentences; returns the draft. Raises LlmError or UngroundedError."""
        sources = choose_sources(articles)
        context = build_context(
            self._template, language, question, sources, history, guidance, self._budget
        )
        request = ChatRequest(context.messages, self._max_tokens, self._temperature)
        known = "\n".join([question, guidance or "", *(s.text for s in context.sources)])
        reasoning, release = ReasoningFilter(), GroundedRelease(len(context.sources), known)
        pieces = self.caller.stream(request, deadline, cancel)
        waited = 0.0  # time spent waiting for the model, so the rest can be measured apart
        while True:
            asked = time.perf_counter()
            piece = next(pieces, None)
            waited += time.perf_counter() - asked
            if piece is None:
                break
            for sentence in release.feed(reasoning.feed(piece)):
                yield Delta(sentence, whole=True)
        for sentence in release.feed(reasoning.finish()) + release.finish():
            yield Delta(sentence, whole=True)
        return LlmDraft(
            text=release.text.strip(),
            citations=_citations(release.cited, context.sources),
            template=self._template.ref,
            details={
                "model": self.caller.model.name,
                "prompt_tokens": context.prompt_tokens,
                "sources": [s.article_id for s in context.sources],
                "history_turns": context.history_turns,
                "model_wait_ms": round(waited * 1000, 1),
            },
        )


def _citations(cited: list[int], sources: tuple[Source, ...]) -> list[Citation]:
    by_number = {s.number: s for s in sources}
    return [Citation(by_number[n].article_id, by_number[n].title, n) for n in sorted(set(cited))]
