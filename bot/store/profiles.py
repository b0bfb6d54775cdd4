"""Profiles: a member's points, rank, streaks and accuracy by topic."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, cast, func, select

from bot.store.base import StoreBase
from bot.store.periods import ALL, period_key
from bot.store.records import (
    Profile,
    TopicStats,
)
from bot.store.tables import (
    members,
    point_totals,
    quiz_answers,
)


class ProfilesMixin(StoreBase):
    """What /profile shows."""

    async def profile(
        self, platform: str, workspace: str, member_id: str, at: datetime
    ) -> Profile | None:
        """A member's points, rank, streaks and quiz accuracy by topic; None if never seen.

        The streak is as of ``at`` in the member's timezone: 0 once a scheduled day was
        missed with no freeze to cover it (``bot.practice.streaks.current``).
        """
        ws_tz = await self.workspace_timezone(platform, workspace)
        t = point_totals
        async with self.reader.connect() as conn:
            m = (
                await conn.execute(
                    select(members).where(*self._member_where(platform, workspace, member_id))
                )
            ).one_or_none()
            if m is None:
                return None
            tz = m.timezone or ws_tz
            totals = dict(
                (
                    await conn.execute(
                        select(t.c.period, t.c.points).where(
                            t.c.platform == platform,
                            t.c.workspace == workspace,
                            t.c.member_id == member_id,
                            t.c.period.in_([ALL, period_key("week", at, ws_tz)]),
                        )
                    )
                ).all()
            )
            points = totals.get(ALL, 0)
            _, rank = await self._rank(conn, platform, workspace, member_id)
            streak, freezes = await self.streak_now(conn, platform, workspace, m, tz, at)
            topics = (
                await conn.execute(
                    select(
                        quiz_answers.c.topic,
                        func.count().label("n"),
                        func.sum(cast(quiz_answers.c.correct, Integer)).label("ok"),
                    )
                    .where(
                        quiz_answers.c.platform == platform,
                        quiz_answers.c.workspace == workspace,
                        quiz_answers.c.member_id == member_id,
                    )
                    .group_by(quiz_answers.c.topic)
                    .order_by(quiz_answers.c.topic)
                )
            ).all()
        groups = await self.member_groups(platform, workspace, member_id)
        return Profile(
            member_id=member_id,
            name=m.name or member_id,
            timezone=tz,
            own_timezone=m.timezone is not None,
            points=points,
            week_points=totals.get(period_key("week", at, ws_tz), 0),
            rank=rank,
            streak=streak,
            best_streak=m.best_streak,
            freezes=freezes,
            topics=tuple(TopicStats(r.topic, r.n, int(r.ok or 0)) for r in topics),
            groups=tuple(groups),
        )
