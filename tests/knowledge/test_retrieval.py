"""Retrieval over the real index of the shipped articles with the real embedder."""

import pytest


@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("科创板开户需要什么条件？", "star-market-permission"),
        ("港股通開通條件是什麼", "stock-connect"),
        ("两融开通要多少资产", "margin-trading-eligibility"),
        ("转账几点可以转", "bank-transfer-hours"),
        ("ＩＰＯ中签了怎么交钱", "ipo-payment"),
        ("How do I reset my trading password?", "password-reset"),
    ],
)
def test_the_expected_article_comes_first(retriever, question, article):
    result = retriever.search(question)
    assert result.article_ids()[0] == article


def test_query_vector_is_reused_when_given(retriever):
    vector = retriever.embed_query("印花税多少")
    assert (
        retriever.search("印花税多少", vector).article_ids()
        == retriever.search("印花税多少").article_ids()
    )


def test_uncovered_questions_get_lower_confidence_than_covered_ones(retriever):
    covered = retriever.search("科创板开户需要什么条件？").confidence
    uncovered = retriever.search("你们能帮我买美股期权吗").confidence
    assert covered > uncovered


def test_passages_of_an_article_hit_are_its_own_and_never_questions(retriever):
    hit = retriever.search("交易密码忘了怎么办").articles[0]
    assert hit.passages
    assert all(
        p.chunk.article_id == hit.article_id and not p.chunk.is_question for p in hit.passages
    )
