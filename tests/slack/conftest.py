"""Fixtures: the fake Slack platform and the real HTTP-mode adapter on loopback."""

from __future__ import annotations

import aiohttp
import pytest

from bot.adapters.slack.app import SlackBot
from bot.adapters.slack.server import EVENTS_PATH, start_http
from bot.app import build_services
from bot.core.clock import FakeClock
from bot.settings import Settings
from tests.conftest import services_with_store
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import SECRET, USER, SlackClient

ADMIN = "UADMIN01"


@pytest.fixture(autouse=True)
def _no_oauth_env(monkeypatch):
    # bolt turns OAuth on by itself when these are in the environment.
    for name in (
        "SLACK_CLIENT_ID",
        "SLACK_CLIENT_SECRET",
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def fake():
    server = await FakeSlack().start()
    server.users[USER] = {"name": "ada", "is_admin": False, "is_owner": False}
    server.users[ADMIN] = {"name": "grace", "is_admin": True}
    server.users["UOWNER01"] = {"name": "owner", "is_owner": True}
    yield server
    await server.stop()


def slack_settings(fake: FakeSlack, **extra: str) -> Settings:
    values = {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.api_url,
        "SLACK_ADMIN_IDS": "ULISTED1, ULISTED2",
        "DATABASE_URL": "sqlite+aiosqlite:///:memory:",
        **extra,
    }
    return Settings(**values)


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def bare_services(fake, content, clock):
    """Services without a store or scheduler: what the adapter sees when no database is up."""
    return build_services(slack_settings(fake), clock=clock, content=content)


@pytest.fixture
async def slack_services(fake, content, clock, template_db, tmp_path):
    """Services with a real SQLite store and the real scheduler (ticked by hand)."""
    async with services_with_store(
        slack_settings(fake), content, clock, template_db, tmp_path / "slack.db", "slack-test"
    ) as services:
        yield services


@pytest.fixture
async def bot(slack_services):
    from bot.adapters.slack import attach_delivery

    adapter = SlackBot(slack_services)
    attach_delivery(slack_services, adapter)
    yield adapter
    await adapter.close()


@pytest.fixture
async def slack(fake, bot):
    runner, port = await start_http(bot, "127.0.0.1", 0)
    async with aiohttp.ClientSession() as session:
        yield SlackClient(f"http://127.0.0.1:{port}{EVENTS_PATH}", fake, bot, session)
    await runner.cleanup()


@pytest.fixture
async def bare_slack(fake, bare_services):
    """The HTTP-mode app on services with no store and no scheduler."""
    adapter = SlackBot(bare_services)
    runner, port = await start_http(adapter, "127.0.0.1", 0)
    async with aiohttp.ClientSession() as session:
        yield SlackClient(f"http://127.0.0.1:{port}{EVENTS_PATH}", fake, adapter, session)
    await runner.cleanup()
    await adapter.close()
