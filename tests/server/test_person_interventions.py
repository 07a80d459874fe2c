"""A person's message to a client is checked like the Assistant's replies, and what the rules did
is recorded for compliance staff with who wrote it: refused, masked, or nothing at all."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from server.storage.models import AuditEvent, InterventionRecord, Message


def _claimed(api) -> str:
    conversation = api.conversation()
    api.say(conversation, "转人工")
    claimed = api.client.post(
        f"/v1/agent/conversations/{conversation}/claim", headers=api.headers("A001", "agent")
    )
    assert claimed.status_code == 200, claimed.text
    return conversation


def _send(api, conversation: str, text: str):
    return api.client.post(
        f"/v1/agent/conversations/{conversation}/messages",
        json={"text": text},
        headers=api.headers("A001", "agent"),
    )


def _persons_interventions(api, conversation: str) -> list[dict]:
    response = api.client.get(
        "/v1/admin/interventions",
        params={"conversation_id": conversation},
        headers=api.headers("ops", "admin"),
    )
    assert response.status_code == 200, response.text
    return [i for i in response.json()["interventions"] if i["actor_role"] is not None]


def _stored(api, conversation: str) -> tuple[list[str], list[AuditEvent], list[str]]:
    """Every stored message text, the audit events and every stored intervention, as text."""
    engine = create_engine(api.settings.resolved_database_url)
    with Session(engine) as session:
        texts = [m.text for m in session.scalars(select(Message))]
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.conversation_id == conversation)
        ).all()
        records = [
            json.dumps([r.rule_id, r.detail, r.actor_id], ensure_ascii=False)
            for r in session.scalars(select(InterventionRecord))
        ]
    engine.dispose()
    return texts, events, records


@pytest.mark.parametrize(
    "text, rule",
    [
        ("请把短信验证码发给我，我帮您操作", "out-asks-for-password-or-code"),
        ("保证您稳赚不赔，明天买入就行", "out-promise-principal-or-returns"),
        # a rule that would rewrite the Assistant's answer refuses a person's message
        ("建议您买入招商银行", "out-specific-investment-advice"),
        # the number is masked, and the refusal still recorded
        ("您的手机13800138000已登记，保证您稳赚不赔", "out-promise-principal-or-returns"),
    ],
)
def test_a_refused_message_is_recorded_with_its_rule_and_author_not_its_text(api, text, rule):
    conversation = _claimed(api)
    sent = _send(api, conversation, text)
    assert sent.status_code == 422 and sent.json()["error"]["code"] == "message_blocked"

    found = _persons_interventions(api, conversation)
    blocks = [i for i in found if i["action"] == "block"]
    assert [(i["rule_id"], i["where"], i["message_id"]) for i in blocks] == [(rule, "output", None)]
    assert {(i["actor_role"], i["actor_id"]) for i in found} == {("agent", "A001")}

    texts, events, records = _stored(api, conversation)
    blocked = [e for e in events if e.action == "person_message_blocked"]
    assert len(blocked) == 1 and blocked[0].actor_id == "A001"
    assert blocked[0].detail == {"rules": [rule]}
    stored = json.dumps([texts, [e.detail for e in events], records], ensure_ascii=False)
    assert text not in stored and "13800138000" not in stored


def test_masked_personal_data_is_recorded_against_the_sent_message(api):
    conversation = _claimed(api)
    sent = _send(api, conversation, "请核对您的身份证号11010519491231002X和手机13800138000")
    assert sent.status_code == 200, sent.text
    message = sent.json()["message"]
    assert "13800138000" not in message["text"]

    found = _persons_interventions(api, conversation)
    assert sorted((i["rule_id"], i["action"], i["detail"]) for i in found) == [
        ("out-personal-data", "mask", "mobile"),
        ("out-personal-data", "mask", "resident_id"),
    ]
    assert {(i["message_id"], i["actor_role"], i["actor_id"]) for i in found} == {
        (message["id"], "agent", "A001")
    }


def test_a_clean_message_records_no_intervention(api):
    conversation = _claimed(api)
    sent = _send(api, conversation, "您好，我是人工客服小王，马上为您处理。")
    assert sent.status_code == 200, sent.text
    assert _persons_interventions(api, conversation) == []
