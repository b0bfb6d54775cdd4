"""Run the store's Alembic migrations from code: at start-up and from ``python -m bot db``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.engine import WRITE, is_transient

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# The newest revision. Start-up compares the database with it and imports Alembic only when
# there is something to upgrade (Alembic's import and script scan cost more than the rest of
# a start). tests/store/test_store.py checks it is the one head of the migration scripts.
HEAD = "0008_prompt_threads"

# pg_advisory_xact_lock key that serialises migrations between processes (any constant
# bigint; this one is "mle-migr" in ASCII).
MIGRATION_LOCK = 0x6D6C652D6D696772
LOCK_ATTEMPTS = 20  # SQLite: BEGIN IMMEDIATE waits busy_timeout (5 s) per attempt


async def ensure_schema(engine: AsyncEngine) -> bool:
    """Upgrade to the newest revision unless the database is already there; True if it ran."""
    try:
        async with engine.connect() as conn:
            rows = (await conn.exec_driver_sql("SELECT version_num FROM alembic_version")).all()
        if {r[0] for r in rows} == {HEAD}:
            return False
    except DBAPIError:  # no alembic_version table yet: a new database
        pass
    await upgrade(engine)
    return True


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config pointing at the package's migrations (no alembic.ini needed)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def heads() -> list[str]:
    from alembic.script import ScriptDirectory

    return list(ScriptDirectory.from_config(alembic_config()).get_heads())


async def upgrade(engine: AsyncEngine, revision: str = "heads") -> None:
    """Upgrade the database behind ``engine`` to ``revision`` (every head by default).

    "heads" rather than "head" so that two helpers' revisions made on the same parent
    still apply; ``heads()`` lets a test notice the branch and ask for a merge revision.

    Serialised between processes: on PostgreSQL the transaction first takes a transaction-
    scoped advisory lock (``pg_advisory_xact_lock``), on SQLite it begins with ``BEGIN
    IMMEDIATE`` (the write lock). Alembic reads the current revision *after* the lock, so of
    two processes starting on an empty database one migrates and the other waits, then finds
    the schema at head and continues (issue #14: the loser used to die on a duplicate key).
    """

    from alembic import command

    def run(sync_conn) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = sync_conn
        command.upgrade(cfg, revision)

    await _locked(engine, run)


async def _locked(engine: AsyncEngine, run) -> None:
    """Run ``run(sync_conn)`` in one transaction holding the migration lock (see ``upgrade``)."""
    for attempt in range(1, LOCK_ATTEMPTS + 1):
        try:
            async with engine.execution_options(**{WRITE: True}).begin() as conn:
                if conn.dialect.name == "postgresql":
                    await conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
                await conn.run_sync(run)
            return
        except DBAPIError as exc:
            # SQLite: still locked after busy_timeout (a long migration elsewhere); wait again.
            if attempt == LOCK_ATTEMPTS or not is_transient(exc):
                raise


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    from alembic import command

    def run(sync_conn) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = sync_conn
        command.downgrade(cfg, revision)

    await _locked(engine, run)


async def current(engine: AsyncEngine) -> set[str]:
    """The revisions the database is at (empty for a new database)."""

    from alembic.runtime.migration import MigrationContext

    def run(sync_conn) -> set[str]:
        return set(MigrationContext.configure(sync_conn).get_current_heads())

    async with engine.connect() as conn:
        return await conn.run_sync(run)
