"""Helpers for the commands that use the store (groups, quiz, leaderboard, profile)."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Sequence
from typing import TypeVar

from bot.core.context import Context
from bot.core.errors import UserError
from bot.practice import selection
from bot.store import StoreError

T = TypeVar("T")
_rng = random.SystemRandom()

NO_STORE = (
    "Groups, quizzes and leaderboards need the database, and it isn't connected right now. "
    "An admin can check DATABASE_URL (the default is a SQLite file) and restart the bot."
)


def need_store(ctx: Context):
    """The store, or a friendly UserError when the bot runs without one."""
    if ctx.store is None:
        raise UserError(NO_STORE)
    return ctx.store


async def call(awaitable: Awaitable[T]) -> T:
    """Await a store call, turning its refusals (and a busy database) into friendly errors."""
    try:
        return await awaitable
    except StoreError as exc:
        raise UserError(exc.message) from None


def who(ctx: Context) -> str:
    """The member's display name, as stored (never used as a mention)."""
    return (ctx.member.name or ctx.member.id)[:100]


def refuse_bots(ctx: Context) -> None:
    if ctx.member.is_bot:
        raise UserError("Bots don't take part in groups, quizzes or leaderboards.")


def small_int(value: str, digits: int = 18) -> int | None:
    """An id or number from a button argument, or None unless it is plain ASCII digits as
    ``str(int)`` writes them (no sign, no leading zero: a forged "007" or "00" is refused)."""
    canonical = value == "0" or not value.startswith("0")
    if value.isascii() and value.isdigit() and len(value) <= digits and canonical:
        return int(value)
    return None


async def pick_unseen(ctx: Context, kind: str, pool: Sequence[T]) -> T:
    """The next item of ``pool`` for this member: least-seen first, never the same twice in a
    row (bot.practice.selection). Without a database (or for a bot) there's no history to go
    on, so it is a plain random pick."""
    seen = {}
    if ctx.store is not None and not ctx.member.is_bot:
        seen = await call(ctx.store.seen_items(ctx.platform, ctx.workspace, ctx.member.id, kind))
    return selection.choose(pool, seen, _rng)


async def mark_seen(ctx: Context, kind: str, item_id: str) -> None:
    """Remember that this member was shown ``item_id`` (no-op without a database or for bots)."""
    if ctx.store is not None and not ctx.member.is_bot:
        await call(
            ctx.store.mark_seen(
                ctx.platform, ctx.workspace, ctx.member.id, who(ctx), kind, item_id, ctx.clock.now()
            )
        )
