"""The OpenAI-compatible backend and the caller's rules, through the real `openai` client against
a fake server on 127.0.0.1."""

import threading
import time

import pytest

from agent.llm.breaker import CircuitBreaker
from agent.llm.calling import LlmCaller
from agent.llm.chat import ChatMessage, ChatRequest, LlmError
from agent.llm.openai_chat import OpenAIChat
from tests.support.fake_openai import FakeOpenAI, Script

REQUEST = ChatRequest((ChatMessage("user", "你好"),), max_tokens=50)


@pytest.fixture
def fake():
    with FakeOpenAI() as server:
        yield server


def caller(fake, breaker=None, retries=2, first=3.0, idle=1.0, key=None):
    model = OpenAIChat(fake.base_url, "fake-model", key, max_retries=retries, backoff=0.05)
    return LlmCaller(model, breaker or CircuitBreaker(), first, idle)


def collect(llm, deadline=10.0, cancel=None):
    return "".join(llm.stream(REQUEST, time.monotonic() + deadline, cancel))


def test_streams_the_scripted_reply_and_sends_model_key_and_messages(fake):
    fake.script(Script(["您好，", "我是", "安心。"]))
    assert collect(caller(fake, key="sk-test")) == "您好，我是安心。"
    body = fake.chat.requests[0]["body"]
    assert body["model"] == "fake-model" and body["stream"] is True
    assert body["messages"] == [{"role": "user", "content": "你好"}]
    assert fake.chat.requests[0]["auth"] == "Bearer sk-test"


def test_429_and_500_are_retried_with_backoff_before_the_first_token(fake):
    fake.script(Script(status=429, retry_after=0.1), Script(status=500), "好的")
    assert collect(caller(fake)) == "好的"
    assert len(fake.chat.requests) == 3


def test_retries_give_up_with_the_status_as_reason(fake):
    fake.script(*[Script(status=503) for _ in range(3)])
    with pytest.raises(LlmError) as caught:
        collect(caller(fake, retries=2))
    assert caught.value.reason == "http_503"
    assert len(fake.chat.requests) == 3


def test_client_errors_are_not_retried(fake):
    fake.script(Script(status=400), "never")
    with pytest.raises(LlmError, match="400"):
        collect(caller(fake))
    assert len(fake.chat.requests) == 1


def test_no_first_token_in_time_is_a_timeout_and_the_request_is_cancelled(fake):
    fake.script(Script(["迟到"], first_delay=5))
    started = time.monotonic()
    with pytest.raises(LlmError) as caught:
        collect(caller(fake, first=0.5))
    assert caught.value.reason == "timeout"
    assert time.monotonic() - started < 2.0


def test_a_stream_that_stalls_times_out_after_the_idle_limit(fake):
    fake.script(Script(["一", "二", "三"], stall_after=2))
    pieces = []
    with pytest.raises(LlmError) as caught:
        for piece in caller(fake, idle=0.5).stream(REQUEST, time.monotonic() + 10):
            pieces.append(piece)
    assert pieces == ["一", "二"] and caught.value.reason == "timeout"
    wait_until(lambda: fake.chat.disconnects, 3)  # the fake saw the connection closed


def test_the_overall_deadline_wins_over_a_slow_trickle(fake):
    fake.script(Script(["慢"] * 40, chunk_delay=0.2))
    with pytest.raises(LlmError) as caught:
        collect(caller(fake, idle=5), deadline=1.0)
    assert caught.value.reason == "deadline"


def test_malformed_chunks_fail_cleanly(fake):
    fake.script(Script(["好", "的"], malformed_at=1))
    with pytest.raises(LlmError) as caught:
        collect(caller(fake, retries=0))
    assert caught.value.reason in ("malformed", "connection")


def test_cancelling_closes_the_upstream_request_within_two_seconds(fake):
    fake.script(Script(["一"] * 100, chunk_delay=0.1))
    cancel = threading.Event()
    stream = caller(fake).stream(REQUEST, time.monotonic() + 30, cancel)
    assert next(stream) == "一"
    cancel.set()
    cancelled_at = time.monotonic()
    with pytest.raises(LlmError, match="went away"):
        list(stream)
    wait_until(lambda: fake.chat.disconnects, 2)
    assert fake.chat.disconnects[0] - cancelled_at < 2.0


def test_the_breaker_opens_after_repeated_failures_and_skips_the_model(fake):
    breaker = CircuitBreaker(failures=2, reset_after=60)
    llm = caller(fake, breaker, retries=0)
    fake.script(Script(status=500), Script(status=500))
    for _ in range(2):
        with pytest.raises(LlmError):
            collect(llm)
    with pytest.raises(LlmError) as caught:
        collect(llm)
    assert caught.value.reason == "circuit_open"
    assert len(fake.chat.requests) == 2  # the third call never left


def test_an_unreachable_endpoint_is_a_connection_failure():
    from tests.support.servers import free_port

    model = OpenAIChat(f"http://127.0.0.1:{free_port()}/v1", "m", max_retries=1, backoff=0.01)
    with pytest.raises(LlmError) as caught:
        "".join(LlmCaller(model, CircuitBreaker()).stream(REQUEST, time.monotonic() + 5))
    assert caught.value.reason == "connection"


def wait_until(condition, seconds):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)
