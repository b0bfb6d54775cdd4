"""The standalone health server (HEALTH_PORT) over real services: ready when the database
answers and the scheduler runs; not ready when either fails."""

from __future__ import annotations

import asyncio
import os

import aiohttp
import pytest

from bot import health
from bot.app import close_services, open_services
from bot.settings import Settings
from tests.ops.helpers import bot, free_port


@pytest.fixture
async def served(tmp_path, content):
    from scheduler import Service

    path = tmp_path / "bot.db"
    services = await open_services(
        Settings(DATABASE_URL=f"sqlite:///{path}"), content=content, require_store=True
    )
    services.scheduler = Service(services)
    await services.scheduler.start()
    runner, port = await health.start_server(services, "127.0.0.1", 0)
    async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{port}") as session:
        yield services, session, path
    await runner.cleanup()
    await close_services(services)


async def test_ready_then_not_when_the_scheduler_stops(served):
    services, session, _ = served
    async with session.get("/healthz") as resp:
        assert resp.status == 200
    async with session.get("/readyz") as resp:
        assert resp.status == 200
        assert await resp.json() == {"ready": True, "database": "ok", "scheduler": "running"}
    await services.scheduler.stop()
    async with session.get("/readyz") as resp:
        assert resp.status == 503 and (await resp.json())["scheduler"] == "stopped"


async def test_not_ready_when_the_database_file_is_gone(served):
    services, session, path = served
    os.remove(path)
    async with session.get("/readyz") as resp:
        assert resp.status == 503
        assert (await resp.json())["database"] == "SQLite file lost"
    async with session.get("/healthz") as resp:
        assert resp.status == 200  # the process is alive: restarting it is the operator's call


async def test_not_ready_when_postgresql_loses_the_database(content, pg_database):
    from tests.store.conftest import drop_pg_database

    services = await open_services(
        Settings(DATABASE_URL=f"postgresql://postgres@127.0.0.1:5432/{pg_database}"),
        content=content,
        require_store=True,
    )
    try:
        assert (await health.readiness(services))["database"] == "ok"
        await services.store.engine.dispose()
        await asyncio.to_thread(drop_pg_database, pg_database)
        state = await health.readiness(services)
        assert state["ready"] is False and "does not exist" in state["database"]
    finally:
        await close_services(services)


def test_healthcheck_command(tmp_path):
    # Nothing listens: unhealthy, exit 1, one line.
    result = bot("healthcheck", HEALTH_PORT=str(free_port()))
    assert result.returncode == 1 and result.stderr.startswith("not ready")
    unset = bot("healthcheck")
    assert unset.returncode == 1 and unset.stderr.startswith("HEALTH_PORT is not set")
