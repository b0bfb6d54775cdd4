"""The store's plumbing: engine, transactions, dialect inserts, the member upsert and the
points ledger. Every concept module (members, groups, quizzes, ...) is a mixin on ``StoreBase``;
``bot.store.store.Store`` combines them behind one facade.

Every method takes ``(platform, workspace)`` first and every statement filters on both, so
nothing one workspace does can read or change another's rows. Writes run in one transaction
each through ``run_write`` (retried on busy/locked/serialization conflicts) and have
committed by the time a method returns, so what a member is told has been stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.store.engine import run_write
from bot.store.periods import period_keys, zone
from bot.store.records import (
    Points,
    QuizPost,
)
from bot.store.tables import (
    members,
    point_events,
    point_totals,
)

T = TypeVar("T")


def name_key(name: str) -> str:
    """Group names are unique ignoring case and repeated spaces."""
    return " ".join(name.split()).casefold()


class StoreBase:
    """Engine, transactions and the helpers every concept module shares."""

    def __init__(
        self, engine: AsyncEngine, *, default_timezone: str = "UTC", points: Points | None = None
    ) -> None:
        zone(default_timezone)  # fail early on a bad name
        self.engine = engine
        self.dialect = engine.dialect.name  # "sqlite" or "postgresql"
        self.default_timezone = default_timezone
        self.points = points or Points()
        # One writer at a time per process on SQLite; PostgreSQL takes row locks instead.
        self._write_lock = asyncio.Lock() if self.dialect == "sqlite" else None
        self._ws_tz: dict[tuple[str, str], str | None] = {}
        self._posts: dict[tuple[str, str, int], QuizPost] = {}

    async def close(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()

    # -- plumbing the scheduler may reuse -------------------------------------------------

    async def write(self, fn: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Run ``fn(conn)`` in one committed write transaction, retrying busy conflicts."""
        return await run_write(self.engine, fn, lock=self._write_lock)

    async def read(self, fn: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Run ``fn(conn)`` in a read transaction (one consistent snapshot on SQLite)."""
        async with self.engine.connect() as conn:
            return await fn(conn)

    def insert(self, table: Table) -> Any:
        """A dialect-specific INSERT with ``on_conflict_do_nothing/do_update``."""
        return (pg_insert if self.dialect == "postgresql" else sqlite_insert)(table)

    @staticmethod
    def _member_where(platform: str, workspace: str, member_id: str) -> tuple:
        return (
            members.c.platform == platform,
            members.c.workspace == workspace,
            members.c.member_id == member_id,
        )

    async def _member(
        self,
        conn: AsyncConnection,
        platform: str,
        workspace: str,
        member_id: str,
        name: str,
        *,
        is_bot: bool = False,
        lock: bool = True,
        at: datetime | None = None,
    ) -> Any:
        """Create the member if new (refreshing their display name) and return their row.

        One upsert with RETURNING. On PostgreSQL ON CONFLICT DO UPDATE takes the row lock, so
        read-modify-write of the streak or cooldown is safe across processes (``lock`` is kept
        for callers' clarity); SQLite's BEGIN IMMEDIATE already serializes writers.
        """
        name = name[:100]
        stmt = self.insert(members).values(
            platform=platform,
            workspace=workspace,
            member_id=member_id,
            name=name,
            is_bot=is_bot,
            created_at=at or datetime.now(tz=zone("UTC")),
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["platform", "workspace", "member_id"],
            set_={"name": stmt.excluded.name},
        ).returning(*members.c)
        return (await conn.execute(stmt)).one()

    async def _award(
        self,
        conn: AsyncConnection,
        platform: str,
        workspace: str,
        member_id: str,
        points: int,
        reason: str,
        ref: str,
        at: datetime,
        tz: str,
    ) -> None:
        """Append to the ledger and add to this week's, month's and all-time totals."""
        if points == 0:
            return
        await conn.execute(
            point_events.insert().values(
                platform=platform,
                workspace=workspace,
                member_id=member_id,
                points=points,
                reason=reason,
                ref=ref[:100],
                at=at,
            )
        )
        stmt = self.insert(point_totals).values(
            [
                {
                    "platform": platform,
                    "workspace": workspace,
                    "period": key,
                    "member_id": member_id,
                    "points": points,
                }
                for key in period_keys(at, tz)
            ]
        )
        await conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["platform", "workspace", "period", "member_id"],
                set_={"points": point_totals.c.points + stmt.excluded.points},
            )
        )
