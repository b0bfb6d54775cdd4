"""Progress queries for pictures: study days per local date, and streaks for a page of members.

Read-only helpers over the Store's tables, kept apart from ``store.py`` so the progress card
and the leaderboard card can grow without touching the store's core. A study day is a local
date (in the member's timezone, else the workspace's) on which the member answered a quiz or
checked in on a daily prompt.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from bot.store.periods import local_date, zone
from bot.store.tables import checkins, members, quiz_answers


async def study_days(
    store, platform: str, workspace: str, member_id: str, since: date, today: date, tz: str
) -> dict[date, int]:
    """Study actions per local date in ``[since, today]`` (dates in ``tz``, an IANA name).

    Counts quiz answers (by the local date of ``answered_at``) and check-ins (by their stored
    local date). Dates with nothing are absent. Returns ``{date: count}``.
    """
    # Quiz answers are stored in UTC: widen the window by a day each side, then bucket locally.
    lo = datetime.combine(since - timedelta(days=1), time.min, tzinfo=UTC)
    hi = datetime.combine(today + timedelta(days=2), time.min, tzinfo=UTC)
    async with store.reader.connect() as conn:

        async def column(table, col, *window):
            q = select(col).where(
                table.c.platform == platform,
                table.c.workspace == workspace,
                table.c.member_id == member_id,
                *window,
            )
            return (await conn.execute(q)).scalars().all()

        t, c = quiz_answers, checkins
        answered = await column(t, t.c.answered_at, t.c.answered_at >= lo, t.c.answered_at < hi)
        checked = await column(c, c.c.local_date, c.c.local_date >= since, c.c.local_date <= today)
    zone(tz)  # a bad name fails here, not halfway through
    counts: Counter[date] = Counter(local_date(at, tz) for at in answered)
    counts.update(checked)
    return {d: n for d, n in counts.items() if since <= d <= today}


async def streaks(
    store, platform: str, workspace: str, member_ids: Iterable[str], at: datetime
) -> dict[str, int]:
    """Current streak (days) of each member in ``member_ids`` at instant ``at``: the same as
    ``/profile`` and every answer's standing line (``Store.streak_now``: study days in the
    member's timezone, days without a scheduled prompt and freezes kept). Members never seen
    are absent."""
    ids = list(dict.fromkeys(member_ids))
    if not ids:
        return {}
    ws_tz = await store.workspace_timezone(platform, workspace)
    out: dict[str, int] = {}
    async with store.reader.connect() as conn:
        rows = (
            await conn.execute(
                select(members).where(
                    members.c.platform == platform,
                    members.c.workspace == workspace,
                    members.c.member_id.in_(ids),
                )
            )
        ).all()
        for r in rows:
            streak, _ = await store.streak_now(
                conn, platform, workspace, r, r.timezone or ws_tz, at
            )
            out[r.member_id] = streak
    return out
