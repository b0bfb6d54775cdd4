"""400 days, two scheduler instances on one database, random crashes and restarts.

The world clock is a FakeClock moved from one tick to the next: a random step of 1–4
hours, or sooner when a post falls due (0–90 s after its instant, as a cron job fires) or a
lease or retry delay runs out (as the one-minute sweeper would notice). Two instances (each
its own Store and engine, as two processes would have) tick at the same instant.
What can happen:

* an instance dies between ticks (down 0–2 h, then restarts with fresh memory);
* an instance dies in the middle of posting, after claiming a day and before the platform
  accepted the post (the claim is abandoned and must be taken over after its lease);
* an instance dies with a post in flight *after* the platform accepted it (the row is left
  ``sending``: the instance taking it over must find the message, not post it again);
* the platform accepts a post and then answers ambiguously (a 502 or a reset: the post must
  be reconciled by its key, not re-sent);
* the platform answers with transient errors now and then;
* both instances are down for three hours one morning (posts due then go out late, within
  the grace window);
* a channel subscribes half-way through, through the other instance.

The subscriptions cover DST in both hemispheres: Europe/Berlin 09:00 and 02:30 (a local
time that doesn't exist in March and happens twice in October), America/New_York 02:15,
Australia/Sydney 02:30, Asia/Tokyo 23:00 (close to the day's end) and UTC+05:30.

Asserted: every expected (subscription, local date) posted exactly once, on its local day
and not before its time; each channel's lessons follow its track with no repeats within a
cycle; the database agrees.
"""

from __future__ import annotations

import asyncio
import os
import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.core.clock import FakeClock
from bot.core.delivery import TransientDeliveryError, UncertainDeliveryError
from scheduler.prompt import CHECKIN_ACTION
from scheduler.timespec import Slot
from tests.scheduler.harness import close, fixture_content, instance

START = datetime(2026, 1, 1, 0, 0, tzinfo=UTC)
DAYS = int(os.environ.get("SIM_DAYS", "400"))
BOTH_DOWN = (datetime(2026, 6, 10, 6, 30, tzinfo=UTC), datetime(2026, 6, 10, 9, 30, tzinfo=UTC))
LATE_SUB = datetime(2026, 4, 15, 12, 0, tzinfo=UTC)

SUBS = [  # channel, time, timezone, days, track
    ("berlin-9", "09:00", "Europe/Berlin", "mon,tue,wed,thu,fri,sat,sun", "mixed"),
    ("berlin-230", "02:30", "Europe/Berlin", "mon,tue,wed,thu,fri,sat,sun", "fundamentals"),
    ("ny-215", "02:15", "America/New_York", "mon,wed,fri,sun", "interview"),
    ("sydney-230", "02:30", "Australia/Sydney", "mon,tue,wed,thu,fri,sat,sun", "ml-core"),
    ("tokyo-23", "23:00", "Asia/Tokyo", "mon,tue,wed,thu,fri", "mixed"),
]
LATE = ("kolkata-18", "18:00", "UTC+05:30", "sat,sun", "ml-core")


class SimulatedCrash(BaseException):
    """The process dies here (BaseException: nothing in the bot catches it)."""


class World:
    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.posts: list[tuple[str, str, datetime, str]] = []  # channel, prompt id, at, topic
        self.in_flight_crashes = 0
        self.ambiguous = 0


class Port:
    """One instance's connection to the shared fake platform."""

    platform = "discord"

    def __init__(self, world: World, rng: random.Random) -> None:
        self.world = world
        self.rng = rng

    async def post(self, workspace: str, channel: str, reply, key=None) -> str:
        roll = self.rng.random()
        if roll < 0.03:
            raise SimulatedCrash()  # before the platform accepted the post
        if roll < 0.08:
            raise TransientDeliveryError("503", retry_after=0.5)
        prompt = reply.buttons[0].action.split("|")[2]
        assert reply.buttons[0].action.split("|")[1] == CHECKIN_ACTION
        assert key == prompt  # the delivery's idempotency key is its prompt id
        self.world.posts.append(
            (channel, prompt, self.world.clock.now(), reply.title.split(": ", 1)[1])
        )
        self.world.in_flight_crashes += roll < 0.10
        if roll < 0.10:
            raise SimulatedCrash()  # in flight: accepted, the answer never arrives
        if roll < 0.14:
            self.world.ambiguous += 1
            raise UncertainDeliveryError("502 after the platform accepted the post")
        return f"m{len(self.world.posts)}"

    async def find(self, workspace: str, channel: str, key: str, since) -> str | None:
        for i, (ch, prompt, at, _) in enumerate(self.world.posts):
            if ch == channel and prompt == key and at >= since:
                return f"m{i + 1}"
        return None

    async def notify_admin(self, workspace: str, channel: str, text: str) -> None:
        raise AssertionError(f"no permanent errors in this simulation: {text}")


@pytest.mark.timeout(1200)  # ~2,000 posts on a real database; minutes on a busy 2-core box
async def test_400_days_two_instances_crashes_exactly_once(db_url, content):
    rng = random.Random(20260101)
    clock = FakeClock(START)
    world = World(clock)
    lessons = fixture_content(content)
    names = ["a", "b"]
    live: dict[str, tuple] = {}
    down_until: dict[str, datetime] = {}
    restarts = crashes_mid_post = 0

    async def boot(name: str) -> None:
        live[name] = await instance(db_url, clock, lessons, [Port(world, rng)], owner=name)

    async def kill(name: str, until: datetime) -> None:
        services, _ = live.pop(name)
        await close(services)
        down_until[name] = until

    await boot("a")
    await boot("b")
    _, a = live["a"]
    subs = {}
    for channel, t, tz, days, track in SUBS:
        sub, _ = await a.subscribe(
            "discord",
            "g",
            channel,
            time=t,
            timezone=tz,
            days=days,
            track=track,
            role=None,
            by="admin",
        )
        subs[channel] = sub
    late_added = False
    end = START + timedelta(days=DAYS)

    try:
        wakeups: list[datetime] = [BOTH_DOWN[1], LATE_SUB]
        while clock.now() < end:
            now = clock.now()
            due = min(sub.slot.next_runs(now, 1)[0][1] for sub in subs.values())
            wakeups += [t for t in down_until.values() if t > now]
            nxt = min(
                [
                    now + timedelta(minutes=rng.randint(60, 240)),
                    due + timedelta(seconds=rng.randint(0, 90)),
                    *(w for w in wakeups if w > now),
                ]
            )
            wakeups = [w for w in wakeups if w > nxt]
            clock.set(nxt)
            now = nxt
            both_down = BOTH_DOWN[0] <= now < BOTH_DOWN[1]
            for name in names:
                if both_down and name in live:
                    await kill(name, BOTH_DOWN[1])
                elif name not in live and now >= down_until.get(name, now):
                    await boot(name)
                    restarts += 1
            if not late_added and now >= LATE_SUB and "b" in live:
                channel, t, tz, days, track = LATE
                sub, _ = await live["b"][1].subscribe(
                    "discord",
                    "g",
                    channel,
                    time=t,
                    timezone=tz,
                    days=days,
                    track=track,
                    role=None,
                    by="admin",
                )
                subs[channel] = sub
                late_added = True
            running = list(live)
            results = await asyncio.gather(
                *(live[n][1].tick() for n in running), return_exceptions=True
            )
            for name, result in zip(running, results, strict=True):
                if isinstance(result, SimulatedCrash):
                    crashes_mid_post += 1
                    wakeups.append(now + timedelta(minutes=11))  # the claim's lease has run out
                    other_up = any(n in live for n in names if n != name)
                    downtime = timedelta(minutes=rng.randint(0, 120)) if other_up else timedelta(0)
                    await kill(name, now + downtime)
                elif isinstance(result, BaseException):
                    raise result
                elif result.retry:
                    wakeups.append(now + timedelta(minutes=6))  # handed back for a retry
            # a crash between ticks, only while the other instance runs
            for name in list(live):
                if rng.random() < 0.004 and all(n in live for n in names):
                    await kill(name, now + timedelta(minutes=rng.randint(0, 120)))
        # let the last day settle
        for name in names:
            if name not in live:
                await boot(name)
        for _ in range(8):
            clock.advance(minutes=15)
            await asyncio.gather(*(live[n][1].tick() for n in names))

        # -- what should have happened ------------------------------------------------------
        last = clock.now()
        expected: dict[str, set[date]] = {}
        for channel, sub in subs.items():
            slot = sub.slot
            expected[channel] = {d for d, _ in slot.runs_between(sub.active_since, last)}
        sent: dict[str, list[tuple[date, datetime, str]]] = defaultdict(list)
        for channel, prompt, at, topic in world.posts:
            sid, day = prompt[1:].split("-")
            assert int(sid) == subs[channel].id
            sent[channel].append((datetime.strptime(day, "%Y%m%d").date(), at, topic))

        total = 0
        for channel, sub in subs.items():
            days = [d for d, _, _ in sent[channel]]
            assert len(days) == len(set(days)), f"{channel}: a day was posted twice"
            assert set(days) == expected[channel], (
                f"{channel}: missing {sorted(expected[channel] - set(days))[:5]}, "
                f"extra {sorted(set(days) - expected[channel])[:5]}"
            )
            slot: Slot = sub.slot
            for day, at, _ in sent[channel]:
                assert slot.local_date(at) == day, f"{channel}: {day} posted at {at} (another day)"
                assert at >= slot.instant(day), f"{channel}: {day} posted early at {at}"
            # lessons in date order follow the track, each once per cycle
            seq = [x.topic for x in live["a"][1].curriculum.sequence(sub.track)]
            topics = [t for _, _, t in sorted(sent[channel])]
            assert topics == [seq[i % len(seq)] for i in range(len(topics))], channel
            total += len(days)

        if DAYS == 400:  # SIM_DAYS shortens the run while debugging
            # DST days happened at the documented instants: 03:30 CEST, then the first 02:30
            berlin = {d: at for d, at, _ in sent["berlin-230"]}
            spring = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
            assert spring <= berlin[date(2026, 3, 29)] < spring + timedelta(minutes=2)
            assert berlin[date(2026, 10, 25)] < datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
            # both instances down 06:30–09:30 UTC: Berlin's 09:00 (07:00 UTC) went out late, once
            june = {d: at for d, at, _ in sent["berlin-9"]}[date(2026, 6, 10)]
            assert BOTH_DOWN[1] <= june < BOTH_DOWN[1] + timedelta(hours=1)
            assert crashes_mid_post >= 10 and restarts >= 20
            assert world.in_flight_crashes >= 10 and world.ambiguous >= 10

        rows = await live["a"][1].repo.deliveries()
        statuses = defaultdict(int)
        for r in rows:
            statuses[r.status] += 1
        # every day is sent, or reconciled (found on the platform after an in-flight crash or
        # an ambiguous answer) — never posted twice, never left in flight
        assert set(statuses) <= {"sent", "reconciled"}, dict(statuses)
        assert statuses["sent"] + statuses["reconciled"] == total, dict(statuses)
        assert statuses["reconciled"] >= (10 if DAYS == 400 else 0), dict(statuses)
        print(
            f"\nsimulation: {total} posts over {DAYS} days, {crashes_mid_post} crashes mid-post "
            f"({world.in_flight_crashes} after the platform accepted), {world.ambiguous} "
            f"ambiguous answers, {statuses['reconciled']} reconciled, {restarts} restarts, "
            f"ended {last:%Y-%m-%d}"
        )
    finally:
        for name in list(live):
            await close(live[name][0])
