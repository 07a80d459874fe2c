"""Choosing how a turn is answered: a short approved reply, a knowledge-base answer, or an honest
"not covered"."""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from agent.classify.types import OUT_OF_SCOPE, Classification
from agent.praise import asks_something, is_praise
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
# Retrieval's confidence falls with words no article uses, so a typo or pinyin ("消户", "分洪",
# "zhuanzhang") can sink a covered question. When the classifier, which reads characters and
# was trained on such spellings, is this sure of an intent and one of that intent's articles is
# among retrieval's first few, the two agree and the article answers.
SUPPORT_CONFIDENCE = 0.5
SUPPORT_WITHIN = 3


def with_intent_support(
    classification: Classification | None,
    retrieval: RetrievalResult,
    min_confidence: float,
    intent_articles: dict[str, list[str]],
) -> RetrievalResult:
    """The retrieval result, or, when retrieval is unsure but the classifier's intent agrees with
    one of its first few articles, that article first and the classifier's confidence (both
    confidences kept in the signals)."""
    if (
        classification is None
        or classification.out_of_scope
        or retrieval.confidence >= min_confidence
    ):
        return retrieval
    if "crisis" in classification.flags:
        return retrieval
    intent, confidence = classification.top3[0]
    own = set(intent_articles.get(intent, ()))
    if confidence < SUPPORT_CONFIDENCE or not own:
        return retrieval
    agreeing = [hit for hit in retrieval.articles[:SUPPORT_WITHIN] if hit.article_id in own]
    if not agreeing:
        return retrieval
    moved = {hit.article_id for hit in agreeing}
    rest = [hit for hit in retrieval.articles if hit.article_id not in moved]
    signals = {
        **retrieval.signals,
        "retrieval_confidence": retrieval.confidence,
        "intent_support": confidence,
    }
    return replace(retrieval, articles=agreeing + rest, confidence=confidence, signals=signals)


def choose_route(
    classification: Classification | None,
    retrieval: RetrievalResult,
    min_confidence: float,
    pinned: dict[str, str] | None = None,
    text: str = "",
) -> Route:
    route = _route(classification, retrieval, min_confidence, pinned, text)
    if route == "not_covered" and is_praise(classification, text):
        # "你们处理得真快 半小时就给我解冻了" is no uncovered question: it is thanked, not told
        # that it is outside what the Assistant can look up.
        return "thanks"
    return route


def is_thanks_only(classification: Classification, text: str) -> bool:
    """A thank-you that is one: not angry or worn down ("真是谢谢你们了啊，钱卡在里面三天了") and
    asking nothing besides ("太好了终于中签了 谢谢 怎么缴款"); otherwise it is answered or looked up
    like any other message."""
    return classification.emotion not in ("angry", "frustrated") and not asks_something(text)


def _route(
    classification: Classification | None,
    retrieval: RetrievalResult,
    min_confidence: float,
    pinned: dict[str, str] | None,
    text: str,
) -> Route:
    if classification is not None:
        if "crisis" in classification.flags:
            return "crisis"  # before anything else: a person and a hotline, never a quote
        intent, confidence = classification.top3[0]
        small_talk = intent == "greeting" or (
            intent == "thanks" and is_thanks_only(classification, text)
        )
        if small_talk and confidence >= SMALL_TALK_CONFIDENCE:
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
