"""Daily check-ins and streaks: study days, schedule-aware gaps, streak freezes.

The rules live in ``bot.practice.checkins`` (which check-ins count) and
``bot.practice.streaks`` (what a study day does to a streak); this module reads and writes
the rows they need in the same transaction as the action that earned them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from sqlalchemy import and_, exists, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.practice import checkins as rules
from bot.practice.streaks import StreakState, advance, current
from bot.store.base import StoreBase
from bot.store.errors import CheckInRefused
from bot.store.periods import local_date, zone
from bot.store.records import CheckInResult
from bot.store.tables import checkins, members, study_days
from scheduler.tables import daily_deliveries as D
from scheduler.tables import daily_subscriptions as S
from scheduler.timespec import zone as sub_zone

StudyKind = Literal["quiz", "checkin", "review"]


def _state(member: Any) -> StreakState:
    return StreakState(
        member.streak, member.best_streak, member.freezes or 0, member.last_study_date
    )


class CheckinsMixin(StoreBase):
    """Check-ins on daily prompts and the streaks that study days build."""

    async def _scheduled_days(
        self,
        conn: AsyncConnection,
        platform: str,
        workspace: str,
        first: date,
        last: date,
        tz: str,
    ) -> set[date] | None:
        """Local dates in ``tz`` from ``first`` to ``last`` on which a prompt was delivered to
        one of the workspace's subscribed channels; None when it has no subscriptions (then
        every day counts)."""
        if first > last:
            return set()
        subscribed = (
            await conn.execute(
                select(exists().where(S.c.platform == platform, S.c.workspace == workspace))
            )
        ).scalar()
        if not subscribed:
            return None
        start = datetime.combine(first, time(0), zone(tz)) - timedelta(days=1)
        end = datetime.combine(last + timedelta(days=2), time(0), zone(tz))
        rows = await conn.execute(
            select(D.c.scheduled_at)
            .join(S, S.c.id == D.c.subscription_id)
            .where(
                S.c.platform == platform,
                S.c.workspace == workspace,
                D.c.kind == rules.PROMPT_KIND,  # a weekly recap is not a prompt
                D.c.status.in_(rules.DELIVERED),
                D.c.scheduled_at >= start.astimezone(UTC),
                D.c.scheduled_at < end.astimezone(UTC),
            )
        )
        days = {local_date(r.scheduled_at, tz) for r in rows}
        return {d for d in days if first <= d <= last}

    async def _study(
        self,
        conn: AsyncConnection,
        platform: str,
        workspace: str,
        member: Any,
        at: datetime,
        tz: str,
        kind: StudyKind,
        **member_values: Any,
    ) -> StreakState:
        """Count ``at`` as a study day for ``member`` (a locked members row) and move their
        streak; the day's first study action also records the day in ``study_days``.
        ``member_values``: other columns of the members row to set in the same UPDATE.
        Returns the new streak state. Call inside a write transaction."""
        today = local_date(at, tz)
        if member.last_study_date != today:
            stmt = self.insert(study_days).values(
                platform=platform,
                workspace=workspace,
                member_id=member.member_id,
                local_date=today,
                kind=kind,
            )
            await conn.execute(stmt.on_conflict_do_nothing())
        before = _state(member)
        scheduled = None
        if before.last_study_date is not None and today > before.last_study_date:
            scheduled = await self._scheduled_days(
                conn,
                platform,
                workspace,
                before.last_study_date + timedelta(days=1),
                today - timedelta(days=1),
                tz,
            )
        after = advance(before, today, scheduled)
        if after != before:
            member_values.update(
                streak=after.streak,
                best_streak=after.best,
                freezes=after.freezes,
                last_study_date=after.last_study_date,
            )
        if member_values:
            await conn.execute(
                update(members)
                .where(*self._member_where(platform, workspace, member.member_id))
                .values(**member_values)
            )
        return after

    async def streak_now(
        self,
        conn: AsyncConnection,
        platform: str,
        workspace: str,
        member: Any,
        tz: str,
        at: datetime,
    ) -> tuple[int, int]:
        """``(streak, freezes)`` of a members row as of ``at`` (read-only; see
        ``bot.practice.streaks.current``)."""
        state = _state(member)
        today = local_date(at, tz)
        scheduled = None
        if state.last_study_date is not None and today > state.last_study_date + timedelta(days=1):
            scheduled = await self._scheduled_days(
                conn,
                platform,
                workspace,
                state.last_study_date + timedelta(days=1),
                today - timedelta(days=1),
                tz,
            )
        return current(state, today, scheduled)

    async def record_study(
        self,
        platform: str,
        workspace: str,
        member_id: str,
        member_name: str,
        at: datetime,
        kind: StudyKind = "review",
    ) -> StreakState:
        """Count a study action (e.g. a review) for the member's streak, in its own
        transaction. Quiz answers and check-ins do this themselves."""
        ws_tz = await self.workspace_timezone(platform, workspace)

        async def go(conn: AsyncConnection) -> StreakState:
            member = await self._member(conn, platform, workspace, member_id, member_name, at=at)
            return await self._study(
                conn, platform, workspace, member, at, member.timezone or ws_tz, kind
            )

        return await self.write(go)

    async def _delivered_prompt(
        self,
        conn: AsyncConnection,
        platform: str,
        workspace: str,
        prompt_id: str,
        channel: str | None,
        copy: bool = False,
    ) -> tuple[date, str]:
        """The local date and timezone of a prompt delivered in this workspace (and channel,
        if given). ``copy``: the button of an extra copy posted by ``/daily now`` before the
        day's scheduled post; it names the subscription and today's date, and the caller's
        window check limits it to that day. Raises CheckInRefused for anything else."""
        forged = CheckInRefused(
            "That check-in button doesn't belong to a prompt posted here, so it earns nothing. "
            "Press “I studied this” on today's prompt in its channel."
        )
        parsed = rules.parse_prompt_id(prompt_id)
        if parsed is None:
            raise forged
        sub_id, day = parsed
        mine = (S.c.id == sub_id, S.c.platform == platform, S.c.workspace == workspace)
        row = (
            await conn.execute(
                select(S.c.channel, S.c.timezone)
                .join(
                    D,
                    and_(
                        D.c.subscription_id == S.c.id,
                        D.c.local_date == day,
                        D.c.kind == rules.PROMPT_KIND,  # a recap that day shows no button
                    ),
                )
                .where(*mine, D.c.status.in_(rules.DELIVERED))
            )
        ).one_or_none()
        if row is None and copy:
            row = (await conn.execute(select(S.c.channel, S.c.timezone).where(*mine))).one_or_none()
        if row is None or (channel is not None and row.channel != channel):
            raise forged
        return day, row.timezone

    async def check_in(
        self,
        platform: str,
        workspace: str,
        member_id: str,
        member_name: str,
        prompt_id: str,
        at: datetime,
        *,
        is_bot: bool = False,
        channel: str | None = None,
        copy: bool = False,
    ) -> CheckInResult:
        """Check a member in on a daily prompt: points, a study day, their streak.

        ``prompt_id`` is ``s<subscription>-<YYYYMMDD>`` (scheduler.prompt). It counts only if
        the scheduler delivered that prompt in this workspace (and ``channel``, when given)
        and ``at`` falls in the prompt's local day (the subscription's timezone) plus
        ``bot.practice.checkins.GRACE``; otherwise CheckInRefused (a friendly message) and
        nothing is stored. The streak moves by the member's local date (their timezone, else
        the workspace's) under ``bot.practice.streaks``. The first check-in of a day that
        continues a streak of 2+ also earns ``points.streak_bonus``. One check-in per member
        per prompt (UNIQUE constraint): a repeat returns ``already=True`` and changes nothing.
        """
        if is_bot:
            return CheckInResult(0, 0, False)
        ws_tz = await self.workspace_timezone(platform, workspace)

        async def go(conn: AsyncConnection) -> CheckInResult:
            day, sub_tz = await self._delivered_prompt(
                conn, platform, workspace, prompt_id, channel, copy
            )
            opens, closes = rules.window(day, sub_zone(sub_tz))
            if at < opens:
                raise CheckInRefused(
                    f"That prompt is for {day:%a %d %b}, which hasn't started here yet, so this "
                    "check-in earns nothing. Today's prompt is the one to press."
                )
            if not opens <= at < closes:
                raise CheckInRefused(
                    f"That prompt was for {day:%a %d %b}; check-ins close "
                    f"{int(rules.GRACE.total_seconds() // 3600)} h after its day ends, so this "
                    "one earns nothing. Today's prompt is the one to press."
                )
            member = await self._member(conn, platform, workspace, member_id, member_name, at=at)
            tz = member.timezone or ws_tz
            today = local_date(at, tz)
            stmt = self.insert(checkins).values(
                platform=platform,
                workspace=workspace,
                member_id=member_id,
                prompt_id=prompt_id,  # canonical: parse_prompt_id accepts no other spelling
                at=at,
                local_date=today,
                points=0,
                streak=0,
            )
            inserted = (
                await conn.execute(stmt.on_conflict_do_nothing().returning(checkins.c.id))
            ).scalar()
            if inserted is None:
                streak, freezes = await self.streak_now(conn, platform, workspace, member, tz, at)
                total, rank = await self._rank(conn, platform, workspace, member_id)
                return CheckInResult(
                    0, streak, True, member.best_streak, today, freezes, total, rank, rank
                )
            first_today = member.last_checkin_date != today
            state = await self._study(
                conn, platform, workspace, member, at, tz, "checkin", last_checkin_date=today
            )
            bonus = self.points.streak_bonus if first_today and state.streak >= 2 else 0
            points = self.points.checkin + bonus
            await conn.execute(
                update(checkins)
                .where(checkins.c.id == inserted)
                .values(points=points, streak=state.streak)
            )
            ref = f"checkin:{prompt_id}"
            moves: list[tuple[str, int, int]] = []
            total = await self._award(
                conn,
                platform,
                workspace,
                member_id,
                self.points.checkin,
                "checkin",
                ref,
                at,
                ws_tz,
                moves,
            )
            total = (
                await self._award(
                    conn, platform, workspace, member_id, bonus, "streak", ref, at, ws_tz, moves
                )
                or total
            )
            total, before, rank = await self._standing(
                conn, platform, workspace, member_id, total, points
            )
            await self._histogram(conn, platform, workspace, member_id, moves)
            return CheckInResult(
                points, state.streak, False, state.best, today, state.freezes, total, rank, before
            )

        return await self.write(go)
