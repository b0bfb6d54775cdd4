"""The SQLite file deleted or replaced under a running store: writes stop, loudly, and the
member is told nothing was saved (a real file on disk, the real store and console)."""

from __future__ import annotations

import logging
import os
import shutil

import pytest

from bot.adapters.console import ConsoleSession
from bot.app import close_services, open_services
from bot.health import readiness
from bot.settings import Settings
from bot.store.engine import sqlite_file
from bot.store.errors import StoreUnavailable


@pytest.fixture
async def running(tmp_path, content):
    path = tmp_path / "bot.db"
    services = await open_services(
        Settings(DATABASE_URL=f"sqlite:///{path}"), content=content, require_store=True
    )
    yield services, path
    await close_services(services)


def lost_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.CRITICAL]


async def test_deleted_file_stops_writes_and_tells_the_member(running, caplog):
    services, path = running
    session = ConsoleSession(services)
    before = await session.send("/group create Before")
    assert before.kind != "error", before.plain_text()

    os.remove(path)
    after = await session.send("/group create After")
    assert after.kind == "error"
    assert "unavailable" in after.plain_text() and "nothing was saved" in after.plain_text()
    assert not path.exists()  # no fresh empty database was created in its place
    [line] = lost_lines(caplog)
    assert str(path) in line and "was deleted" in line and "restart" in line

    # Every later write is refused too (ERROR per refusal, CRITICAL only once).
    again = await session.send("/group create Again")
    assert again.kind == "error"
    assert len(lost_lines(caplog)) == 1
    assert sum("refused a write" in r.getMessage() for r in caplog.records) == 2

    state = await readiness(services)
    assert state["ready"] is False and state["database"] == "SQLite file lost"


async def test_replaced_file_is_detected_too(running, tmp_path, caplog):
    services, path = running
    session = ConsoleSession(services)
    assert (await session.send("/group create Before")).kind != "error"
    copy = tmp_path / "copy.db"
    shutil.copy(path, copy)
    os.replace(copy, path)  # same name, another file (a restore, a volume swap)

    reply = await session.send("/group create After")
    assert reply.kind == "error" and "unavailable" in reply.plain_text()
    [line] = lost_lines(caplog)
    assert "was replaced by another file" in line


async def test_direct_writes_and_new_connections_are_refused(running):
    services, path = running
    store = services.store
    guard = sqlite_file(store.engine)
    assert guard is not None and guard.identity == (os.stat(path).st_dev, os.stat(path).st_ino)
    os.remove(path)

    async def write(conn):
        await conn.exec_driver_sql("CREATE TABLE nope (x INTEGER)")

    with pytest.raises(StoreUnavailable):
        await store.write(write)
    await store.engine.dispose()  # drop pooled connections: the next one would be new
    with pytest.raises(StoreUnavailable):
        async with store.engine.connect():
            pass
    assert not path.exists()


async def test_an_untouched_file_keeps_working(running):
    services, path = running
    session = ConsoleSession(services)
    for name in ("One", "Two", "Three"):
        assert (await session.send(f"/group create {name}")).kind != "error"
    listed = await session.send("/group list")
    assert all(n in listed.plain_text() for n in ("One", "Two", "Three"))
    assert (await readiness(services))["database"] == "ok"


async def test_postgresql_and_memory_have_no_file_guard():
    from bot.store.engine import make_engine

    for url in ("postgresql+asyncpg://u@h/db", "sqlite+aiosqlite:///:memory:"):
        engine = make_engine(url)
        assert sqlite_file(engine) is None
        await engine.dispose()
