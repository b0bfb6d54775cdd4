"""``python -m bot …``: console, one-shot ask, run every configured platform, content check."""

from __future__ import annotations

import asyncio
import signal
import sys

import click

from bot.settings import ConfigError, Settings, load_settings


def _settings() -> Settings:
    """The validated settings, or one line per problem on stderr and exit 2 (no traceback)."""
    try:
        return load_settings()
    except ConfigError as exc:
        for line in exc.problems:
            click.echo(line, err=True)
        sys.exit(2)


def _logging(settings: Settings, level: str | None = None) -> None:
    """Our loggers at ``level`` (default LOG_LEVEL), libraries at theirs, secrets redacted."""
    from bot.logs import setup_logging

    setup_logging(
        level or settings.log_level,
        settings.log_level_libraries,
        secrets=settings.secrets(),
    )


def _services(settings: Settings | None = None):
    from bot.app import build_services
    from bot.content import ContentInvalid

    try:
        return build_services(settings or _settings())
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

    settings = _settings()
    _logging(settings, "WARNING")
    services = _services(settings)

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
    from bot.app import StartupError, attach_store
    from bot.core.errors import UserError
    from bot.core.parse import parse

    settings = _settings()
    _logging(settings, "ERROR")
    services = _services(settings)
    try:
        needs_store = bool(presses) or parse(services.registry, text).command.needs_store
    except UserError:
        needs_store = False  # the parse error is the answer

    async def go() -> int:
        if needs_store:
            try:
                await attach_store(services, require=True)
            except StartupError as exc:
                click.echo(exc.line, err=True)
                return 1
            if services.store is not None:
                # /daily works one-shot too: the scheduler's service, without its timers;
                # `daily now` posts to this console.
                from bot.adapters.console import ConsoleDelivery
                from scheduler import Service

                services.scheduler = Service(services)
                services.scheduler.register_delivery(ConsoleDelivery())
        shown: list[str] = []  # every reply on the way: the question, then the verdict
        try:
            session = ConsoleSession(services)
            reply = await session.send(text)
            for n in presses:
                if reply.kind == "error":
                    break
                shown.append(render(reply))
                reply = await session.send(str(n))
        finally:
            await _close(services)
        if shown:
            click.echo("\n\n".join(shown) + "\n")
        if reply.kind == "error":
            click.echo(" ".join((reply.text or "error").split()), err=True)
            return 1
        click.echo(render(reply, services.settings.pictures_dir))
        return 0

    sys.exit(asyncio.run(go()))


@main.command()
def run() -> None:
    """Run every platform configured in the environment; the console when none is."""
    from bot.app import StartupError
    from bot.runner import run_all

    settings = _settings()
    _logging(settings)

    async def go() -> None:
        # SIGTERM (docker stop, systemd) shuts down like Ctrl-C: the store closes cleanly.
        task = asyncio.current_task()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
        await run_all(settings)

    try:
        asyncio.run(go())
    except (KeyboardInterrupt, asyncio.CancelledError):
        pass
    except StartupError as exc:
        click.echo(exc.line, err=True)
        sys.exit(1)
    except ConfigError as exc:  # a platform refused its token
        for line in exc.problems:
            click.echo(line, err=True)
        sys.exit(1)


@main.group()
def content() -> None:
    """Content tools."""


@content.command("check")
def content_check() -> None:
    """Validate content/ and report each bad item with its file; exit non-zero if any."""
    from pathlib import Path

    from bot.content.loader import content_dir, load_dir

    settings = _settings()

    directory = Path(settings.content_dir) if settings.content_dir else content_dir()
    result = load_dir(directory)
    for err in result.errors:
        click.echo(str(err), err=True)
    counts = ", ".join(f"{k}: {len(v)}" for k, v in sorted(result.items.items()))
    if result.errors:
        from bot.core.wording import plural

        click.echo(f"{plural(len(result.errors), 'problem')} in {directory}", err=True)
        sys.exit(1)
    if not result.items:
        click.echo(f"No content found in {directory}", err=True)
        sys.exit(1)
    # Cross-file references and teaching order (every lesson's resource exists, no lesson
    # needs a concept its track introduces later), the measurable quiz rules, and the
    # whole-content rules (near-duplicates across banks, interview coverage).
    from bot.content import quality
    from bot.content.quality_curriculum import check_curriculum
    from bot.content.quality_quiz import check_quiz

    problems = [
        *check_curriculum(result.items.get("curriculum", []), result.items.get("resources", [])),
        *check_quiz(result.items.get("quiz", [])),
        *quality.check(result.items, result.files, directory),
    ]
    for problem in problems:
        click.echo(str(problem), err=True)
    for rid in quality.missing_links(result.items):
        click.echo(f"note: resources.yaml: {rid}: no url (added only where the page is certain)")
    if problems:
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

    async def go(engine) -> set[str]:
        await migrate.upgrade(engine, revision)
        return await migrate.current(engine)

    click.echo("Database at revision " + ", ".join(sorted(_with_engine(go))))


@db.command("current")
def db_current() -> None:
    """Print the database's schema revision and the newest one available."""
    from bot.store import migrate

    now = sorted(_with_engine(migrate.current)) or ["(empty)"]
    click.echo(f"Database: {', '.join(now)}; newest: {', '.join(sorted(migrate.heads()))}")


def _with_engine(fn):
    """Run ``fn(engine)`` on DATABASE_URL's engine; a database problem is one line, exit 1."""
    from bot.store.engine import describe_error, make_engine

    settings = _settings()
    _logging(settings, "WARNING")

    async def go():
        engine = make_engine(settings.database_url)
        try:
            return await fn(engine)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(go())
    except Exception as exc:
        click.echo(describe_error(exc, settings.database_url), err=True)
        sys.exit(1)


@main.command()
@click.option("--url", default=None, help="Default: http://127.0.0.1:$HEALTH_PORT/readyz")
def healthcheck(url: str | None) -> None:
    """Exit 0 if the running bot answers ready (for container HEALTHCHECKs), else 1."""
    import urllib.request

    if url is None:
        port = _settings().health_port
        if port is None:
            click.echo("HEALTH_PORT is not set — set it to the health server's port", err=True)
            sys.exit(1)
        url = f"http://127.0.0.1:{port}/readyz"
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            click.echo(resp.read().decode("utf-8", "replace").strip())
    except Exception as exc:  # HTTPError (503: not ready), refused, timeout: all unhealthy
        click.echo(f"not ready: {exc}", err=True)
        sys.exit(1)


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

    settings = _settings()
    _logging(settings, "WARNING")
    services = _services(settings)
    try:
        synced = asyncio.run(sync_commands(services, guild))
    except Exception as exc:  # a clear line, not a traceback, for a set-up step
        click.echo(f"Sync failed: {exc}", err=True)
        sys.exit(1)
    where = f"guild {guild}" if guild else "globally (may take up to an hour to appear)"
    click.echo(
        f"Synced {len(synced)} commands {where}: " + ", ".join("/" + c["name"] for c in synced)
    )
