"""The offline responder on real retrieval results over the shipped articles."""

import pytest

from agent.responders.offline import OfflineResponder
from knowledge.retrieval import RetrievalResult
from prompts.registry import PromptRegistry


@pytest.fixture(scope="module")
def responder():
    return OfflineResponder(PromptRegistry().get("offline_answer"), min_confidence=0.5)


def test_answer_quotes_the_top_article_and_cites_it_first(retriever, responder):
    draft = responder.respond(retriever.search("科创板开户需要什么条件？"), "zh")
    assert draft.status == "answered"
    assert draft.citations[0].article_id == "star-market-permission"
    assert "50万" in draft.text and "24个月" in draft.text
    assert "[1]" in draft.text
    assert len(draft.citations) <= 3


def test_every_numbered_citation_in_the_text_exists(retriever, responder):
    draft = responder.respond(retriever.search("打新中签了钱不够怎么办"), "zh")
    for n in range(1, len(draft.citations) + 1):
        assert f"[{n}]" in draft.text
    assert f"[{len(draft.citations) + 1}]" not in draft.text


def test_low_confidence_is_answered_honestly_without_citations(retriever):
    strict = OfflineResponder(PromptRegistry().get("offline_answer"), min_confidence=1.0)
    draft = strict.respond(retriever.search("科创板开户需要什么条件？"), "zh")
    assert draft.status == "not_covered" and draft.citations == []
    assert "人工客服" in draft.text


def test_no_passages_means_not_covered(responder):
    empty = RetrievalResult("x", [], 0.0)
    assert responder.respond(empty, "en").status == "not_covered"


def test_english_question_gets_english_framing(retriever, responder):
    draft = responder.respond(retriever.search("How do I reset my trading password?"), "en")
    assert draft.text.startswith("Here is what our help article")
    assert "human agent" in draft.text


@pytest.mark.parametrize("language", ["zh", "en"])
def test_an_answer_sent_with_a_hand_off_says_a_person_is_coming(retriever, responder, language):
    """Regression: answers that went out with a fraud, regulator or strong-emotion hand-off still
    told the client to reply 转人工 / "talk to a person"."""
    question = "银证转账失败怎么办" if language == "zh" else "My bank transfer failed, what now?"
    result = retriever.search(question)
    answer = responder.respond(result, language, person_coming=True).text
    covered_not = responder.not_covered(language, person_coming=True).text
    for text in (answer, covered_not):
        assert "转人工" not in text and "talk to a person" not in text
        assert ("人工客服正在为您接入" in text) or ("being connected" in text)
    assert "转人工" in responder.respond(result, "zh").text  # without a hand-off, unchanged
