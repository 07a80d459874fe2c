"""Migrations and repository on SQLite and, when configured, PostgreSQL."""

import subprocess
import sys
import threading

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from server.storage import repository as repo
from server.storage.database import make_engine, migrate, session_factory
from server.storage.models import Client


@pytest.fixture
def sessions(database_url):
    migrate(database_url)
    engine = make_engine(database_url)
    yield session_factory(engine)
    engine.dispose()


def test_migrations_create_every_table_and_demo_clients(database_url, sessions):
    tables = set(inspect(make_engine(database_url)).get_table_names())
    assert {"clients", "conversations", "messages", "audit_events", "alembic_version"} <= tables
    with sessions() as session:
        demo = session.get(Client, "C002")
        assert (demo.tier, demo.risk_level) == ("growth", "C4")


def test_migrating_twice_is_harmless(database_url, sessions):
    migrate(database_url)
    with sessions() as session:
        assert session.get(Client, "C001") is not None


def test_concurrent_migrations_agree(database_url):
    errors = []

    def run():
        try:
            migrate(database_url)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_processes_starting_together_migrate_once(database_url):
    code = "import sys; from server.storage.database import migrate; migrate(sys.argv[1])"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", code, database_url], stderr=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    failures = [p.stderr.read() for p in processes if p.wait(120) != 0]
    assert failures == []
    engine = make_engine(database_url)
    with session_factory(engine)() as session:
        assert session.query(Client).filter(Client.id == "C001").count() == 1
    engine.dispose()


def test_unknown_client_is_created_with_the_basic_tier(sessions):
    with sessions() as session:
        client = repo.ensure_client(session, "C999")
        session.commit()
        assert (client.tier, client.risk_level) == ("basic", None)


def test_messages_keep_order_and_annotations(sessions):
    with sessions() as session:
        conversation = repo.create_conversation(session, "C001")
        first = repo.add_message(session, conversation.id, "client", "问题", "received")
        repo.add_message(
            session,
            conversation.id,
            "assistant",
            "回答",
            "answered",
            reply_to=first.id,
            citations=[{"article_id": "a", "title": "A"}],
            annotations={"retrieval": {"confidence": 0.9}},
        )
        session.commit()
        rows = repo.list_messages(session, conversation.id)
    assert [r.role for r in rows] == ["client", "assistant"]
    assert rows[1].citations == [{"article_id": "a", "title": "A"}]
    assert rows[1].annotations["retrieval"]["confidence"] == 0.9


def test_an_idempotency_key_is_unique_per_conversation(sessions):
    with sessions() as session:
        one = repo.create_conversation(session, "C001")
        two = repo.create_conversation(session, "C001")
        repo.add_message(session, one.id, "client", "a", "received", idempotency_key="k")
        repo.add_message(session, two.id, "client", "a", "received", idempotency_key="k")
        session.commit()
        with pytest.raises(IntegrityError):
            repo.add_message(session, one.id, "client", "a", "received", idempotency_key="k")


def test_a_client_message_gets_at_most_one_reply(sessions):
    with sessions() as session:
        conversation = repo.create_conversation(session, "C001")
        question = repo.add_message(session, conversation.id, "client", "q", "received")
        repo.add_message(
            session, conversation.id, "assistant", "a", "answered", reply_to=question.id
        )
        session.commit()
        with pytest.raises(IntegrityError):
            repo.add_message(
                session, conversation.id, "assistant", "b", "answered", reply_to=question.id
            )
