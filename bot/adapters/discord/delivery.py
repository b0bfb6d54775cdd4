"""Scheduled posts on Discord: channel messages over REST, failures mapped for the scheduler.

429 is handled by discord.py itself (it waits ``retry_after`` and retries) up to the client's
``max_ratelimit_timeout``; a longer wait, a 5xx or a network error becomes
TransientDeliveryError. 403 and 404 become PermanentDeliveryError, naming the permission the
bot lacks in that channel (Send Messages, Embed Links, View Channel) when it can tell.
"""

from __future__ import annotations

import logging

import aiohttp
import discord

from bot.adapters.discord.client import NO_MENTIONS, DiscordBot, _kwargs
from bot.adapters.discord.render import render
from bot.core.delivery import PermanentDeliveryError, TransientDeliveryError
from bot.core.reply import Reply

log = logging.getLogger(__name__)

MISSING_ACCESS = 50001
MISSING_PERMISSIONS = 50013


class DiscordDelivery:
    """The Delivery port (bot/core/delivery.py) for Discord."""

    platform = "discord"

    def __init__(self, bot: DiscordBot) -> None:
        self.bot = bot

    def serves(self, workspace: str) -> bool:
        """True when ``workspace`` (a guild id) belongs to one of this process's shards."""
        return self.bot.serves(workspace)

    def missing_permission(self, channel_id: int, needs_embeds: bool = True) -> str | None:
        """The first permission the bot lacks in the channel, from the gateway cache."""
        channel = self.bot.get_channel(channel_id)
        if not isinstance(channel, discord.abc.GuildChannel):
            return None
        me = channel.guild.me
        if me is None:
            return None
        perms = channel.permissions_for(me)
        if not perms.view_channel:
            return "View Channel"
        if not perms.send_messages:
            return "Send Messages"
        if needs_embeds and not perms.embed_links:
            return "Embed Links"
        return None

    async def post(self, workspace: str, channel: str, reply: Reply) -> str:
        """Post ``reply`` to ``channel``; the id of the first message it took."""
        target = self.bot.get_partial_messageable(
            int(channel), guild_id=int(workspace) if workspace.isdigit() else None
        )
        first_id: str | None = None
        try:
            for out in render(reply):
                msg = await target.send(**_kwargs(out))
                first_id = first_id or str(msg.id)
        except discord.RateLimited as exc:
            raise TransientDeliveryError(
                f"rate limited for {exc.retry_after:.1f}s", exc.retry_after
            ) from exc
        except discord.Forbidden as exc:
            missing = self.missing_permission(int(channel)) or (
                "Send Messages" if exc.code in (MISSING_PERMISSIONS, MISSING_ACCESS) else None
            )
            what = f"the bot lacks {missing}" if missing else "the bot is not allowed to post"
            raise PermanentDeliveryError(
                f"Can't post in <#{channel}>: {what}.", missing_permission=missing
            ) from exc
        except discord.NotFound as exc:
            raise PermanentDeliveryError(
                f"Channel {channel} no longer exists or the bot was removed."
            ) from exc
        except discord.DiscordServerError as exc:
            raise TransientDeliveryError(f"Discord error {exc.status}") from exc
        except discord.HTTPException as exc:
            if exc.status == 429:
                raise TransientDeliveryError("rate limited", None) from exc
            raise PermanentDeliveryError(
                f"Discord refused the post ({exc.status} {exc.text})"
            ) from exc
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise TransientDeliveryError(f"network error: {exc}") from exc
        assert first_id is not None
        return first_id

    async def notify_admin(self, workspace: str, channel: str, text: str) -> None:
        """Best effort: tell the guild's admins, in the system channel or the first we can use."""
        guild = self.bot.get_guild(int(workspace)) if workspace.isdigit() else None
        if guild is None:
            log.warning("notify_admin: guild %s not in this process: %s", workspace, text)
            return
        candidates = [guild.system_channel, *guild.text_channels]
        for ch in candidates:
            if ch is None or str(ch.id) == channel:
                continue
            if guild.me is not None and ch.permissions_for(guild.me).send_messages:
                try:
                    embed = discord.Embed(
                        title="⚠ Scheduled post problem", description=text[:4000], color=0xED4245
                    )
                    await ch.send(embed=embed, allowed_mentions=NO_MENTIONS)
                    return
                except discord.HTTPException:
                    continue
        log.warning("notify_admin: nowhere to tell guild %s: %s", workspace, text)
