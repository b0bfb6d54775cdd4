"""The scheduler on a real database (SQLite and PostgreSQL) with a fake clock."""

import asyncio
import logging
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.core.clock import FakeClock
from scheduler.prompt import CHECKIN_LABEL
from tests.scheduler.fakes import FakePlatform, permanent, transient
from tests.scheduler.harness import close, fixture_content, instance

T0 = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)  # Monday 08:00 in Berlin


@pytest.fixture
def clock():
    return FakeClock(T0)


@pytest.fixture
def lessons_content(content):
    return fixture_content(content)


@pytest.fixture
async def one(db_url, clock, lessons_content):
    platform = FakePlatform("discord", clock)
    services, svc = await instance(db_url, clock, lessons_content, [platform], owner="a")
    yield svc, platform
    await close(services)


async def subscribe(
    svc,
    channel="c1",
    time="09:00",
    tz="Europe/Berlin",
    days="mon,tue,wed,thu,fri,sat,sun",
    track="mixed",
):
    sub, _ = await svc.subscribe(
        "discord",
        "g1",
        channel,
        time=time,
        timezone=tz,
        days=days,
        track=track,
        role=None,
        by="admin",
    )
    return sub


async def test_posts_once_at_local_time(one, clock):
    svc, platform = one
    await subscribe(svc)
    assert (await svc.tick()).sent == []
    clock.set(datetime(2026, 1, 5, 7, 59, 59, tzinfo=UTC))
    assert (await svc.tick()).sent == []
    clock.set(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
    report = await svc.tick()
    assert report.sent == [(1, date(2026, 1, 5))]
    assert len(platform.posts) == 1
    reply = platform.posts[0][2]
    assert "Daily study prompt" in reply.title and reply.buttons[0].label == CHECKIN_LABEL
    text = reply.plain_text()
    assert "Question to answer" in text and "Resource: Coursera" in text
    assert "001_9c783a36976aec48.txt" in text  # the resource's source
    clock.advance(minutes=30)
    assert (await svc.tick()).sent == []
    assert len(platform.posts) == 1


async def test_track_advances_without_repeats_then_cycles(one, clock):
    svc, platform = one
    await subscribe(svc, track="fundamentals")
    n = len(svc.curriculum.sequence("fundamentals"))
    clock.set(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
    for _ in range(2 * n):
        await svc.tick()
        clock.advance(days=1)
    topics = [p[2].title.split(": ", 1)[1] for p in platform.posts]
    assert len(topics) == 2 * n
    assert len(set(topics[:n])) == n and topics[n:] == topics[:n]
    assert "(cycle 2)" in platform.posts[n][2].plain_text()


async def test_two_instances_racing_post_once(db_url, clock, lessons_content):
    platform = FakePlatform("discord", clock)
    sa, a = await instance(db_url, clock, lessons_content, [platform], owner="a")
    sb, b = await instance(db_url, clock, lessons_content, [platform], owner="b")
    try:
        for ch in ("c1", "c2", "c3"):
            await subscribe(a, channel=ch)
        for day in range(5):
            clock.set(datetime(2026, 1, 5 + day, 8, 0, tzinfo=UTC))
            await asyncio.gather(a.tick(), b.tick(), a.tick(), b.tick())
        keys = [(p[1], p[2].title) for p in platform.posts]
        assert len(keys) == 15 and len(set(keys)) == 15
    finally:
        await close(sa)
        await close(sb)


async def test_late_within_grace_is_sent_older_is_missed_and_logged(one, clock, caplog):
    svc, platform = one
    await subscribe(svc)
    clock.set(datetime(2026, 1, 5, 13, 0, tzinfo=UTC))  # 5 h late: within 6 h grace
    assert (await svc.tick()).sent == [(1, date(2026, 1, 5))]
    clock.set(datetime(2026, 1, 6, 15, 0, tzinfo=UTC))  # 7 h late
    with caplog.at_level(logging.WARNING, logger="scheduler.service"):
        report = await svc.tick()
    assert report.sent == [] and report.missed == [(1, date(2026, 1, 6))]
    assert "missed" in caplog.text and "grace" in caplog.text
    assert len(platform.posts) == 1
    rows = await svc.repo.deliveries(1)
    assert [r.status for r in rows] == ["sent", "missed"]


async def test_never_posted_outside_its_local_day(one, clock):
    svc, platform = one
    await subscribe(svc, time="22:30")  # 21:30 UTC in winter
    clock.set(datetime(2026, 1, 5, 23, 30, tzinfo=UTC))  # 00:30 next day in Berlin: 2 h late
    report = await svc.tick()
    assert report.missed == [(1, date(2026, 1, 5))] and platform.posts == []


async def test_subscribing_after_todays_time_starts_tomorrow(one, clock):
    svc, platform = one
    clock.set(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))  # 10:00 Berlin
    await subscribe(svc)
    assert (await svc.tick()).sent == [] and (await svc.tick()).missed == []
    clock.set(datetime(2026, 1, 6, 8, 0, tzinfo=UTC))
    assert (await svc.tick()).sent == [(1, date(2026, 1, 6))]


async def test_skip_pause_resume(one, clock):
    svc, platform = one
    sub = await subscribe(svc)
    assert await svc.skip_next(sub) == date(2026, 1, 5)
    clock.set(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
    assert (await svc.tick()).skipped == [(1, date(2026, 1, 5))]
    clock.set(datetime(2026, 1, 6, 8, 0, tzinfo=UTC))
    assert (await svc.tick()).sent == [(1, date(2026, 1, 6))]
    await svc.pause(sub)
    clock.set(datetime(2026, 1, 7, 8, 0, tzinfo=UTC))
    assert (await svc.tick()).sent == []
    clock.set(datetime(2026, 1, 7, 9, 0, tzinfo=UTC))
    await svc.resume(sub)  # today's 09:00 passed while paused: not owed
    assert (await svc.tick()).sent == []
    clock.set(datetime(2026, 1, 8, 8, 0, tzinfo=UTC))
    assert (await svc.tick()).sent == [(1, date(2026, 1, 8))]
    assert len(platform.posts) == 2


async def test_permanent_error_pauses_and_tells_an_admin_others_unaffected(one, clock):
    svc, platform = one
    await subscribe(svc, channel="gone")
    await subscribe(svc, channel="ok")
    platform.fail("gone", *[permanent() for _ in range(3)])
    clock.set(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
    report = await svc.tick()
    assert report.sent == [(2, date(2026, 1, 5))] and report.failed == [(1, date(2026, 1, 5))]
    assert platform.calls["gone"] == 3
    assert len(platform.admin_notes) == 1 and "gone" in platform.admin_notes[0][2]
    sub = await svc.repo.get("discord", "g1", "gone")
    assert sub.paused and "Missing Access" in sub.paused_reason
    clock.advance(days=1)
    await svc.tick()
    assert platform.calls["gone"] == 3  # paused: not tried again


async def test_transient_errors_beyond_retries_are_retried_later_once(one, clock):
    svc, platform = one
    await subscribe(svc)
    platform.fail("c1", *[transient(retry_after=1) for _ in range(7)])
    clock.set(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
    assert (await svc.tick()).retry == [(1, date(2026, 1, 5))]
    clock.advance(seconds=10)
    assert (await svc.tick()).sent == []  # not before retry_later (30 s)
    clock.advance(seconds=25)
    assert (await svc.tick()).sent == [(1, date(2026, 1, 5))]
    assert len(platform.posts) == 1 and platform.calls["c1"] == 8


async def test_claim_abandoned_by_a_crash_is_taken_over_after_the_lease(
    db_url, clock, lessons_content
):
    platform = FakePlatform("discord", clock)
    sa, a = await instance(db_url, clock, lessons_content, [platform], owner="a")
    sb, b = await instance(db_url, clock, lessons_content, [platform], owner="b")
    try:
        await subscribe(a)
        clock.set(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
        sub = await a.repo.get("discord", "g1", "c1")
        # Instance a claims, then "dies" before posting.
        won = await a.repo.claim(
            [(sub.id, date(2026, 1, 5), clock.now())], owner="a", now=clock.now(), lease=a.lease
        )
        assert len(won) == 1
        assert (await b.tick()).sent == []  # claimed by a: b keeps off
        clock.advance(minutes=11)
        assert (await b.tick()).sent == [(sub.id, date(2026, 1, 5))]
        assert (await a.tick()).sent == []
        assert len(platform.posts) == 1
    finally:
        await close(sa)
        await close(sb)


async def test_dst_nonexistent_and_ambiguous_times_post_once(one, clock):
    svc, platform = one
    clock.set(datetime(2026, 3, 27, 12, tzinfo=UTC))
    await subscribe(svc, time="02:30")
    t = clock.now()
    while t < datetime(2026, 3, 31, tzinfo=UTC):
        t += timedelta(minutes=15)
        await svc.tick(t)
    clock.set(datetime(2026, 10, 23, 12, tzinfo=UTC))
    t = clock.now()
    while t < datetime(2026, 10, 27, tzinfo=UTC):
        t += timedelta(minutes=15)
        await svc.tick(t)
    rows = [r for r in await svc.repo.deliveries(1) if r.status == "sent"]
    at = {r.local_date: r.scheduled_at for r in rows}
    assert at[date(2026, 3, 29)] == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST
    assert at[date(2026, 10, 25)] == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # first 02:30
    assert len(rows) == len(at) == 6  # 28-30 March, 24-26 October


async def test_real_apscheduler_fires_the_job(db_url, lessons_content):
    """The real AsyncIOScheduler fires a subscription's cron job, which runs tick()."""
    clock = FakeClock(T0)
    platform = FakePlatform("discord", clock)
    services, svc = await instance(db_url, clock, lessons_content, [platform], owner="a")
    try:
        await svc.start()
        sub = await subscribe(svc)
        jobs = svc.jobs()
        assert [j.id for j in jobs] == [f"daily-{sub.id}"]
        nxt = jobs[0].next_run_time
        assert (nxt.hour, nxt.minute, str(nxt.tzinfo)) == (9, 0, "Europe/Berlin")
        clock.set(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))  # the post is due on our clock
        jobs[0].modify(next_run_time=datetime.now(UTC) + timedelta(seconds=0.2))
        for _ in range(100):
            if platform.posts:
                break
            await asyncio.sleep(0.05)
        assert len(platform.posts) == 1
        await svc.unsubscribe(sub)
        assert svc.jobs() == []
    finally:
        await close(services)


async def test_start_rebuilds_jobs_and_sends_what_was_missed_within_grace(db_url, lessons_content):
    clock = FakeClock(T0)
    platform = FakePlatform("discord", clock)
    services, svc = await instance(db_url, clock, lessons_content, [platform], owner="a")
    await subscribe(svc, channel="early", time="03:00")  # 02:00 UTC: 9 h before restart, missed
    await subscribe(svc, channel="late", time="09:00")  # 08:00 UTC: 3 h before restart, in grace
    await close(services)
    clock.set(datetime(2026, 1, 6, 11, 0, tzinfo=UTC))  # down over the day's posts
    services, svc = await instance(db_url, clock, lessons_content, [platform], owner="a2")
    try:
        await svc.start()
        assert sorted(j.id for j in svc.jobs()) == ["daily-1", "daily-2"]
        assert [p[1] for p in platform.posts] == ["late"]
        statuses = {
            (r.subscription_id, r.local_date): r.status for r in await svc.repo.deliveries()
        }
        assert statuses[(1, date(2026, 1, 6))] == "missed"
        assert statuses[(2, date(2026, 1, 6))] == "sent"
    finally:
        await close(services)


async def test_many_jobs_firing_at_once_share_ticks(one, clock):
    svc, platform = one
    for i in range(30):
        await subscribe(svc, channel=f"c{i}")
    clock.set(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
    reads = 0
    real = svc.repo.snapshot

    async def counting(*a, **kw):
        nonlocal reads
        reads += 1
        return await real(*a, **kw)

    svc.repo.snapshot = counting
    await asyncio.gather(*(svc._fire() for _ in range(30)))  # 30 cron jobs due at 09:00
    assert len(platform.posts) == 30
    assert reads <= 2


class ShardPort(FakePlatform):
    """A Discord port of one shard process: it serves the guilds of its shard only."""

    def __init__(self, clock, shard: int, count: int = 2) -> None:
        super().__init__("discord", clock)
        self.shard, self.count = shard, count

    def serves(self, workspace: str) -> bool:
        return (int(workspace) >> 22) % self.count == self.shard


async def test_sharded_processes_post_only_for_their_guilds(db_url, clock, lessons_content):
    p0, p1 = ShardPort(clock, 0), ShardPort(clock, 1)
    s0, a = await instance(db_url, clock, lessons_content, [p0], owner="shard0")
    s1, b = await instance(db_url, clock, lessons_content, [p1], owner="shard1")
    guilds = [str(n << 22) for n in range(6)]  # shard = n % 2
    try:
        for g in guilds:
            await a.subscribe(
                "discord",
                g,
                "c1",
                time="09:00",
                timezone="Europe/Berlin",
                days="mon,tue,wed,thu,fri,sat,sun",
                track="mixed",
                role=None,
                by="admin",
            )
        clock.set(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
        await asyncio.gather(a.tick(), b.tick())
        posted0 = [p[0] for p in p0.posts]
        posted1 = [p[0] for p in p1.posts]
        assert len(posted0) == len(set(posted0)) == 3 and len(posted1) == len(set(posted1)) == 3
        assert set(posted0) == {g for g in guilds if (int(g) >> 22) % 2 == 0}
        assert set(posted1) == {g for g in guilds if (int(g) >> 22) % 2 == 1}
    finally:
        await close(s0)
        await close(s1)


async def test_a_stale_owner_cannot_record_over_the_new_one(db_url, clock, lessons_content):
    platform = FakePlatform("discord", clock)
    sa, a = await instance(db_url, clock, lessons_content, [platform], owner="a")
    sb, b = await instance(db_url, clock, lessons_content, [platform], owner="b")
    try:
        sub = await subscribe(a)
        [claim] = await a.repo.claim(
            [(sub.id, date(2026, 1, 5), clock.now())], owner="a", now=clock.now(), lease=a.lease
        )
        assert await a.repo.finish(claim.delivery_id, "sending", version=1, now=clock.now())
        clock.advance(seconds=a.lease.total_seconds() + 1)  # a stopped renewing: b takes over
        [taken] = await b.repo.recover(
            owner="b", now=clock.now(), lease=b.lease, platforms=["discord"]
        )
        assert taken.version == 2 and taken.maybe_posted  # it was sending: reconcile first
        # a's late heartbeat and outcome are fenced off
        assert await a.repo.heartbeat("a", {claim.delivery_id: 1}, now=clock.now(), lease=a.lease)
        assert not await a.repo.finish(
            claim.delivery_id, "sent", version=1, now=clock.now(), message_id="stale"
        )
        [row] = await b.repo.deliveries(sub.id)
        assert row.status == "sending" and row.message_id is None and row.version == 2
    finally:
        await close(sa)
        await close(sb)
