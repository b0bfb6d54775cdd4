"""Running the adapter: HTTP mode on the project's own aiohttp server, or Socket Mode.

HTTP mode: Slack POSTs slash commands, interactivity and events to ``/slack/events`` (one
request URL for all three); bolt verifies every request's signature before anything runs.
With OAuth configured, ``/slack/install`` and ``/slack/oauth_redirect`` serve the install flow.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request

from bot.adapters.slack.app import SlackBot

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"


def web_app(bot: SlackBot) -> web.Application:
    """The aiohttp application serving Slack's request URL (and the OAuth pages if enabled)."""

    async def events(request: web.Request) -> web.Response:
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

    async def health(_: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post(EVENTS_PATH, events)
    app.router.add_get(INSTALL_PATH, oauth)
    app.router.add_get(REDIRECT_PATH, oauth)
    app.router.add_get("/healthz", health)
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


async def serve_socket_mode(bot: SlackBot) -> None:
    handler = socket_handler(bot)
    log.info("Slack Socket Mode: connecting")
    try:
        await handler.connect_async()
        await asyncio.Event().wait()
    finally:
        await handler.close_async()
        await bot.close()


def socket_client(bot: SlackBot):
    """The client that calls apps.connections.open with the app-level token."""
    from bot.adapters.slack.client import web_client

    return web_client(bot.settings)
