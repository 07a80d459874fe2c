"""A client asks, Anxin answers from the knowledge base, and everything is stored."""

import json

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from server.storage.models import AuditEvent, Message


def test_star_market_question_end_to_end(api):
    conversation = api.conversation()
    response = api.say(conversation, "科创板开户需要什么条件？")
    assert response.status_code == 200
    reply = response.json()["reply"]
    assert reply["status"] == "answered"
    assert "50万" in reply["text"] and "24个月" in reply["text"]
    assert reply["citations"][0] == {
        "article_id": "star-market-permission",
        "title": "科创板交易权限开通条件",
        "ref": 1,
    }
    assert reply["intent"] == "trading_permission"
    assert reply["emotion"] == {"label": "neutral", "intensity": 0, "flags": []}


def test_traditional_characters_cite_stock_connect(api):
    reply = api.say(api.conversation(), "港股通開通條件是什麼").json()["reply"]
    assert "stock-connect" in [c["article_id"] for c in reply["citations"][:3]]


@pytest.mark.parametrize(
    ("text", "article"),
    [
        ("请问怎么开通Stock Connect", "stock-connect"),
        ("开通STAR Market要什么条件", "star-market-permission"),
    ],
)
def test_english_product_names_in_chinese_are_read_as_ours(api, text, article):
    """Regression (newcomer run): "请问怎么开通Stock Connect" was answered from the margin article.
    The stored message keeps what the client typed."""
    conversation = api.conversation()
    reply = api.say(conversation, text).json()["reply"]
    assert reply["citations"][0]["article_id"] == article, reply
    listed = api.client.get(f"/v1/conversations/{conversation}/messages", headers=api.headers())
    assert listed.json()["messages"][0]["text"] == text


def test_uncovered_question_is_answered_honestly(api):
    reply = api.say(api.conversation(), "你们能帮我买美股期权吗").json()["reply"]
    assert reply["status"] == "not_covered"
    assert reply["citations"] == []
    assert "人工客服" in reply["text"]


def test_messages_are_listed_in_order_with_annotations(api):
    conversation = api.conversation()
    api.say(conversation, "印花税怎么收")
    api.say(conversation, "转账几点能转")
    listed = api.client.get(f"/v1/conversations/{conversation}/messages", headers=api.headers())
    assert listed.status_code == 200
    messages = listed.json()["messages"]
    assert [m["role"] for m in messages] == ["client", "assistant", "client", "assistant"]
    assert messages[0]["status"] == "answered"
    assert messages[1]["reply_to"] == messages[0]["id"]
    assert messages[1]["citations"]
    assert [m["id"] for m in messages] == sorted(m["id"] for m in messages)


def test_personal_data_is_masked_before_storage(api):
    conversation = api.conversation()
    api.say(conversation, "我身份证11010519491231002X，手机13812345678，密码锁了")
    engine = create_engine(api.settings.resolved_database_url)
    with Session(engine) as session:
        texts = [m.text for m in session.scalars(select(Message))]
        audit = [
            json.dumps(e.detail, ensure_ascii=False) for e in session.scalars(select(AuditEvent))
        ]
    engine.dispose()
    joined = "\n".join(texts + audit)
    assert "19491231" not in joined and "12345678" not in joined
    assert "110105********002X" in joined


def test_idempotent_retry_returns_the_same_reply_and_stores_nothing_twice(api):
    conversation = api.conversation()
    first = api.say(conversation, "两融开通条件", **{"Idempotency-Key": "k-1"})
    again = api.say(conversation, "两融开通条件", **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    messages = api.client.get(
        f"/v1/conversations/{conversation}/messages", headers=api.headers()
    ).json()["messages"]
    assert len(messages) == 2


def test_same_key_with_different_text_is_a_conflict(api):
    conversation = api.conversation()
    api.say(conversation, "两融开通条件", **{"Idempotency-Key": "k-2"})
    clash = api.say(conversation, "印花税多少", **{"Idempotency-Key": "k-2"})
    assert clash.status_code == 409
    assert clash.json()["error"]["code"] == "idempotency_key_reused"


def test_without_a_key_each_post_is_a_new_turn(api):
    conversation = api.conversation()
    api.say(conversation, "印花税多少")
    api.say(conversation, "印花税多少")
    messages = api.client.get(
        f"/v1/conversations/{conversation}/messages", headers=api.headers()
    ).json()["messages"]
    assert len(messages) == 4


def test_audit_trail_records_the_turn_without_client_text(api):
    conversation = api.conversation()
    api.say(conversation, "印花税多少")
    engine = create_engine(api.settings.resolved_database_url)
    with Session(engine) as session:
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.conversation_id == conversation)
            .order_by(AuditEvent.id)
        ).all()
    engine.dispose()
    assert [e.action for e in events] == ["conversation_created", "message_received", "reply_sent"]
    assert "印花税" not in json.dumps([e.detail for e in events], ensure_ascii=False)
    assert events[-1].detail["articles"]


def test_concurrent_retries_with_one_key_all_get_the_first_reply(api):
    from concurrent.futures import ThreadPoolExecutor

    conversation = api.conversation()
    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(
            pool.map(
                lambda _: api.say(conversation, "转账几点能转", **{"Idempotency-Key": "race-1"}),
                range(20),
            )
        )
    assert {r.status_code for r in responses} == {200}
    assert len({r.json()["reply"]["id"] for r in responses}) == 1
    messages = api.client.get(
        f"/v1/conversations/{conversation}/messages", headers=api.headers()
    ).json()["messages"]
    assert [m["role"] for m in messages] == ["client", "assistant"]


def test_messages_page_backwards_from_the_newest(api):
    conversation = api.conversation()
    for question in ("印花税多少", "转账几点能转", "两融开通条件"):
        api.say(conversation, question)
    url = f"/v1/conversations/{conversation}/messages"
    newest = api.client.get(url, params={"limit": 4}, headers=api.headers()).json()
    assert len(newest["messages"]) == 4 and newest["next_before"] == newest["messages"][0]["id"]
    older = api.client.get(
        url, params={"limit": 4, "before": newest["next_before"]}, headers=api.headers()
    ).json()
    assert [m["text"] for m in older["messages"]][0] == "印花税多少"
    assert len(older["messages"]) == 2 and older["next_before"] is None
    bad = api.client.get(url, params={"limit": 0}, headers=api.headers())
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_request"


def test_sqlite_file_is_private(api):
    from pathlib import Path

    path = Path(api.settings.resolved_database_url.removeprefix("sqlite:///"))
    if path.exists():
        assert oct(path.stat().st_mode & 0o777) == "0o600"
