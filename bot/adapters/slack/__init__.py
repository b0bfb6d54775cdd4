"""Slack adapter (slack-bolt, asyncio): ``serve(services)`` runs HTTP mode or Socket Mode.

- ``SLACK_BOT_TOKEN`` + ``SLACK_SIGNING_SECRET``: HTTP mode on ``SLACK_HOST:SLACK_PORT``,
  request URL path ``/slack/events``.
- ``SLACK_APP_TOKEN`` set as well: Socket Mode (no public URL needed).
"""

from __future__ import annotations

import logging

from bot.adapters.slack.app import SlackBot
from bot.adapters.slack.blocks import render
from bot.adapters.slack.delivery import SlackDelivery
from bot.core.context import Services

log = logging.getLogger(__name__)

__all__ = ["SlackBot", "SlackDelivery", "build", "render", "serve"]


def build(services: Services) -> SlackBot:
    """The adapter for ``services``' settings (OAuth install store when configured)."""
    from bot.adapters.slack.oauth import oauth_options

    return SlackBot(services, **oauth_options(services.settings))


async def serve(services: Services) -> None:
    """Run the Slack adapter until cancelled."""
    from bot.adapters.slack.oauth import create_tables, dispose
    from bot.adapters.slack.server import serve_http, serve_socket_mode

    settings = services.settings
    if not settings.slack_app_token and not settings.slack_signing_secret:
        raise SystemExit("Slack HTTP mode needs SLACK_SIGNING_SECRET (or set SLACK_APP_TOKEN)")
    bot = build(services)
    await create_tables(bot)
    attach_delivery(services, bot)
    try:
        if settings.slack_app_token:
            await serve_socket_mode(bot)
        else:
            await serve_http(bot)
    finally:
        await dispose(bot)


def attach_delivery(services: Services, bot: SlackBot) -> None:
    """Give the scheduler (when one runs) the Slack delivery port."""
    scheduler = services.scheduler
    if scheduler is None:
        return
    register = getattr(scheduler, "register_delivery", None) or getattr(
        scheduler, "add_delivery", None
    )
    if register is not None:
        register(bot.delivery)
    elif hasattr(scheduler, "deliveries") and isinstance(scheduler.deliveries, dict):
        scheduler.deliveries["slack"] = bot.delivery
    else:
        log.warning("scheduler has no way to register the Slack delivery port")
