"""Scheduled posts on Discord: channel messages over REST, failures mapped for the scheduler.

Idempotency: a scheduled post carries its delivery key as the message ``nonce``, and
discord.py sends ``enforce_nonce: true`` with it, so Discord returns the existing message
instead of creating a second one when the same nonce comes again from the bot within a few
minutes — discord.py's own retries (5xx, resets) and the scheduler's later attempts alike.
``find`` reads the channel's recent history for the bot's message carrying the key (the
check-in button's last argument) for reconciliation after the nonce window.

429 is handled by discord.py itself (it waits ``retry_after`` and retries) up to the client's
``max_ratelimit_timeout``; a longer wait is TransientDeliveryError (nothing was posted). A
5xx, a reset connection or no answer within ``timeout`` seconds is UncertainDeliveryError (the
message may exist). 403 and 404 become PermanentDeliveryError, naming the permission the bot
lacks in that channel (Send Messages, Embed Links, View Channel) when it can tell.

``open_thread`` starts a public thread on a posted prompt (Create Public Threads permission).
Discord allows one thread per message, so it is idempotent: "already has a thread" (code
160004) counts as done.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

import aiohttp
import discord

from bot.adapters.discord.client import NO_MENTIONS, DiscordBot, _kwargs
from bot.adapters.discord.render import render
from bot.core.delivery import (
    PermanentDeliveryError,
    TransientDeliveryError,
    UncertainDeliveryError,
)
from bot.core.reply import Reply
from bot.core.safety import neutralize

log = logging.getLogger(__name__)

MISSING_ACCESS = 50001
MISSING_PERMISSIONS = 50013
THREAD_ALREADY_CREATED = 160004  # "A thread has already been created for this message"
THREAD_ARCHIVE_MINUTES = 1440  # a prompt's discussion thread hides after a quiet day
DEFAULT_TIMEOUT = 10.0  # seconds for one Web API call of a scheduled post
HISTORY_LIMIT = 100  # messages read by ``find`` (a daily channel rarely has more since)


class DiscordDelivery:
    """The Delivery port (bot/core/delivery.py) for Discord."""

    platform = "discord"

    def __init__(self, bot: DiscordBot, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.bot = bot
        self.timeout = timeout

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

    def _target(self, workspace: str, channel: str) -> discord.PartialMessageable:
        return self.bot.get_partial_messageable(
            int(channel), guild_id=int(workspace) if workspace.isdigit() else None
        )

    async def post(self, workspace: str, channel: str, reply: Reply, key: str | None = None) -> str:
        """Post ``reply`` to ``channel``; the id of the first message it took.

        ``key`` becomes the nonce (``enforce_nonce``) of the first message and ``key-i`` of
        any further one, so a repeated attempt returns the messages already made."""
        target = self._target(workspace, channel)
        first_id: str | None = None
        try:
            for i, out in enumerate(render(reply)):
                kwargs = _kwargs(out)
                if key:
                    kwargs["nonce"] = key if i == 0 else f"{key}-{i}"[:25]
                msg = await asyncio.wait_for(target.send(**kwargs), self.timeout)
                first_id = first_id or str(msg.id)
        except Exception as exc:
            raise self._map(exc, channel) from exc
        assert first_id is not None
        return first_id

    async def find(self, workspace: str, channel: str, key: str, since: datetime) -> str | None:
        """The bot's message in ``channel`` since ``since`` whose nonce or check-in button
        carries ``key`` (the button's last argument), from the channel's recent history."""
        target = self._target(workspace, channel)
        me = self.bot.user.id if self.bot.user is not None else None
        suffix = "|" + key

        async def scan() -> str | None:
            after = discord.Object(discord.utils.time_snowflake(since, high=False))
            async for msg in target.history(limit=HISTORY_LIMIT, after=after):
                if me is not None and msg.author.id != me:
                    continue
                if str(msg.nonce or "") == key:
                    return str(msg.id)
                for row in msg.components:
                    for item in getattr(row, "children", [row]):
                        if str(getattr(item, "custom_id", None) or "").endswith(suffix):
                            return str(msg.id)
            return None

        try:
            return await asyncio.wait_for(scan(), self.timeout)
        except Exception as exc:
            mapped = self._map(exc, channel)
            if isinstance(mapped, TransientDeliveryError):  # a read: nothing can have happened
                raise TransientDeliveryError(str(mapped), mapped.retry_after) from exc
            raise mapped from exc

    async def open_thread(
        self, workspace: str, channel: str, message_id: str, title: str
    ) -> str | None:
        """Start a public thread named ``title`` (plain text, clipped to 100 characters) on
        message ``message_id`` in ``channel``; the thread's id (Discord gives it the message's
        id). A message that already has a thread counts as done. Raises the mapped delivery
        error (e.g. PermanentDeliveryError naming Create Public Threads) otherwise."""
        name = neutralize(title, 100) or "Discussion"
        message = self._target(workspace, channel).get_partial_message(int(message_id))
        try:
            if message.guild is not None:
                thread = await asyncio.wait_for(
                    message.create_thread(name=name, auto_archive_duration=THREAD_ARCHIVE_MINUTES),
                    self.timeout,
                )
                return str(thread.id)
            # The guild isn't in this process's cache (discord.py then refuses): same route.
            data = await asyncio.wait_for(
                self.bot.http.start_thread_with_message(
                    int(channel),
                    int(message_id),
                    name=name,
                    auto_archive_duration=THREAD_ARCHIVE_MINUTES,
                ),
                self.timeout,
            )
            return str(data["id"])
        except discord.HTTPException as exc:
            if exc.code == THREAD_ALREADY_CREATED:
                return message_id
            if isinstance(exc, discord.Forbidden):
                raise PermanentDeliveryError(
                    f"Can't open a thread in <#{channel}>: the bot lacks Create Public Threads.",
                    missing_permission="Create Public Threads",
                ) from exc
            raise self._map(exc, channel) from exc
        except Exception as exc:
            raise self._map(exc, channel) from exc

    def _map(self, exc: BaseException, channel: str) -> Exception:
        """The delivery error for what discord.py or the network raised."""
        if isinstance(exc, discord.RateLimited):
            return TransientDeliveryError(
                f"rate limited for {exc.retry_after:.1f}s", exc.retry_after
            )
        if isinstance(exc, discord.Forbidden):
            missing = self.missing_permission(int(channel)) or (
                "Send Messages" if exc.code in (MISSING_PERMISSIONS, MISSING_ACCESS) else None
            )
            what = f"the bot lacks {missing}" if missing else "the bot is not allowed to post"
            return PermanentDeliveryError(
                f"Can't post in <#{channel}>: {what}.", missing_permission=missing
            )
        if isinstance(exc, discord.NotFound):
            return PermanentDeliveryError(
                f"Channel {channel} no longer exists or the bot was removed."
            )
        if isinstance(exc, discord.DiscordServerError):
            return UncertainDeliveryError(f"Discord error {exc.status}")
        if isinstance(exc, discord.HTTPException):
            if exc.status == 429:
                return TransientDeliveryError("rate limited", None)
            if exc.status >= 500:
                return UncertainDeliveryError(f"Discord error {exc.status}")
            return PermanentDeliveryError(f"Discord refused the post ({exc.status} {exc.text})")
        if isinstance(exc, aiohttp.ClientConnectorError):  # never connected: nothing was sent
            return TransientDeliveryError(f"Discord unreachable: {exc}")
        if isinstance(exc, TimeoutError):
            return UncertainDeliveryError(f"no answer from Discord within {self.timeout:g}s")
        if isinstance(exc, (aiohttp.ClientError, OSError)):
            return UncertainDeliveryError(f"network error after sending: {exc!r}")
        return UncertainDeliveryError(f"unexpected error: {exc!r}")

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
