"""A waiting client leaving the queue (regression, newcomer run: a client who no longer needed a
person stayed queued, and a thank-you only brought another queue notice), and the suggested first
reply a person is offered, which quoted the client (their crisis message, or "转人工")."""

from __future__ import annotations

import pytest

from server.queue_exit import asks_only_to_leave, asks_to_leave
from server.storage.models import Handoff, Message
from tests.server.conftest import sse_events


def _agent(api, path, method="post", sub="A001"):
    call = getattr(api.client, method)
    return call(f"/v1/agent{path}", headers=api.headers(sub, "agent"))


def _leave(api, conversation, sub="C001", role="client"):
    return api.client.post(
        f"/v1/conversations/{conversation}/leave-queue", headers=api.headers(sub, role)
    )


def _queued(api, sub="C001"):
    conversation = api.conversation(sub)
    body = api.say(conversation, "转人工", sub=sub).json()
    assert body["handoff"]["state"] == "waiting"
    return conversation, body


@pytest.mark.parametrize(
    "text",
    [
        "取消排队",
        "不用转人工了，已经解决了",
        "不需要人工了 谢谢",
        "退出排队",
        "cancel queue",
        "Never mind, I don't need a person anymore",
        "please cancel my request",
        "no need for an agent anymore, thanks",
        "算了，不用人工了",
    ],
)
def test_words_that_leave_the_queue(text):
    assert asks_to_leave(text)


@pytest.mark.parametrize(
    "text", ["取消排隊", "不用轉人工了", "ｃａｎｃｅｌ ｑｕｅｕｅ", "不需要人工了\u200b 謝謝"]
)
def test_leaving_words_in_traditional_or_full_width_forms_count(text):
    """Regression: the words were matched on the raw text, so 取消排隊 or full-width letters
    neither left a queue nor got the not-queued notice."""
    assert asks_to_leave(text)
    assert asks_only_to_leave(text)


@pytest.mark.parametrize(
    "text",
    [
        "谢谢",
        "已经解决了",
        "不等了 我要去投诉",
        "为什么不用人工处理？",
        "还要多久",
        "转人工",
        "不是不需要人工，是太慢了",
        "How long will this take?",
    ],
)
def test_words_that_stay_in_the_queue(text):
    assert not asks_to_leave(text)


def test_the_queue_notices_say_how_to_leave(api):
    conversation, body = _queued(api)
    assert "取消排队" in body["notice"]["text"]
    later = api.say(conversation, "谢谢，问题好像解决了").json()
    assert later["notice"]["notice"] == "waiting" and "取消排队" in later["notice"]["text"]
    assert later["handoff"]["state"] == "waiting"  # a thank-you alone does not leave


def test_saying_so_in_the_chat_leaves_the_queue_and_the_assistant_answers_again(api):
    conversation, body = _queued(api)
    left = api.say(conversation, "不用转人工了", **{"Idempotency-Key": "leave-1"}).json()
    assert left["reply"] is None
    assert left["notice"]["notice"] == "left_queue" and "取消排队" in left["notice"]["text"]
    assert left["handoff"]["id"] == body["handoff"]["id"] and left["handoff"]["state"] == "left"
    # A retry gets the same outcome back and changes nothing.
    again = api.say(conversation, "不用转人工了", **{"Idempotency-Key": "leave-1"}).json()
    assert again == left
    queue = _agent(api, "/queue", method="get").json()
    assert conversation not in [i["conversation_id"] for i in queue["waiting"]]
    answered = api.say(conversation, "港股通怎么开通").json()
    assert answered["reply"]["status"] == "answered" and answered["handoff"] is None
    # Asking for a person again starts a new hand-off.
    again = api.say(conversation, "转人工").json()
    assert (
        again["handoff"]["state"] == "waiting" and again["handoff"]["id"] != left["handoff"]["id"]
    )


def test_an_english_client_leaves_in_english(api):
    conversation = api.conversation()
    api.say(conversation, "I want to talk to a human")
    left = api.say(conversation, "cancel queue").json()
    assert left["notice"]["notice"] == "left_queue"
    assert left["notice"]["text"].startswith("You have left the queue")


def test_the_api_leaves_the_queue_and_records_who_left(api):
    conversation, body = _queued(api)
    response = _leave(api, conversation)
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "left" and response.json()["id"] == body["handoff"]["id"]
    messages = api.client.get(
        f"/v1/conversations/{conversation}/messages", headers=api.headers()
    ).json()["messages"]
    assert messages[-1]["role"] == "system" and messages[-1]["notice"] == "left_queue"
    with api.client.app.state.services.sessions() as session:
        stored = session.get(Handoff, body["handoff"]["id"])
        assert stored.status == "withdrawn" and stored.resolved_at is not None
    streamed = api.say(conversation, "港股通怎么开通", Accept="text/event-stream")
    names = [name for name, _ in sse_events(streamed.text)]
    assert "delta" in names and names[-1] == "reply"  # the Assistant speaks again
    summary = api.client.get("/v1/admin/summary", headers=api.headers("X1", "admin")).json()
    assert summary["handoffs_open"] == 0  # a hand-off the client left is not open
    # Leaving twice: nothing to leave.
    twice = _leave(api, conversation)
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "not_handed_off"


def test_once_a_person_has_it_the_client_tells_them(api):
    conversation, _ = _queued(api)
    assert _agent(api, f"/conversations/{conversation}/claim").status_code == 200
    refused = _leave(api, conversation)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "with_person"
    said = api.say(conversation, "不用人工了").json()
    assert said["handoff"]["state"] == "with_person"
    assert said["notice"]["notice"] == "tell_person"  # was no answer at all (newcomer run)
    view = _agent(api, f"/conversations/{conversation}", method="get").json()
    assert view["package"]["turns"][-1]["text"] == "不用人工了"  # the person reads it


def test_only_the_conversations_client_may_leave_its_queue(api):
    conversation, _ = _queued(api)
    assert _leave(api, conversation, sub="C002").status_code == 404
    assert _leave(api, conversation, sub="A001", role="agent").status_code == 403
    assert _leave(api, "no-such-conversation").status_code == 404
    fresh = api.conversation()
    assert _leave(api, fresh).json()["error"]["code"] == "not_handed_off"


def test_a_crisis_while_waiting_never_leaves_the_queue(api):
    conversation, _ = _queued(api, "C002")
    body = api.say(conversation, "不用人工了 我不想活了", sub="C002").json()
    assert body["notice"]["notice"] == "crisis" and body["handoff"]["state"] == "waiting"


def test_the_suggested_reply_cares_first_in_a_crisis_and_never_quotes_the_client(api):
    crisis = api.conversation("C002")
    api.say(crisis, "亏光了 我不想活了", sub="C002")
    package = _agent(api, f"/conversations/{crisis}", method="get").json()["package"]
    assert package["reason"] == "crisis"
    assert "陪着您" in package["suggested_reply"] and "12356" in package["suggested_reply"]
    assert "不想活" not in package["suggested_reply"]

    requested, _ = _queued(api)
    package = _agent(api, f"/conversations/{requested}", method="get").json()["package"]
    assert package["suggested_reply"].startswith("您好，我是人工客服")
    assert "转人工" not in package["suggested_reply"]


def test_a_client_queued_for_a_crisis_is_not_let_go(api):
    """Regression (newcomer run): "取消排队吧，反正活着也没意思了" then "不需要人工了" left the
    queue, and no person ever saw the despair. A crisis hand-off stays; its notices offer no way
    out."""
    conversation = api.conversation("C002")
    first = api.say(conversation, "亏光了 我不想活了", sub="C002").json()
    assert first["handoff"]["reason"] == "crisis"
    assert first["notice"] is None or "取消排队" not in first["notice"]["text"]
    stay = api.say(conversation, "不需要人工了", sub="C002").json()
    assert stay["notice"]["notice"] == "crisis_stays" and "12356" in stay["notice"]["text"]
    assert stay["handoff"]["state"] == "waiting"
    refused = _leave(api, conversation, sub="C002")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "crisis_handoff"
    later = api.say(conversation, "还要多久", sub="C002").json()
    assert later["notice"]["notice"] == "waiting_stay" and "取消排队" not in later["notice"]["text"]


def test_despair_while_waiting_turns_the_queue_notices(api):
    conversation, _ = _queued(api, "C002")
    crisis = api.say(conversation, "取消排队吧，反正活着也没意思了", sub="C002").json()
    assert crisis["notice"]["notice"] == "crisis" and crisis["handoff"]["state"] == "waiting"
    assert api.say(conversation, "不需要人工了", sub="C002").json()["notice"]["notice"] == (
        "crisis_stays"
    )


@pytest.mark.parametrize("text", ["cancel queue, I just want to die", "取消排队，我只想死"])
def test_wanting_to_die_while_leaving_the_queue_keeps_the_client_queued(api, text):
    """Regression (re-run of the newcomer cases): "cancel queue, I just want to die" left the
    queue with no crisis reply; the model missed it and no phrase named wanting to die."""
    conversation, _ = _queued(api, "C002")
    body = api.say(conversation, text, sub="C002").json()
    assert body["notice"]["notice"] == "crisis" and "12356" in body["notice"]["text"]
    assert body["handoff"]["state"] == "waiting" and body["handoff"]["reason"] == "crisis"


def test_declining_a_person_outside_the_queue_is_no_request(api):
    """Regression (re-run of the newcomer cases): "I don't need a human anymore" in a fresh
    conversation was read as a request and handed off."""
    body = api.say(api.conversation(), "I don't need a human anymore").json()
    assert body["handoff"] is None and body["notice"]["notice"] == "not_queued"


NOT_QUEUED_ZH = [
    "取消排队",
    "我要取消排队",
    "不用转人工了",
    "不需要人工了 谢谢",
    "算了，不用排队了",
]
NOT_QUEUED_EN = ["cancel queue", "Cancel the queue please", "never mind, I don't need a human"]


@pytest.mark.parametrize(
    "text",
    [*NOT_QUEUED_ZH, *NOT_QUEUED_EN, "不用转人工了，已经解决了", "no need for an agent, thanks"],
)
def test_words_that_only_ask_to_leave(text):
    assert asks_only_to_leave(text)


@pytest.mark.parametrize(
    "text",
    [
        "不用转人工了，我想问下港股通怎么开",  # a question of its own
        "取消排队，港股通开户需要什么条件？",
        "我想取消排队的委托",  # an order waiting at the limit price
        "取消排队，转人工",
        "cancel my transfer",  # outside a queue: a bank transfer
        "please cancel my request",
        "怎么撤单",
        "撤单失败怎么办",
        "取消排队，我只想死",
    ],
)
def test_words_that_ask_more_than_leaving(text):
    assert not asks_only_to_leave(text)


def _stored(api, message_id):
    with api.client.app.state.services.sessions() as session:
        return session.get(Message, message_id)


def test_leaving_a_queue_one_is_not_in_gets_a_notice_not_the_cancel_template(api):
    """Regression: "取消排队" with no hand-off read as cancelling an order (撤) and got the order
    answers; now the client is told they are not waiting for a person."""
    for text, opening in [(t, "您目前没有在排队") for t in NOT_QUEUED_ZH] + [
        (t, "You are not waiting for a person") for t in NOT_QUEUED_EN
    ]:
        conversation = api.conversation()
        body = api.say(conversation, text).json()
        assert body["reply"] is None and body["handoff"] is None, (text, body)
        assert body["notice"]["notice"] == "not_queued", text
        assert body["notice"]["text"].startswith(opening), text
        roles = [
            m["role"]
            for m in api.client.get(
                f"/v1/conversations/{conversation}/messages", headers=api.headers()
            ).json()["messages"]
        ]
        assert roles == ["client", "system"], text
        answered = api.say(conversation, "港股通怎么开通").json()
        assert answered["reply"]["status"] == "answered", text


def test_the_not_queued_notice_is_streamed_and_replayed(api):
    conversation = api.conversation()
    streamed = api.say(
        conversation, "取消排队", Accept="text/event-stream", **{"Idempotency-Key": "nq-1"}
    )
    events = sse_events(streamed.text)
    assert [name for name, _ in events] == ["reply"]
    first = events[0][1]
    assert first["reply"] is None and first["notice"]["notice"] == "not_queued"
    again = api.say(conversation, "取消排队", **{"Idempotency-Key": "nq-1"}).json()
    assert again == first


@pytest.mark.parametrize("text", ["怎么撤单", "撤单失败怎么办"])
def test_order_cancel_questions_still_get_the_cancel_template(api, text):
    body = api.say(api.conversation(), text).json()
    assert body["notice"] is None and body["reply"]["status"] == "answered"
    stored = _stored(api, body["reply"]["id"])
    assert stored.annotations["prompt_version"] == "scenario:order-cancel-failed"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("不用转人工了，我想问下港股通怎么开", "stock_connect"),
        ("cancel queue. How do I open Stock Connect?", "stock_connect"),
        ("cancel my transfer", "bank_transfer"),
    ],
)
def test_leaving_words_with_a_question_outside_a_queue_get_the_answer(api, text, intent):
    body = api.say(api.conversation(), text).json()
    assert body["notice"] is None and body["reply"]["status"] == "answered"
    assert body["reply"]["intent"] == intent


def test_despair_in_words_that_leave_no_queue_still_gets_the_crisis_reply(api):
    body = api.say(api.conversation("C002"), "cancel queue, I just want to die", sub="C002").json()
    assert body["reply"] is not None and "12356" in body["reply"]["text"]
    assert body["handoff"]["reason"] == "crisis"
