"""Fixtures: a fake Discord on 127.0.0.1 and our real bot (discord.py) connected to it."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.adapters.discord import DiscordBot, attach_delivery, make_bot
from bot.core.clock import FakeClock
from bot.core.context import Services
from bot.settings import Settings
from tests.conftest import services_with_store
from tests.discord.fake_discord import FakeDiscord


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    server.add_guild("Study Group")
    await server.start()
    yield server
    await server.close()


def discord_settings(fake: FakeDiscord, **extra: Any) -> Settings:
    env = {
        "DISCORD_TOKEN": fake.token,
        "DISCORD_API_BASE": fake.api_base,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        **extra,
    }
    return Settings(**env)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def discord_services(fake, content, clock, template_db, tmp_path):
    """Services with a real SQLite store and the real scheduler (ticked by hand)."""
    async with services_with_store(
        discord_settings(fake), content, clock, template_db, tmp_path / "discord.db", "discord-test"
    ) as services:
        yield services


@contextlib.asynccontextmanager
async def running(fake: FakeDiscord, services: Services, **kw: Any) -> AsyncIterator[DiscordBot]:
    """Start our bot on ``services`` against ``fake`` (commands synced once), stop it after."""
    kw.setdefault("guild_ready_timeout", 0.05)  # discord.py's wait for more GUILD_CREATEs
    bot = make_bot(services, **kw)
    attach_delivery(services, bot)
    task = asyncio.create_task(bot.start(fake.token))
    try:
        await asyncio.wait_for(bot.ready_event.wait(), 15)
        if not fake.commands:
            await bot.http.bulk_upsert_global_commands(bot.application_id, bot.commands.payload)
        yield bot
    finally:
        await bot.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 5)


@pytest.fixture
async def bot(fake, discord_services) -> AsyncIterator[DiscordBot]:
    async with running(fake, discord_services) as b:
        yield b


@pytest.fixture
def guild(fake):
    return next(iter(fake.guilds.values()))


_ESCAPE = re.compile(r"\\(.)")


def shown(message: dict[str, Any]) -> str:
    """What a member sees of a message: embed text with Markdown escapes removed."""
    parts: list[str] = [message.get("content") or ""]
    for e in message.get("embeds") or []:
        parts += [e.get("title", ""), e.get("description", "")]
        for f in e.get("fields") or []:
            parts += [f["name"], f["value"]]
        parts.append((e.get("footer") or {}).get("text", ""))
    for row in message.get("components") or []:
        parts += [b.get("label", "") for b in row.get("components", [])]
    return _ESCAPE.sub(r"\1", "\n".join(p for p in parts if p))


def custom_ids(message: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (b["label"], b["custom_id"])
        for row in message.get("components") or []
        for b in row["components"]
    ]
