"""Shared fixtures: the real shipped content, services built once per session."""

from __future__ import annotations

import contextlib
import shutil

import pytest

from bot.app import build_services
from bot.content import Content
from bot.core.clock import FakeClock
from bot.settings import Settings


@pytest.fixture(scope="session")
def content() -> Content:
    return Content.load()


@pytest.fixture
def services(content):
    return build_services(Settings(), clock=FakeClock(), content=content)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):
    """One migrated SQLite file; each test copies it (migrations run once per session)."""
    import asyncio

    from bot.store import open_store

    path = tmp_path_factory.mktemp("template-db") / "template.db"

    async def make() -> None:
        store = await open_store(f"sqlite+aiosqlite:///{path}", default_timezone="UTC")
        await store.close()

    asyncio.run(make())
    return path


@contextlib.asynccontextmanager
async def services_with_store(settings, content, clock, template_db, db_path, owner: str):
    """Services with a real SQLite store (a copy of the template) and the real scheduler,
    which tests tick by hand (no real sleeping between retries)."""
    from bot.store import open_store
    from scheduler import Service

    shutil.copy(template_db, db_path)
    services = build_services(settings, clock=clock, content=content)
    services.store = await open_store(f"sqlite+aiosqlite:///{db_path}", default_timezone="UTC")

    async def no_sleep(_seconds: float) -> None:
        return None

    services.scheduler = Service(services, owner=owner, limits={}, sleep=no_sleep)
    try:
        yield services
    finally:
        await services.scheduler.stop()
        await services.store.close()
