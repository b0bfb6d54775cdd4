"""Helpers for the commands that use the store (groups, quiz, leaderboard, profile)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from bot.core.context import Context
from bot.core.errors import UserError
from bot.store import StoreError

T = TypeVar("T")

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
    """An id or number from a button argument, or None if it isn't plain ASCII digits."""
    if value.isascii() and value.isdigit() and len(value) <= digits:
        return int(value)
    return None
