"""Engine, sessions and migrations for SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from knowledge.indexing import file_lock

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
# Alembic keeps its migration context in module globals, so one process migrates one at a time;
# between processes the file lock (SQLite) or advisory lock (PostgreSQL) takes over.
_PROCESS_LOCK = threading.Lock()


def make_engine(url: str) -> Engine:
    """An engine with the settings each backend needs for several processes sharing it."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            # Conversations hold client data: only the service's own user may read the file.
            Path(parsed.database).touch(mode=0o600, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers in one process go on while another process writes; foreign keys are off in
    # SQLite unless asked for.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def _migration_lock(url: str):
    parsed = make_url(url)
    if (
        parsed.get_backend_name() != "sqlite"
        or not parsed.database
        or parsed.database == ":memory:"
    ):
        yield  # PostgreSQL migrations take an advisory lock inside env.py
        return
    with file_lock(Path(parsed.database).with_suffix(".migrate.lock")):
        yield


def migrate(url: str, revision: str = "head") -> None:
    """Brings the database to `revision` with Alembic; safe to call from several processes."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    with _PROCESS_LOCK, _migration_lock(url):
        command.upgrade(config, revision)
