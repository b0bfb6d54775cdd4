"""Running the adapter: HTTP mode on the project's own aiohttp server, or Socket Mode.

HTTP mode: Slack POSTs slash commands, interactivity and events to ``/slack/events`` (one
request URL for all three); bolt verifies every request's signature before anything runs.
A request whose ``X-Slack-Request-Timestamp`` isn't a plain number of seconds is refused with
401 here (bolt would raise on it). With OAuth configured, ``/slack/install`` and
``/slack/oauth_redirect`` serve the install flow. ``/healthz`` and ``/readyz``: see bot.health.

Socket Mode: the first connection is retried with exponential backoff (one warning line per
attempt) while Slack can't be reached; a refused app token stops start-up with one line.
"""

from __future__ import annotations

import asyncio
import logging
import re

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request

from bot import health
from bot.adapters.slack.app import SlackBot
from bot.backoff import keep_trying
from bot.settings import ConfigError

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
TIMESTAMP = re.compile(r"[0-9]{1,12}")  # Unix seconds, ASCII digits only
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"


def web_app(bot: SlackBot) -> web.Application:
    """The aiohttp application serving Slack's request URL (and the OAuth pages if enabled)."""

    async def events(request: web.Request) -> web.Response:
        if not TIMESTAMP.fullmatch(request.headers.get("X-Slack-Request-Timestamp", "")):
            return web.json_response({"error": "invalid request"}, status=401)
        bolt_resp = await bot.app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_resp)

    async def oauth(request: web.Request) -> web.Response:
        flow = bot.app.oauth_flow
        if flow is None:
            raise web.HTTPNotFound()
        req = await to_bolt_request(request)
        if request.path == INSTALL_PATH:
            resp = await flow.handle_installation(req)
        else:
            resp = await flow.handle_callback(req)
        return await to_aiohttp_response(resp)

    app = web.Application()
    app.router.add_post(EVENTS_PATH, events)
    app.router.add_get(INSTALL_PATH, oauth)
    app.router.add_get(REDIRECT_PATH, oauth)
    health.add_routes(app, bot.services)
    return app


async def start_http(bot: SlackBot, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Start serving; returns the runner and the bound port (``port=0`` picks a free one)."""
    runner = web.AppRunner(web_app(bot), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, bound


async def serve_http(bot: SlackBot) -> None:
    settings = bot.settings
    runner, port = await start_http(bot, settings.slack_host, settings.slack_port)
    log.info("Slack HTTP mode: http://%s:%s%s", settings.slack_host, port, EVENTS_PATH)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
        await bot.close()


def socket_handler(bot: SlackBot, ping_interval: float = 10):
    """bolt's aiohttp Socket Mode handler; apps.connections.open goes to SLACK_API_URL."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    return AsyncSocketModeHandler(
        bot.app,
        bot.settings.slack_app_token,
        web_client=socket_client(bot),
        ping_interval=ping_interval,
    )


REFUSED = {
    "invalid_auth",
    "not_authed",
    "account_inactive",
    "token_revoked",
    "not_allowed_token_type",
}


class SlackDown(Exception):
    """Slack answered apps.connections.open with an error worth retrying."""


async def open_socket_url(client) -> str:
    """One apps.connections.open call: the WebSocket URL, ``ConfigError`` if the token is
    refused, ``SlackDown`` (or a network error) when retrying may help."""
    from slack_sdk.errors import SlackApiError

    try:
        response = await client.web_client.apps_connections_open(app_token=client.app_token)
    except SlackApiError as exc:
        error = exc.response.get("error") if exc.response is not None else None
        if error in REFUSED:
            raise ConfigError(
                [
                    f"SLACK_APP_TOKEN: Slack refused it ({error}) — generate an app-level "
                    "token with connections:write (Basic Information → App-Level Tokens)"
                ]
            ) from None
        raise SlackDown(error or "error") from None
    return response["url"]


async def serve_socket_mode(bot: SlackBot) -> None:
    import aiohttp

    handler = socket_handler(bot)
    client = handler.client
    log.info("Slack Socket Mode: connecting")
    try:
        client.wss_uri = await keep_trying(
            lambda: open_socket_url(client),
            what="Slack Socket Mode",
            transient=(SlackDown, OSError, TimeoutError, aiohttp.ClientError),
        )
        await client.connect()
        await asyncio.Event().wait()
    finally:
        await handler.close_async()
        await bot.close()


def socket_client(bot: SlackBot):
    """The client that calls apps.connections.open with the app-level token."""
    from bot.adapters.slack.client import web_client

    return web_client(bot.settings)
