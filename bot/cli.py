"""``python -m bot …``: console, one-shot ask, run every configured platform, content check."""

from __future__ import annotations

import asyncio
import logging
import sys

import click

from bot.settings import Settings


def _services():
    from bot.app import build_services
    from bot.content import ContentInvalid

    try:
        return build_services(Settings())
    except ContentInvalid as exc:
        click.echo("Content is invalid:\n" + str(exc), err=True)
        sys.exit(2)


async def _close(services) -> None:
    from bot.app import close_services

    await close_services(services)


@click.group()
def main() -> None:
    """MLE study bot."""


@main.command()
def console() -> None:
    """Chat with the bot in this terminal (daily prompts for console channels included)."""
    from bot.adapters.console import serve
    from bot.app import start_in_background

    logging.basicConfig(level=logging.WARNING)
    services = _services()

    async def go() -> None:
        # The first reply needs only content; the store and scheduler open meanwhile.
        start_in_background(services, scheduler=True)
        try:
            await serve(services)
        finally:
            await _close(services)

    try:
        asyncio.run(go())
    except KeyboardInterrupt:
        pass


@main.command()
@click.argument("text")
@click.option(
    "--press", "presses", multiple=True, type=int, help="Then press button N (repeatable)."
)
def ask(text: str, presses: tuple[int, ...]) -> None:
    """Send one command, print the reply and exit (non-zero on error)."""
    from bot.adapters.console import ConsoleSession, render
    from bot.app import attach_store
    from bot.core.errors import UserError
    from bot.core.parse import parse

    logging.basicConfig(level=logging.ERROR)
    services = _services()
    try:
        needs_store = bool(presses) or parse(services.registry, text).command.needs_store
    except UserError:
        needs_store = False  # the parse error is the answer

    async def go() -> int:
        if needs_store:
            await attach_store(services)
            if services.store is not None:
                # /daily works one-shot too: the scheduler's service, without its timers;
                # `daily now` posts to this console.
                from bot.adapters.console import ConsoleDelivery
                from scheduler import Service

                services.scheduler = Service(services)
                services.scheduler.register_delivery(ConsoleDelivery())
        try:
            session = ConsoleSession(services)
            reply = await session.send(text)
            for n in presses:
                if reply.kind == "error":
                    break
                reply = await session.send(str(n))
        finally:
            await _close(services)
        if reply.kind == "error":
            click.echo(" ".join((reply.text or "error").split()), err=True)
            return 1
        click.echo(render(reply, services.settings.pictures_dir))
        return 0

    sys.exit(asyncio.run(go()))


@main.command()
def run() -> None:
    """Run every platform configured in the environment; the console when none is."""
    from bot.runner import run_all

    settings = Settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        asyncio.run(run_all(settings))
    except KeyboardInterrupt:
        pass


@main.group()
def content() -> None:
    """Content tools."""


@content.command("check")
def content_check() -> None:
    """Validate content/ and report each bad item with its file; exit non-zero if any."""
    from bot.content.loader import content_dir, load_dir

    settings = Settings()
    from pathlib import Path

    directory = Path(settings.content_dir) if settings.content_dir else content_dir()
    result = load_dir(directory)
    for err in result.errors:
        click.echo(str(err), err=True)
    counts = ", ".join(f"{k}: {len(v)}" for k, v in sorted(result.items.items()))
    if result.errors:
        click.echo(f"{len(result.errors)} problem(s) in {directory}", err=True)
        sys.exit(1)
    if not result.items:
        click.echo(f"No content found in {directory}", err=True)
        sys.exit(1)
    # Cross-file references: every lesson's resource must exist.
    resources = {r.id for r in result.items.get("resources", [])}
    bad = [x for x in result.items.get("curriculum", []) if x.resource not in resources]
    for lesson in bad:
        click.echo(
            f"curriculum.yaml: {lesson.id}: resource '{lesson.resource}' is not in resources.yaml",
            err=True,
        )
    if bad:
        sys.exit(1)
    click.echo(f"Content OK — {counts}")


@main.group()
def db() -> None:
    """Database tools (DATABASE_URL; SQLite file by default)."""


@db.command("upgrade")
@click.argument("revision", default="heads")
def db_upgrade(revision: str) -> None:
    """Upgrade the schema to REVISION (default: the newest)."""
    from bot.store import migrate
    from bot.store.engine import make_engine

    async def go() -> set[str]:
        engine = make_engine(Settings().database_url)
        try:
            await migrate.upgrade(engine, revision)
            return await migrate.current(engine)
        finally:
            await engine.dispose()

    click.echo("Database at revision " + ", ".join(sorted(asyncio.run(go()))))


@db.command("current")
def db_current() -> None:
    """Print the database's schema revision and the newest one available."""
    from bot.store import migrate
    from bot.store.engine import make_engine

    async def go() -> set[str]:
        engine = make_engine(Settings().database_url)
        try:
            return await migrate.current(engine)
        finally:
            await engine.dispose()

    now = sorted(asyncio.run(go())) or ["(empty)"]
    click.echo(f"Database: {', '.join(now)}; newest: {', '.join(sorted(migrate.heads()))}")


@main.group("discord")
def discord_group() -> None:
    """Discord tools."""


@discord_group.command("sync")
@click.option(
    "--guild", type=int, default=None, help="Sync to one guild only (instant; for testing)."
)
def discord_sync(guild: int | None) -> None:
    """Register every command with Discord (run after adding or changing commands)."""
    from bot.adapters.discord import sync_commands

    services = _services()
    logging.basicConfig(level=logging.WARNING)
    try:
        synced = asyncio.run(sync_commands(services, guild))
    except Exception as exc:  # a clear line, not a traceback, for a set-up step
        click.echo(f"Sync failed: {exc}", err=True)
        sys.exit(1)
    where = f"guild {guild}" if guild else "globally (may take up to an hour to appear)"
    click.echo(
        f"Synced {len(synced)} commands {where}: " + ", ".join("/" + c["name"] for c in synced)
    )
