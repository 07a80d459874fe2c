"""`anxin chat`: a terminal conversation on the same pipeline and storage as the service."""

from __future__ import annotations

import sys

from server import turns
from server.auth import Principal
from server.errors import ApiError
from server.services import build_services
from server.settings import Settings
from server.storage import repository as repo

_BYE = {"exit", "quit", "bye", "退出", "再见"}


def run_chat(settings: Settings, client_id: str = "C001") -> None:
    services = build_services(settings)
    print("正在加载知识库…", flush=True)
    services.load_assistant()
    principal = Principal(client_id, "client")
    with services.sessions() as session:
        repo.ensure_client(session, client_id)
        conversation = repo.create_conversation(session, client_id)
        session.commit()
    print("安心智能客服：您好！请问有什么可以帮您？（输入“退出”结束）")
    sys.stdin.reconfigure(errors="replace")  # a stray byte must not end the conversation
    while True:
        try:
            text = input("您：").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            break
        if not text:
            continue
        if text.lower() in _BYE:
            break
        try:
            checked = turns.check_text(text, settings.max_message_chars)
            accepted = turns.accept(services, principal, conversation.id, checked, None)
        except ApiError as exc:
            print(f"（{exc.message}）")
            continue
        outcome = turns.answer(services, accepted.message)
        if outcome.reply is not None:
            print(f"安心：{outcome.reply.text}")
            for n, citation in enumerate(outcome.reply.citations or [], start=1):
                print(f"  [{n}] {citation['title']}（{citation['article_id']}）")
        if outcome.notice is not None:
            print(f"（{outcome.notice.text}）")
    print("再见！")
