"""Alembic environment: runs migrations on the URL given by `server.storage.database.migrate`."""

from alembic import context
from sqlalchemy import text

from server.storage.database import make_engine
from server.storage.models import Base

# Any fixed number works; it only has to be the same in every Anxin process.
_PG_MIGRATION_LOCK = 7_271_993


def run_migrations_online() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    engine = make_engine(url)
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
            connection.commit()
        try:
            context.configure(connection=connection, target_metadata=Base.metadata)
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": _PG_MIGRATION_LOCK}
                )
                connection.commit()
    engine.dispose()


run_migrations_online()
