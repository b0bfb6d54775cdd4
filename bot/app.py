"""Build the shared services once; every adapter runs on top of them."""

from __future__ import annotations

from pathlib import Path

from bot.content import Content
from bot.core.clock import Clock, SystemClock
from bot.core.context import Context, Member, Platform, Services
from bot.core.registry import REGISTRY
from bot.settings import Settings


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


def context(
    services: Services,
    platform: Platform = "console",
    workspace: str = "local",
    channel: str = "console",
    member: Member | None = None,
) -> Context:
    return Context(services, platform, workspace, channel, member or Member("you", "you", True))
