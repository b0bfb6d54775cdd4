"""Databases for the scheduler tests: a SQLite file per test, and one PostgreSQL database per
session (uniquely named, dropped at the end). PostgreSQL tests skip with one reason when the
server at 127.0.0.1:5432 is unreachable; on CI it is there and they run."""

from __future__ import annotations

import asyncio
import uuid

import pytest

PG_HOST = "127.0.0.1"
PG_ADMIN_DSN = f"postgresql://postgres@{PG_HOST}:5432/test"
_pg_reason: list[str] = []


def _pg_create() -> str | None:
    import asyncpg

    name = f"mle_sched_{uuid.uuid4().hex[:10]}"

    async def go():
        conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    try:
        asyncio.run(go())
    except Exception as exc:  # unreachable: skip, saying why once
        _pg_reason.append(f"PostgreSQL at {PG_HOST}:5432 unreachable ({type(exc).__name__}: {exc})")
        return None
    return name


def _pg_drop(name: str) -> None:
    import asyncpg

    async def go():
        conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(go())


@pytest.fixture(scope="session")
def pg_database():
    name = _pg_create()
    if name is None:
        print("\n[scheduler tests] " + _pg_reason[0])
        yield None
        return
    yield name
    _pg_drop(name)


_pg_schema_n = iter(range(10**6))


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(request, tmp_path, pg_database):
    """A fresh, migrated database URL: SQLite file, or a fresh schema-less PG database."""
    from bot.store import migrate
    from bot.store.engine import make_engine

    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    else:
        if pg_database is None:
            pytest.skip(_pg_reason[0])
        # One database per session; each test starts from empty tables.
        url = f"postgresql+asyncpg://postgres@{PG_HOST}:5432/{pg_database}"
    engine = make_engine(url)
    await migrate.upgrade(engine)
    if request.param == "postgresql":
        async with engine.begin() as conn:
            from sqlalchemy import text

            from bot.store.tables import metadata

            names = ", ".join(t.name for t in metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    await engine.dispose()
    return url
