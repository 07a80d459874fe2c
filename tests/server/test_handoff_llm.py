"""The hand-off package with a model configured: the summary written by the model (through the
real `openai` client and a fake server on 127.0.0.1), masked input, and the fallback to the
extractive summary when the model fails."""

from __future__ import annotations

from tests.server.conftest import running_api
from tests.server.test_api_llm import llm_settings
from tests.support.fake_openai import FakeOpenAI, Script


def _hand_off(api) -> str:
    conversation = api.conversation()
    api.say(conversation, "我手机号13812345678，银证转账一直失败")
    body = api.say(conversation, "转人工").json()
    assert body["handoff"]["reason"] == "requested"
    return conversation


def _package(api, conversation) -> dict:
    response = api.client.get(
        f"/v1/agent/conversations/{conversation}", headers=api.headers("A001", "agent")
    )
    assert response.status_code == 200, response.text
    return response.json()["package"]


def test_the_model_writes_the_summary_from_masked_text(data_dir_with_index):
    with FakeOpenAI() as fake:
        settings = llm_settings(data_dir_with_index, None, fake.base_url)
        with running_api(settings) as api:
            conversation = _hand_off(api)
            fake.script("客户银证转账多次失败，要求人工处理，情绪平稳。建议先核对银行卡状态。")
            package = _package(api, conversation)
            assert package["summary_by"] == "llm"
            assert package["summary"].startswith("客户银证转账多次失败")
            request = fake.chat.requests[-1]["body"]["messages"]
            assert "交接摘要" in request[0]["content"]  # the handoff_summary prompt
            assert "13812345678" not in str(request) and "138****5678" in str(request)
            # Built once: a second view does not ask the model again.
            asked = len(fake.chat.requests)
            assert _package(api, conversation)["summary"] == package["summary"]
            assert len(fake.chat.requests) == asked


def test_a_failing_model_leaves_the_extractive_summary(data_dir_with_index):
    with FakeOpenAI() as fake:
        settings = llm_settings(data_dir_with_index, None, fake.base_url)
        with running_api(settings) as api:
            conversation = _hand_off(api)
            fake.script(Script(status=500), Script(status=500))
            package = _package(api, conversation)
            assert package["summary_by"] == "extractive"
            assert package["summary"].startswith("客户首先问：我手机号138****5678")
            assert package["suggested_reply"]
