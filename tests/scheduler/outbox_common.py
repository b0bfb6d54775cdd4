"""What the platform outbox tests share: a prompt carrying its key, an engine on real time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.core.reply import Button, Reply
from scheduler.engine import DeliveryEngine

KEY = "s1-20260105"
PROMPT = Reply(
    title="Daily study prompt: linear algebra",
    text="Today: vectors and matrices.",
    buttons=(Button("I studied this", f"mle|daily-in|{KEY}", "success"),),
)


def engine(platform: str, port, *, cap: float = 0.3) -> DeliveryEngine:
    """The scheduler's engine on real time, waits capped at ``cap`` s (long Retry-Afters too)."""

    async def sleep(seconds: float) -> None:
        await asyncio.sleep(min(seconds, cap))

    return DeliveryEngine({platform: port}, limits={}, sleep=sleep, base_backoff=0.2)


def since() -> datetime:
    return datetime.now(UTC) - timedelta(minutes=5)
