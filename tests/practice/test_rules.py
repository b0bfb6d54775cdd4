"""The practice engine's rules on their own: selection, option orders, check-in windows,
streaks. The store and the commands are exercised in tests/store/test_practice.py."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.practice import checkins, feedback, scoring, selection, streaks
from bot.practice.selection import Seen
from bot.practice.streaks import StreakState

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)


@dataclass(frozen=True)
class Item:
    id: str


def draw(pool, n, rng):
    """n draws as a member would get them, recording each showing."""
    seen: dict[str, Seen] = {}
    out = []
    for k in range(n):
        item = selection.choose(pool, seen, rng)
        old = seen.get(item.id)
        seen[item.id] = Seen((old.times if old else 0) + 1, T0 + timedelta(minutes=k))
        out.append(item.id)
    return out


@given(size=st.integers(1, 20), cycles=st.integers(1, 4), seed=st.integers(0, 10**6))
def test_each_cycle_shows_every_item_once_and_never_twice_in_a_row(size, cycles, seed):
    pool = [Item(f"q{i}") for i in range(size)]
    shown = draw(pool, size * cycles, random.Random(seed))
    for c in range(cycles):
        assert sorted(shown[c * size : (c + 1) * size]) == sorted(i.id for i in pool)
    if size > 1:
        assert all(a != b for a, b in zip(shown, shown[1:], strict=False))


def test_items_seen_through_another_pool_come_last():
    pool = [Item("a"), Item("b"), Item("c")]
    seen = {"a": Seen(1, T0), "b": Seen(1, T0 + timedelta(minutes=1))}
    assert selection.choose(pool, seen, random.Random(1)).id == "c"
    # Pool exhausted: a new cycle, but not the item shown last ("c").
    seen["c"] = Seen(1, T0 + timedelta(minutes=2))
    assert {selection.choose(pool, seen, random.Random(s)).id for s in range(30)} == {"a", "b"}
    assert selection.choose([Item("only")], {"only": Seen(9, T0)}, random.Random(0)).id == "only"


@given(n=st.integers(1, 5), seed=st.integers(0, 10**6))
def test_option_order_round_trips_and_grades(n, seed):
    order = scoring.shuffled(n, random.Random(seed))
    assert sorted(order) == list(range(n))
    assert scoring.decode(scoring.encode(order), n) == order
    for position in range(n):
        bank = scoring.bank_index(order, position)
        assert scoring.position_of(order, bank) == position
    assert scoring.bank_index(order, n) is None and scoring.bank_index(order, -1) is None


def test_stale_or_missing_orders():
    assert scoring.decode(None, 3) == (0, 1, 2)  # posts from before shuffling
    assert scoring.decode("0,1,2", 4) is None  # the question gained an option since
    assert scoring.decode("0,0,1", 3) is None and scoring.decode("x", 1) is None


def test_prompt_ids_and_windows():
    assert checkins.parse_prompt_id("s12-20260105") == (12, date(2026, 1, 5))
    for forged in ("s12-n3", "p1", "s12-20261305", "s-20260105", "s1-2026010", " s1-20260105"):
        assert checkins.parse_prompt_id(forged) is None, forged
    opens, closes = checkins.window(date(2026, 3, 29), ZoneInfo("Europe/Berlin"))
    assert opens == datetime(2026, 3, 28, 23, tzinfo=UTC)  # midnight CET
    assert closes == datetime(2026, 3, 29, 22, tzinfo=UTC) + checkins.GRACE  # midnight CEST


def days(*offsets):
    return {date(2026, 1, 5) + timedelta(days=o) for o in offsets}


def test_weekday_schedule_streak_survives_the_weekend():
    weekdays = days(0, 1, 2, 3, 4, 7, 8)  # Mon–Fri, then Mon, Tue
    s = StreakState()
    for o in (0, 1, 2, 3, 4):
        s = streaks.advance(s, date(2026, 1, 5) + timedelta(days=o), weekdays)
    # On Sunday (no prompts on Saturday) the profile still shows the streak.
    assert streaks.current(s, date(2026, 1, 11), weekdays) == (5, 0)
    s = streaks.advance(s, date(2026, 1, 12), weekdays)
    assert (s.streak, s.best, s.freezes) == (6, 6, 0)
    # On Wednesday after a missed Tuesday it is gone.
    assert streaks.current(s, date(2026, 1, 14), weekdays) == (0, 0)


def test_freezes_earned_capped_and_spent():
    every_day = None
    s = StreakState()
    for o in range(21):
        s = streaks.advance(s, date(2026, 1, 5) + timedelta(days=o), every_day)
    assert (s.streak, s.freezes) == (21, 2)  # one per 7 days, at most 2 held
    # Two missed days are covered; the streak goes on.
    s = streaks.advance(s, date(2026, 1, 5) + timedelta(days=23), every_day)
    assert (s.streak, s.freezes) == (22, 0)
    # A third gap with no freeze left restarts it; the best stays.
    s = streaks.advance(s, date(2026, 1, 5) + timedelta(days=25), every_day)
    assert (s.streak, s.best, s.freezes) == (1, 22, 0)
    # Same day again, or an earlier day after a timezone change: nothing moves.
    assert streaks.advance(s, s.last_study_date, every_day) == s
    assert streaks.advance(s, s.last_study_date - timedelta(days=1), every_day) == s


def test_profile_view_counts_pending_freezes():
    s = StreakState(streak=9, best=9, freezes=1, last_study_date=date(2026, 1, 5))
    assert streaks.current(s, date(2026, 1, 7), None) == (9, 0)  # one missed day, covered
    assert streaks.current(s, date(2026, 1, 8), None) == (0, 1)  # two: broken
    assert streaks.current(StreakState(), date(2026, 1, 8), None) == (0, 0)


def test_standing_line():
    assert (
        feedback.standing_line(30, 1, None, 4) == "Total: 30 pts · Streak: 1 day · Rank: #4 (new)"
    )
    assert feedback.rank_change(5, 2) == "#2 (up 3)"
    assert feedback.rank_change(2, 3) == "#3 (down 1)"
    assert feedback.rank_change(2, 2) == "#2 (no change)"
    assert feedback.rank_change(None, None) == "—"
    assert feedback.days(2) == "2 days"
