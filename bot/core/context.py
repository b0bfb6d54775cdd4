"""What a command receives: who, where, and the app's services."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from bot.content import Content
    from bot.core.clock import Clock
    from bot.core.registry import Registry
    from bot.settings import Settings

Platform = Literal["console", "discord", "slack"]


@dataclass(frozen=True, slots=True)
class Member:
    id: str
    name: str = ""
    is_admin: bool = False
    is_bot: bool = False


@dataclass
class Services:
    """App-wide parts, built once at start-up and shared by every adapter."""

    content: Content
    registry: Registry
    settings: Settings
    clock: Clock
    store: Any = None  # bot.store.Store once configured
    scheduler: Any = None  # scheduler.Service once running
    memo: dict[str, str] = field(default_factory=dict)  # long action ids by short key
    # Randomness of practice (weak-topic exploration, review option order); tests inject a
    # seeded random.Random.
    rng: random.Random = field(default_factory=random.SystemRandom)
    # platform → how its members type a command (Slack: ("mle", "salary"); Discord:
    # ("daily-admin", "subscribe")). Adapters register theirs; help and usage lines use it.
    spellings: dict[str, Any] = field(default_factory=dict)
    # Set while the store (and scheduler) open in the background: commands that need the
    # store wait for it; content commands answer at once.
    ready: Any = None  # asyncio.Task | None

    async def wait_ready(self) -> None:
        """Wait until background start-up is over (never raises: failures were logged)."""
        import asyncio

        if self.ready is not None and not self.ready.done():
            await asyncio.wait([self.ready])


@dataclass(frozen=True)
class Context:
    """One invocation: platform, workspace (guild/team), channel, member, services."""

    services: Services
    platform: Platform
    workspace: str
    channel: str
    member: Member

    @property
    def content(self) -> Content:
        return self.services.content

    @property
    def store(self) -> Any:
        return self.services.store

    @property
    def clock(self) -> Clock:
        return self.services.clock

    @property
    def settings(self) -> Settings:
        return self.services.settings
