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


@click.group()
def main() -> None:
    """MLE study bot."""


@main.command()
def console() -> None:
    """Chat with the bot in this terminal."""
    from bot.adapters.console import serve

    logging.basicConfig(level=logging.WARNING)
    services = _services()
    try:
        asyncio.run(serve(services))
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

    logging.basicConfig(level=logging.ERROR)
    services = _services()

    async def go() -> int:
        session = ConsoleSession(services)
        reply = await session.send(text)
        for n in presses:
            if reply.kind == "error":
                break
            reply = await session.send(str(n))
        if reply.kind == "error":
            click.echo(" ".join((reply.text or "error").split()), err=True)
            return 1
        click.echo(render(reply))
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
