"""Leaderboards: standings per period and group, and admin resets."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import String, and_, bindparam, delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.base import (
    BOARD_PERIOD,
    BOARD_PLATFORM,
    BOARD_WORKSPACE,
    StoreBase,
    board_above,
    board_params,
)
from bot.store.periods import period_key
from bot.store.records import (
    Leaderboard,
    Period,
    Standing,
)
from bot.store.tables import (
    group_members,
    leaderboard_resets,
    members,
    point_events,
    point_totals,
    score_histogram,
)


@functools.cache
def _workspace_standing():
    """``(my points or NULL, my name, board size, members above me)`` of the board the
    ``BOARD_*`` parameters name, for the member in parameter ``member`` (built once)."""
    t = point_totals
    member = bindparam("member", type_=String())
    mine = (
        select(t.c.points)
        .where(
            t.c.platform == BOARD_PLATFORM,
            t.c.workspace == BOARD_WORKSPACE,
            t.c.period == BOARD_PERIOD,
            t.c.points > 0,
            t.c.member_id == member,
        )
        .scalar_subquery()
    )
    name = (
        select(members.c.name)
        .where(
            members.c.platform == BOARD_PLATFORM,
            members.c.workspace == BOARD_WORKSPACE,
            members.c.member_id == member,
        )
        .scalar_subquery()
    )
    return select(mine, name, board_above(0), board_above(func.coalesce(mine, 0)))


class _Me(NamedTuple):
    points: int
    name: str | None


def _board_count(t, group_id, platform: str, workspace: str, key: str):
    """``SELECT count(*)`` over one board's totals (points > 0), within a group if given."""
    q = select(func.count()).select_from(t)
    if group_id is not None:
        q = q.join(
            group_members,
            and_(group_members.c.group_id == group_id, group_members.c.member_id == t.c.member_id),
        )
    return q.where(
        t.c.platform == platform, t.c.workspace == workspace, t.c.period == key, t.c.points > 0
    )


class LeaderboardsMixin(StoreBase):
    """Standings by week / month / all time, optionally within a group."""

    async def leaderboard(
        self,
        platform: str,
        workspace: str,
        *,
        at: datetime,
        period: Period = "all",
        group: str | None = None,
        page: int = 1,
        page_size: int = 10,
        member_id: str | None = None,
    ) -> Leaderboard:
        """One page of standings for this week / month / all time, optionally within a group.

        Weeks start on Monday in the workspace timezone. Ties share a rank (1, 2, 2, 4).
        ``me`` is the caller's standing wherever they are. Raises GroupNotFound.
        """
        tz = await self.workspace_timezone(platform, workspace)
        key = period_key(period, at, tz)
        t = point_totals
        # Two or three statements per board: the caller's standing with the board's size,
        # the page, and (past page 1) the rank of its first row (groups: one more). A rank is 1 + the number of
        # members with strictly more points, so ties share it; counts use the totals index.
        async with self.reader.connect() as conn:
            group_name = None
            group_id = None
            if group is not None:
                row = await self._group_row(conn, platform, workspace, group)
                group_name, group_id = row.name, row.id

            def counted(*extra, outer=t):
                inner = t.alias("inner_t")
                gm = group_members.alias("inner_gm")
                q = select(func.count()).select_from(inner)
                if group_id is not None:
                    q = q.join(
                        gm, and_(gm.c.group_id == group_id, gm.c.member_id == inner.c.member_id)
                    )
                return (
                    q.where(
                        inner.c.platform == platform,
                        inner.c.workspace == workspace,
                        inner.c.period == key,
                        inner.c.points > 0,
                        *(e(inner) for e in extra),
                    )
                    .correlate(outer)
                    .scalar_subquery()
                )

            source = t.join(
                members,
                and_(
                    members.c.platform == t.c.platform,
                    members.c.workspace == t.c.workspace,
                    members.c.member_id == t.c.member_id,
                ),
            )
            if group_id is not None:
                source = source.join(
                    group_members,
                    and_(
                        group_members.c.group_id == group_id,
                        group_members.c.member_id == t.c.member_id,
                    ),
                )
            where = (
                t.c.platform == platform,
                t.c.workspace == workspace,
                t.c.period == key,
                t.c.points > 0,
            )
            me_row = None
            me_above = 0
            if group_id is None:
                # Workspace boards: the caller's points and name, the board's size and the
                # caller's rank (score histogram: flat cost) in one prepared statement.
                params = {**board_params(platform, workspace, key), "member": member_id}
                points, me_name, total, me_above = (
                    await conn.execute(_workspace_standing(), params)
                ).one()
                if points is not None:
                    me_row = _Me(points, me_name)
            else:
                if member_id is not None:
                    me_row = (
                        await conn.execute(
                            select(t.c.points, members.c.name)
                            .select_from(source)
                            .where(*where, t.c.member_id == member_id)
                        )
                    ).one_or_none()
                # Group boards (a group's members only): one pass over the totals index.
                size_q = _board_count(t, group_id, platform, workspace, key)
                if me_row is not None:
                    mine_points = me_row.points
                    counts = (
                        await conn.execute(
                            size_q.with_only_columns(
                                func.count(), func.count().filter(t.c.points > mine_points)
                            )
                        )
                    ).one()
                    total, me_above = counts[0], counts[1]
                else:
                    total = (await conn.execute(size_q)).scalar_one()
            pages = max(1, -(-total // page_size))
            page = min(max(1, page), pages)
            # The page is an index range scan. Its ranks come from one count (members above
            # the first row) and the row positions: a correlated count per row would be
            # evaluated for every member before the sort.
            rows = (
                await conn.execute(
                    select(t.c.member_id, t.c.points, members.c.name)
                    .select_from(source)
                    .where(*where)
                    .order_by(t.c.points.desc(), t.c.member_id)
                    .limit(page_size)
                    .offset((page - 1) * page_size)
                )
            ).all()
            ranks: list[int] = []
            for n, r in enumerate(rows):
                if n and r.points == rows[n - 1].points:
                    ranks.append(ranks[-1])
                elif n:
                    ranks.append((page - 1) * page_size + n + 1)
                elif page == 1:
                    ranks.append(1)
                elif group_id is None:
                    ranks.append(1 + await self._above(conn, platform, workspace, key, r.points))
                else:
                    first = r.points
                    above = await conn.execute(
                        select(counted(lambda i, first=first: i.c.points > first))
                    )
                    ranks.append(1 + above.scalar_one())
        standings = tuple(
            Standing(rank, r.member_id, r.name or r.member_id, r.points)
            for rank, r in zip(ranks, rows, strict=True)
        )
        me = None
        if me_row is not None:
            me = Standing(1 + me_above, member_id, me_row.name or member_id, me_row.points)
        return Leaderboard(period, key, group_name, tuple(standings), total, page, pages, me)

    async def reset_points(self, platform: str, workspace: str, reset_by: str, at: datetime) -> int:
        """Zero every leaderboard of the workspace (admins). Answers, check-ins and streaks
        stay, so nobody can answer the same post again for points. Returns events removed."""

        async def go(conn: AsyncConnection) -> int:
            removed = (
                await conn.execute(
                    delete(point_events).where(
                        point_events.c.platform == platform, point_events.c.workspace == workspace
                    )
                )
            ).rowcount
            for table in (point_totals, score_histogram):
                await conn.execute(
                    delete(table).where(
                        table.c.platform == platform, table.c.workspace == workspace
                    )
                )
            await conn.execute(
                leaderboard_resets.insert().values(
                    platform=platform,
                    workspace=workspace,
                    reset_by=reset_by,
                    at=at,
                    events_removed=removed,
                )
            )
            return int(removed)

        return await self.write(go)
