"""Discord adapter: native application commands, autocomplete and persistent buttons."""

from __future__ import annotations

import logging

import aiohttp
import discord

from bot.adapters.discord.client import DiscordBot, configure, make_bot
from bot.adapters.discord.delivery import DiscordDelivery
from bot.backoff import keep_trying
from bot.core.context import Services
from bot.settings import ConfigError

log = logging.getLogger(__name__)

__all__ = [
    "DiscordBot",
    "DiscordDelivery",
    "attach_delivery",
    "configure",
    "make_bot",
    "serve",
    "sync_commands",
]


def attach_delivery(services: Services, bot: DiscordBot) -> DiscordDelivery:
    """Give the scheduler (when one runs) this process's Discord delivery port."""
    delivery = DiscordDelivery(bot)
    bot.delivery = delivery
    scheduler = services.scheduler
    register = getattr(scheduler, "register_delivery", None) or getattr(
        scheduler, "add_delivery", None
    )
    if register is not None:
        register(delivery)
    return delivery


async def serve(services: Services) -> None:
    """Run the bot until cancelled. Commands are not synced here: see ``sync_commands``.

    Discord unreachable at start-up: retried with exponential backoff, one warning line per
    attempt (bot.backoff); later gateway drops are discord.py's own reconnect loop. A refused
    token raises ``ConfigError`` (one line) instead.
    """
    # The bot has no voice; discord.py would warn at start that voice libraries are missing.
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
    bot = make_bot(services)
    attach_delivery(services, bot)
    token = services.settings.discord_token
    if not token:
        raise RuntimeError("DISCORD_TOKEN is not set")
    try:
        await keep_trying(
            lambda: _login(bot, token),
            what="Discord",
            transient=(OSError, TimeoutError, aiohttp.ClientError, discord.DiscordServerError),
        )
        await bot.connect()
    finally:
        if not bot.is_closed():
            await bot.close()


async def _login(bot: DiscordBot, token: str) -> None:
    try:
        await bot.login(token)
    except discord.LoginFailure:
        raise ConfigError(
            [
                "DISCORD_TOKEN: Discord refused the token — reset it in the Developer Portal "
                "(Bot tab → Reset Token) and set the new one"
            ]
        ) from None
    except BaseException:
        # The next attempt opens a fresh HTTP session, on a fresh connector (close() closed it).
        await bot.http.close()
        bot.http.connector = discord.utils.MISSING
        raise


async def sync_commands(services: Services, guild: int | None = None) -> list[dict]:
    """Overwrite the application's commands (globally, or in one guild: instant, for testing)."""
    bot = make_bot(services)
    token = services.settings.discord_token
    if not token:
        raise RuntimeError("DISCORD_TOKEN is not set")
    try:
        await bot.login(token)
        app = await bot.http.application_info()
        app_id = int(app["id"])
        payload = bot.commands.payload
        if guild is None:
            return await bot.http.bulk_upsert_global_commands(app_id, payload)
        return await bot.http.bulk_upsert_guild_commands(app_id, guild, payload)
    finally:
        await bot.close()
