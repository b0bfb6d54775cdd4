"""``python -m bot run``: start every configured platform (console when none is)."""

from __future__ import annotations

import asyncio
import errno
import logging

from bot.app import StartupError, close_services, freeze_heap, open_services, warm_up
from bot.settings import Settings

log = logging.getLogger(__name__)


async def run_all(settings: Settings) -> None:
    """Run until a platform stops or the process is interrupted.

    Raises ``StartupError`` (the database can't be opened) or ``ConfigError`` (a platform
    refused its token): one line each, printed by ``python -m bot run``.
    """
    slack = bool(
        settings.slack_bot_token or (settings.slack_client_id and settings.slack_client_secret)
    )
    if not (settings.discord_token or slack):
        await _console_only(settings)
        return
    services = await open_services(settings, require_store=True)
    from scheduler import Service as Scheduler

    # Adapters register their delivery ports with it as they start (register_delivery).
    services.scheduler = Scheduler(services)
    await services.scheduler.start()
    try:  # before any platform starts: a port clash stops start-up at once
        health_runner = await _health_server(
            services, slack_http=slack and not settings.slack_app_token
        )
    except StartupError:
        await close_services(services)
        raise
    await warm_up(services)  # before the heap is frozen: the tables live as long as the process
    freeze_heap()
    tasks: list[asyncio.Task] = []
    if settings.discord_token:
        from bot.adapters.discord import serve as discord_serve

        tasks.append(asyncio.create_task(discord_serve(services), name="discord"))
    if slack:
        from bot.adapters.slack import serve as slack_serve

        tasks.append(asyncio.create_task(slack_serve(services), name="slack"))
    if not tasks or settings.console:
        from bot.adapters.console import serve as console_serve

        tasks.append(asyncio.create_task(console_serve(services), name="console"))
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if health_runner is not None:
            await health_runner.cleanup()
        await close_services(services)  # stops the scheduler, closes the store
    for task in done:
        exc = task.exception()
        if (
            isinstance(exc, OSError)
            and exc.errno == errno.EADDRINUSE
            and task.get_name() == "slack"
        ):
            raise StartupError(
                f"SLACK_PORT: port {settings.slack_port} is already in use — stop what listens "
                "there or choose another port"
            )
        if exc is not None:
            raise exc


async def _health_server(services, *, slack_http: bool):
    """The /healthz + /readyz server on HEALTH_PORT, unless unset or Slack's server has it."""
    settings = services.settings
    if settings.health_port is None:
        return None
    if slack_http and settings.health_port == settings.slack_port:
        return None  # Slack's HTTP server already answers both paths on that port
    from bot import health

    try:
        runner, _ = await health.start_server(services, settings.health_host, settings.health_port)
    except OSError as exc:
        raise StartupError(
            f"HEALTH_PORT: can't listen on {settings.health_host}:{settings.health_port} "
            f"({exc.strerror or exc}) — choose a free port"
        ) from None
    return runner


async def _console_only(settings: Settings) -> None:
    """No platform configured: the console answers at once while the store opens."""
    from bot.adapters.console import serve
    from bot.app import build_services, start_in_background

    services = build_services(settings)
    start_in_background(services, scheduler=True)
    try:
        await serve(services)
    finally:
        await close_services(services)
