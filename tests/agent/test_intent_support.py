"""Retrieval unsure, classifier sure: the two agree on an article, or retrieval stands."""

import pytest

from agent.classify.data import intent_articles
from agent.classify.types import Classification
from agent.routing import SUPPORT_CONFIDENCE, with_intent_support
from knowledge.retrieval import ArticleHit, RetrievalResult

ARTICLES = {"dividends": ["dividends", "dividend-tax"], "trading_rules": ["trading-hours"]}


def _hit(article_id: str) -> ArticleHit:
    return ArticleHit(article_id, article_id, 0.5, [], 0.9, 0.85)


def _retrieval(*ids: str, confidence: float = 0.2) -> RetrievalResult:
    return RetrievalResult("q", [_hit(i) for i in ids], confidence, {"unknown_share": 0.7})


def _classified(intent: str, confidence: float, **extra) -> Classification:
    return Classification(
        intent, confidence, [(intent, confidence), ("out_of_scope", 0.1)], False, **extra
    )


def test_agreeing_article_goes_first_with_the_classifier_confidence():
    retrieval = _retrieval("account-opening", "dividends", "trading-hours")
    supported = with_intent_support(_classified("dividends", 0.7), retrieval, 0.5, ARTICLES)
    assert supported.article_ids() == ["dividends", "account-opening", "trading-hours"]
    assert supported.confidence == 0.7
    assert supported.signals["retrieval_confidence"] == 0.2
    assert supported.signals["intent_support"] == 0.7
    assert supported.signals["unknown_share"] == 0.7  # retrieval's own signals are kept
    # Only the agreeing articles move; the intent's others further down stay where they were.
    later = _retrieval("a", "dividends", "b", "dividend-tax")
    moved = with_intent_support(_classified("dividends", 0.7), later, 0.5, ARTICLES)
    assert moved.article_ids() == ["dividends", "a", "b", "dividend-tax"]


@pytest.mark.parametrize(
    "classification, retrieval",
    [
        # the classifier is not sure enough
        (_classified("dividends", SUPPORT_CONFIDENCE - 0.01), _retrieval("dividends")),
        # no article of the intent among the first three
        (_classified("dividends", 0.9), _retrieval("a", "b", "c", "dividends")),
        # an intent without articles of its own
        (_classified("greeting", 0.9), _retrieval("dividends")),
        # retrieval is sure already: it stands as it is
        (_classified("dividends", 0.9), _retrieval("account-opening", "dividends", confidence=0.8)),
        # out of scope, or a crisis, is never turned into an article
        (
            Classification("out_of_scope", 0.9, [("dividends", 0.9)], True),
            _retrieval("dividends"),
        ),
        (_classified("dividends", 0.9, flags=["crisis"]), _retrieval("dividends")),
        (None, _retrieval("dividends")),
    ],
)
def test_retrieval_stands_without_agreement(classification, retrieval):
    assert with_intent_support(classification, retrieval, 0.5, ARTICLES) is retrieval


def test_catalogue_intents_map_to_their_articles_but_not_fixed_answers_or_small_talk():
    mapping = intent_articles()
    assert "dividends" in mapping["dividends"]
    assert "investment_advice" not in mapping  # answered by one fixed article
    assert "greeting" not in mapping and "out_of_scope" not in mapping
