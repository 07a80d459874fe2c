"""Choosing how a turn is answered: a short approved reply, a knowledge-base answer, or an honest
"not covered"."""

from __future__ import annotations

import re
from dataclasses import replace
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
# Retrieval's confidence falls with words no article uses, so a typo or pinyin ("消户", "分洪",
# "zhuanzhang") can sink a covered question. When the classifier, which reads characters and
# was trained on such spellings, is this sure of an intent and one of that intent's articles is
# among retrieval's first few, the two agree and the article answers.
SUPPORT_CONFIDENCE = 0.5
SUPPORT_WITHIN = 3
# Signs that a message asks something or for something: a satisfied client's question ("太好了
# 那能买比特币吗") or request ("帮我把这句话翻译成日语：今天天气很好") is still one, answered or
# honestly not covered.
_ASKS = re.compile(
    r"[?？]|吗|呢|什么|怎么|如何|哪里|哪个|哪些|哪儿|多少|能不能|可不可以|是不是|有没有|"
    r"麻烦|请|能否|我要|我想|想要|"
    r"\b(please|help me|i want|i need|i'd like)\b|"
    r"(^|[,.!;，。！；]\s*)(how|what|when|where|why|which|can|could|do|does|is|are|will)\b|"
    r"\b(can|could|would|will|do) you\b",
    re.I,
)

# Words of praise or thanks: the emotion model alone read "Translate 'good morning' into
# Japanese" as satisfied.
_PRAISES = re.compile(
    r"谢|点赞|赞|好评|五星|棒|给力|靠谱|专业|耐心|满意|不错|好用|方便|真快|很快|好快|效率|"
    r"辛苦|解决了|搞定|顺利|到账了|太好了|厉害|👍|❤|"
    r"\b(thanks?|thank you|great|awesome|excellent|helpful|quick|fast|love|appreciate|perfect|"
    r"amazing|brilliant|well done|good job)\b",
    re.I,
)


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
    route = _route(classification, retrieval, min_confidence, pinned)
    if route == "not_covered" and is_praise(classification, text):
        # "你们处理得真快 半小时就给我解冻了" is no uncovered question: it is thanked, not told
        # that it is outside what the Assistant can look up.
        return "thanks"
    return route


def is_praise(classification: Classification | None, text: str) -> bool:
    """A satisfied message that praises or thanks and asks nothing."""
    return (
        classification is not None
        and classification.emotion == "satisfied"
        and not set(classification.flags) - {"wants_human"}  # a request is the hand-off's
        and bool(_PRAISES.search(text))
        and not _ASKS.search(text)
    )


def _route(
    classification: Classification | None,
    retrieval: RetrievalResult,
    min_confidence: float,
    pinned: dict[str, str] | None,
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
