"""Daily check-ins and streaks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.base import StoreBase
from bot.store.periods import local_date
from bot.store.records import (
    CheckInResult,
)
from bot.store.tables import (
    checkins,
    members,
)


class CheckinsMixin(StoreBase):
    """Check-ins on daily prompts and the streaks they build."""

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
    ) -> CheckInResult:
        """Check a member in on a daily prompt: points, and their streak in their timezone.

        The day is the member's local date at ``at`` (their profile timezone, else the
        workspace's). A check-in the calendar day after the last one continues the streak
        (and earns ``points.streak_bonus``), a later one restarts it at 1, another on the
        same day keeps it. One check-in per member per prompt (UNIQUE constraint): a repeat
        returns ``already=True`` and changes nothing.
        """
        if is_bot:
            return CheckInResult(0, 0, False)
        ws_tz = await self.workspace_timezone(platform, workspace)

        async def go(conn: AsyncConnection) -> CheckInResult:
            member = await self._member(conn, platform, workspace, member_id, member_name, at=at)
            tz = member.timezone or ws_tz
            today = local_date(at, tz)
            last = member.last_checkin_date
            if last is None or (today - last).days > 1:
                streak, new_day = 1, True
            elif (today - last).days == 1:
                streak, new_day = member.streak + 1, True
            else:  # same day (or a clock/timezone change put it before the last one)
                streak, new_day = max(member.streak, 1), False
            bonus = self.points.streak_bonus if new_day and streak >= 2 else 0
            points = self.points.checkin + bonus
            stmt = self.insert(checkins).values(
                platform=platform,
                workspace=workspace,
                member_id=member_id,
                prompt_id=prompt_id[:100],
                at=at,
                local_date=today,
                points=points,
                streak=streak,
            )
            inserted = (
                await conn.execute(stmt.on_conflict_do_nothing().returning(checkins.c.id))
            ).scalar()
            if inserted is None:
                current = member.streak if last is not None and (today - last).days <= 1 else 0
                return CheckInResult(0, current, True, member.best_streak, today)
            best = max(member.best_streak, streak)
            await conn.execute(
                update(members)
                .where(*self._member_where(platform, workspace, member_id))
                .values(
                    streak=streak, best_streak=best, last_checkin_date=max(today, last or today)
                )
            )
            ref = f"checkin:{prompt_id}"
            await self._award(
                conn, platform, workspace, member_id, self.points.checkin, "checkin", ref, at, ws_tz
            )
            await self._award(conn, platform, workspace, member_id, bonus, "streak", ref, at, ws_tz)
            return CheckInResult(points, streak, False, best, today)

        return await self.write(go)
