"""At DEBUG (ours and every library's), a Discord session against the local fake — discord.py
dumps gateway payloads (interaction tokens) and REST routes (/interactions/<id>/<token>,
/webhooks/<app>/<token>) — leaks neither the bot token nor an interaction token."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.discord.conftest import clock, discord_services, running, shown  # noqa: F401
from tests.discord.fake_discord import FakeDiscord

# The shape of a real bot token (user id . timestamp . HMAC), not a configured secret: the
# log handler gets no secrets here, so only its patterns protect it.
TOKEN = "MTA5ODc2NTQzMjEwOTg3NjU0MzI.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB"


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord(token=TOKEN)
    server.add_guild("Study Group")
    await server.start()
    yield server
    await server.close()


async def test_discord_session_at_debug_leaks_no_token(debug_log, fake, discord_services):  # noqa: F811
    async with running(fake, discord_services):
        guild = next(iter(fake.guilds.values()))
        inter = fake.command(
            guild,
            "salary",
            [
                {
                    "type": 1,
                    "name": "show",
                    "options": [{"type": 3, "name": "country", "value": "germany"}],
                }
            ],
        )
        await fake.interact(inter)
        assert "€75,000" in shown(await fake.settle(inter["token"]))
        slow = fake.command(guild, "profile", [])  # a store command: deferred, then a webhook
        await fake.interact(slow)
        await fake.settle(slow["token"])

    text = debug_log.getvalue()
    assert "DEBUG discord" in text and "[redacted]" in text
    assert "/interactions/" in text or "/webhooks/" in text  # the routes were logged
    for secret in (TOKEN, inter["token"], slow["token"]):
        assert secret not in text, secret
