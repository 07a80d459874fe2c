"""Shared fixtures: network guard, a clean environment, databases, and the real knowledge index.

The knowledge index is built once per test session with the real multilingual embedder, because
retrieval quality is what many tests check; tests that only exercise mechanics use the hashing
embedder in `support.embedders`.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import uuid
from pathlib import Path

import pytest

NETGUARD_DIR = Path(__file__).resolve().parent / "netguard"


def _install_netguard() -> None:
    spec = importlib.util.spec_from_file_location(
        "anxin_netguard", NETGUARD_DIR / "sitecustomize.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # Every Python process a test starts (servers, the CLI, chroma) loads the same guard.
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(NETGUARD_DIR), os.environ.get("PYTHONPATH", "")) if p
    )


_install_netguard()
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    """No ANXIN_* setting leaks in from the developer's shell; the data directory is private."""
    for name in list(os.environ):
        if name.startswith("ANXIN_") and name != "ANXIN_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("ANXIN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def kb_dir(tmp_path_factory) -> Path:
    """A data directory whose embedded Chroma holds the real index of the shipped articles."""
    from server import classifier_store, knowledge_base
    from server.services import load_scenarios
    from server.settings import Settings

    directory = tmp_path_factory.mktemp("kb")
    settings = Settings(data_dir=directory)
    embedder = knowledge_base.make_embedder(settings)
    store = knowledge_base.open_store(settings, embedder)
    knowledge_base.index_articles(settings, embedder, store)
    classifier_store.load_or_train(directory, embedder)  # kept in the data directory, like serve
    load_scenarios(settings, embedder)  # caches the scenario examples' vectors there too
    return directory


@pytest.fixture(scope="session")
def classifier(kb_dir):
    from server import knowledge_base
    from server.classifier_store import load_or_train
    from server.settings import Settings

    return load_or_train(kb_dir, knowledge_base.make_embedder(Settings(data_dir=kb_dir)))


@pytest.fixture(scope="session")
def retriever(kb_dir):
    from server import knowledge_base
    from server.settings import Settings

    settings = Settings(data_dir=kb_dir)
    embedder = knowledge_base.make_embedder(settings)
    return knowledge_base.make_retriever(embedder, knowledge_base.open_store(settings, embedder))


@pytest.fixture
def data_dir_with_index(kb_dir, tmp_path) -> Path:
    """A private copy of the indexed data directory, for tests that write to it."""
    target = tmp_path / "indexed"
    shutil.copytree(kb_dir, target)
    return target


def _postgres_url() -> str | None:
    return os.environ.get("ANXIN_TEST_POSTGRES_URL") or None


DATABASES = ["sqlite"] + (["postgresql"] if _postgres_url() else [])


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path):
    """A fresh, empty database: a SQLite file, or a new PostgreSQL database dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin_url = make_url(_postgres_url())
    name = f"anxin_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
