"""Run the store's Alembic migrations from code: at start-up and from ``python -m bot db``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# The newest revision. Start-up compares the database with it and imports Alembic only when
# there is something to upgrade (Alembic's import and script scan cost more than the rest of
# a start). tests/store/test_store.py checks it is the one head of the migration scripts.
HEAD = "0006_review"


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
    """

    from alembic import command

    def run(sync_conn) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = sync_conn
        command.upgrade(cfg, revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    from alembic import command

    def run(sync_conn) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = sync_conn
        command.downgrade(cfg, revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)


async def current(engine: AsyncEngine) -> set[str]:
    """The revisions the database is at (empty for a new database)."""

    from alembic.runtime.migration import MigrationContext

    def run(sync_conn) -> set[str]:
        return set(MigrationContext.configure(sync_conn).get_current_heads())

    async with engine.connect() as conn:
        return await conn.run_sync(run)
