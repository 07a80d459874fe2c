"""Approved scenarios through the API: sent as they are without a model (or in strict mode),
given to the model as guidance otherwise, with slots from the client's profile."""

from __future__ import annotations

import pytest

from knowledge.scenarios import load_scenarios
from server.settings import Settings
from server.storage import repository as repo
from server.storage.models import Message
from tests.server.conftest import running_api
from tests.support.fake_openai import FakeOpenAI

FORGOT = "我忘记交易密码了，怎么办"
STEPS = {s.id: s for s in load_scenarios()}["password-reset"].zh.steps


@pytest.fixture
def fake():
    with FakeOpenAI() as server:
        yield server


def stored_reply(client, conversation):
    with client.app.state.services.sessions() as session:
        return repo.list_messages(session, conversation)[-1]


def test_without_a_model_the_approved_text_is_sent_with_the_clients_name(api):
    conversation = api.conversation("C001")
    reply = api.say(conversation, FORGOT, sub="C001").json()["reply"]
    assert "演示客户一" in reply["text"]  # the profile's display name fills the slot
    assert "{" not in reply["text"] and "None" not in reply["text"]
    assert all(step.split("{{")[0][:6] in reply["text"] for step in STEPS)
    assert reply["citations"][0]["article_id"] == "password-reset"
    stored = stored_reply(api.client, conversation)
    assert stored.annotations["route"] == "scenario"
    assert stored.annotations["scenario"] == "password-reset"
    assert stored.annotations["prompt_version"] == "scenario:password-reset"


@pytest.mark.parametrize(
    ("text", "sources"), [(FORGOT, "参考资料：《"), ("I forgot my trading password", "Sources (in")]
)
def test_every_citation_of_an_approved_reply_is_marked_in_its_text(api, text, sources):
    """Regression (newcomer run): a scenario reply's citations carried ref numbers that its text
    never showed. A closing line now names each article with its marker."""
    reply = api.say(api.conversation(), text).json()["reply"]
    assert reply["citations"], reply
    last_line = reply["text"].rsplit("\n", 1)[-1]
    assert last_line.startswith(sources), last_line
    for citation in reply["citations"]:
        assert f"[{citation['ref']}]" in last_line and citation["title"] in last_line


def test_a_question_beside_the_scenario_goes_to_the_knowledge_base(api):
    conversation = api.conversation()
    api.say(conversation, "交易密码和资金密码有什么区别？")
    assert stored_reply(api.client, conversation).annotations["route"] != "scenario"


def test_with_a_model_the_scenario_is_guidance_and_no_name_goes_to_the_model(
    data_dir_with_index, fake
):
    settings = Settings(
        data_dir=data_dir_with_index, llm_base_url=fake.base_url, llm_model="fake-model"
    )
    fake.script("别着急，可以在App里自助重置交易密码[1]。")
    with running_api(settings) as api:
        conversation = api.conversation("C001")
        reply = api.say(conversation, FORGOT, sub="C001").json()["reply"]
        annotations = stored_reply(api.client, conversation).annotations
    assert reply["text"] == "别着急，可以在App里自助重置交易密码[1]。"
    assert reply["citations"][0]["article_id"] == "password-reset"
    prompt = fake.chat.requests[0]["body"]["messages"][1]["content"]
    assert "【参考方案】" in prompt and STEPS[0][:6] in prompt
    assert "演示客户一" not in str(fake.chat.requests[0]["body"])
    assert annotations["responder"] == "llm" and annotations["scenario"] == "password-reset"


def test_a_reply_that_named_the_client_is_replayed_to_the_model_without_the_name(
    data_dir_with_index, fake
):
    """Regression: the approved text, sent with the client's name when the model's answer was
    not used, went back to the model as history on the next turn."""
    settings = Settings(
        data_dir=data_dir_with_index, llm_base_url=fake.base_url, llm_model="fake-model"
    )
    fake.script(
        "可以重置。", "两融开通要求前20个交易日日均资产不低于50万元[1]。"
    )  # cites nothing first
    with running_api(settings) as api:
        conversation = api.conversation("C001")
        first = api.say(conversation, FORGOT, sub="C001").json()["reply"]
        api.say(conversation, "两融开通要什么条件", sub="C001")
    assert "演示客户一" in first["text"]  # the approved text, sent to the client by name
    assert len(fake.chat.requests) == 2
    second = str(fake.chat.requests[1]["body"])
    assert "演示客户一" not in second and "客户，" in second


def test_strict_mode_sends_the_approved_text_even_with_a_model(data_dir_with_index, fake):
    settings = Settings(
        data_dir=data_dir_with_index,
        llm_base_url=fake.base_url,
        llm_model="fake-model",
        scenario_strict=True,
    )
    with running_api(settings) as api:
        reply = api.say(api.conversation(), FORGOT).json()["reply"]
    assert all(step.split("{{")[0][:6] in reply["text"] for step in STEPS)
    assert fake.chat.requests == []  # the model was never asked


@pytest.mark.parametrize(
    "text",
    [
        "有人冒充你们客服让我把钱转到安全账户，我已经转了5万了",
        "自称券商工作人员让我把钱转到安全账户",
    ],
)
def test_the_fraud_reply_fits_a_client_who_has_already_paid(api, text):
    """Regression (newcomer run): the impersonation reply opened by thanking the client for
    checking first, which reads wrong to a victim who has already sent money."""
    conversation = api.conversation()
    reply = api.say(conversation, text).json()["reply"]
    with api.client.app.state.services.sessions() as session:  # a notice follows the reply
        stored = session.get(Message, reply["id"])
        assert stored.annotations["scenario"] == "impersonation-call"
    assert "谢谢您先来核实" not in reply["text"]
    assert "已经给了信息或转了钱" in reply["text"] and "110" in reply["text"]
