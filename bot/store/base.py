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
import functools
import zlib
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Integer, String, Table, bindparam, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.store.engine import run_write
from bot.store.periods import ALL, period_keys, zone
from bot.store.records import (
    Points,
    QuizPost,
)
from bot.store.tables import (
    HISTOGRAM_SHARDS,
    HISTOGRAM_WIDTHS,
    members,
    point_events,
    point_totals,
    score_histogram,
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
        # PostgreSQL: at most the pool's size of write transactions in flight; a burst waits
        # here, in order, instead of timing out on a pool checkout and leaving none for reads.
        size = getattr(engine.pool, "size", lambda: 10)()
        self._write_slots = asyncio.Semaphore(max(1, size)) if self.dialect != "sqlite" else None
        self._ws_tz: dict[tuple[str, str], str | None] = {}
        # Reads: on PostgreSQL without BEGIN and ROLLBACK around them (two round trips of the
        # four a one-SELECT read took); every write goes through ``write`` in a transaction.
        # SQLite keeps its BEGIN (our own, see bot.store.engine): it costs no round trip and
        # gives a read of several statements one snapshot.
        self.reader = (
            engine.execution_options(isolation_level="AUTOCOMMIT")
            if self.dialect == "postgresql"
            else engine
        )
        self._posts: dict[tuple[str, str, int], QuizPost] = {}

    async def close(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()

    # -- plumbing the scheduler may reuse -------------------------------------------------

    async def write(self, fn: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Run ``fn(conn)`` in one committed write transaction, retrying busy conflicts."""
        if self._write_slots is None:
            return await run_write(self.engine, fn, lock=self._write_lock)
        async with self._write_slots:
            return await run_write(self.engine, fn, lock=None)

    async def read(self, fn: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Run ``fn(conn)`` for reading (one consistent snapshot on SQLite; on PostgreSQL each
        statement sees what was committed when it ran)."""
        async with self.reader.connect() as conn:
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
        moves: list[tuple[str, int, int]] | None = None,
    ) -> int | None:
        """Append to the ledger and add to this week's, month's and all-time totals.

        Returns the member's new all-time total (None when ``points`` is 0: nothing happens).
        The score histogram moves with it; pass ``moves`` to collect the moves instead and
        apply them with ``_histogram`` last in the transaction (its rows are the ones
        concurrent awards contend for, so they are best locked just before the commit).
        """
        if points == 0:
            return None
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
        news = (
            await conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["platform", "workspace", "period", "member_id"],
                    set_={"points": point_totals.c.points + stmt.excluded.points},
                ).returning(point_totals.c.period, point_totals.c.points)
            )
        ).all()
        mine = [(k, n - points, n) for k, n in news]
        if moves is None:
            await self._histogram(conn, platform, workspace, member_id, mine)
        else:
            moves.extend(mine)
        return next(n for k, n in news if k == ALL)

    async def _histogram(
        self,
        conn: AsyncConnection,
        platform: str,
        workspace: str,
        member_id: str,
        moves: list[tuple[str, int, int]],
    ) -> None:
        """Move a member in the score histogram: ``(period, old points, new points)`` each.

        Scores of 0 or less are off the boards and not counted. One upsert; rows in key order
        so concurrent awards lock them in the same order (no deadlocks on PostgreSQL).
        """
        shard = zlib.crc32(member_id.encode()) % HISTOGRAM_SHARDS
        deltas: dict[tuple[str, int, int], int] = defaultdict(int)
        for period, old, new in moves:
            for level, width in enumerate(HISTOGRAM_WIDTHS):
                if old > 0:
                    deltas[(period, level, old // width)] -= 1
                if new > 0:
                    deltas[(period, level, new // width)] += 1
        rows = [
            {
                "platform": platform,
                "workspace": workspace,
                "period": period,
                "level": level,
                "bucket": bucket,
                "shard": shard,
                "members": d,
            }
            for (period, level, bucket), d in sorted(deltas.items())
            if d
        ]
        if rows:
            stmt = self.insert(score_histogram).values(rows)
            await conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[
                        "platform",
                        "workspace",
                        "period",
                        "level",
                        "bucket",
                        "shard",
                    ],
                    set_={"members": score_histogram.c.members + stmt.excluded.members},
                )
            )

    @staticmethod
    def _above_expr(platform: str, workspace: str, period: str, points):
        """SQL for how many members of a workspace board have more than ``points`` (an int or
        an integer SQL expression): at each histogram level, the buckets above mine up to the
        end of my bucket one level up (the top level: all above). Bounded by the widths,
        however many members there are."""
        h = score_histogram
        parts = []
        for level, width in enumerate(HISTOGRAM_WIDTHS):
            cond = [
                h.c.platform == platform,
                h.c.workspace == workspace,
                h.c.period == period,
                h.c.level == level,
                h.c.bucket > points // width,
            ]
            if level + 1 < len(HISTOGRAM_WIDTHS):
                up = HISTOGRAM_WIDTHS[level + 1]
                cond.append(h.c.bucket < (points // up + 1) * (up // width))
            parts.append(
                select(func.coalesce(func.sum(h.c.members), 0)).where(*cond).scalar_subquery()
            )
        return parts[0] + parts[1] + parts[2]

    async def _above(
        self, conn: AsyncConnection, platform: str, workspace: str, period: str, points: int
    ) -> int:
        """How many members of a workspace board have more than ``points`` (histogram)."""
        params = {**board_params(platform, workspace, period), "points": points}
        return int((await conn.execute(_above_one(), params)).scalar_one())

    async def _total(
        self, conn: AsyncConnection, platform: str, workspace: str, member_id: str
    ) -> int:
        return (
            await conn.execute(
                select(point_totals.c.points).where(
                    point_totals.c.platform == platform,
                    point_totals.c.workspace == workspace,
                    point_totals.c.period == ALL,
                    point_totals.c.member_id == member_id,
                )
            )
        ).scalar() or 0

    async def _rank(
        self, conn: AsyncConnection, platform: str, workspace: str, member_id: str
    ) -> tuple[int, int | None]:
        """``(all-time points, rank)`` of a member; rank None without points."""
        points = await self._total(conn, platform, workspace, member_id)
        if points <= 0:
            return 0, None
        return points, 1 + await self._above(conn, platform, workspace, ALL, points)

    async def _standing(
        self,
        conn: AsyncConnection,
        platform: str,
        workspace: str,
        member_id: str,
        total: int | None,
        gained: int,
    ) -> tuple[int, int | None, int | None]:
        """``(all-time total, rank before, rank after)`` of a member who has just gained
        ``gained`` points, reaching ``total`` (None: look it up), in this transaction —
        called *before* the histogram moves, so it still holds the member at the old score."""
        if total is None:
            total = await self._total(conn, platform, workspace, member_id)
        old = total - gained
        if total <= 0:
            return total, None, None
        params = {**board_params(platform, workspace, ALL), "new": total, "old": max(old, 0)}
        new_above, old_above = (await conn.execute(_above_new_old(), params)).one()
        return total, (1 + int(old_above) if old > 0 else None), 1 + int(new_above)


# The histogram statements are built once, with bound parameters (``board_params``): building
# their nine subqueries anew for every call cost more than running them.
BOARD_PLATFORM = bindparam("board_platform", type_=String())
BOARD_WORKSPACE = bindparam("board_workspace", type_=String())
BOARD_PERIOD = bindparam("board_period", type_=String())


def board_params(platform: str, workspace: str, period: str) -> dict[str, str]:
    """The values of ``BOARD_PLATFORM``, ``BOARD_WORKSPACE`` and ``BOARD_PERIOD``."""
    return {"board_platform": platform, "board_workspace": workspace, "board_period": period}


def board_above(points):
    """``StoreBase._above_expr`` on the board the ``BOARD_*`` parameters name."""
    return StoreBase._above_expr(BOARD_PLATFORM, BOARD_WORKSPACE, BOARD_PERIOD, points)


@functools.cache
def _above_one():
    return select(board_above(bindparam("points", type_=Integer())))


@functools.cache
def _above_new_old():
    return select(
        board_above(bindparam("new", type_=Integer())),
        board_above(bindparam("old", type_=Integer())),
    )
