"""The local `transformers` chat backend, on a tiny model built in the test."""

import threading
import time

import pytest

from agent.errors import SetupError
from agent.llm.breaker import CircuitBreaker
from agent.llm.calling import LlmCaller
from agent.llm.chat import ChatMessage, ChatRequest, LlmError
from tests.support.tiny_lm import build_tiny_lm

ANSWER = "科创板开户需要满足资产条件[1]。"
TEXTS = ["您好 请问 科创板 开户 需要 什么 条件", "资产 不低于 50万元 交易 经验 24个月"] * 20


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    prompt = [{"role": m.role, "content": m.content} for m in request().messages]
    return build_tiny_lm(tmp_path_factory.mktemp("tiny-lm"), TEXTS, ANSWER, prompt)


def request(tokens=20):
    return ChatRequest(
        (ChatMessage("system", "只根据资料回答"), ChatMessage("user", "科创板 开户 条件")),
        max_tokens=tokens,
        temperature=0.0,
    )


def test_generates_text_through_the_chat_template(model_dir):
    from agent.llm.local_chat import LocalChat

    model = LocalChat(model_dir)
    caller = LlmCaller(model, CircuitBreaker(), first_token_timeout=30, idle_timeout=30)
    text = "".join(caller.stream(request(), time.monotonic() + 60))
    assert "[1]" in text and "科创板" in text  # what it was taught to say
    again = "".join(caller.stream(request(), time.monotonic() + 60))
    assert again == text  # greedy decoding is repeatable


def test_cancelling_stops_generation(model_dir):
    from agent.llm.local_chat import LocalChat

    model = LocalChat(model_dir)
    cancel = threading.Event()
    caller = LlmCaller(model, CircuitBreaker(), first_token_timeout=30, idle_timeout=30)
    stream = caller.stream(request(tokens=2000), time.monotonic() + 60, cancel)
    next(stream)
    cancel.set()
    with pytest.raises(LlmError, match="went away"):
        list(stream)
    started = time.monotonic()
    assert model._lock.acquire(timeout=5)  # generation let go of the model
    assert time.monotonic() - started < 2


def test_a_directory_without_a_model_is_a_setup_error(tmp_path):
    from agent.llm.local_chat import LocalChat

    with pytest.raises(SetupError, match="ANXIN_LLM_MODEL_DIR"):
        LocalChat(tmp_path)
