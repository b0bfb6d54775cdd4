"""Streaks that fit the schedule.

A **study day** is a local date (the member's timezone) on which they answered a quiz,
checked in on a daily prompt, or reviewed. The streak counts study days in a row, where "in a
row" skips days that asked nothing of the member: days on which no prompt was delivered to
the workspace's subscribed channels (weekends on a weekday schedule, skipped or paused days).
When the workspace has no daily subscriptions every calendar day counts.

A missed day that was scheduled is covered by a **streak freeze** if the member holds one (it
is used up automatically); otherwise the streak restarts at 1. Members earn one freeze each
time their streak reaches a multiple of ``FREEZE_EVERY`` days, holding at most ``MAX_FREEZES``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

FREEZE_EVERY = 7
MAX_FREEZES = 2


@dataclass(frozen=True)
class StreakState:
    """What the store keeps per member (``members`` row)."""

    streak: int = 0
    best: int = 0
    freezes: int = 0
    last_study_date: date | None = None


def missed_days(last: date, today: date, scheduled: Iterable[date] | None) -> list[date]:
    """Days strictly between ``last`` and ``today`` that asked for study.

    ``scheduled``: the dates prompts were delivered (any superset is fine: only the gap is
    used); None means every day counts (no schedule).
    """
    gap = [last + timedelta(days=n) for n in range(1, (today - last).days)]
    if scheduled is None:
        return gap
    wanted = set(scheduled)
    return [d for d in gap if d in wanted]


def advance(state: StreakState, today: date, scheduled: Iterable[date] | None) -> StreakState:
    """The state after studying on ``today``.

    A second study on the same day (or a day before the last, after a timezone change)
    changes nothing. Otherwise the streak grows by one if every scheduled day since the last
    study day is covered by a freeze (those freezes are used), else it restarts at 1.
    Reaching a multiple of ``FREEZE_EVERY`` earns a freeze (at most ``MAX_FREEZES``).
    """
    last = state.last_study_date
    if last is not None and today <= last:
        return state
    freezes = state.freezes
    if last is None:
        streak = 1
    else:
        missed = missed_days(last, today, scheduled)
        if len(missed) <= freezes:
            streak, freezes = state.streak + 1, freezes - len(missed)
        else:
            streak = 1
    if streak % FREEZE_EVERY == 0:
        freezes = min(MAX_FREEZES, freezes + 1)
    return replace(
        state,
        streak=streak,
        best=max(state.best, streak),
        freezes=freezes,
        last_study_date=today,
    )


def current(state: StreakState, today: date, scheduled: Iterable[date] | None) -> tuple[int, int]:
    """``(streak, freezes)`` as of ``today`` without studying: 0 once a scheduled day was
    missed with no freeze left to cover it; freezes net of those a gap will use."""
    last = state.last_study_date
    if last is None:
        return 0, state.freezes
    if today <= last + timedelta(days=1):
        return state.streak, state.freezes
    missed = missed_days(last, today, scheduled)
    if len(missed) <= state.freezes:
        return state.streak, state.freezes - len(missed)
    return 0, state.freezes
