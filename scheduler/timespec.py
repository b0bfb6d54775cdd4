"""Times, timezones and weekdays of a subscription, and the instants they name.

A subscription says "09:00, Europe/Berlin, mon-fri". This module parses what admins type,
stores it canonically ("09:00", "Europe/Berlin" or "UTC+02:00", "mon,tue,wed,thu,fri") and
turns a local date into the UTC instant the post is due.

DST rules (the documented instants):

* A local time that does not exist because clocks spring forward (02:30 on the last Sunday
  of March in Europe/Berlin) is posted at the same wall-clock time shifted forward by the
  gap: 02:30 becomes 03:30 CEST (01:30 UTC). This is PEP 495's ``fold=0`` reading, and it is
  also where APScheduler 3.x's CronTrigger fires.
* A local time that occurs twice because clocks fall back (02:30 on the last Sunday of
  October) is posted once, at its first occurrence (02:30 CEST, 00:30 UTC). CronTrigger fires
  a second time at 02:30 CET; that firing finds the day already claimed and posts nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.errors import UserError
from bot.core.safety import neutralize
from bot.core.timezones import parse_timezone as _parse_timezone

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EVERY_DAY = ",".join(DAYS)
_DAY_NAMES = {
    **{d: i for i, d in enumerate(DAYS)},
    **{
        n: i
        for i, n in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
    "tues": 1,
    "wednes": 2,
    "thur": 3,
    "thurs": 3,
}
_DAY_SETS = {
    "daily": DAYS,
    "everyday": DAYS,
    "every day": DAYS,
    "all": DAYS,
    "*": DAYS,
    "weekdays": DAYS[:5],
    "weekday": DAYS[:5],
    "workdays": DAYS[:5],
    "weekends": DAYS[5:],
    "weekend": DAYS[5:],
}

_TIME_24 = re.compile(r"^(\d{1,2})(?::|h|\.)?(\d{2})?$")
_TIME_12 = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*([ap])\.?m\.?$")


# -- parsing ------------------------------------------------------------------------------


def parse_time(text: str) -> str:
    """``"9"``, ``"09:00"``, ``"9:30pm"``, ``"2130"`` → canonical ``"HH:MM"`` (24-hour)."""
    raw = text.strip().lower()
    m12 = _TIME_12.match(raw)
    m24 = _TIME_24.match(raw)
    if raw.isdigit() and len(raw) in (3, 4):  # "930", "2130"
        hour, minute = int(raw[:-2]), int(raw[-2:])
    elif m12:
        hour, minute = int(m12.group(1)), int(m12.group(2) or 0)
        if not 1 <= hour <= 12:
            raise _bad_time(text)
        hour = hour % 12 + (12 if m12.group(3) == "p" else 0)
    elif m24:
        hour, minute = int(m24.group(1)), int(m24.group(2) or 0)
    else:
        raise _bad_time(text)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise _bad_time(text)
    return f"{hour:02d}:{minute:02d}"


def _bad_time(text: str) -> UserError:
    return UserError(
        f"“{neutralize(text, 30)}” isn't a time of day. Use 24-hour HH:MM like 09:00 or 21:30 "
        "(9am and 9:30pm work too)."
    )


def time_of(canonical: str) -> time:
    hour, minute = canonical.split(":")
    return time(int(hour), int(minute))


# One timezone parser for every command (IANA names, cities, UTC offsets): bot.core.timezones.
parse_timezone = _parse_timezone


@lru_cache(maxsize=1024)
def zone(canonical: str) -> tzinfo:
    """The tzinfo for a canonical timezone string (see ``parse_timezone``)."""
    if canonical == "UTC":
        return UTC
    if canonical.startswith("UTC") and canonical[3:4] in ("+", "-"):
        sign = 1 if canonical[3] == "+" else -1
        hours, minutes = canonical[4:].split(":")
        delta = timedelta(hours=int(hours), minutes=int(minutes))
        return timezone(sign * delta, canonical)
    try:
        return ZoneInfo(canonical)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UserError(f"“{neutralize(canonical, 40)}” isn't a timezone I know.") from exc


def parse_days(text: str) -> str:
    """``daily``, ``weekdays``, ``weekends``, ``mon,wed,fri``, ``mon-fri`` → ``"mon,wed,fri"``."""
    raw = " ".join(text.strip().lower().split())
    if raw in _DAY_SETS:
        return ",".join(_DAY_SETS[raw])
    chosen: set[int] = set()
    for part in re.split(r"[,\s/]+", raw):
        if not part:
            continue
        if "-" in part:
            first, _, last = part.partition("-")
            a, b = _day(first, text), _day(last, text)
            span = range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)]
            chosen.update(span)
        else:
            chosen.add(_day(part, text))
    if not chosen:
        raise _bad_days(text)
    return ",".join(DAYS[i] for i in sorted(chosen))


def parse_weekday(text: str) -> str:
    """One weekday (``sun``, ``Sunday``, ``thurs``) → ``"sun"``: the weekly recap's day."""
    try:
        days = parse_days(text)
    except UserError:
        days = ""
    if not days or "," in days:
        raise UserError(
            f"“{neutralize(text, 40)}” isn't one day of the week. The recap goes out once a "
            "week: use a day like sun, friday or mon."
        )
    return days


def _day(word: str, text: str) -> int:
    word = word.strip().rstrip(".")
    if word in _DAY_NAMES:
        return _DAY_NAMES[word]
    if len(word) >= 3:
        for name, idx in _DAY_NAMES.items():
            if name.startswith(word):
                return idx
    raise _bad_days(text)


def _bad_days(text: str) -> UserError:
    return UserError(
        f"“{neutralize(text, 40)}” isn't a set of days. Use daily, weekdays, weekends, "
        "or days like mon,wed,fri or mon-fri."
    )


def weekday_set(days: str) -> frozenset[int]:
    return frozenset(DAYS.index(d) for d in days.split(",") if d)


def describe_days(days: str) -> str:
    chosen = weekday_set(days)
    if len(chosen) == 7:
        return "every day"
    if chosen == frozenset(range(5)):
        return "weekdays"
    if chosen == frozenset({5, 6}):
        return "weekends"
    return ", ".join(d.capitalize() for d in days.split(","))


# -- instants -----------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def _instant(hhmm: str, tz: str, day: date) -> datetime:
    # Cached: many channels share a time and zone (09:00 Europe/Berlin), and every tick asks.
    local = datetime.combine(day, time_of(hhmm), tzinfo=zone(tz))  # fold=0
    return local.astimezone(UTC)


def recap_window(hhmm: str, tz: str, day: date, until: datetime) -> tuple[datetime, datetime]:
    """``(since, until)``, UTC instants, of the weekly recap due at ``until`` on local date
    ``day``: the 7 local days ending at it, so ``since`` is the same local time ``hhmm`` on
    ``day`` − 7 (DST-safe: a week across a clock change is 167 or 169 hours)."""
    return _instant(hhmm, tz, day - timedelta(days=7)), until


@dataclass(frozen=True)
class Slot:
    """When a subscription posts: canonical time, timezone and days."""

    time: str  # "HH:MM"
    timezone: str  # canonical (see parse_timezone)
    days: str = EVERY_DAY

    @property
    def tz(self) -> tzinfo:
        return zone(self.timezone)

    def posts_on(self, day: date) -> bool:
        return day.weekday() in weekday_set(self.days)

    def instant(self, day: date) -> datetime:
        """The UTC instant of the post on local date ``day`` (DST rules in the module doc)."""
        return _instant(self.time, self.timezone, day)

    def local_date(self, at: datetime) -> date:
        return at.astimezone(self.tz).date()

    def runs_between(self, start: datetime, end: datetime) -> Iterator[tuple[date, datetime]]:
        """``(local date, instant)`` of every post with ``start <= instant <= end``."""
        day = self.local_date(start) - timedelta(days=1)
        last = self.local_date(end) + timedelta(days=1)
        while day <= last:
            if self.posts_on(day):
                at = self.instant(day)
                if start <= at <= end:
                    yield day, at
            day += timedelta(days=1)

    def next_runs(self, after: datetime, count: int) -> list[tuple[date, datetime]]:
        """The next ``count`` posts strictly after ``after``."""
        out: list[tuple[date, datetime]] = []
        day = self.local_date(after) - timedelta(days=1)
        while len(out) < count:
            if self.posts_on(day):
                at = self.instant(day)
                if at > after:
                    out.append((day, at))
            day += timedelta(days=1)
        return out

    def cron_trigger(self):
        """An APScheduler 3.x CronTrigger firing at this slot's local time and days."""
        from apscheduler.triggers.cron import CronTrigger

        t = time_of(self.time)
        return CronTrigger(
            day_of_week=self.days, hour=t.hour, minute=t.minute, second=0, timezone=self.tz
        )
