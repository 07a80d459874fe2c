"""Choosing how a turn is answered: a short approved reply, a knowledge-base answer, or an honest
"not covered"."""

from __future__ import annotations

from typing import Literal

from agent.classify.types import OUT_OF_SCOPE, Classification
from knowledge.retrieval import RetrievalResult

Route = Literal["crisis", "greeting", "thanks", "pinned", "knowledge", "not_covered"]
# Small talk is answered with an approved line only when the classifier is sure; otherwise the
# knowledge base gets its chance.
SMALL_TALK_CONFIDENCE = 0.6
# An intent with a fixed answering article (a stock-tip request → what the Assistant may not
# advise) takes it when the classifier is at least this sure.
PINNED_CONFIDENCE = 0.5
# The classifier overrules retrieval for out-of-scope questions only when it is this sure and
# retrieval is not: both have blind spots, and agreeing on "not covered" costs little.
OUT_OF_SCOPE_CONFIDENCE = 0.5
RETRIEVAL_OVERRULE_BELOW = 0.9


def choose_route(
    classification: Classification | None,
    retrieval: RetrievalResult,
    min_confidence: float,
    pinned: dict[str, str] | None = None,
) -> Route:
    if classification is not None:
        if "crisis" in classification.flags:
            return "crisis"  # before anything else: a person and a hotline, never a quote
        intent, confidence = classification.top3[0]
        if intent in ("greeting", "thanks") and confidence >= SMALL_TALK_CONFIDENCE:
            return intent
        if intent in (pinned or {}) and confidence >= PINNED_CONFIDENCE:
            return "pinned"
        if (
            intent == OUT_OF_SCOPE
            and confidence >= OUT_OF_SCOPE_CONFIDENCE
            and retrieval.confidence < RETRIEVAL_OVERRULE_BELOW
        ):
            return "not_covered"
    if not retrieval.articles or retrieval.confidence < min_confidence:
        return "not_covered"
    return "knowledge"
