"""Logs carry request ids and outcomes, never client text or personal data."""

import logging

from server.logging_setup import configure_logging

PERSONAL = ["11010519491231002X", "13812345678", "zhang.san@example.com", "6222021234567890128"]


def test_conversations_full_of_personal_data_leave_none_in_the_logs(api, caplog):
    configure_logging("DEBUG")
    for name in ("server", "agent", "knowledge"):
        logging.getLogger(name).propagate = True  # let caplog see them
    caplog.set_level(logging.DEBUG)
    conversation = api.conversation()
    api.say(conversation, f"我身份证{PERSONAL[0]}，手机{PERSONAL[1]}，邮箱{PERSONAL[2]}，密码锁了")
    api.say(conversation, f"银行卡{PERSONAL[3]}转账失败", Accept="text/event-stream")
    api.say("missing-conversation", f"身份证{PERSONAL[0]}")
    api.client.get(f"/v1/conversations/{PERSONAL[1]}%00x/messages", headers=api.headers())
    ours = [r for r in caplog.records if r.name.split(".")[0] in ("server", "agent", "knowledge")]
    logged = "\n".join(r.getMessage() + str(r.__dict__) for r in ours)
    assert "POST /v1/conversations/{conversation_id}/messages" in logged  # route, not raw path
    assert "\x00" not in logged
    for secret in PERSONAL + ["密码锁了", "转账失败"]:
        assert secret not in logged
    for name in ("server", "agent", "knowledge"):
        logging.getLogger(name).propagate = False
