"""Alembic environment: runs on the connection ``bot.store.migrate`` hands it.

``bot.store.migrate.upgrade`` opens the async engine and calls Alembic inside
``connection.run_sync``, passing the sync connection in ``config.attributes["connection"]``.
Run from the ``alembic`` command line instead, it builds an engine from ``sqlalchemy.url``.
"""

from __future__ import annotations

import asyncio

from alembic import context

from bot.store.tables import metadata

try:  # the scheduler keeps its tables on the same metadata
    import scheduler.tables  # noqa: F401
except ImportError:  # pragma: no cover - scheduler not installed yet
    pass

config = context.config
target_metadata = metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite ALTER via table copies
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    from bot.store.engine import make_engine

    engine = make_engine(url)  # the store's driver options (bot.store.engine.libpq_params)
    async with engine.begin() as conn:
        await conn.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
    else:
        asyncio.run(_run_async(config.get_main_option("sqlalchemy.url")))
