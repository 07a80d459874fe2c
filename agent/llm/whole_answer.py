"""A short model answer read whole (a rewritten question, a hand-off summary): reasoning blocks
left out, and None when the call fails, so the caller goes on without it."""

from __future__ import annotations

import logging

from agent.llm.calling import LlmCaller
from agent.llm.chat import ChatRequest, LlmError
from agent.llm.reasoning import ReasoningFilter

log = logging.getLogger("agent")


def whole_answer(
    caller: LlmCaller, request: ChatRequest, deadline: float, purpose: str
) -> str | None:
    reasoning = ReasoningFilter()
    try:
        text = "".join(reasoning.feed(p) for p in caller.stream(request, deadline))
    except LlmError as exc:
        log.warning("%s skipped: %s", purpose, exc.reason)
        return None
    return (text + reasoning.finish()).strip()
