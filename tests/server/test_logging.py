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
    logged = "\n".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    assert "POST /v1/conversations" in logged  # one line per request was written
    for secret in PERSONAL + ["密码锁了", "转账失败"]:
        assert secret not in logged
    for name in ("server", "agent", "knowledge"):
        logging.getLogger(name).propagate = False
