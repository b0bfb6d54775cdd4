"""Autocomplete for group names (per guild, from the store) and timezones, through the fake
Discord that the real discord.py client connects to."""

from __future__ import annotations

from bot.core.registry import REGISTRY
from tests.discord.helpers import nest


async def _choices(fake, bot, guild, path, option, typed):
    cmd = REGISTRY.commands[path]
    name, options = nest(
        bot.commands.discord_path(cmd),
        [{"type": 3, "name": option, "value": typed, "focused": True}],
    )
    cb = await fake.interact(fake.autocomplete(guild, name, options))
    assert cb.type == 8  # APPLICATION_COMMAND_AUTOCOMPLETE_RESULT
    return [c["value"] for c in cb.data["choices"]]


async def test_group_names_autocomplete_from_this_guild(fake, bot, guild):
    store = bot.services.store
    for name in ("Night Owls", "Deep Learners"):
        await store.create_group(
            "discord", str(guild.id), name, "u1", "Ada", bot.services.clock.now()
        )
    await store.create_group(
        "discord", "999", "Other Guild Group", "u1", "Ada", bot.services.clock.now()
    )
    got = await _choices(fake, bot, guild, ("group", "join"), "name", "deep lern")
    assert got[0] == "Deep Learners"
    everything = await _choices(fake, bot, guild, ("leaderboard",), "group", "")
    assert set(everything) == {"Night Owls", "Deep Learners"}  # never another guild's groups
    payload = {p["name"]: p for p in bot.commands.payload}
    join = next(o for o in payload["group"]["options"] if o["name"] == "join")
    assert join["options"][0]["autocomplete"] is True


async def test_timezone_autocomplete(fake, bot, guild):
    got = await _choices(fake, bot, guild, ("profile", "timezone"), "timezone", "berl")
    assert "Europe/Berlin" in got[:3]
    got = await _choices(fake, bot, guild, ("daily", "subscribe"), "timezone", "new yo")
    assert "America/New_York" in got[:3]
