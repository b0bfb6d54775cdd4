"""Weak-topic practice for commands: which topic to serve when the member names none."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.commands._store import call
from bot.core.context import Context
from bot.practice import weak


async def weak_topic(ctx: Context, kind: str, pool: Sequence[Any]) -> str | None:
    """A topic of ``pool`` (quiz or interview questions of ``kind``) for this member, by
    ``bot.practice.weak.pick_topic`` (mostly their weakest, sometimes another).

    Only topics that still hold one of the pool's least-seen items take part, so weak-topic
    practice orders the no-repeat cycle (bot.practice.selection) instead of breaking it: a
    weak topic whose questions were all just seen waits for the next cycle. None without a
    database, for a bot, or for a member with no record yet (then any question will do)."""
    if ctx.store is None or ctx.member.is_bot or not pool:
        return None
    store = ctx.store
    who = (ctx.platform, ctx.workspace, ctx.member.id)
    seen = await call(store.seen_items(*who, kind))
    times = {q.id: seen[q.id].times if q.id in seen else 0 for q in pool}
    fewest = min(times.values())
    topics = sorted({q.topic for q in pool if times[q.id] == fewest})
    records = await call(store.topic_records(*who))
    return weak.pick_topic(topics, records, ctx.clock.now(), ctx.services.rng)


def until(due, now) -> str:
    """``due`` relative to ``now`` in words: "now", "in 10 min", "in 3 h", "in 4 days"."""
    seconds = (due - now).total_seconds()
    if seconds <= 0:
        return "now"
    if seconds < 3600:
        return f"in {max(1, round(seconds / 60))} min"
    if seconds < 86400 * 2:
        return f"in {round(seconds / 3600)} h"
    return f"in {round(seconds / 86400)} days"
