"""Server-sent events: pieces of text, then one event with the whole reply."""

from tests.server.conftest import sse_events as _events


def test_streamed_reply_ends_with_the_whole_reply_object(api):
    conversation = api.conversation()
    response = api.say(conversation, "科创板开户需要什么条件？", Accept="text/event-stream")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["x-accel-buffering"] == "no"
    events = _events(response.text)
    names = [name for name, _ in events]
    assert names[-1] == "reply" and set(names[:-1]) == {"delta"} and len(names) > 2
    final = events[-1][1]["reply"]
    assert "".join(data["text"] for name, data in events if name == "delta") == final["text"]
    assert final["citations"][0]["article_id"] == "star-market-permission"


def test_streamed_and_plain_replies_are_stored_alike(api):
    conversation = api.conversation()
    streamed = _events(api.say(conversation, "印花税多少", Accept="text/event-stream").text)[-1][1]
    messages = api.client.get(
        f"/v1/conversations/{conversation}/messages", headers=api.headers()
    ).json()["messages"]
    assert messages[-1]["id"] == streamed["reply"]["id"]
    assert messages[-1]["text"] == streamed["reply"]["text"]


def test_errors_before_streaming_are_plain_json(api):
    response = api.say("no-such-conversation", "你好", Accept="text/event-stream")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "conversation_not_found"
