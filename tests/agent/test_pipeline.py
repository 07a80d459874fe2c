from agent.pipeline import Assistant
from agent.responders.offline import OfflineResponder
from prompts.registry import PromptRegistry
from server.settings import Settings


def _assistant(retriever):
    return Assistant(
        retriever,
        OfflineResponder(PromptRegistry().get("offline_answer"), Settings().min_confidence),
    )


def test_star_market_question_is_answered_with_facts_and_citation(retriever):
    reply = _assistant(retriever).answer("科创板开户需要什么条件？")
    assert reply.status == "answered"
    assert "50万" in reply.text and "24个月" in reply.text
    assert reply.citations[0].article_id == "star-market-permission"
    assert reply.intent is None and reply.emotion is None


def test_traditional_characters_cite_stock_connect(retriever):
    reply = _assistant(retriever).answer("港股通開通條件是什麼")
    assert "stock-connect" in [c.article_id for c in reply.citations[:3]]


def test_us_options_are_not_covered_and_a_person_is_offered(retriever):
    reply = _assistant(retriever).answer("你们能帮我买美股期权吗")
    assert reply.status == "not_covered"
    assert reply.citations == []
    assert "人工客服" in reply.text
    for invented in ("美股期权的", "开户条件", "万元"):
        assert invented not in reply.text


def test_reply_records_how_it_was_made(retriever):
    reply = _assistant(retriever).answer("印花税怎么收")
    notes = reply.annotations
    assert notes["responder"] == "offline"
    assert notes["prompt_version"] == "offline_answer@6"
    assert 0.0 <= notes["retrieval"]["confidence"] <= 1.0
    assert notes["retrieval"]["articles"][0] == reply.citations[0].article_id


def test_unavailable_reply_is_honest(retriever):
    reply = _assistant(retriever).unavailable("科创板")
    assert reply.status == "degraded" and reply.citations == [] and "暂时无法查询" in reply.text


def test_the_clients_name_is_taken_out_of_history_as_stored_and_as_shown():
    """Regression: an approved text shows the name cleaned and cut to 24 characters, and that
    shown form went on to the model because only the stored form was looked for."""
    from agent.pipeline import _without_client_name
    from agent.scenarios import ClientProfile, shown_name
    from agent.types import HistoryTurn

    for stored in ("王‹小>明", "Christopher Alexander Montgomery-Smith", "演示客户一"):
        profile = ClientProfile(name=stored)
        history = [
            HistoryTurn("assistant", f"{shown_name(profile)}，别着急，可以自助重置。"),
            HistoryTurn("client", f"我是{stored}"),
        ]
        replayed = " ".join(t.text for t in _without_client_name(history, profile))
        assert shown_name(profile) not in replayed and stored not in replayed, stored
        assert "客户，别着急" in replayed
    one = ClientProfile(name="金")  # a one-character name would take 金 out of 资金
    assert _without_client_name([HistoryTurn("client", "资金")], one)[0].text == "资金"
