"""Periods in a timezone: weeks start on Monday, local dates are DST-safe.

Converting an instant to a local *date* with zoneinfo and then doing date arithmetic never
sees the 23- or 25-hour days of a DST change, so "yesterday" is always the calendar day before.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.store.records import Period

ALL = "all"


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_date(at: datetime, tz: str) -> date:
    return at.astimezone(zone(tz)).date()


def week_start(d: date) -> date:
    return d - timedelta(days=d.weekday())


def period_key(period: Period, at: datetime, tz: str) -> str:
    """The totals key for ``period`` containing ``at`` in timezone ``tz``."""
    if period == "all":
        return ALL
    d = local_date(at, tz)
    if period == "week":
        return "w" + week_start(d).isoformat()
    return f"m{d.year:04d}-{d.month:02d}"


def period_keys(at: datetime, tz: str) -> tuple[str, str, str]:
    """Every totals key an award at ``at`` adds to."""
    return (ALL, period_key("week", at, tz), period_key("month", at, tz))
