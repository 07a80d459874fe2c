"""Rewriting a follow-up ("那港股通呢") into a standalone question with the model, so that the
knowledge base is searched for what the client means. The client never sees the rewrite."""

from __future__ import annotations

import time

from agent.llm.calling import LlmCaller
from agent.llm.chat import ChatMessage, ChatRequest
from agent.llm.whole_answer import whole_answer
from agent.types import HistoryTurn
from prompts.registry import Template

REWRITE_SECONDS = 3.0  # a rewrite only helps if it is quick; past this the turn goes on without
MAX_CHARS = 200


class QuestionRewriter:
    def __init__(self, caller: LlmCaller, template: Template) -> None:
        self._caller = caller
        self._template = template

    @property
    def version(self) -> str:
        return self._template.ref

    def rewrite(
        self, question: str, history: list[HistoryTurn], language: str, deadline: float
    ) -> str | None:
        """The standalone question, or None when the model fails or answers nonsense."""
        request = self._request(question, history, language)
        until = min(deadline, time.monotonic() + REWRITE_SECONDS)
        text = whole_answer(self._caller, request, until, "question rewrite")
        text = (text or "").strip("\"'“”「」")
        return text if 0 < len(text) <= MAX_CHARS else None

    def _request(self, question: str, history: list[HistoryTurn], language: str) -> ChatRequest:
        turns = "\n".join(
            self._template.render(
                "turn_client" if t.role == "client" else "turn_assistant",
                language,
                text=t.text[:200],
            )
            for t in history[-4:]
        )
        user = self._template.render("user", language, turns=turns, question=question)
        system = self._template.render("system", language)
        return ChatRequest(
            (ChatMessage("system", system), ChatMessage("user", user)), max_tokens=80, temperature=0
        )
