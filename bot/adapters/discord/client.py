"""The Discord adapter: discord.py client ↔ core commands, buttons and autocomplete.

INTERACTION_CREATE (application command)  → ``dispatch.invoke``  → embeds + buttons
INTERACTION_CREATE (autocomplete)         → ``Option.suggest`` ranked with rapidfuzz
INTERACTION_CREATE (button ``mle|…``)     → ``dispatch.press``   → new message or edit (type 7)

The adapter owns Discord's 3-second rule: a command that has not answered within
``defer_after`` seconds is deferred (type 5, or type 6 for a button) and finished through
the interaction webhook. Mentions are never parsed (allowed_mentions none everywhere).
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
from collections.abc import Awaitable
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from bot.adapters.discord.commands import CommandSet, build, resolve, stale_reply
from bot.adapters.discord.render import FILE_DESCRIPTION, Outgoing, components_of, render
from bot.core import dispatch
from bot.core.actions import PREFIX, SEP
from bot.core.complete import suggestions_for
from bot.core.context import Context, Member, Services
from bot.core.reply import Button, Reply, error
from bot.settings import Settings

log = logging.getLogger(__name__)

DEFER_AFTER = 1.5  # seconds: well inside Discord's 3 s, with room for the callback round trip
SWEEP_EVERY = (
    0.1  # how often in-flight commands are checked: a deferral goes by DEFER_AFTER + 0.1 s
)
NO_MENTIONS = discord.AllowedMentions.none()
DEFAULT_API_BASE = "https://discord.com/api/v10"


def configure(settings: Settings) -> None:
    """Point discord.py at ``DISCORD_API_BASE`` / ``DISCORD_GATEWAY_URL`` (process-wide config).

    REST calls, interaction callbacks and webhooks all build their URLs from ``Route.BASE``;
    the gateway URL is the one discord.py connects to (and returns to after an invalidated
    session). Left unset, the gateway comes from GET /gateway/bot on the configured API.
    """
    discord.http.Route.BASE = settings.discord_api_base.rstrip("/")
    if settings.discord_gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def shard_settings(settings: Settings) -> tuple[int | None, list[int] | None]:
    ids = None
    if settings.discord_shard_ids:
        ids = [int(x) for x in settings.discord_shard_ids.replace(" ", "").split(",") if x]
    count = settings.discord_shard_count
    if ids and count is None:
        raise ValueError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT")
    return count, ids


class MleButton(
    discord.ui.DynamicItem[discord.ui.Button], template=re.escape(PREFIX + SEP) + r".*"
):
    """Every button whose custom_id starts ``mle|``: stateless, so it works after a restart."""

    def __init__(
        self,
        custom_id: str,
        label: str = "…",
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
    ) -> None:
        super().__init__(discord.ui.Button(label=label, custom_id=custom_id, style=style))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item, match: re.Match[str], /
    ):  # type: ignore[override]
        return cls(
            match.group(0),
            getattr(item, "label", None) or "…",
            getattr(item, "style", discord.ButtonStyle.secondary),
        )

    async def callback(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        client = interaction.client
        if isinstance(client, DiscordBot):
            await client.on_button(interaction, self.custom_id)


class Prebuilt(discord.Embed):
    """An embed whose JSON the renderer already made: discord.py only calls ``to_dict()``.

    ``Embed.from_dict(d).to_dict()`` gives ``d`` back, so going through it cost a parse and a
    rebuild per embed for nothing.
    """

    __slots__ = ("_payload",)

    def __init__(self, payload: dict[str, Any]) -> None:
        self._payload = payload

    def to_dict(self) -> dict[str, Any]:  # type: ignore[override]
        return self._payload


class Components(discord.ui.View):
    """Our buttons as ready-made action rows, in a View discord.py never tracks.

    Clicks are routed by ``MleButton`` (a DynamicItem matched on the ``mle|`` prefix), not by
    the View that sent them, so building a Button item per button, rendering it back to JSON
    and registering the View in the view store (with a 15-minute timeout task for each
    ephemeral message) was all cost and no use.
    """

    def __init__(self, buttons: list[Button]) -> None:
        super().__init__(timeout=None)
        self._rows = components_of(buttons)

    def to_components(self) -> list[dict[str, Any]]:
        return self._rows

    def is_finished(self) -> bool:
        return True  # nothing to listen for: never stored in the view store

    def is_dispatchable(self) -> bool:
        return False


def view_of(buttons: list[Button]) -> discord.ui.View | None:
    return Components(buttons) if buttons else None


def files_of(out: Outgoing) -> list[discord.File]:
    """Fresh discord.File objects for the message's pictures (a File can be sent only once)."""
    return [
        discord.File(io.BytesIO(a.data), filename=a.filename, description=a.alt[:FILE_DESCRIPTION])
        for a in out.files
    ]


def _kwargs(out: Outgoing, *, clear_view: bool = False, edit: bool = False) -> dict[str, Any]:
    # No allowed_mentions by default: the client's own (NO_MENTIONS, set in DiscordBot.__init__)
    # goes on every message it sends. Only a reply with admin-configured role mentions gets
    # its own, allowing exactly those roles.
    kw: dict[str, Any] = {"embeds": [Prebuilt(e) for e in out.embeds]}
    view = view_of(out.buttons)
    if view is not None:
        kw["view"] = view
    elif clear_view:
        kw["view"] = None
    if out.files:
        # Sent with the message as multipart (payload_json + files[n]); an edit replaces the
        # message's attachments with these.
        kw["attachments" if edit else "files"] = files_of(out)
    elif edit:
        kw["attachments"] = []  # an edit without a picture drops the old one
    if out.roles:
        kw["content"] = out.content
        kw["allowed_mentions"] = discord.AllowedMentions(
            everyone=False,
            users=False,
            replied_user=False,
            roles=[discord.Object(r) for r in out.roles],
        )
    return kw


class _Pending:
    """One interaction being answered: whether its command finished and whether it deferred."""

    __slots__ = ("interaction", "component", "ephemeral_hint", "done", "deferred", "deferral")

    def __init__(
        self, interaction: discord.Interaction, component: bool, ephemeral_hint: bool
    ) -> None:
        self.interaction = interaction
        self.component = component
        self.ephemeral_hint = ephemeral_hint
        self.done = False
        self.deferred = False
        self.deferral: asyncio.Future | None = None

    def start_deferral(self, force: bool = False) -> None:
        if self.deferral is None:
            self.deferral = asyncio.ensure_future(self._defer(force))

    async def _defer(self, force: bool) -> None:
        if self.done and not force:  # the command finished while this was being scheduled
            return
        self.deferred = True
        if self.component:
            await self.interaction.response.defer()  # type 6: we may still edit the message
        else:
            await self.interaction.response.defer(
                thinking=True, ephemeral=self.ephemeral_hint
            )  # type 5


class DiscordBot(discord.AutoShardedClient):
    """Our bot on discord.py. No privileged intents: Intents.default() has none of them."""

    def __init__(
        self,
        services: Services,
        *,
        defer_after: float = DEFER_AFTER,
        shard_count: int | None = None,
        shard_ids: list[int] | None = None,
        max_ratelimit_timeout: float = 30.0,
        **client_options: Any,
    ) -> None:
        super().__init__(
            **client_options,
            intents=discord.Intents.default(),
            allowed_mentions=NO_MENTIONS,
            shard_count=shard_count,
            shard_ids=shard_ids,
            max_ratelimit_timeout=max_ratelimit_timeout,
        )
        self.services = services
        self.commands: CommandSet = build(services.registry)
        # /help and usage lines show the names Discord members see (/daily-admin subscribe).
        services.spellings["discord"] = self.commands.discord_path
        self.defer_after = defer_after
        # In-flight commands → when to defer them, checked by one sweeping timer. (A timer per
        # interaction meant a heap push and pop with Python-level comparisons each time.)
        self._deadlines: dict[_Pending, float] = {}
        self._sweeper: asyncio.TimerHandle | None = None
        self.ready_event = asyncio.Event()
        self.delivery: Any = None  # set by attach_delivery

    async def setup_hook(self) -> None:
        self.add_dynamic_items(MleButton)  # persistent: clicks on old messages still route
        explicit = self.services.settings.discord_gateway_url
        if self.shard_count is None or not explicit:
            # Ask the configured API which gateway and how many shards, as discord.py does,
            # but keep an explicit DISCORD_GATEWAY_URL / DISCORD_SHARD_COUNT authoritative.
            count, url, _ = await self.http.get_bot_gateway()
            if self.shard_count is None:
                self.shard_count = count
            if not explicit:
                DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)

    async def on_ready(self) -> None:
        log.info(
            "Discord: connected as %s, shards %s/%s, %d guilds",
            self.user,
            self.shard_ids,
            self.shard_count,
            len(self.guilds),
        )
        self.ready_event.set()

    def serves(self, workspace: str) -> bool:
        """Whether this process's shards handle guild ``workspace`` (Discord's shard formula)."""
        try:
            guild_id = int(workspace)
        except ValueError:
            return False
        count = self.shard_count or 1
        ids = self.shard_ids if self.shard_ids is not None else range(count)
        return (guild_id >> 22) % count in ids

    # ------------------------------------------------------------------ inbound
    def context_of(self, interaction: discord.Interaction) -> Context:
        user = interaction.user
        perms = interaction.permissions
        member = Member(
            id=str(user.id),
            name=user.display_name,
            is_admin=bool(perms.manage_guild or perms.administrator),
            is_bot=user.bot,
        )
        workspace = str(interaction.guild_id) if interaction.guild_id else f"dm-{user.id}"
        return Context(self.services, "discord", workspace, str(interaction.channel_id), member)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        try:
            if interaction.type is discord.InteractionType.application_command:
                await self.on_command(interaction)
            elif interaction.type is discord.InteractionType.autocomplete:
                await self.on_autocomplete(interaction)
            # Components with our prefix go to MleButton; anything else is not ours.
        except Exception:
            log.exception("Discord interaction %s failed", interaction.id)

    async def on_command(self, interaction: discord.Interaction) -> None:
        inv = resolve(self.commands, interaction.data or {})
        ctx = self.context_of(interaction)
        if inv.command is None:
            # A command Discord still lists but we no longer have (changed in an update):
            # a private, friendly line pointing at the current commands, not a failure.
            work: Awaitable[Reply] = _constant(error(stale_reply(self.commands, inv.path)))
            ephemeral = True
        else:
            work = dispatch.invoke(ctx, inv.command, inv.options)
            ephemeral = inv.command.ephemeral
        await self._answer(interaction, work, component=False, ephemeral_hint=ephemeral)

    async def on_button(self, interaction: discord.Interaction, custom_id: str) -> None:
        ctx = self.context_of(interaction)
        try:
            await self._answer(
                interaction, dispatch.press(ctx, custom_id), component=True, ephemeral_hint=False
            )
        except Exception:
            log.exception("Discord button %s failed", custom_id)

    async def on_autocomplete(self, interaction: discord.Interaction) -> None:
        inv = resolve(self.commands, interaction.data or {})
        choices: list[str] = []
        if inv.command and inv.focused:
            ctx = self.context_of(interaction)  # group names are per guild
            choices = await suggestions_for(ctx, inv.command, inv.focused, inv.focused_value)
        await interaction.response.autocomplete(
            [app_commands.Choice(name=c[:100], value=c[:100]) for c in choices]
        )

    # ------------------------------------------------------------------ outbound
    def _watch(self, pending: _Pending) -> None:
        loop = asyncio.get_running_loop()
        self._deadlines[pending] = loop.time() + self.defer_after
        if self._sweeper is None:
            self._sweeper = loop.call_later(min(SWEEP_EVERY, self.defer_after), self._sweep)

    def _sweep(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        # Insertion order is deadline order (one defer_after for all), so stop at the first
        # command that still has time.
        due = []
        for pending, deadline in self._deadlines.items():
            if deadline > now:
                break
            due.append(pending)
        for pending in due:
            del self._deadlines[pending]
            pending.start_deferral()
        self._sweeper = None
        if self._deadlines:
            self._sweeper = loop.call_later(min(SWEEP_EVERY, self.defer_after), self._sweep)

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        await super().close()

    async def _answer(
        self,
        interaction: discord.Interaction,
        work: Awaitable[Reply],
        *,
        component: bool,
        ephemeral_hint: bool,
    ) -> None:
        # The command runs in this task; only if it is still busy after ``defer_after`` does
        # the sweeper send a deferral. The fast path costs two dict operations.
        pending = _Pending(interaction, component, ephemeral_hint)
        if self.defer_after <= 0:  # configured to always defer first
            pending.start_deferral(force=True)
        else:
            self._watch(pending)
        try:
            reply = await work
        finally:
            pending.done = True
            self._deadlines.pop(pending, None)
        if pending.deferral is not None:
            await pending.deferral
        deferred = pending.deferred
        messages = render(reply)
        first, rest = messages[0], messages[1:]
        edit = component and reply.replace and reply.kind != "error"
        ephemeral = reply.ephemeral
        if not deferred:
            if edit:
                await interaction.response.edit_message(
                    **_kwargs(first, clear_view=True, edit=True)
                )
            else:
                await interaction.response.send_message(**_kwargs(first), ephemeral=ephemeral)
        elif component:
            if edit:
                await interaction.edit_original_response(
                    **_kwargs(first, clear_view=True, edit=True)
                )
            else:
                await interaction.followup.send(**_kwargs(first), ephemeral=ephemeral)
        elif ephemeral and not ephemeral_hint:
            # Deferred in public but the answer is personal (an error): post it privately
            # and remove the public "thinking…" placeholder.
            await interaction.followup.send(**_kwargs(first), ephemeral=True)
            await interaction.delete_original_response()
        else:
            await interaction.edit_original_response(**_kwargs(first, clear_view=True, edit=True))
        for out in rest:
            await interaction.followup.send(**_kwargs(out), ephemeral=ephemeral)


async def _constant(reply: Reply) -> Reply:
    return reply


def make_bot(services: Services, **kwargs: Any) -> DiscordBot:
    """A configured, not yet started bot for ``services`` (settings decide API, gateway, shards)."""
    settings = services.settings
    configure(settings)
    count, ids = shard_settings(settings)
    return DiscordBot(services, shard_count=count, shard_ids=ids, **kwargs)
