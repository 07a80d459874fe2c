"""The hand-off summary written by the model for the person taking over a conversation. The
package's extractive summary stands when the model fails or is slow."""

from __future__ import annotations

from agent.llm.calling import LlmCaller
from agent.llm.chat import ChatMessage, ChatRequest
from agent.llm.whole_answer import whole_answer
from prompts.registry import Template

MAX_CHARS = 600
_TURN_CHARS = 200
_TURNS = 12


class HandoffSummarizer:
    def __init__(self, caller: LlmCaller, template: Template) -> None:
        self._caller = caller
        self._template = template

    @property
    def version(self) -> str:
        return self._template.ref

    def summarise(
        self, turns: list[dict], tried: list[dict], reason: str, language: str, deadline: float
    ) -> str | None:
        """The summary, or None when the model fails, is slow or writes nothing usable.
        `turns` are the package's client turns (stored text: already masked)."""
        lines = []
        for turn, attempt in zip(turns[-_TURNS:], tried[-_TURNS:] + [None] * _TURNS, strict=False):
            mood = f"{turn.get('emotion') or '?'}/{turn.get('intensity') or 0}"
            lines.append(
                f"client ({turn.get('intent') or '?'}, {mood}): {turn['text'][:_TURN_CHARS]}"
            )
            if attempt:
                lines.append(
                    f"assistant: {attempt['status']}"
                    + (f", failure={attempt['failure']}" if attempt.get("failure") else "")
                    + (f", cited {', '.join(attempt['articles'])}" if attempt["articles"] else "")
                )
        request = ChatRequest(
            (
                ChatMessage("system", self._template.render("system", language)),
                ChatMessage(
                    "user",
                    self._template.render("user", language, turns="\n".join(lines), reason=reason),
                ),
            ),
            max_tokens=300,
            temperature=0,
        )
        text = whole_answer(self._caller, request, deadline, "hand-off summary by model")
        return text[:MAX_CHARS] if text else None
