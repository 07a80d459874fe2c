"""Answers written by a model: the real app, the real `openai` client and a fake
OpenAI-compatible server on 127.0.0.1 that says exactly what each test scripts."""

from __future__ import annotations

import logging
import time

import httpx
import pytest

from server.app import create_app
from server.auth import issue_token
from server.settings import Settings
from tests.server.conftest import running_api, sse_events
from tests.support.app_server import serving
from tests.support.fake_openai import FakeOpenAI, Script
from tests.support.servers import free_port

QUESTION = "科创板开户需要什么条件？"


@pytest.fixture
def fake():
    with FakeOpenAI() as server:
        yield server


def llm_settings(data_dir, database_url, base_url, **extra) -> Settings:
    values = dict(
        data_dir=data_dir,
        database_url=database_url,
        llm_base_url=base_url,
        llm_model="fake-model",
        llm_first_token_timeout=2.0,
        llm_idle_timeout=1.0,
        llm_deadline=6.0,
        llm_max_retries=1,
    )
    return Settings(**(values | extra))


@pytest.fixture
def llm_api(data_dir_with_index, fake):
    settings = llm_settings(data_dir_with_index, None, fake.base_url)
    with running_api(settings) as ready:
        yield ready


def test_a_grounded_model_answer_is_sent_with_its_citations(llm_api, fake):
    fake.script("科创板开户要求前20个交易日日均资产不低于50万元[1]，并有24个月交易经验[1]。")
    reply = llm_api.say(llm_api.conversation(), QUESTION).json()["reply"]
    assert reply["text"].startswith("科创板开户要求")
    assert reply["citations"][0] == {
        "article_id": "star-market-permission",
        "title": reply["citations"][0]["title"],
        "ref": 1,
    }
    prompt = fake.chat.requests[0]["body"]["messages"]
    assert prompt[0]["role"] == "system" and "只根据【资料】" in prompt[0]["content"]
    assert "[1]《" in prompt[1]["content"] and QUESTION in prompt[1]["content"]


@pytest.mark.parametrize("marker", ["〔1〕", "[^1]", "［１］"])
def test_a_model_answer_with_another_marker_spelling_is_still_used(llm_api, fake, marker):
    """Regression: 〔1〕 and [^1] were not read as citations, so a grounded answer was dropped."""
    fake.script(f"科创板开户要求前20个交易日日均资产不低于50万元{marker}。")
    reply = llm_api.say(llm_api.conversation(), QUESTION).json()["reply"]
    assert reply["text"].startswith("科创板开户要求"), reply["text"]
    assert reply["citations"][0]["article_id"] == "star-market-permission"


def test_the_stored_reply_records_model_and_prompt_version(llm_api, fake, database_url):
    fake.script("需要满足资产和经验要求[1]。")
    conversation = llm_api.conversation()
    llm_api.say(conversation, QUESTION)
    services = llm_api.client.app.state.services
    from server.storage import repository as repo

    with services.sessions() as session:
        stored = repo.list_messages(session, conversation)[-1]
    assert stored.annotations["responder"] == "llm"
    assert stored.annotations["prompt_version"] == "assistant_answer@1"
    assert stored.annotations["llm"]["model"] == "fake-model"
    assert stored.annotations["llm"]["sources"][0] == "star-market-permission"


def test_reasoning_blocks_never_reach_the_client(llm_api, fake):
    fake.script(
        Script(["<thi", "nk>用户可能想炒股，", "先猜一下行情</th", "ink>开通需要满足条件[1]。"]),
        Script("<think>内部推理</think>要满足资产要求[1]。", reasoning="模型的思考"),
    )
    for _ in range(2):
        body = llm_api.say(llm_api.conversation(), QUESTION, Accept="text/event-stream").text
        assert "think" not in body and "推理" not in body and "行情" not in body
        assert "思考" not in body
        assert sse_events(body)[-1][1]["reply"]["citations"]


def test_a_reply_citing_a_source_it_was_not_given_is_replaced_by_the_offline_answer(llm_api, fake):
    fake.script("科创板开户有要求[1]。另外根据内部消息，这只股票会涨[7]。")
    body = llm_api.say(llm_api.conversation(), QUESTION, Accept="text/event-stream").text
    found = sse_events(body)
    names = [name for name, _ in found]
    assert "reset" in names  # the first sentence was shown, then withdrawn
    after_reset = found[names.index("reset") + 1 :]
    final = found[-1][1]["reply"]
    assert "内部消息" not in final["text"] and "[7]" not in final["text"]
    assert "".join(d["text"] for n, d in after_reset if n == "delta") == final["text"]
    assert final["citations"][0]["article_id"] == "star-market-permission"


def test_an_answer_citing_nothing_is_not_sent(llm_api, fake):
    fake.script("这个很简单，您直接去办就行。")
    reply = llm_api.say(llm_api.conversation(), QUESTION).json()["reply"]
    assert "直接去办" not in reply["text"]
    assert reply["citations"] and reply["status"] == "answered"


def test_429_then_success_is_retried_transparently(llm_api, fake):
    fake.script(Script(status=429, retry_after=0.1), "需要满足资产和经验要求[1]。")
    reply = llm_api.say(llm_api.conversation(), QUESTION).json()["reply"]
    # The compliance filter appends the risk reminder: this is a trading-permission question.
    assert reply["text"].startswith("需要满足资产和经验要求[1]。\n\n市场有风险")
    assert len(fake.chat.requests) == 2


def test_a_failing_model_degrades_to_a_cited_offline_answer_and_logs_no_client_text(
    llm_api, fake, caplog
):
    fake.script(Script(status=500), Script(status=500))
    with caplog.at_level(logging.WARNING):
        reply = llm_api.say(llm_api.conversation(), "科创板开户需要什么条件呀 张三").json()["reply"]
    assert reply["citations"][0]["article_id"] == "star-market-permission"
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("offline answer sent" in w for w in warnings)
    assert not any("张三" in w or "科创板" in w for w in warnings)


def test_a_stalled_stream_falls_back_within_the_idle_timeout(llm_api, fake):
    fake.script(Script(["科创板", "开户"], stall_after=1))
    started = time.monotonic()
    reply = llm_api.say(llm_api.conversation(), QUESTION).json()["reply"]
    assert time.monotonic() - started < 5
    assert reply["citations"] and "科创板开户" not in reply["text"][:4]


def test_a_finished_sentence_is_shown_before_the_model_writes_the_next(llm_api, fake):
    """Regression: each sentence waited for the next one, so when the model stalled after its
    first sentence the client never saw it before the fallback."""
    first = "科创板开户要求前20个交易日日均资产不低于50万元[1]。"
    fake.script(Script([first, "另外还"], stall_after=1))
    body = llm_api.say(llm_api.conversation(), QUESTION, Accept="text/event-stream").text
    events = sse_events(body)
    names = [n for n, _ in events]
    assert events[names.index("delta")][1]["text"] == first
    assert "reset" in names  # then withdrawn for the offline answer when the model stalled


def test_malformed_chunks_fall_back_to_the_offline_answer(llm_api, fake):
    fake.script(Script(["要求", "如下"], malformed_at=1), Script(["要求", "如下"], malformed_at=1))
    reply = llm_api.say(llm_api.conversation(), QUESTION).json()["reply"]
    assert reply["citations"][0]["article_id"] == "star-market-permission"


def test_streamed_events_are_whole_utf8_json_and_pieces_add_up(llm_api, fake):
    fake.script(
        Script(list("科创板权限需满足资产要求[1]，交易经验满24个月[1]。😀"), chunk_delay=0.01)
    )
    response = llm_api.say(llm_api.conversation(), QUESTION, Accept="text/event-stream")
    assert response.headers["x-accel-buffering"] == "no"
    raw = response.content.decode("utf-8")  # raises on a split multi-byte character
    found = sse_events(raw)
    deltas = "".join(d["text"] for n, d in found if n == "delta")
    assert deltas == found[-1][1]["reply"]["text"] and "[1]。😀" in deltas


def test_heartbeats_keep_a_slow_stream_alive(data_dir_with_index, fake):
    settings = llm_settings(
        data_dir_with_index, None, fake.base_url, stream_heartbeat=0.2, llm_first_token_timeout=3.0
    )
    fake.script(Script("需要满足条件[1]。", first_delay=1.0))
    with running_api(settings) as api:
        body = api.say(api.conversation(), QUESTION, Accept="text/event-stream").text
    assert body.count(": keep-alive") >= 2
    assert sse_events(body)[-1][1]["reply"]["text"].startswith("需要满足条件[1]。")


def test_client_disconnect_cancels_the_model_and_records_the_turn_as_interrupted(
    data_dir_with_index, fake
):
    settings = llm_settings(data_dir_with_index, None, fake.base_url, llm_deadline=60.0)
    app = create_app(settings)
    fake.script(Script(["科创板开户需要条件[1]。"] + ["很长的回答。"] * 200, chunk_delay=0.1))
    with serving(app) as base:
        token = issue_token(settings.signing_secret(), "C001", "client", 60)
        auth = {"Authorization": f"Bearer {token}"}
        conversation = httpx.post(f"{base}/v1/conversations", headers=auth).json()["id"]
        url = f"{base}/v1/conversations/{conversation}/messages"
        headers = auth | {"Accept": "text/event-stream", "Idempotency-Key": "k1"}
        with httpx.stream("POST", url, json={"text": QUESTION}, headers=headers) as response:
            for line in response.iter_lines():
                if line.startswith("event: delta"):
                    break
        left_at = time.monotonic()
        deadline = left_at + 5
        while not fake.chat.disconnects:
            assert time.monotonic() < deadline, "the model request was not cancelled"
            time.sleep(0.05)
        assert fake.chat.disconnects[0] - left_at < 2.0
        messages = wait_for_status(base, conversation, auth, "interrupted")
        assert [m["role"] for m in messages] == ["client"]
        # A retry with the same key answers afresh instead of replaying nothing.
        fake.script("需要满足资产和经验要求[1]。")
        retry = httpx.post(url, json={"text": QUESTION}, headers=auth | {"Idempotency-Key": "k1"})
        assert retry.json()["reply"]["text"].startswith("需要满足资产和经验要求[1]。")


def test_with_the_endpoint_down_answers_stay_cited(data_dir_with_index):
    settings = llm_settings(data_dir_with_index, None, f"http://127.0.0.1:{free_port()}/v1")
    with running_api(settings) as api:
        reply = api.say(api.conversation(), QUESTION).json()["reply"]
    assert reply["citations"][0]["article_id"] == "star-market-permission"


def wait_for_status(base, conversation, auth, status):
    deadline = time.monotonic() + 10
    while True:
        messages = httpx.get(f"{base}/v1/conversations/{conversation}/messages", headers=auth)
        rows = messages.json()["messages"]
        if rows and rows[0]["status"] == status:
            return rows
        assert time.monotonic() < deadline, rows
        time.sleep(0.1)


def test_a_local_model_directory_answers_and_its_ungrounded_text_is_not_sent(
    data_dir_with_index, tmp_path
):
    from tests.support.tiny_lm import build_tiny_lm

    model_dir = build_tiny_lm(tmp_path / "tiny-lm", ["科创板 开户 条件 资产"] * 10)
    settings = Settings(
        data_dir=data_dir_with_index,
        llm_model_dir=str(model_dir),
        llm_max_output_tokens=50,
        llm_context_tokens=500,
        llm_first_token_timeout=30.0,
        llm_deadline=60.0,
    )
    with running_api(settings) as api:
        conversation = api.conversation()
        reply = api.say(conversation, QUESTION).json()["reply"]
        services = api.client.app.state.services
        from server.storage import repository as repo

        with services.sessions() as session:
            stored = repo.list_messages(session, conversation)[-1]
    assert reply["citations"][0]["article_id"] == "star-market-permission"
    assert stored.annotations["responder"] == "offline"
    assert stored.annotations["llm"]["llm_failure"] in (
        "cites_nothing",
        "cites_unknown_source",
        "unsupported_figure",
    )


def test_half_configured_endpoints_are_setup_errors(tmp_path):
    from agent.errors import SetupError
    from server.language_model import make_chat_model

    with pytest.raises(SetupError, match="ANXIN_LLM_MODEL"):
        make_chat_model(Settings(data_dir=tmp_path, llm_base_url="http://127.0.0.1:9/v1"))
    with pytest.raises(SetupError, match="not both"):
        make_chat_model(
            Settings(data_dir=tmp_path, llm_base_url="http://127.0.0.1:9/v1", llm_model_dir="x")
        )


def test_a_follow_up_is_rewritten_by_the_model_before_searching(llm_api, fake):
    fake.script(
        "需要满足资产和经验要求[1]。", "港股通开户需要满足什么条件？", "港股通需要资产达标[1]。"
    )
    conversation = llm_api.conversation()
    llm_api.say(conversation, QUESTION)
    reply = llm_api.say(conversation, "那港股通呢").json()["reply"]
    rewrite = fake.chat.requests[1]["body"]["messages"]
    assert "改写" in rewrite[0]["content"] and "科创板开户需要什么条件" in rewrite[1]["content"]
    services = llm_api.client.app.state.services
    from server.storage import repository as repo

    with services.sessions() as session:
        stored = repo.list_messages(session, conversation)[-1]
    assert stored.annotations["rewritten_question"] == "港股通开户需要满足什么条件？"
    assert reply["citations"][0]["article_id"] == "stock-connect"
