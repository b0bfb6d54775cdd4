"""The Slack adapter: one slash command, block actions and App Home on a slack-bolt AsyncApp.

Slack wants an ack within 3 seconds. A slash command that finishes within ``ACK_BUDGET``
(nearly all do) is answered inside its ack; a slower one is acked empty and answered through
the request's ``response_url`` (ephemeral replies stay ephemeral) or the Web API. Buttons and
App Home ack at once and do their work in the background. The text after the slash command
goes to the core exactly as the console takes it.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Coroutine
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.adapters.slack import home
from bot.adapters.slack.blocks import render
from bot.adapters.slack.client import api_error, retry_handlers, web_client
from bot.adapters.slack.delivery import SlackDelivery, upload_pictures
from bot.adapters.slack.members import AdminCache, admin_ids
from bot.core.context import Context, Member, Services
from bot.core.delivery import PermanentDeliveryError
from bot.core.dispatch import execute, press
from bot.core.reply import Reply

log = logging.getLogger(__name__)

OUR_ACTIONS = re.compile(r"^mle\|")
WORKERS = 8  # commands answered concurrently after their ack
# Slack waits 3 s for the ack. A command done within this budget is answered in the ack;
# a slower one is acked empty and answered through its response_url.
ACK_BUDGET = 1.5
GENERIC_ERROR = "Sorry, something went wrong on my side. The error has been logged."


class SlackBot:
    """Everything the Slack adapter holds: the bolt app, its clients and the admin cache."""

    def __init__(
        self,
        services: Services,
        *,
        installation_store: Any = None,
        oauth_settings: Any = None,
        logger: logging.Logger | None = None,
    ) -> None:
        self.services = services
        settings = services.settings
        self.settings = settings
        self.admins = AdminCache(services.clock, settings.slack_admin_ids)
        # /mle help and usage lines show what members type: /mle salary [country].
        prefix = settings.slack_command.lstrip("/")
        services.spellings["slack"] = lambda cmd: (prefix, *cmd.path)
        self.installation_store = installation_store
        # One HTTP session (connection pool) for every Web API call and response_url post,
        # when there is a running loop to own it; bolt's per-request clients share it too.
        self._session: aiohttp.ClientSession | None = None
        try:
            asyncio.get_running_loop()
            self._session = aiohttp.ClientSession()
        except RuntimeError:
            pass
        # One client for the app; in OAuth mode bolt copies it per installation's token.
        self.client: AsyncWebClient = web_client(
            settings,
            None if (oauth_settings or installation_store) else settings.slack_bot_token,
            session=self._session,
        )
        self._clients: dict[str, AsyncWebClient] = {}
        # Work after the ack (run the command, answer) is limited to a few at a time, so a
        # burst of requests gets every ack out first and the answers follow right behind.
        self._work = asyncio.Semaphore(WORKERS)
        self._tasks: set[asyncio.Task] = set()
        self.ack_budget = ACK_BUDGET
        self.handled = 0  # listener runs: the security tests prove a bad signature runs none
        kwargs: dict[str, Any] = {}
        if oauth_settings is not None:
            kwargs["oauth_settings"] = oauth_settings  # it carries the installation store
        elif installation_store is not None:
            kwargs["installation_store"] = installation_store
        self.app = AsyncApp(
            name="mle-study-bot",
            client=self.client,
            signing_secret=settings.slack_signing_secret or "",
            logger=logger,
            # Listeners ack and hand their work to self.spawn, so bolt can answer the HTTP
            # request as soon as the listener returns instead of polling for the ack.
            process_before_response=True,
            **kwargs,
        )
        self.delivery = SlackDelivery(self.client_for, admin_ids(settings.slack_admin_ids))
        self._register()

    # ---- wiring -------------------------------------------------------------------------

    def _register(self) -> None:
        self.app.command(self.settings.slack_command)(self.on_command)
        self.app.action(OUR_ACTIONS)(self.on_action)
        self.app.event("app_home_opened")(self.on_home_opened)

    async def session(self) -> aiohttp.ClientSession:
        """One HTTP session for every response_url post (created on the running loop)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        await self.drain()
        if self._session is not None:
            await self._session.close()

    async def client_for(self, workspace: str) -> AsyncWebClient:
        """A Web API client with the bot token of ``workspace`` (the delivery port uses it)."""
        if self.installation_store is None:
            return self.client
        bot = await self.installation_store.async_find_bot(enterprise_id=None, team_id=workspace)
        if bot is None:
            raise PermanentDeliveryError(f"the app is not installed in workspace {workspace}")
        client = self._clients.get(bot.bot_token)
        if client is None:
            client = web_client(self.settings, bot.bot_token, session=self._session)
            self._clients[bot.bot_token] = client
        return client

    async def context(
        self, client: AsyncWebClient, team: str, channel: str, user: str, name: str = ""
    ) -> Context:
        is_admin = await self.admins.is_admin(client, team, user)
        member = Member(id=user, name=name, is_admin=is_admin)
        return Context(self.services, "slack", team, channel, member)

    async def respond(self, url: str, payload: dict[str, Any]) -> None:
        """POST a message to a response_url (retrying 429s like the Web API client)."""
        hook = AsyncWebhookClient(
            url, session=await self.session(), retry_handlers=retry_handlers()
        )
        resp = await hook.send_dict(payload)
        if resp.status_code != 200:
            log.warning("response_url answered %s: %s", resp.status_code, resp.body[:200])

    # ---- listeners ------------------------------------------------------------------------

    async def on_command(self, ack, command: dict[str, Any], client: AsyncWebClient) -> None:
        """Answer in the ack itself when the command is quick; otherwise ack, then respond.

        Slack shows a message returned in the slash command's HTTP response exactly like one
        posted to its response_url, and it saves a round trip. A command still running after
        ``ack_budget`` seconds is acked empty and answered through the response_url.
        """
        self.handled += 1
        work = asyncio.ensure_future(self._command(command, client))
        try:
            payload, ctx = await asyncio.wait_for(asyncio.shield(work), self.ack_budget)
        except TimeoutError:
            await ack()
            self.spawn(self._answer_later(work, command, client), "slash command")
            return
        except Exception:
            log.exception("slash command failed")
            await ack(text=GENERIC_ERROR, response_type="ephemeral")
            return
        await ack(**payload)

    async def _command(
        self, command: dict[str, Any], client: AsyncWebClient
    ) -> tuple[dict[str, Any], Context]:
        ctx = await self.context(
            client,
            command.get("team_id", ""),
            command.get("channel_id", ""),
            command.get("user_id", ""),
            command.get("user_name", ""),
        )
        reply = await execute(ctx, command.get("text") or "")
        payload = await with_pictures(client, reply)
        payload["response_type"] = "ephemeral" if reply.ephemeral else "in_channel"
        return payload, ctx

    async def _answer_later(self, work: asyncio.Future, command: dict[str, Any], client) -> None:
        payload, ctx = await work
        await self.answer(client, command.get("response_url"), payload, ctx)

    async def on_action(self, ack, body: dict[str, Any], action: dict[str, Any], client) -> None:
        await ack()
        self.handled += 1
        self.spawn(self._action(body, action, client), "block action")

    async def _action(self, body: dict[str, Any], action: dict[str, Any], client) -> None:
        user = body.get("user") or {}
        team = (body.get("team") or {}).get("id") or user.get("team_id", "")
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
            "channel_id"
        )
        ctx = await self.context(
            client,
            team,
            channel or user.get("id", ""),
            user.get("id", ""),
            user.get("username") or user.get("name") or "",
        )
        reply = await press(ctx, action.get("value") or action.get("action_id", ""))
        payload = await with_pictures(client, reply)
        if reply.replace and reply.kind != "error":
            payload["replace_original"] = True
        else:
            payload["replace_original"] = False
            payload["response_type"] = "ephemeral" if reply.ephemeral else "in_channel"
        from_home = (body.get("view") or {}).get("type") == "home"
        if from_home:
            # A button on the App Home tab: no response_url; answer in the app's DM, refresh.
            await self.post_dm(client, ctx.member.id, reply)
            await self.publish_home(client, team, ctx.member.id)
            return
        await self.answer(client, body.get("response_url"), payload, ctx)

    async def on_home_opened(self, ack, event: dict[str, Any], client, context) -> None:
        await ack()
        self.handled += 1
        if event.get("tab", "home") != "home":
            return
        user, channel = event.get("user", ""), event.get("channel")
        self.spawn(self.publish_home(client, context.team_id or "", user, channel), "app home")

    def spawn(self, work: Coroutine[Any, Any, None], what: str) -> asyncio.Task:
        """Run post-ack work in the background, a few at a time (the ack has already gone)."""

        async def run() -> None:
            async with self._work:
                await guarded(work, what)

        task = asyncio.create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def drain(self) -> None:
        """Wait for all post-ack work (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # ---- answering --------------------------------------------------------------------

    async def answer(self, client, url: str | None, payload: dict[str, Any], ctx: Context) -> None:
        if url:
            try:
                await self.respond(url, payload)
                return
            except (aiohttp.ClientError, TimeoutError) as exc:
                log.warning("response_url failed (%r); falling back to the Web API", exc)
        # No response_url (or it failed): the Web API, ephemeral where the reply is personal.
        text, blocks = payload["text"], payload["blocks"]
        try:
            if payload.get("response_type") == "ephemeral":
                await client.chat_postEphemeral(
                    channel=ctx.channel, user=ctx.member.id, text=text, blocks=blocks
                )
            else:
                await client.chat_postMessage(channel=ctx.channel, text=text, blocks=blocks)
        except SlackApiError as exc:
            log.warning("could not answer in %s: %s", ctx.channel, api_error(exc))

    async def post_dm(self, client, user: str, reply: Reply) -> None:
        payload = await with_pictures(client, reply)
        try:
            await client.chat_postMessage(
                channel=user, text=payload["text"], blocks=payload["blocks"]
            )
        except SlackApiError as exc:
            log.warning("could not DM %s: %s", user, api_error(exc))

    async def publish_home(self, client, team: str, user: str, channel: str | None = None) -> None:
        ctx = await self.context(client, team, channel or user, user)
        view = await home.build_view(ctx)
        try:
            await client.views_publish(user_id=user, view=view)
        except SlackApiError as exc:
            log.warning("views.publish failed for %s: %s", user, api_error(exc))


async def guarded(work: Awaitable[None], what: str) -> None:
    """Run work that follows an ack: a failure is logged, never raised into bolt.

    (Raising after ack() would make bolt's runner clear the ack and answer 404.)
    """
    try:
        await work
    except Exception:
        log.exception("slack %s failed", what)


def message(reply: Reply, files: dict[str, str] | None = None) -> dict[str, Any]:
    """The message payload for a reply (text fallback + blocks), links never unfurled."""
    payload = render(reply, files)
    return payload


async def with_pictures(client: AsyncWebClient, reply: Reply) -> dict[str, Any]:
    """The message payload, after uploading the reply's pictures (if any) to show in it."""
    files = await upload_pictures(client, reply) if reply.attachments else None
    return message(reply, files)
