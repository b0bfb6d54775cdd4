"""The weekly recap through the scheduler (SQLite and PostgreSQL, fake clock): posted once at
its local instant (a DST week too) with the 7 local days before it, once across racing
instances and restarts, never while paused, and never counted as a daily prompt."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest

from bot.adapters.console import CHANNEL, ConsoleSession
from bot.core.clock import FakeClock
from bot.core.context import Member
from bot.core.dispatch import press
from bot.practice.recap import REVIEW_LABEL
from tests.scheduler.fakes import FakePlatform
from tests.scheduler.harness import close, console_with_scheduler, instance

T0 = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)  # Monday 08:00 in Berlin
SUN = date(2026, 1, 11)
SUN_18_BERLIN = datetime(2026, 1, 11, 17, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    return FakeClock(T0)


@pytest.fixture
async def one(db_url, clock, content):
    platform = FakePlatform("console", clock)
    services, svc = await instance(db_url, clock, content, [platform], owner="a")
    yield services, svc, platform
    await close(services)


async def subscribe(
    svc,
    channel=CHANNEL,
    *,
    tz="Europe/Berlin",
    time="07:00",
    days="mon",
    recap=("sun", "18:00"),
):
    """A console subscription whose prompts stay out of the way (Mondays at 07:00 local)."""
    sub, _ = await svc.subscribe(
        "console",
        "local",
        channel,
        time=time,
        timezone=tz,
        days=days,
        track="mixed",
        role=None,
        by="admin",
    )
    if recap:
        sub = await svc.set_recap(sub, *recap)
    return sub


def recaps(platform):
    return [
        (ch, reply, key)
        for (_, ch, reply, _), key in zip(platform.posts, platform.keys, strict=True)
        if key and key.startswith("r")
    ]


async def quiz_at(services, session, when, right=True):
    """``session``'s member answers a /quiz question at ``when`` (right or wrong)."""
    services.clock.set(when)
    post = await session.send("/quiz career")
    q = next(q for q in services.content.quiz if q.question in post.text)
    want = q.options[q.answer]
    b = next(b for b in post.buttons if (b.label.split(". ", 1)[1] == want) == right)
    await press(session.ctx, b.action)


async def group_of(services, *names):
    sessions = [ConsoleSession(services, Member(n.lower(), n)) for n in names]
    await sessions[0].send("/group create Night Owls")
    for s in sessions[1:]:
        await s.send("/group join Night Owls")
    return sessions


async def test_posts_once_at_local_time_with_the_week_before_it(one, clock):
    services, svc, platform = one
    sub = await subscribe(svc)
    ann, bob = await group_of(services, "Ann", "Bob")
    # The window is Sun 4 Jan 18:00 → Sun 11 Jan 18:00 Berlin (17:00 UTC both).
    await quiz_at(services, bob, datetime(2026, 1, 4, 16, 50, tzinfo=UTC))  # 17:50: before
    await quiz_at(services, ann, datetime(2026, 1, 4, 17, 10, tzinfo=UTC))  # 18:10: inside
    clock.set(datetime(2026, 1, 11, 16, 59, 59, tzinfo=UTC))
    assert (await svc.tick()).recaps == []
    clock.set(SUN_18_BERLIN)
    report = await svc.tick()
    assert report.recaps == [(sub.id, SUN, "sent")] and report.sent == []
    [(channel, reply, key)] = recaps(platform)
    assert channel == CHANNEL and key == f"r{sub.id}-20260111"
    assert reply.title.startswith("Weekly recap")
    owls = next(f.value for f in reply.fields if f.name == "Night Owls")
    assert "Ann" in owls and "Bob" not in owls
    [button] = reply.buttons
    assert button.label == REVIEW_LABEL and button.action.endswith("|" + key)
    clock.set(datetime(2026, 1, 11, 17, 30, tzinfo=UTC))
    assert (await svc.tick()).recaps == []
    assert len(recaps(platform)) == 1
    [row] = await svc.repo.deliveries(sub.id, "recap")
    assert (row.status, row.idem_key, row.scheduled_at) == ("sent", key, SUN_18_BERLIN)
    assert await svc.repo.deliveries(sub.id) == []  # no prompt row came of it
    # The button opens the presser's own review queue.
    answer = await press(ann.ctx, button.action)
    assert answer.ephemeral and answer.title == "Review"


async def test_dst_week_window_and_instant(one, clock):
    """New York springs forward on Sun 8 Mar 2026: the recap at 18:00 EDT is 22:00 UTC and its
    week starts at 18:00 EST a week earlier (23:00 UTC): 167 hours."""
    services, svc, platform = one
    clock.set(datetime(2026, 3, 2, 12, tzinfo=UTC))
    sub = await subscribe(svc, tz="America/New_York")
    ann, bob, cat, dan = await group_of(services, "Ann", "Bob", "Cat", "Dan")
    await quiz_at(services, bob, datetime(2026, 3, 1, 22, 50, tzinfo=UTC))  # 17:50 EST: before
    await quiz_at(services, ann, datetime(2026, 3, 1, 23, 10, tzinfo=UTC))  # 18:10 EST: inside
    await quiz_at(services, cat, datetime(2026, 3, 8, 21, 50, tzinfo=UTC))  # 17:50 EDT: inside
    await quiz_at(services, dan, datetime(2026, 3, 8, 22, 10, tzinfo=UTC))  # 18:10 EDT: after
    assert svc.next_recap(sub, datetime(2026, 3, 2, tzinfo=UTC))[1] == datetime(
        2026, 3, 8, 22, 0, tzinfo=UTC
    )
    clock.set(datetime(2026, 3, 8, 21, 59, 59, tzinfo=UTC))
    assert (await svc.tick()).recaps == []
    clock.set(datetime(2026, 3, 8, 22, 0, tzinfo=UTC))
    assert (await svc.tick()).recaps == [(sub.id, date(2026, 3, 8), "sent")]
    [(_, reply, _)] = recaps(platform)
    owls = next(f.value for f in reply.fields if f.name == "Night Owls")
    assert "Ann" in owls and "Cat" in owls
    assert "Bob" not in owls and "Dan" not in owls
    clock.set(datetime(2026, 3, 8, 23, 0, tzinfo=UTC))  # 18:00 EST would have been now
    assert (await svc.tick()).recaps == [] and len(recaps(platform)) == 1


async def test_two_instances_racing_post_each_recap_once(db_url, clock, content):
    platform = FakePlatform("console", clock)
    sa, a = await instance(db_url, clock, content, [platform], owner="a")
    sb, b = await instance(db_url, clock, content, [platform], owner="b")
    try:
        for ch in ("c1", "c2", "c3"):
            await subscribe(a, channel=ch)
        clock.set(SUN_18_BERLIN)
        reports = await asyncio.gather(a.tick(), b.tick(), a.tick(), b.tick())
        assert sorted(ch for ch, _, _ in recaps(platform)) == ["c1", "c2", "c3"]
        assert sum(len(r.recaps) for r in reports) == 3
    finally:
        await close(sa)
        await close(sb)


async def test_restart_inside_grace_posts_late_once_older_is_missed(db_url, clock, content):
    platform = FakePlatform("console", clock)
    services, svc = await instance(db_url, clock, content, [platform], owner="a")
    late = await subscribe(svc, channel="late")  # Sun 18:00 Berlin
    early = await subscribe(svc, channel="early", recap=("sun", "12:00"))  # Sun 11:00 UTC
    await close(services)
    clock.set(datetime(2026, 1, 11, 20, 0, tzinfo=UTC))  # down: 3 h and 9 h late
    services, svc = await instance(db_url, clock, content, [platform], owner="a2")
    try:
        await svc.start()
        ids = sorted(j.id for j in svc.jobs())
        assert ids == sorted(
            [f"daily-{late.id}", f"daily-{early.id}"]
            + [f"daily-recap-{late.id}", f"daily-recap-{early.id}"]
        )
        assert [ch for ch, _, _ in recaps(platform)] == ["late"]
        statuses = {r.subscription_id: r.status for r in await svc.repo.deliveries(kind="recap")}
        assert statuses == {late.id: "sent", early.id: "missed"}
    finally:
        await close(services)
    # Another restart later that evening: nothing twice.
    clock.set(datetime(2026, 1, 11, 21, 0, tzinfo=UTC))
    services, svc = await instance(db_url, clock, content, [platform], owner="a3")
    try:
        assert (await svc.tick()).recaps == []
        assert len(recaps(platform)) == 1
    finally:
        await close(services)


async def test_paused_subscription_gets_no_recap_and_resuming_owes_none(one, clock):
    services, svc, platform = one
    sub = await subscribe(svc)
    await svc.pause(sub)
    clock.set(SUN_18_BERLIN)
    assert (await svc.tick()).recaps == []
    clock.set(datetime(2026, 1, 11, 18, 0, tzinfo=UTC))
    await svc.resume(sub)  # within the grace window of the recap, but it passed while paused
    assert (await svc.tick()).recaps == []
    assert recaps(platform) == [] and await svc.repo.deliveries(kind=None) == []
    clock.set(datetime(2026, 1, 18, 17, 0, tzinfo=UTC))
    assert (await svc.tick()).recaps == [(sub.id, date(2026, 1, 18), "sent")]


async def test_recap_set_late_is_not_owed_and_off_stops_it(one, clock):
    services, svc, platform = one
    sub = await subscribe(svc, recap=None)
    clock.set(datetime(2026, 1, 11, 18, 0, tzinfo=UTC))  # an hour after Sunday 18:00
    sub = await svc.set_recap(sub, "sun", "18:00")
    assert (await svc.tick()).recaps == []  # set after this week's time: next week
    assert svc.next_recap(sub)[0] == date(2026, 1, 18)
    sub = await svc.set_recap(sub, None, None)
    assert svc.next_recap(sub) is None and [j.id for j in svc.jobs()] == []
    clock.set(datetime(2026, 1, 18, 17, 0, tzinfo=UTC))
    assert (await svc.tick()).recaps == [] and recaps(platform) == []


async def test_recap_is_not_a_prompt_for_check_ins_streaks_or_the_track(one, clock):
    """Prompts Monday to Saturday, the recap on Sunday. A Sunday with only the recap is not a
    scheduled study day (Saturday → Monday keeps the streak), a forged Sunday prompt id earns
    nothing, and the lesson cursor counts prompts only."""
    services, svc, platform = one
    ann = ConsoleSession(services, Member("ann", "Ann"))
    sub = await subscribe(svc, time="09:00", days="mon,tue,wed,thu,fri,sat")

    async def prompt_then_check_in(when):
        clock.set(when)
        report = await svc.tick()
        assert report.sent == [(sub.id, when.date())]
        (_, _, reply, _) = platform.posts[-1]
        return await press(ann.ctx, reply.buttons[0].action)

    first = await prompt_then_check_in(datetime(2026, 1, 10, 8, 0, tzinfo=UTC))  # Sat 09:00
    assert "Streak: 1 day" in first.text
    clock.set(SUN_18_BERLIN)
    assert (await svc.tick()).recaps == [(sub.id, SUN, "sent")]
    forged = await press(ann.ctx, f"mle|daily-in|s{sub.id}-20260111")
    assert forged.kind == "error" and "doesn't belong" in forged.text
    monday = await prompt_then_check_in(datetime(2026, 1, 12, 8, 0, tzinfo=UTC))
    assert "Streak: 2 days" in monday.text, monday.text
    assert (await svc.repo.by_id(sub.id)).cursor == 2  # two prompts; the recap took no lesson
    assert (await svc.repo.last_sent(sub.id)).local_date == date(2026, 1, 12)
    sent = [r for r in await svc.repo.deliveries(sub.id) if r.status == "sent"]
    assert [r.local_date for r in sent] == [
        date(2026, 1, 10),
        date(2026, 1, 12),
    ]


# -- /daily recap through the console --------------------------------------------------------


@pytest.fixture
async def console(db_url, content):
    async with console_with_scheduler(db_url, content, T0) as parts:
        yield parts


async def test_console_sets_shows_and_turns_off_the_recap(console):
    services, session, out, clock = console
    await session.send("/daily subscribe time:07:00 timezone:Europe/Berlin")
    shown = await session.send("/daily recap")
    assert "No weekly recap here" in shown.text
    assert "no weekly recap" in (await session.send("/daily list")).plain_text()
    reply = await session.send("/daily recap day:sunday time:6pm")
    assert reply.kind == "success", reply.text
    assert "Sun 18:00 (Europe/Berlin)" in reply.text
    assert "Next recap: Sun 11 Jan 2026, 18:00 (Europe/Berlin)" in reply.text
    listed = (await session.send("/daily list")).plain_text()
    assert "weekly recap Sun 18:00" in listed and "Next recap: Sun 11 Jan 2026, 18:00" in listed
    assert "Next recap" in (await session.send("/daily preview")).text
    # Only what is given changes: the day stays Sunday.
    assert "Sun 17:30" in (await session.send("/daily recap time:17:30")).text
    assert "Fri 17:30" in (await session.send("/daily recap fri")).text
    # A lone time in the day's place is the time (a breaker typed "/daily recap 18:00").
    assert "Fri 18:00" in (await session.send("/daily recap 18:00")).text
    assert "Fri 17:30" in (await session.send("/daily recap 5:30pm")).text
    sub = await services.scheduler.repo.get("console", "local", session.ctx.channel)
    assert (sub.recap_day, sub.recap_time) == ("fri", "17:30")
    # It posts when the clock gets there: Fri 9 Jan 17:30 Berlin = 16:30 UTC.
    clock.set(datetime(2026, 1, 9, 16, 30, tzinfo=UTC))
    await services.scheduler.tick()
    assert out.getvalue().count("📬 Weekly recap") == 1
    off = await session.send("/daily recap off")
    assert off.kind == "success" and "off" in off.text
    assert "already off" in (await session.send("/daily recap off")).text
    sub = await services.scheduler.repo.get("console", "local", session.ctx.channel)
    assert sub.recap_slot is None
    assert "no weekly recap" in (await session.send("/daily list")).plain_text()


async def test_console_recap_defaults_to_sunday_18(console):
    _, session, _, _ = console
    await session.send("/daily subscribe")
    reply = await session.send("/daily recap day:sun")
    assert reply.kind == "success" and "Sun 18:00 (UTC)" in reply.text, reply.text


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        ("/daily recap day:funday", "isn't one day of the week"),
        ("/daily recap day:mon,wed", "once a week"),
        ("/daily recap day:weekdays", "once a week"),
        ("/daily recap day:sun time:25:00", "isn't a time of day"),
        ("/daily recap day:@everyone", "isn't one day of the week"),
    ],
)
async def test_console_recap_input_errors_are_friendly_and_change_nothing(console, line, needle):
    services, session, _, _ = console
    await session.send("/daily subscribe")
    await session.send("/daily recap day:sat time:10:00")
    reply = await session.send(line)
    assert reply.kind == "error" and needle in reply.text, reply.text
    assert "@everyone" not in reply.text
    sub = await services.scheduler.repo.get("console", "local", session.ctx.channel)
    assert (sub.recap_day, sub.recap_time) == ("sat", "10:00")


async def test_console_recap_needs_a_subscription_and_an_admin(console):
    services, session, _, _ = console
    reply = await session.send("/daily recap day:sun time:18:00")
    assert reply.kind == "error" and "no daily study prompt" in reply.text
    await session.send("/daily subscribe")
    member = ConsoleSession(services, Member("bob", "Bob", is_admin=False))
    refused = await member.send("/daily recap off")
    assert refused.kind == "error" and "Only admins" in refused.text


async def test_uncertain_recap_is_reconciled_not_posted_twice(one, clock):
    """The platform takes the recap and the answer is lost (a reset): the row stays uncertain,
    and the next try finds the post by its key instead of sending it again."""
    from datetime import timedelta

    from tests.scheduler.fakes import Fault

    services, svc, platform = one
    sub = await subscribe(svc)
    platform.faults = [Fault(SUN_18_BERLIN, SUN_18_BERLIN + timedelta(seconds=10), "reset")]
    clock.set(SUN_18_BERLIN)
    assert (await svc.tick()).recaps == [(sub.id, SUN, "retry")]
    [row] = await svc.repo.deliveries(sub.id, "recap")
    assert row.status == "uncertain"
    clock.advance(seconds=45)
    assert (await svc.tick()).recaps == [(sub.id, SUN, "reconciled")]
    assert len(recaps(platform)) == 1


async def test_recap_abandoned_by_a_crash_is_taken_over_once(db_url, clock, content):
    platform = FakePlatform("console", clock)
    sa, a = await instance(db_url, clock, content, [platform], owner="a")
    sb, b = await instance(db_url, clock, content, [platform], owner="b")
    try:
        sub = await subscribe(a)
        clock.set(SUN_18_BERLIN)
        # a claims the recap, then dies before posting.
        [won] = await a.repo.claim(
            [(sub.id, SUN, SUN_18_BERLIN)], owner="a", now=clock.now(), lease=a.lease, kind="recap"
        )
        assert won.kind == "recap"
        assert (await b.tick()).recaps == []  # a's lease still runs
        clock.advance(seconds=a.lease.total_seconds() + 1)
        assert (await b.tick()).recaps == [(sub.id, SUN, "sent")]
        assert (await a.tick()).recaps == []
        assert len(recaps(platform)) == 1
    finally:
        await close(sa)
        await close(sb)


@pytest.mark.parametrize("found", [False, True])
async def test_recap_turned_off_while_uncertain_is_only_reconciled(one, clock, found):
    """Found by a breaker: an uncertain recap whose channel turned the recap off was sent
    anyway when the platform search found nothing. Now it is reconciled or missed, never
    sent."""
    from datetime import timedelta

    from tests.scheduler.fakes import Fault

    services, svc, platform = one
    sub = await subscribe(svc)
    platform.faults = [Fault(SUN_18_BERLIN, SUN_18_BERLIN + timedelta(seconds=10), "reset")]
    clock.set(SUN_18_BERLIN)
    await svc.tick()
    if not found:  # the reset came before the platform stored it
        platform.posts.clear()
        platform.keys.clear()
    await svc.set_recap(sub, None, None)  # /daily recap off
    clock.advance(seconds=45)
    report = await svc.tick()
    want = "reconciled" if found else "missed"
    assert report.recaps == [(sub.id, SUN, want)]
    assert len(recaps(platform)) == (1 if found else 0)
    [row] = await svc.repo.deliveries(sub.id, "recap")
    assert row.status == want


async def test_week_of_is_the_channels_local_date(one, clock):
    """The title's "week of" is the window's first local day in the channel's timezone, not
    the workspace's (a Los Angeles channel in a UTC workspace, recap Sunday 18:00)."""
    services, svc, platform = one
    await subscribe(svc, tz="America/Los_Angeles")
    clock.set(datetime(2026, 1, 12, 2, 0, tzinfo=UTC))  # Sun 11 Jan 18:00 in Los Angeles
    await svc.tick()
    [(_, reply, _)] = recaps(platform)
    assert reply.title.endswith("week of 2026-01-04"), reply.title
