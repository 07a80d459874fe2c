"""Hand-off to people through the real app and database: the escalation policy's decisions, the
queue, the agent API, the return to the Assistant and the client's rating."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from server.storage.models import Handoff
from tests.server.conftest import sse_events

OUT_OF_SCOPE = ["今天北京天气怎么样", "帮我写一个Python爬虫程序", "推荐一部好看的电视剧"]


def _agent(api, path, sub="A001", role="agent", method="post", **body):
    call = getattr(api.client, method)
    kwargs = {"headers": api.headers(sub, role)}
    if method == "post":
        kwargs["json"] = body
    return call(f"/v1/agent{path}", **kwargs)


def _messages(api, conversation, sub="C001", role="client"):
    response = api.client.get(
        f"/v1/conversations/{conversation}/messages", headers=api.headers(sub, role)
    )
    assert response.status_code == 200, response.text
    return response.json()["messages"]


def test_request_for_a_person_hands_off_at_once_and_the_assistant_falls_silent(api):
    conversation = api.conversation()
    first = api.say(conversation, "转人工")
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["reply"]["status"] == "handed_off"
    assert "转接人工" in body["reply"]["text"]
    assert body["handoff"]["state"] == "waiting" and body["handoff"]["reason"] == "requested"
    assert body["handoff"]["queue"] == "service"  # C001 is a basic-tier client
    assert body["notice"]["role"] == "system" and body["notice"]["notice"] == "queued"
    assert "前面还有0位" in body["notice"]["text"]

    later = api.say(conversation, "科创板开户需要什么条件？").json()
    assert later["reply"] is None  # a person owns the conversation now
    # ...but the message is classified for the person who will read it.
    assert _messages(api, conversation)[-2]["intent"] == "trading_permission"
    assert later["notice"]["notice"] == "waiting"
    assert later["handoff"]["id"] == body["handoff"]["id"]  # no second hand-off
    roles = [m["role"] for m in _messages(api, conversation)]
    assert roles == ["client", "assistant", "system", "client", "system"]

    streamed = api.say(conversation, "还要多久", Accept="text/event-stream")
    events = sse_events(streamed.text)
    assert [name for name, _ in events] == ["reply"]  # no deltas: the Assistant is silent
    assert events[0][1]["reply"] is None and events[0][1]["notice"]["notice"] == "waiting"


def test_three_failed_turns_hand_off_and_no_fallback_is_sent_twice_in_a_row(api):
    conversation = api.conversation()
    replies = [api.say(conversation, text).json() for text in OUT_OF_SCOPE]
    texts = [r["reply"]["text"] for r in replies]
    assert [r["reply"]["status"] for r in replies] == ["not_covered", "not_covered", "handed_off"]
    assert texts[0] != texts[1] != texts[2]
    assert replies[0]["handoff"] is None and replies[1]["handoff"] is None
    assert replies[2]["handoff"]["reason"] == "failures"


@pytest.mark.parametrize(
    ("after", "text"),
    [("港股通怎么开通", "没用"), ("How do I reset my password?", "that didn't help")],
)
def test_saying_an_answer_did_not_help_is_asked_what_is_unsolved(api, after, text):
    """Regression (newcomer run): "没用" after an answer was told "this question is not covered",
    as if it were a question. It counts as a failure, and the next fallback is worded anew."""
    conversation = api.conversation()
    assert api.say(conversation, after).json()["reply"]["status"] == "answered"
    body = api.say(conversation, text).json()
    reply = body["reply"]
    assert reply["status"] == "not_covered"
    assert "没能帮到您" in reply["text"] or "did not help" in reply["text"], reply["text"]
    assert "这个问题" not in reply["text"] and "this question" not in reply["text"]
    again = api.say(conversation, text).json()["reply"]
    assert again["status"] == "not_covered" and again["text"] != reply["text"]
    third = api.say(conversation, text).json()  # each counted as a failure: the third hands off
    assert third["handoff"]["reason"] == "failures", third


@pytest.mark.parametrize("text", ["???", "？？？？？？", "。。。", "!!!"])
def test_marks_alone_are_no_strong_emotion_and_no_thanks(api, text):
    """Regression (newcomer run): "???" was read as angry 3 and handed to a person for strong
    emotion, and "。。。" as a thank-you; after an answer, "？？？" is asked what is unsolved."""
    conversation = api.conversation("C002")
    body = api.say(conversation, text, sub="C002").json()
    assert body["handoff"] is None, body
    assert body["reply"]["status"] == "not_covered"
    assert body["reply"]["emotion"]["intensity"] <= 1
    assert "不客气" not in body["reply"]["text"]
    answered = api.conversation("C002")
    api.say(answered, "港股通怎么开通", sub="C002")
    after = api.say(answered, text, sub="C002").json()
    assert after["handoff"] is None and "没能帮到您" in after["reply"]["text"], after


def test_a_thumbs_down_is_a_failed_turn(api):
    conversation = api.conversation()
    api.say(conversation, OUT_OF_SCOPE[0])
    good = api.say(conversation, "科创板开户需要什么条件？").json()
    assert good["reply"]["status"] == "answered"  # an answer ends the run of failures
    url = f"/v1/conversations/{conversation}/messages/{good['reply']['id']}/rating"
    down = api.client.post(url, json={"helpful": False}, headers=api.headers())
    assert down.status_code == 200 and down.json()["failure_streak"] == 1
    again = api.client.post(url, json={"helpful": False}, headers=api.headers())
    assert again.json()["failure_streak"] == 1  # the same thumbs-down twice counts once
    api.say(conversation, OUT_OF_SCOPE[1])
    third = api.say(conversation, OUT_OF_SCOPE[2]).json()
    assert third["handoff"]["reason"] == "failures"
    client_message = _messages(api, conversation)[0]
    wrong = api.client.post(
        f"/v1/conversations/{conversation}/messages/{client_message['id']}/rating",
        json={"helpful": False},
        headers=api.headers(),
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "not_a_reply"


def test_an_agent_claims_replies_notes_and_resolves_and_the_client_rates(api):
    conversation = api.conversation()
    api.say(conversation, "我要人工客服")

    queue = _agent(api, "/queue", method="get").json()
    item = next(i for i in queue["waiting"] if i["conversation_id"] == conversation)
    assert item["reason"] == "requested" and item["tier"] == "basic"
    assert item["target_seconds"] == 300 and not item["overdue"]
    # An advisor does not take the service queue; a client does not see the queue at all.
    advisor = _agent(api, f"/conversations/{conversation}/claim", sub="V001", role="advisor")
    assert advisor.status_code == 403
    assert api.client.get("/v1/agent/queue", headers=api.headers()).status_code == 403

    # Replying before claiming is refused; two agents claiming: the second is told.
    early = _agent(api, f"/conversations/{conversation}/messages", text="您好")
    assert early.status_code == 409 and early.json()["error"]["code"] == "not_claimed"
    claimed = _agent(api, f"/conversations/{conversation}/claim")
    assert claimed.status_code == 200 and claimed.json()["claimed_by"] == "A001"
    other = _agent(api, f"/conversations/{conversation}/claim", sub="A002")
    assert other.status_code == 409 and other.json()["error"]["code"] == "already_claimed"

    view = _agent(api, f"/conversations/{conversation}", method="get").json()
    package = view["package"]
    assert package["reason"] == "requested" and package["profile"] == {
        "tier": "basic",
        "risk_level": "C3",
    }
    assert package["turns"][0]["text"] == "我要人工客服" and package["turns"][0]["intent"]
    assert "客户首先问" in package["summary"] and package["summary_by"] == "extractive"
    assert package["suggested_reply"].startswith("您好，我是人工客服")

    sent = _agent(
        api, f"/conversations/{conversation}/messages", text="您好，请留一下手机号13812345678"
    )
    assert sent.status_code == 200, sent.text
    assert "13812345678" not in sent.json()["message"]["text"]
    assert sent.json()["masked"] == ["mobile"]
    blocked = _agent(
        api, f"/conversations/{conversation}/messages", text="放心买，这只股票保证收益，稳赚不赔"
    )
    assert blocked.status_code == 422 and blocked.json()["error"]["code"] == "message_blocked"
    assert _agent(api, f"/conversations/{conversation}/notes", text="客户很着急").status_code == 200

    client_view = _messages(api, conversation)
    assert [m["role"] for m in client_view][-2:] == ["system", "agent"]  # joined, the reply
    assert not any(m["role"] == "note" for m in client_view)
    staff_view = _agent(api, f"/conversations/{conversation}", method="get").json()["messages"]
    assert staff_view[-1]["role"] == "note"

    too_soon = api.client.post(
        f"/v1/conversations/{conversation}/feedback",
        json={"speed": 5, "resolution": 5, "attitude": 5},
        headers=api.headers(),
    )
    assert too_soon.status_code == 409 and too_soon.json()["error"]["code"] == "nothing_to_rate"

    resolved = _agent(api, f"/conversations/{conversation}/resolve")
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    assert _messages(api, conversation)[-1]["notice"] == "returned"
    back = api.say(conversation, "科创板开户需要什么条件？").json()
    assert back["reply"]["status"] == "answered" and "50万" in back["reply"]["text"]

    state = api.client.get(f"/v1/conversations/{conversation}/handoff", headers=api.headers())
    assert state.json()["can_rate"] is True
    rating = {"speed": 5, "resolution": 4, "attitude": 5, "comment": "打我电话13812345678"}
    rated = api.client.post(
        f"/v1/conversations/{conversation}/feedback", json=rating, headers=api.headers()
    )
    assert rated.status_code == 201, rated.text
    twice = api.client.post(
        f"/v1/conversations/{conversation}/feedback", json=rating, headers=api.headers()
    )
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "already_rated"
    bad = api.client.post(
        f"/v1/conversations/{conversation}/feedback",
        json={"speed": 6, "resolution": 4, "attitude": 5},
        headers=api.headers(),
    )
    assert bad.status_code == 422

    draft = _agent(api, f"/conversations/{conversation}/knowledge-draft", title="客户要人工的处理")
    assert draft.status_code == 201 and "13812345678" not in draft.json()["body"]
    drafts = api.client.get("/v1/admin/knowledge-drafts", headers=api.headers("X1", "admin"))
    assert drafts.json()[0]["id"] == draft.json()["id"]

    summary = api.client.get("/v1/admin/summary", headers=api.headers("X1", "admin")).json()
    assert summary["conversations"] == 1 and summary["escalation_rate"] == 1.0
    assert summary["containment"] == 0.0 and summary["first_contact_resolution"] == 1.0
    assert summary["csat"] == 1.0 and summary["ratings"] == 1
    assert summary["handoffs_by_reason"] == {"requested": 1}
    assert api.client.get("/v1/admin/summary", headers=api.headers()).status_code == 403

    # Regression: on SQLite `since` lost its offset, so one instant written in Beijing time and
    # in UTC counted different conversations.
    now = datetime.now(UTC)
    beijing, california = timezone(timedelta(hours=8)), timezone(timedelta(hours=-8))
    for since, expected in [
        (now - timedelta(hours=1), 1),
        ((now - timedelta(hours=1)).astimezone(beijing), 1),  # read as 7 hours ahead: 0
        (now + timedelta(minutes=30), 0),
        ((now + timedelta(minutes=30)).astimezone(california), 0),  # read as 7.5 hours ago: 1
    ]:
        counted = api.client.get(
            "/v1/admin/summary",
            params={"since": since.isoformat()},
            headers=api.headers("X1", "admin"),
        ).json()["conversations"]
        assert counted == expected, since.isoformat()


def test_transfer_moves_the_conversation_to_another_queue(api):
    conversation = api.conversation()
    api.say(conversation, "转人工")
    _agent(api, f"/conversations/{conversation}/claim")
    moved = _agent(api, f"/conversations/{conversation}/transfer", queue="advisor")
    assert moved.status_code == 200 and moved.json()["status"] == "waiting"
    assert moved.json()["transfers"] == 1
    assert _messages(api, conversation)[-1]["notice"] == "transferred"
    advisor_queue = _agent(api, "/queue", sub="V001", role="advisor", method="get").json()
    assert conversation in [i["conversation_id"] for i in advisor_queue["waiting"]]
    unknown = _agent(api, f"/conversations/{conversation}/transfer", queue="nowhere")
    assert unknown.status_code == 404
    claimed = _agent(api, f"/conversations/{conversation}/claim", sub="V001", role="advisor")
    assert claimed.status_code == 200
    sent = _agent(
        api, f"/conversations/{conversation}/messages", sub="V001", role="advisor", text="您好"
    )
    assert sent.json()["message"]["role"] == "advisor"


@pytest.mark.parametrize(
    ("client", "text", "reason", "queue"),
    [
        ("C001", "我真的不想活了，钱全亏没了", "crisis", "service"),
        ("C002", "这只票还能拿吗，要不要割肉", "advisor_topic", "advisor"),
        ("C003", "我要投诉你们，再不处理我就去证监会举报", "regulator_threat", "private"),
        ("C001", "有人冒充你们客服让我转账，我的账户是不是被盗了", "fraud", "service"),
    ],
)
def test_urgent_topics_hand_off_at_once_to_the_right_queue(api, client, text, reason, queue):
    conversation = api.conversation(client)
    body = api.say(conversation, text, sub=client).json()
    assert body["handoff"]["reason"] == reason, body
    assert body["handoff"]["queue"] == queue
    if reason == "crisis":
        assert "12356" in body["reply"]["text"]
    else:
        # Regression: the answer sent with the hand-off still told the client to reply 转人工.
        assert "转人工" not in body["reply"]["text"], body["reply"]["text"]
        # Regression (newcomer run): an approved scenario reply sent with the hand-off never said
        # a person was coming; only the queue notice did.
        assert "人工客服正在为您接入" in body["reply"]["text"], body["reply"]["text"]


@pytest.mark.parametrize(
    ("text", "reason", "article"),
    [
        ("股票被套了怎么办", "advisor_topic", "assistant-scope"),
        ("两融爆仓了怎么办", "advisor_topic", "margin-trading-risks"),
        ("你们这帮骗子，再不处理我就去证监会投诉你们", "regulator_threat", "complaints"),
    ],
)
def test_newcomer_questions_are_answered_and_handed_to_the_right_people(api, text, reason, article):
    """Regression (newcomer run): a losing position got "not covered" and no advisor, a blown
    margin account was out of scope, and calling us 骗子 went to a person as fraud."""
    conversation = api.conversation("C002")
    body = api.say(conversation, text, sub="C002").json()
    assert body["handoff"]["reason"] == reason, body
    assert body["reply"]["status"] == "answered", body["reply"]
    assert body["reply"]["citations"][0]["article_id"] == article


@pytest.mark.parametrize(
    "text", ["你们这什么垃圾平台！！！", "我要去证监会举报你们！！！", "What a scam of a broker!!!"]
)
def test_a_hand_off_without_a_question_does_not_call_it_a_question(api, text):
    """Regression: an insult or a threat with no question in it was handed to a person with
    "this question is not covered by what I can look up"."""
    conversation = api.conversation()
    body = api.say(conversation, text).json()
    assert body["handoff"] is not None and body["handoff"]["state"] == "waiting", body
    reply = body["reply"]
    assert "这个问题" not in reply["text"] and "this question" not in reply["text"], reply
    if reply["status"] == "not_covered":  # nothing to quote: the reply says who comes next
        assert "人工客服正在为您接入" in reply["text"] or "being connected" in reply["text"]


@pytest.mark.parametrize(
    "text", [*OUT_OF_SCOPE, "what's the weather like in Paris", "你们能帮我买美股期权吗"]
)
def test_a_not_covered_reply_carries_no_investment_risk_reminder(api, text):
    """Regression (newcomer runs): a reply that gives no investment content carried the risk
    reminder when the question looked like an investment topic (美股期权: options, not offered)."""
    body = api.say(api.conversation(), text).json()
    assert body["reply"]["status"] == "not_covered", body
    assert "市场有风险" not in body["reply"]["text"]
    assert "Investing involves risk" not in body["reply"]["text"]


def test_priority_puts_a_crisis_first_and_grows_with_waiting(api):
    calm = api.conversation("C001")
    api.say(calm, "转人工", sub="C001")
    urgent = api.conversation("C004")
    api.say(urgent, "活不下去了，转人工", sub="C004")
    order = [i["conversation_id"] for i in _agent(api, "/queue", method="get").json()["waiting"]]
    assert order.index(urgent) < order.index(calm)
    # A basic-tier client who has waited past the 5-minute target is marked overdue.
    with api.client.app.state.services.sessions() as session:
        row = session.query(Handoff).filter(Handoff.conversation_id == calm).one()
        row.requested_at = row.requested_at.replace(year=row.requested_at.year - 1)
        session.commit()
    items = {i["conversation_id"]: i for i in _agent(api, "/queue", method="get").json()["waiting"]}
    assert items[calm]["overdue"] is True and items[urgent]["overdue"] is False


def test_staff_routes_refuse_clients_and_unknown_conversations(api):
    conversation = api.conversation()
    assert (
        api.client.post(
            f"/v1/agent/conversations/{conversation}/claim", headers=api.headers()
        ).status_code
        == 403
    )
    missing = _agent(api, "/conversations/no-such/claim")
    assert missing.status_code == 404
    not_waiting = _agent(api, f"/conversations/{conversation}/claim")
    assert not_waiting.status_code == 409
    assert not_waiting.json()["error"]["code"] == "not_handed_off"


def test_a_client_lists_own_conversations_and_sees_own_ratings(api):
    first = api.conversation()
    second = api.conversation()
    api.conversation("C002")
    listed = api.client.get("/v1/conversations", headers=api.headers()).json()["conversations"]
    assert [c["id"] for c in listed][:2] == [second, first] and len(listed) == 2
    assert (
        api.client.get("/v1/conversations", headers=api.headers("A1", "agent")).status_code == 403
    )
    reply = api.say(first, "科创板开户需要什么条件？").json()["reply"]
    api.client.post(
        f"/v1/conversations/{first}/messages/{reply['id']}/rating",
        json={"helpful": True},
        headers=api.headers(),
    )
    assert _messages(api, first)[-1]["rating"] is True


def test_the_package_follows_new_client_messages(api):
    conversation = api.conversation()
    api.say(conversation, "转人工")
    before = _agent(api, f"/conversations/{conversation}", method="get").json()["package"]
    api.say(conversation, "我的转账一直失败")
    after = _agent(api, f"/conversations/{conversation}", method="get").json()["package"]
    assert len(after["turns"]) == len(before["turns"]) + 1
    assert after["turns"][-1]["text"] == "我的转账一直失败"


# Regressions from the newcomer run of the hand-off (issue #6).


def _claimed(api, client="C001"):
    conversation = api.conversation(client)
    api.say(conversation, "转人工", sub=client)
    assert _agent(api, f"/conversations/{conversation}/claim").status_code == 200
    return conversation


@pytest.mark.parametrize(
    "text",
    [
        "建议您买入招商银行",
        "我推荐您买宁德时代，长期持有收益很好",
        "亏了我们公司帮您补偿",
        # the fifth newcomer run: these two reached a client in crisis
        "可以考虑买点贵州茅台，长期拿着",
        "不用担心，跌下去还会涨回来的",
        # the sixth newcomer run: a person's tips in words the rules did not know
        "这个票我觉得后面还有空间，可以再等等看",
        "茅台基本面很扎实，跌到1500附近可以考虑",
        "建议您周一开盘就清仓",
        "这只票稳了，放心拿",
        "600519这个价格很便宜了",
        "我要是你就先别割肉，等反弹再说",
        "比亚迪最近走势不错，值得关注一下",
    ],
)
def test_a_persons_advice_is_refused_never_silently_rewritten(api, text):
    conversation = _claimed(api)
    sent = _agent(api, f"/conversations/{conversation}/messages", text=text)
    assert sent.status_code == 422, sent.text
    assert sent.json()["error"]["code"] == "message_blocked"
    assert "out-" in sent.json()["error"]["message"]  # the rule is named for the person
    assert _messages(api, conversation)[-1]["role"] == "system"  # nothing reached the client


def test_moving_a_conversation_needs_its_claim(api):
    conversation = api.conversation()
    api.say(conversation, "转人工")
    unclaimed = _agent(api, f"/conversations/{conversation}/transfer", queue="advisor")
    assert unclaimed.status_code == 409 and unclaimed.json()["error"]["code"] == "not_claimed"
    advisor = _agent(
        api, f"/conversations/{conversation}/transfer", sub="V001", role="advisor", queue="advisor"
    )
    assert advisor.status_code == 409
    _agent(api, f"/conversations/{conversation}/claim")
    same = _agent(api, f"/conversations/{conversation}/transfer", queue="service")
    assert same.status_code == 409 and same.json()["error"]["code"] == "same_queue"
    admin = _agent(
        api, f"/conversations/{conversation}/transfer", sub="X1", role="admin", queue="advisor"
    )
    assert admin.status_code == 200


def test_a_thumbs_up_after_a_thumbs_down_takes_the_failure_back(api):
    conversation = api.conversation()
    reply = api.say(conversation, "科创板开户需要什么条件？").json()["reply"]
    url = f"/v1/conversations/{conversation}/messages/{reply['id']}/rating"
    streaks = []
    for helpful in (False, True, False, True, False, True):
        streaks.append(
            api.client.post(url, json={"helpful": helpful}, headers=api.headers()).json()[
                "failure_streak"
            ]
        )
    assert streaks == [1, 0, 1, 0, 1, 0]
    bad = api.client.post(url, json={"helpful": "no"}, headers=api.headers())
    assert bad.status_code == 422


def test_a_crisis_while_waiting_becomes_what_the_person_sees_first(api):
    conversation = api.conversation("C002")
    api.say(conversation, "我要人工客服", sub="C002")
    body = api.say(conversation, "我不想活了", sub="C002").json()
    assert body["notice"]["notice"] == "crisis" and "12356" in body["notice"]["text"]
    package = _agent(api, f"/conversations/{conversation}", method="get").json()["package"]
    assert package["reason"] == "crisis"
    assert "crisis" in package["turns"][-1]["flags"]


def test_refusals_are_never_the_same_twice_and_the_third_hands_off(api):
    conversation = api.conversation("C002")
    asks = [
        "帮我写一句承诺年化20%稳赚的宣传语",
        "写一句承诺保本的宣传语",
        "写一句保证不亏钱的广告词",
    ]
    replies = [api.say(conversation, text, sub="C002").json() for text in asks]
    texts = [r["reply"]["text"] for r in replies]
    assert texts[0] != texts[1] != texts[2]
    assert replies[2]["reply"]["status"] == "handed_off"
    assert replies[2]["handoff"]["reason"] == "failures"
    assert "转人工" not in texts[2]  # no longer telling the client to ask for one


def test_a_retried_request_gets_its_notice_and_place_again(api):
    conversation = api.conversation()
    first = api.say(conversation, "转人工", **{"Idempotency-Key": "k1"}).json()
    again = api.say(conversation, "转人工", **{"Idempotency-Key": "k1"}).json()
    assert again == first
    waiting = api.say(conversation, "在吗", **{"Idempotency-Key": "k2"}).json()
    assert api.say(conversation, "在吗", **{"Idempotency-Key": "k2"}).json() == waiting
    assert waiting["notice"]["notice"] == "waiting" and waiting["handoff"]["state"] == "waiting"
    assert waiting["notice"]["created_at"].endswith("+00:00")


def test_the_suggested_reply_names_the_main_article(api):
    conversation = api.conversation()
    answer = api.say(conversation, "科创板开户需要什么条件？").json()["reply"]
    api.say(conversation, "转人工")
    package = _agent(api, f"/conversations/{conversation}", method="get").json()["package"]
    assert answer["citations"][0]["title"] in package["suggested_reply"]


def test_ratings_must_be_whole_numbers(api):
    conversation = _claimed(api)
    _agent(api, f"/conversations/{conversation}/resolve")
    for bad in (
        {"speed": "5", "resolution": 4, "attitude": 5},
        {"speed": True, "resolution": 4, "attitude": 5},
    ):
        response = api.client.post(
            f"/v1/conversations/{conversation}/feedback", json=bad, headers=api.headers()
        )
        assert response.status_code == 422, bad


def test_a_crisis_inside_a_forbidden_request_gets_the_crisis_reply(api):
    """Regression (newcomer run): "你保证我稳赚不赔，不然我就不活了" was refused as a request for a
    promise of returns and told to ask for a person; the crisis reply always comes first."""
    conversation = api.conversation("C002")
    body = api.say(conversation, "你保证我稳赚不赔，不然我就不活了", sub="C002").json()
    assert "12356" in body["reply"]["text"] and body["reply"]["status"] != "blocked"
    assert body["handoff"]["reason"] == "crisis"
    assert "稳赚" not in body["reply"]["text"]
