"""Build the shared services once; every adapter runs on top of them."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bot.content import Content
from bot.core.clock import Clock, SystemClock
from bot.core.context import Context, Member, Platform, Services
from bot.core.registry import REGISTRY
from bot.settings import Settings


class StartupError(Exception):
    """The bot can't start as configured; ``line`` says what is wrong and how to fix it."""

    def __init__(self, line: str) -> None:
        super().__init__(line)
        self.line = line


def load_commands() -> None:
    """Import every command module so its decorators register it."""
    import bot.commands  # noqa: F401


def build_services(
    settings: Settings | None = None, *, clock: Clock | None = None, content: Content | None = None
) -> Services:
    """Content and registry (no I/O beyond reading content/); the store is attached later."""
    settings = settings or Settings()
    load_commands()
    if content is None:
        content = Content.load(Path(settings.content_dir) if settings.content_dir else None)
    return Services(
        content=content, registry=REGISTRY, settings=settings, clock=clock or SystemClock()
    )


async def open_services(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    content: Content | None = None,
    require_store: bool = False,
) -> Services:
    """``build_services`` plus the store opened (and migrated) at ``settings.database_url``.

    When the database can't be opened the services come back without a store (commands that
    need it say so) unless ``require_store``: then ``StartupError`` with one line naming
    DATABASE_URL and the fix.
    """
    settings = settings or Settings()
    services = build_services(settings, clock=clock, content=content)
    await attach_store(services, require=require_store)
    return services


async def attach_store(services: Services, *, require: bool = False) -> None:
    """Open the store at the services' DATABASE_URL and attach it.

    On failure: ``StartupError`` (one line) if ``require``, else one warning line and no store.
    """
    from bot.store import Points, open_store
    from bot.store.engine import describe_error

    settings = services.settings
    points = Points(
        quiz_correct=settings.points_quiz_correct,
        checkin=settings.points_checkin,
        streak_bonus=settings.points_streak_bonus,
        cooldown_seconds=settings.points_cooldown_seconds,
    )
    try:
        services.store = await open_store(
            settings.database_url, default_timezone=settings.timezone, points=points
        )
    except Exception as exc:
        line = describe_error(exc, settings.database_url)
        if require:
            raise StartupError(line) from None
        logging.getLogger(__name__).warning(
            "No database: groups, quizzes and leaderboards are unavailable. %s", line
        )


def start_in_background(services: Services, *, scheduler: bool = False) -> asyncio.Task:
    """Open the store (and start the scheduler) without holding up the first reply.

    SQLAlchemy, the drivers and the scheduler are imported in a worker thread so the event
    loop keeps answering content commands meanwhile; commands that need the store wait on
    ``services.ready`` (see ``bot.core.dispatch``).
    """

    def import_heavy() -> None:
        import bot.store  # noqa: F401

        if scheduler:
            import scheduler as _scheduler  # noqa: F401

    async def go() -> None:
        try:
            await asyncio.get_running_loop().run_in_executor(None, import_heavy)
            await attach_store(services)
            if scheduler and services.store is not None:
                from scheduler import Service

                services.scheduler = Service(services)
                await services.scheduler.start()
        except Exception:
            logging.getLogger(__name__).exception("background start-up failed")

    services.ready = asyncio.create_task(go(), name="start-up")

    def warm_later(_: asyncio.Task) -> None:
        # After the store, outside ``ready``: commands waiting for the store don't wait for it.
        task = asyncio.ensure_future(warm_up(services))
        _background.add(task)  # a reference, so the task isn't collected mid-way
        task.add_done_callback(_background.discard)

    services.ready.add_done_callback(warm_later)
    return services.ready


_background: set[asyncio.Future] = set()


async def warm_up(services: Services) -> None:
    """Build the lookup tables that are lazy (country names in CLDR's languages, about a
    second; the tz database's cities) in a worker thread, so no member's first lookup waits
    for them. Never raises."""
    from bot.core.timezones import warm_up as timezones_warm_up

    def build() -> None:
        services.content.warm_up()
        timezones_warm_up()

    try:
        await asyncio.get_running_loop().run_in_executor(None, build)
    except Exception:
        logging.getLogger(__name__).exception("warming up the lookup tables failed")


async def close_services(services: Services) -> None:
    """Release what ``open_services`` or ``start_in_background`` opened."""
    await services.wait_ready()
    if services.scheduler is not None:
        await services.scheduler.stop()
        # stop() cancels the scheduler's ticks without waiting; one still inside a query when
        # the store closes below would never finish and hang the process at exit.
        ticks = list(getattr(services.scheduler, "_tasks", ()))
        await asyncio.gather(*ticks, return_exceptions=True)
    if services.store is not None:
        await services.store.close()


def freeze_heap() -> None:
    """Move everything built at start-up out of the garbage collector's sight.

    Content models, the search index and the libraries' own objects live for the whole
    process; without this every full collection walks them again, which shows up as
    latency spikes under load. (``gc.freeze``: objects made after it are collected as usual.)
    """
    import gc

    gc.collect()
    gc.freeze()


def context(
    services: Services,
    platform: Platform = "console",
    workspace: str = "local",
    channel: str = "console",
    member: Member | None = None,
) -> Context:
    return Context(services, platform, workspace, channel, member or Member("you", "you", True))
