"""Databases for the store suite: every store test runs on SQLite and on PostgreSQL.

SQLite: a fresh file per test in tmp_path. PostgreSQL: one uniquely named database per
session, created from the ``test`` database as user postgres and dropped at the end; each
test starts from empty tables. ``STORE_TEST_PG`` overrides the server
(``postgresql+asyncpg://postgres@127.0.0.1:5432/test`` by default). When the server is
unreachable the PostgreSQL cases skip with one reason.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.store import Points, Store, open_store

PG_URL = os.environ.get("STORE_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # a Monday
_reason: list[str] = []


def _admin_dsn() -> str:
    return make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)


def pg_url_for(name: str) -> str:
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_admin_dsn(), timeout=3)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def create_pg_database() -> str | None:
    """A new uniquely named database, or None (with the reason kept) if unreachable."""
    name = f"mle_store_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        if not _reason:
            _reason.append(
                f"PostgreSQL unreachable at {make_url(PG_URL).host}:{make_url(PG_URL).port} ({type(exc).__name__})"
            )
        return None
    return name


def drop_pg_database(name: str) -> None:
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def pg_skip_reason() -> str:
    return _reason[0] if _reason else "PostgreSQL unreachable"


@pytest.fixture(scope="session")
def pg_session_db():
    name = create_pg_database()
    if name is None:
        print("\n[store tests] " + pg_skip_reason())
        yield None
        return
    yield name
    drop_pg_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


@pytest.fixture
async def db_url(backend, tmp_path, pg_session_db) -> str:
    """A migrated, empty database for this test."""
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
    if pg_session_db is None:
        pytest.skip(pg_skip_reason())
    url = pg_url_for(pg_session_db)
    store = await open_store(url)
    async with store.engine.begin() as conn:
        names = (
            (
                await conn.execute(
                    text(
                        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                    )
                )
            )
            .scalars()
            .all()
        )
        if names:
            await conn.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
    await store.close()
    return url


@pytest.fixture
async def store(db_url) -> AsyncIterator[Store]:
    s = await open_store(
        db_url, points=Points(quiz_correct=10, checkin=5, streak_bonus=2, cooldown_seconds=3)
    )
    yield s
    await s.close()


@pytest.fixture
async def fresh_db_url(backend, tmp_path, pg_session_db) -> AsyncIterator[str]:
    """An empty, unmigrated database of its own (migration and crash tests)."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
        return
    if pg_session_db is None:
        pytest.skip(pg_skip_reason())
    name = f"mle_store_{uuid.uuid4().hex[:10]}"
    await _admin(f'CREATE DATABASE "{name}"')
    yield pg_url_for(name)
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def deliver(
    store: Store,
    day,
    *,
    platform: str = "discord",
    workspace: str = "guild-1",
    channel: str = "chan",
    tz: str = "UTC",
    status: str = "sent",
) -> str:
    """What the scheduler records when it posts a daily prompt: a subscription for
    ``channel`` (made once) and a delivery for local date ``day`` at 09:00 ``tz``. Returns the
    prompt id the post's check-in button carries (scheduler.prompt.prompt_id)."""
    from datetime import time
    from zoneinfo import ZoneInfo

    from sqlalchemy import select

    from scheduler.prompt import prompt_id
    from scheduler.tables import daily_deliveries as D
    from scheduler.tables import daily_subscriptions as S

    at = datetime.combine(day, time(9), ZoneInfo(tz)).astimezone(UTC)

    async def go(conn) -> int:
        sid = (
            await conn.execute(
                select(S.c.id).where(
                    S.c.platform == platform, S.c.workspace == workspace, S.c.channel == channel
                )
            )
        ).scalar()
        if sid is None:
            sid = (
                await conn.execute(
                    S.insert()
                    .values(
                        platform=platform,
                        workspace=workspace,
                        channel=channel,
                        time="09:00",
                        timezone=tz,
                        days="mon,tue,wed,thu,fri,sat,sun",
                        track="mixed",
                        active_since=T0.replace(year=2025),
                        created_by="admin",
                        created_at=T0,
                        updated_at=T0,
                    )
                    .returning(S.c.id)
                )
            ).scalar_one()
        await conn.execute(
            D.insert().values(
                subscription_id=sid,
                local_date=day,
                scheduled_at=at,
                status=status,
                claimed_at=at,
                sent_at=at,
            )
        )
        return sid

    sid = await store.write(go)
    return prompt_id(sid, day, 0)
