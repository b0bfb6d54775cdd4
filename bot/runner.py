"""``python -m bot run``: start every configured platform (console when none is)."""

from __future__ import annotations

import asyncio
import logging

from bot.app import close_services, freeze_heap, open_services, warm_up
from bot.settings import Settings

log = logging.getLogger(__name__)


async def run_all(settings: Settings) -> None:
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
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await close_services(services)  # stops the scheduler, closes the store
    for task in done:
        if task.exception():
            raise task.exception()  # type: ignore[misc]


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
