"""Once a person has claimed a conversation, only they (and admins) write to it: replies, notes,
knowledge drafts, transfers and the hand-back, through the real app and database."""

from __future__ import annotations


def _staff(api, conversation, action, sub, role, **body):
    return api.client.post(
        f"/v1/agent/conversations/{conversation}/{action}",
        json=body,
        headers=api.headers(sub, role),
    )


def _writes(api, conversation, sub, role):
    """Every staff write that leaves the claim in place, by this person."""
    return {
        "messages": _staff(api, conversation, "messages", sub, role, text="您好，我来处理"),
        "notes": _staff(api, conversation, "notes", sub, role, text="客户很着急"),
        "knowledge-draft": _staff(
            api, conversation, "knowledge-draft", sub, role, title="草稿", body="先核实身份"
        ),
    }


def _staff_view(api, conversation):
    response = api.client.get(
        f"/v1/agent/conversations/{conversation}", headers=api.headers("X1", "admin")
    )
    assert response.status_code == 200, response.text
    return response.json()


def _claimed_by_a001(api) -> str:
    conversation = api.conversation()
    api.say(conversation, "转人工")
    claimed = _staff(api, conversation, "claim", "A001", "agent")
    assert claimed.status_code == 200, claimed.text
    return conversation


def test_others_cannot_write_to_a_claimed_conversation(api):
    conversation = _claimed_by_a001(api)
    before = _staff_view(api, conversation)["messages"]
    for sub, role in [("A002", "agent"), ("V001", "advisor")]:
        refused = {
            **_writes(api, conversation, sub, role),
            "resolve": _staff(api, conversation, "resolve", sub, role),
            "transfer": _staff(api, conversation, "transfer", sub, role, queue="advisor"),
        }
        for action, response in refused.items():
            assert response.status_code == 409, (role, action, response.text)
            error = response.json()["error"]
            assert error["code"] == "already_claimed", (role, action)
            assert "客户很着急" not in error["message"]

    view = _staff_view(api, conversation)
    assert view["messages"] == before  # no reply, no note
    assert view["handoff"]["status"] == "claimed" and view["handoff"]["claimed_by"] == "A001"
    drafts = api.client.get("/v1/admin/knowledge-drafts", headers=api.headers("X1", "admin"))
    assert drafts.json() == []


def test_the_claimant_and_admins_write_to_a_claimed_conversation(api):
    conversation = _claimed_by_a001(api)
    for sub, role in [("A001", "agent"), ("X1", "admin")]:
        for action, response in _writes(api, conversation, sub, role).items():
            assert response.status_code in (200, 201), (role, action, response.text)
    roles = [m["role"] for m in _staff_view(api, conversation)["messages"]]
    assert roles[-4:] == ["agent", "note", "agent", "note"]
    resolved = _staff(api, conversation, "resolve", "X1", "admin")
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"


def test_notes_and_drafts_need_no_claim_while_nobody_holds_the_conversation(api):
    conversation = api.conversation()
    api.say(conversation, "转人工")  # waiting: anyone may note what they know
    written = _writes(api, conversation, "V001", "advisor")
    assert written["messages"].json()["error"]["code"] == "not_claimed"  # a reply needs a claim
    assert written["notes"].status_code == 200, written["notes"].text
    assert written["knowledge-draft"].status_code == 201, written["knowledge-draft"].text

    _staff(api, conversation, "claim", "A001", "agent")
    _staff(api, conversation, "messages", "A001", "agent", text="您好")
    _staff(api, conversation, "resolve", "A001", "agent")
    later = _staff(api, conversation, "knowledge-draft", "V001", "advisor", title="处理办法")
    assert later.status_code == 201, later.text  # resolved: the claim is over
    assert later.json()["body"] == "您好"
