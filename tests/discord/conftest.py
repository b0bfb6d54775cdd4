"""Fixtures: a fake Discord on 127.0.0.1 and our real bot (discord.py) connected to it."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.adapters.discord import DiscordBot, make_bot
from bot.app import build_services
from bot.core.clock import FakeClock
from bot.settings import Settings
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


@contextlib.asynccontextmanager
async def running(fake: FakeDiscord, content: Any, *, settings: Settings | None = None, **kw: Any) -> AsyncIterator[DiscordBot]:
    """Start our bot against ``fake`` (commands synced into the fake once), stop it after."""
    services = build_services(settings or discord_settings(fake), clock=FakeClock(), content=content)
    bot = make_bot(services, **kw)
    task = asyncio.create_task(bot.start(fake.token))
    try:
        await asyncio.wait_for(bot.ready_event.wait(), 15)
        if not fake.commands:
            app_id = bot.application_id
            await bot.http.bulk_upsert_global_commands(app_id, bot.commands.payload)
        yield bot
    finally:
        await bot.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 5)


@pytest.fixture
async def bot(fake, content) -> AsyncIterator[DiscordBot]:
    async with running(fake, content) as b:
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
    return [(b["label"], b["custom_id"]) for row in message.get("components") or [] for b in row["components"]]
