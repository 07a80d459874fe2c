"""The `llm` backend against the fake OpenAI-compatible server on 127.0.0.1: what it sends, and
what it makes of good, fenced, broken and failing answers."""

import json
import time

import pytest

from agent.classify.fallback import FallbackClassifier
from agent.classify.llm_backend import LLMClassifier, LLMClassifierError, load_intent_catalogue
from agent.classify.types import EMOTIONS, OUT_OF_SCOPE, Classification
from agent.errors import SetupError
from server.classifier_backends import make_classifier
from server.settings import Settings
from tests.support.fake_openai import FakeOpenAI, Script


def _answer(**fields) -> str:
    answer = {
        "intent": "bank_transfer",
        "confidence": 0.86,
        "candidates": [
            {"intent": "bank_transfer", "confidence": 0.86},
            {"intent": "app_problem", "confidence": 0.08},
            {"intent": "fees", "confidence": 0.03},
        ],
        "emotion": "neutral",
        "intensity": 0,
        "flags": [],
        "follow_up": False,
    }
    return json.dumps({**answer, **fields}, ensure_ascii=False)


@pytest.fixture(scope="module")
def fake():
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def llm(fake):
    fake.scripts.clear()
    return LLMClassifier(fake.base_url, "fake-classifier", api_key="sk-test", timeout=1.0)


def test_a_valid_answer_becomes_the_classification(fake, llm):
    fake.script(_answer())
    result = llm.classify("转账几点能转")
    assert (result.intent, result.confidence, result.out_of_scope) == ("bank_transfer", 0.86, False)
    assert result.top3 == [("bank_transfer", 0.86), ("app_problem", 0.08), ("fees", 0.03)]
    assert (result.emotion, result.intensity, result.flags) == ("neutral", 0, [])
    assert (result.backend, result.prompt) == ("llm", "classify_intent@1")
    assert result.as_dict()["prompt"] == "classify_intent@1"


def test_the_request_lists_every_intent_and_asks_for_determinism(fake, llm):
    fake.script(_answer())
    llm.classify("转账几点能转")
    request = fake.chat.requests[-1]
    body = request["body"]
    system, user = body["messages"][0]["content"], body["messages"][1]["content"]
    for intent, description in load_intent_catalogue().items():
        assert f"- {intent}：{description}" in system
    assert all(emotion in system for emotion in EMOTIONS)
    assert "客户消息：转账几点能转" in user and "上一条" not in user
    assert (body["model"], body["temperature"], body.get("stream")) == (
        "fake-classifier",
        0.0,
        None,
    )
    assert request["auth"] == "Bearer sk-test"


def test_a_follow_up_carries_the_previous_turn(fake, llm):
    fake.script(_answer(intent="app_problem", confidence=0.8, candidates=[], follow_up=True))
    result = llm.classify("还是不行", previous="App一直登录不了")
    user = fake.chat.requests[-1]["body"]["messages"][1]["content"]
    assert "上一条客户消息：App一直登录不了" in user and "客户消息：还是不行" in user
    assert result.intent == "app_problem" and result.resolved_with_context
    assert result.top3 == [("app_problem", 0.8)]


def test_follow_up_is_not_claimed_without_a_previous_turn(fake, llm):
    fake.script(_answer(follow_up=True))
    assert not llm.classify("还是不行").resolved_with_context


def test_json_in_a_fence_is_read(fake, llm):
    fake.script(f"好的，分类结果如下：\n```json\n{_answer(intent='ipo', candidates=[])}\n```\n")
    assert llm.classify("打新中签了怎么缴款").intent == "ipo"


def test_an_unknown_intent_is_out_of_scope_with_low_confidence(fake, llm):
    fake.script(_answer(intent="crypto_trading", confidence=0.95))
    result = llm.classify("比特币怎么买")
    assert result.intent == OUT_OF_SCOPE and result.out_of_scope
    assert result.confidence <= 0.1 and result.top3[0] == (OUT_OF_SCOPE, result.confidence)
    assert all(p <= result.confidence for _, p in result.top3)


def test_emotion_flags_and_phrases(fake, llm):
    fake.script(_answer(emotion="furious", intensity=3, flags=["made_up_flag"]))
    calm = llm.classify("转账几点能转")
    assert (calm.emotion, calm.intensity, calm.flags) == ("neutral", 0, [])
    # The model missed the threat; the listed phrase still raises the flag.
    fake.script(_answer(intent="complaint", emotion="angry", intensity=0, flags=["crisis"]))
    angry = llm.classify("再不处理我就去证监会投诉你们")
    assert (angry.emotion, angry.intensity) == ("angry", 1)
    assert angry.flags == ["regulator_media_threat", "crisis"]
    # A regulator threat the model reads into a complaint that names no regulator or media is
    # dropped; one that names where the client will go stands.
    fake.script(_answer(intent="complaint", emotion="angry", flags=["regulator_media_threat"]))
    assert llm.classify("我要投诉你们").flags == []
    fake.script(_answer(intent="complaint", emotion="angry", flags=["regulator_media_threat"]))
    assert llm.classify("再拖下去我就发微博").flags == ["regulator_media_threat"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("intent: bank_transfer", "did not answer with a JSON object"),
        ('{"intent": "bank_transfer", "confidence": 0.9,}', "invalid JSON"),
        (_answer(confidence=1.7), "wrong fields: confidence"),
        ('{"confidence": 0.5}', "wrong fields: intent"),
    ],
)
def test_answers_that_are_not_the_expected_json_raise(fake, llm, content, message):
    fake.script(content)
    with pytest.raises(LLMClassifierError, match=message) as caught:
        llm.classify("转账几点能转")
    assert "转账" not in str(caught.value)  # errors never echo client text


def test_a_server_error_raises_at_once(fake, llm):
    fake.script(Script(status=500))
    seen = len(fake.chat.requests)
    with pytest.raises(LLMClassifierError, match="endpoint failed: InternalServerError"):
        llm.classify("转账几点能转")
    assert len(fake.chat.requests) == seen + 1  # no retries: the turn is waiting


def test_a_slow_endpoint_times_out(fake, llm):
    fake.script(Script(_answer(), first_delay=3.0))
    started = time.monotonic()
    with pytest.raises(LLMClassifierError, match="APITimeoutError"):
        llm.classify("转账几点能转")
    assert time.monotonic() - started < 2.5


class _Recorder:
    """Stands in for the local backend: records the turns it was asked to classify."""

    def __init__(self) -> None:
        self.turns = []

    def classify(self, text, vector, previous=None, embed=None):
        self.turns.append((text, previous))
        return Classification("greeting", 0.9, [("greeting", 0.9)], False)


def test_the_service_falls_back_when_the_endpoint_fails(fake):
    fake.scripts.clear()
    fallback = _Recorder()
    settings = Settings(classifier="llm", llm_base_url=fake.base_url, llm_model="m")
    classifier = make_classifier(settings, fallback)
    assert isinstance(classifier, FallbackClassifier)
    fake.script(Script(status=503), _answer())
    assert classifier.classify("你好", None, "前一句").backend == "local"
    assert fallback.turns == [("你好", "前一句")]
    assert classifier.classify("转账几点能转", None).backend == "llm"
    assert len(fallback.turns) == 1


def test_the_llm_backend_names_the_settings_it_needs():
    with pytest.raises(SetupError, match="ANXIN_LLM_BASE_URL and ANXIN_LLM_MODEL"):
        make_classifier(Settings(classifier="llm"), _Recorder())
