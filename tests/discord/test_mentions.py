"""A daily prompt pings the role an admin configured, and only it (Discord fake, real scheduler)."""

from __future__ import annotations

from datetime import timedelta

from bot.app import load_commands
from bot.core.registry import REGISTRY
from tests.discord import rules
from tests.discord.conftest import shown
from tests.discord.fake_discord import MANAGE_GUILD, MEMBER_DEFAULT
from tests.discord.helpers import command_payload

load_commands()
ROLE = "123456789012345678"


async def subscribe(fake, bot, guild, clock, role: str) -> str:
    at = (clock.now() + timedelta(minutes=1)).strftime("%H:%M")
    cmd = REGISTRY.commands[("daily", "subscribe")]
    name, options = command_payload(bot.commands, cmd, {"time": at, "role": role})
    inter = fake.command(guild, name, options, perms=MEMBER_DEFAULT | MANAGE_GUILD)
    await fake.interact(inter)
    ok = await fake.settle(inter["token"])
    assert ok["_allowed_mentions"] == {"parse": []}  # the confirmation pings nobody
    return shown(ok)


async def test_prompt_pings_exactly_the_configured_role(fake, bot, guild, clock):
    said = await subscribe(fake, bot, guild, clock, f"<@&{ROLE}>")
    assert f"pinging role {ROLE}" in said
    clock.advance(minutes=1)
    await bot.services.scheduler.tick()
    [post] = fake.channel_posts
    assert rules.message_problems(post) == []
    assert post["content"] == f"<@&{ROLE}>"  # Discord pings only from content
    allowed = post["_allowed_mentions"]
    # Exactly that role: no parsed mentions (no @everyone, users or other roles).
    assert set(allowed) == {"parse", "roles"} and allowed["parse"] == []
    assert [str(r) for r in allowed["roles"]] == [ROLE]
    assert "Daily study prompt" in shown(post)


async def test_plain_role_text_is_shown_and_pings_nobody(fake, bot, guild, clock):
    said = await subscribe(fake, bot, guild, clock, "@everyone Data folks <@&1>")
    assert "for @\u200beveryone" in said
    clock.advance(minutes=1)
    await bot.services.scheduler.tick()
    [post] = fake.channel_posts
    assert post["_allowed_mentions"] == {"parse": []} and not post["content"]
    text = shown(post)
    assert "Data folks" in text and "@everyone" not in text
