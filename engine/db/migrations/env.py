"""Alembic environment: uses our engine factory so SQLite gets the same pragmas as the app."""

from __future__ import annotations

from alembic import context

import engine.models  # noqa: F401  (registers the tables on Base.metadata)
from engine.db import Base, is_sqlite, make_engine

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url") or ""
    connectable = make_engine(url)
    with connectable.connect() as connection:
        if is_sqlite(url):
            # Batch mode rebuilds a table to change it; with foreign keys on, dropping a table that others
            # point at fails. The pragma only takes effect outside a transaction, so set it before one begins.
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=is_sqlite(url),
        )
        with context.begin_transaction():
            context.run_migrations()
    connectable.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
