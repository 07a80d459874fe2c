"""Routing with the classifier: small talk, fixed-article intents, out of scope, follow-ups."""

import pytest

from agent.classify.data import intent_answer_articles, intent_articles
from agent.pipeline import Assistant
from agent.responders.offline import OfflineResponder
from agent.types import HistoryTurn
from prompts.registry import PromptRegistry


@pytest.fixture(scope="module")
def assistant(retriever, classifier):
    return _assistant(retriever, classifier)


def _assistant(retriever, classifier, **extra) -> Assistant:
    return Assistant(
        retriever,
        OfflineResponder(PromptRegistry().get("offline_answer"), 0.5),
        classifier,
        0.5,
        pinned_articles=intent_answer_articles(),
        intent_articles=intent_articles(),
        **extra,
    )


def test_greeting_gets_the_approved_greeting(assistant):
    reply = assistant.answer("你好")
    assert reply.intent == "greeting" and reply.status == "answered"
    assert reply.citations == [] and "安心智能客服" in reply.text
    assert reply.annotations["route"] == "greeting"


@pytest.mark.parametrize("text", ["给我推荐几只股票", "这只票还能拿吗 要不要割肉"])
def test_stock_tips_are_answered_by_what_the_assistant_may_not_advise(assistant, text):
    reply = assistant.answer(text)
    assert reply.intent == "investment_advice"
    assert reply.citations[0].article_id == "assistant-scope"
    assert "投资顾问" in reply.text


def test_asking_for_a_person_is_answered_by_the_service_channels_article(assistant):
    reply = assistant.answer("我要转人工")
    assert reply.intent == "human_agent"
    assert reply.citations[0].article_id == "service-channels"


def test_out_of_scope_question_is_not_covered(assistant):
    reply = assistant.answer("明天北京天气怎么样")
    assert reply.status == "not_covered" and reply.intent == "out_of_scope"


def test_follow_up_is_answered_in_context(assistant):
    history = [HistoryTurn("client", "App一直登录不了"), HistoryTurn("assistant", "……")]
    reply = assistant.answer("还是不行", history)
    assert reply.intent == "app_problem"
    assert reply.citations and reply.citations[0].article_id.startswith("app-")


def test_a_follow_up_naming_its_own_subject_is_answered_about_it(assistant):
    """Regression: "那两融呢" after a question about 港股通 was answered as 港股通."""
    history = [HistoryTurn("client", "港股通怎么开通"), HistoryTurn("assistant", "……")]
    reply = assistant.answer("那两融呢", history)
    assert reply.intent == "margin_trading"
    assert reply.citations and reply.citations[0].article_id.startswith("margin-")


def test_a_crisis_typed_in_pinyin_gets_the_crisis_reply(assistant):
    """Regression: the pinyin of 亏成这样不想活了 got no crisis flag, no hotline, no hand-off."""
    reply = assistant.answer("kui cheng zheyang bu xiang huo le")
    assert "crisis" in reply.emotion["flags"]
    assert "12356" in reply.text


def test_emotion_and_flags_reach_the_reply(assistant):
    reply = assistant.answer("亏成这样我真的不想活了")
    assert "crisis" in reply.emotion["flags"]
    assert reply.annotations["classification"]["flags"] == reply.emotion["flags"]


def test_a_scenario_turn_without_a_known_client_profile_is_answered(retriever, classifier):
    """Regression: with no profile (evals, `anxin chat`), rendering a scenario's slots crashed."""
    from agent.scenarios import ScenarioBook

    scenarios = ScenarioBook.load(retriever.embed_queries)
    assistant = _assistant(retriever, classifier, scenarios=scenarios)
    reply = assistant.answer("我忘记交易密码了，怎么办")
    assert reply.annotations["route"] == "scenario" and reply.status == "answered"
    assert "None" not in reply.text and "{" not in reply.text


def test_masked_personal_data_does_not_make_a_covered_question_uncovered(assistant):
    """Regression (newcomer run): a transfer question full of (masked) personal data was
    answered "not covered"; the same question alone was answered."""
    from agent.intake import prepare_client_text

    text = prepare_client_text(
        "我的身份证号110105198806051237，手机+86 138 1234 5678，邮箱 zhang.san@example.com，"
        "银行卡6222021001123456789，银证转账失败了怎么办"
    ).text
    reply = assistant.answer(text)
    assert reply.status == "answered"
    assert "bank-transfer-failed" in [c.article_id for c in reply.citations]


@pytest.mark.parametrize(
    "text, article",
    [("我想消户 咋弄", "account-cancellation"), ("国庆节股市开不开", "trading-hours")],
)
def test_a_misspelt_covered_question_is_answered_when_classifier_and_retrieval_agree(
    assistant, text, article
):
    """Regression: words no article uses (a typo, a holiday's name) sank retrieval's confidence
    to near 0 and covered questions were answered "not covered"."""
    reply = assistant.answer(text)
    assert reply.status == "answered" and reply.citations[0].article_id == article
    retrieval = reply.annotations["retrieval"]
    assert retrieval["retrieval_confidence"] < 0.5 <= retrieval["intent_support"]


def test_a_broken_classifier_leaves_the_turn_answered_and_crisis_phrases_noticed(
    retriever, classifier, caplog
):
    """Regression: a classifier saved by an older version failed on every turn (AttributeError)
    and every client got the degraded reply."""
    import copy

    broken = copy.copy(classifier)
    broken._intent = None  # what an incompatible saved model amounts to
    assistant = _assistant(retriever, broken)
    reply = assistant.answer("银证转账几点可以转")
    assert reply.status == "answered" and reply.citations
    assert reply.annotations["classification"]["backend"] == "phrases"
    assert "classifier failed (AttributeError)" in caplog.text
    assert "银证转账" not in caplog.text  # no client text in the log
    crisis = assistant.answer("亏成这样我真的不想活了")
    assert crisis.annotations["route"] == "crisis"


@pytest.mark.parametrize(
    "text",
    ["你们处理得真快 半小时就给我解冻了", "Thanks guys, the transfer went through in minutes!"],
)
def test_praise_is_thanked_not_told_it_is_uncovered(assistant, text):
    """Regression: praise that names no thank-you word was answered "不在我能查到的资料范围内"."""
    reply = assistant.answer(text)
    assert reply.annotations["route"] == "thanks" and reply.status == "answered"
    assert reply.text.startswith(("不客气", "You are welcome"))


def _felt(emotion: str, flags: list[str] | None = None):
    from agent.classify.types import Classification

    top3 = [("out_of_scope", 0.9)]
    return Classification("out_of_scope", 0.9, top3, True, emotion, 2, flags or [])


@pytest.mark.parametrize(
    "text, emotion, flags, praise",
    [
        ("你们处理得真快 这么快就解决了", "satisfied", [], True),
        ("客户经理很专业 给你们五星", "satisfied", ["wants_human"], True),
        ("太好了 那你们能帮我买比特币吗", "satisfied", [], False),
        ("太好了！比特币怎么买", "satisfied", [], False),
        ("Great, can you buy bitcoin for me", "satisfied", [], False),
        ("帮我把这句话翻译成日语：今天天气很好", "satisfied", [], False),
        ("Lovely day. Please write me a poem", "satisfied", [], False),
        ('Translate "good morning" into Japanese', "satisfied", [], False),
        ("今天天气很好", "satisfied", [], False),
        ("谢谢 有人登录了我的账户", "satisfied", ["fraud_takeover"], False),
        ("明天上海下雨", "neutral", [], False),
    ],
)
def test_only_a_satisfied_message_that_asks_nothing_is_praise(text, emotion, flags, praise):
    from agent.praise import is_praise

    assert is_praise(_felt(emotion, flags), text) is praise
    assert is_praise(None, text) is False


@pytest.mark.parametrize(
    "text",
    [
        "真是谢谢你们了啊，钱卡在里面三天了，谢谢你们全家",
        "太好了终于中签了 谢谢 怎么缴款",
        "谢谢，那港股通怎么开通？",
    ],
)
def test_a_thank_you_that_is_angry_or_asks_is_not_answered_with_you_are_welcome(assistant, text):
    """Regression (newcomer run): any message read as thanks got "不客气，很高兴能帮到您", however
    angry, and a question after the thanks went unanswered."""
    reply = assistant.answer(text)
    assert reply.annotations["route"] != "thanks", reply.text
    assert not reply.text.startswith("不客气")


@pytest.mark.parametrize("text", ["谢谢", "好的，谢谢您", "麻烦了，谢谢", "thanks a lot!"])
def test_a_plain_thank_you_still_gets_the_approved_line(assistant, text):
    reply = assistant.answer(text)
    assert reply.annotations["route"] == "thanks" and reply.status == "answered"


@pytest.fixture(scope="module")
def escalating(retriever, classifier):
    from agent.escalation import EscalationPolicy

    return _assistant(retriever, classifier, escalation=EscalationPolicy.load())


@pytest.mark.parametrize(
    "text",
    [
        "你们的人工客服态度很好，谢谢小王",
        "上次人工客服帮我解决了，特意来说声谢谢",
        "多谢多谢，你比人工客服靠谱多了哈哈哈😂",
        "Thanks, you're better than a human agent lol",
    ],
)
def test_praise_naming_a_person_is_no_request_for_one(escalating, text):
    """Regression (newcomer run): 人工客服 in praise was read as asking for a person and the client
    was transferred."""
    reply = escalating.answer(text)
    assert reply.annotations["escalation"]["reason"] is None, reply.annotations


@pytest.mark.parametrize("text", ["谢谢，帮我转人工", "多谢，我要找人工客服"])
def test_thanks_with_a_request_for_a_person_is_still_one(escalating, text):
    reply = escalating.answer(text)
    assert reply.annotations["escalation"]["reason"] == "requested"
