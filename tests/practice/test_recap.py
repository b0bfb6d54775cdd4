"""The weekly recap's content: top of the week per group, streak leaders, each group's weakest
topic with a suggested /mock — from real rows on SQLite and PostgreSQL. (Its posting through
the scheduler: tests/scheduler/test_recap.py.)"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from bot.adapters.console import ConsoleSession, render
from bot.app import build_services
from bot.core.clock import FakeClock
from bot.core.context import Member
from bot.core.dispatch import press
from bot.practice.recap import GroupWeek, WeekRecap, recap_reply
from bot.settings import Settings
from tests.store.conftest import T0

WS = ("console", "local")


@pytest.fixture
def services(store, content):
    services = build_services(Settings(), clock=FakeClock(T0), content=content)
    services.store = store
    services.rng = random.Random(1)
    return services


async def quiz(services, session, topic, right):
    services.clock.advance(seconds=5)
    post = await session.send(f"/quiz {topic}")
    q = next(q for q in services.content.quiz if q.question in post.text)
    want = q.options[q.answer]
    b = next(b for b in post.buttons if (b.label.split(". ", 1)[1] == want) == right)
    services.clock.advance(seconds=5)
    await press(session.ctx, b.action)


async def test_recap_names_top_members_weakest_topic_and_streak_leaders(services):
    ann = ConsoleSession(services, Member("ann", "Ann", is_admin=True))
    bob = ConsoleSession(services, Member("bob", "Bob"))
    cat = ConsoleSession(services, Member("cat", "@everyone Cat"))
    await ann.send("group create Night Owls")
    await bob.send("group join Night Owls")
    await cat.send("group create Larks")
    for _ in range(3):
        await quiz(services, ann, "career", True)
    await quiz(services, bob, "career", True)
    await quiz(services, bob, "nlp", False)
    await quiz(services, ann, "nlp", False)
    await quiz(services, cat, "coding", False)
    services.clock.advance(days=1)
    await quiz(services, ann, "career", True)  # a two-day streak
    data = await services.store.weekly_recap(
        *WS, T0 - timedelta(hours=1), services.clock.now() + timedelta(minutes=1)
    )
    owls = next(g for g in data.groups if g.name == "Night Owls")
    assert owls.top == [("Ann", 40), ("Bob", 10)]
    assert owls.weakest == "nlp" and owls.accuracy == 0
    larks = next(g for g in data.groups if g.name == "Larks")
    assert larks.top == [] and larks.weakest == "coding"
    assert data.streaks[0] == ("Ann", 2)
    text = render(recap_reply(data))
    assert "1. Ann (40 pts), 2. Bob (10 pts)" in text and "/mock nlp 3" in text
    assert "@everyone" not in text.replace("@\u200beveryone", "")  # never a ping
    # Outside the window: nothing.
    later = await services.store.weekly_recap(
        *WS, services.clock.now() + timedelta(days=7), services.clock.now() + timedelta(days=14)
    )
    assert all(not g.top and g.weakest is None for g in later.groups) and later.streaks == []


def test_recap_reply_without_activity():
    text = render(recap_reply(WeekRecap(T0.date(), [GroupWeek("Empty")], [])))
    assert "no points this week" in text and "no streaks yet" in text
