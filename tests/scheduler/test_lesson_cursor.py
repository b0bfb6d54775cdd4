"""A channel's place in its track survives curriculum edits: lessons are kept by id.

Each test runs on SQLite and PostgreSQL with a fake clock. A channel on the 4-lesson
``fundamentals`` track of the fixture curriculum (math-0, math-1, cs-0, cs-1) has had k = 2
lessons; then the bot restarts with an edited curriculum and the rest of the cycle must bring
every lesson of the new sequence once (no repeat, no skip), then start cycle 2.
"""

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, update

from bot.content import Content
from bot.content.schema import Lesson
from bot.core.clock import FakeClock
from scheduler.curriculum import CYCLE_SPAN
from scheduler.tables import daily_deliveries, daily_subscriptions
from tests.scheduler.fakes import FakePlatform
from tests.scheduler.harness import close, fixture_lessons, instance

T0 = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)  # Monday 08:00 in Berlin; posts at 09:00 (8 UTC)


def extra(name: str) -> Lesson:
    return Lesson(
        id=name,
        source="authored",
        stage="math",
        tracks=("fundamentals", "mixed"),
        topic=name.replace("-", " topic "),  # new-0 → "new topic 0"
        study=f"Study {name}.",
        question=f"What is {name}?",
        resource="coursera",
    )


def curriculum(content, *ids: str) -> Content:
    """The fixture curriculum with the fundamentals lessons replaced by ``ids`` (in order)."""
    lessons = {x.id: x for x in fixture_lessons()}
    lessons["new-0"] = extra("new-0")
    others = [x for x in fixture_lessons() if "fundamentals" not in x.tracks]
    chosen = [lessons[i] for i in ids]
    return Content({"resources": list(content.resources), "curriculum": chosen + others})


def lesson_of(reply) -> str:
    """The lesson id a posted prompt carries (its topic names it)."""
    topic = reply.title.split(": ", 1)[1]
    stage, _, i = topic.rpartition(" topic ")
    return f"{stage}-{i}"


def day_field(reply) -> str:
    return next(f.value for f in reply.fields if f.name == "Day")


async def post_days(svc, clock, days: int) -> None:
    for _ in range(days):
        clock.set(clock.now().replace(hour=8, minute=0))
        report = await svc.tick()
        assert len(report.sent) == 1, report
        clock.advance(days=1)


async def start(db_url, clock, content, platform, owner="a"):
    return await instance(db_url, clock, content, [platform], owner=owner)


async def subscribe(svc, track="fundamentals"):
    sub, _ = await svc.subscribe(
        "discord",
        "g1",
        "c1",
        time="09:00",
        timezone="Europe/Berlin",
        days="mon,tue,wed,thu,fri,sat,sun",
        track=track,
        role=None,
        by="admin",
    )
    return sub


V1 = ("math-0", "math-1", "cs-0", "cs-1")
EDITS = {
    # edit: (the new fundamentals sequence, the lessons of the rest of cycle 1, cycle 2's first)
    "gains a lesson before k": (
        ("math-0", "new-0", "math-1", "cs-0", "cs-1"),
        ["cs-0", "cs-1", "new-0"],
        "math-0",
    ),
    "loses a lesson before k": (("math-1", "cs-0", "cs-1"), ["cs-0", "cs-1"], "math-1"),
    "loses lesson k": (("math-0", "cs-0", "cs-1"), ["cs-0", "cs-1"], "math-0"),
    "is reordered": (("cs-1", "math-1", "math-0", "cs-0"), ["cs-0", "cs-1"], "cs-1"),
}


@pytest.mark.parametrize("edit", list(EDITS))
async def test_the_next_post_after_a_curriculum_edit(db_url, content, edit):
    new_ids, rest, next_cycle = EDITS[edit]
    clock = FakeClock(T0)
    platform = FakePlatform("discord", clock)
    services, svc = await start(db_url, clock, curriculum(content, *V1), platform)
    try:
        await subscribe(svc)
        await post_days(svc, clock, 2)  # the channel is at lesson k = 2
    finally:
        await close(services)
    assert [lesson_of(p[2]) for p in platform.posts] == ["math-0", "math-1"]

    # The bot restarts with the edited curriculum.
    services, svc = await start(db_url, clock, curriculum(content, *new_ids), platform, "a2")
    try:
        sub = await svc.repo.get("discord", "g1", "c1")
        assert (await svc.next_pick(sub)).lesson.id == rest[0]  # /daily preview agrees
        await post_days(svc, clock, len(rest) + 1)
    finally:
        await close(services)
    posted = [lesson_of(p[2]) for p in platform.posts]
    cycle1 = posted[: 2 + len(rest)]
    assert posted[2:] == [*rest, next_cycle]
    # every lesson of the new sequence once in cycle 1 (plus the one removed after it was had)
    assert len(set(cycle1)) == len(cycle1) and set(new_ids) <= set(cycle1)
    n = len(new_ids)
    assert [day_field(p[2]) for p in platform.posts[2:]] == [
        *(f"{n - len(rest) + 1 + i} of {n}" for i in range(len(rest))),
        f"1 of {n} (cycle 2)",
    ]
    rows = await svc.repo.deliveries()
    assert [r.lesson_id for r in rows] == posted  # the database records what was posted


async def test_two_instances_with_different_curricula_agree_on_one_lesson(db_url, content):
    """Mid-deploy: one instance has the old file, one the edited; the day is posted once."""
    clock = FakeClock(T0)
    platform = FakePlatform("discord", clock)
    sa, a = await start(db_url, clock, curriculum(content, *V1), platform, "a")
    sb, b = await start(db_url, clock, curriculum(content, "math-0", "cs-1", "cs-0"), platform, "b")
    try:
        await subscribe(a)
        await post_days(a, clock, 1)
        for _ in range(3):
            clock.set(clock.now().replace(hour=8, minute=0))
            await asyncio.gather(a.tick(), b.tick(), a.tick(), b.tick())
            clock.advance(days=1)
        posted = [lesson_of(p[2]) for p in platform.posts]
        assert len(posted) == 4 and len(set(posted)) == 4, posted
        rows = await a.repo.deliveries()
        assert [r.lesson_id for r in rows] == posted
    finally:
        await close(sa)
        await close(sb)


async def test_a_track_switch_continues_without_repeating_the_cycles_lessons(db_url, content):
    clock = FakeClock(T0)
    platform = FakePlatform("discord", clock)
    services, svc = await start(db_url, clock, curriculum(content, *V1), platform)
    try:
        await subscribe(svc, "fundamentals")
        await post_days(svc, clock, 2)  # math-0, math-1
        await subscribe(svc, "mixed")  # mixed has them too: it carries on after math-1
        await post_days(svc, clock, 1)
        await subscribe(svc, "ml-core")  # math-1 isn't in ml-core: its first lesson
        await post_days(svc, clock, 1)
    finally:
        await close(services)
    posted = [lesson_of(p[2]) for p in platform.posts]
    assert posted == ["math-0", "math-1", "cs-0", "ml-concepts-0"]
    assert day_field(platform.posts[2][2]) == "3 of 14"
    assert day_field(platform.posts[3][2]) == "1 of 8"


async def test_a_missed_day_does_not_skip_its_lesson(db_url, content):
    """A claim that ended missed handed nothing out: its lesson comes the next day."""
    clock = FakeClock(T0)
    platform = FakePlatform("discord", clock)
    services, svc = await start(db_url, clock, curriculum(content, *V1), platform)
    try:
        await subscribe(svc)
        await post_days(svc, clock, 1)
        sub = await svc.repo.get("discord", "g1", "c1")
        clock.set(datetime(2026, 1, 6, 8, 0, tzinfo=UTC))
        [claim] = await svc.repo.claim(
            [(sub.id, date(2026, 1, 6), clock.now())], owner="x", now=clock.now(), lease=svc.lease
        )
        assert claim.lesson_id == "math-1"
        await svc.repo.finish(claim.delivery_id, "missed", version=claim.version, now=clock.now())
        clock.advance(days=1)
        await post_days(svc, clock, 1)
    finally:
        await close(services)
    assert [lesson_of(p[2]) for p in platform.posts] == ["math-0", "math-1"]
    assert day_field(platform.posts[1][2]) == "2 of 4"


async def test_positions_from_the_index_cursor_carry_on_by_lesson(db_url, content):
    """Rows written before lesson ids were used (cursor 0, 1, 2 … across cycles) upgrade in
    place: the channel continues in its cycle, and the next cycle gets its own block."""
    clock = FakeClock(T0)
    platform = FakePlatform("discord", clock)
    services, svc = await start(db_url, clock, curriculum(content, *V1), platform)
    try:
        sub = await subscribe(svc)
        old = [V1[i % 4] for i in range(6)]  # cycle 1, then math-0 math-1 of cycle 2
        async with svc.repo.engine.begin() as conn:
            await conn.execute(
                insert(daily_deliveries),
                [
                    dict(
                        subscription_id=sub.id,
                        local_date=date(2025, 12, 1) + timedelta(days=i),
                        scheduled_at=T0 - timedelta(days=40 - i),
                        status="sent",
                        cursor=i,
                        lesson_id=lid,
                        claimed_at=T0 - timedelta(days=40 - i),
                        attempts=1,
                        version=1,
                    )
                    for i, lid in enumerate(old)
                ],
            )
            await conn.execute(
                update(daily_subscriptions)
                .where(daily_subscriptions.c.id == sub.id)
                .values(cursor=len(old))
            )
        await post_days(svc, clock, 3)
        sub = await svc.repo.get("discord", "g1", "c1")
        assert sub.cursor == 2 * CYCLE_SPAN + 1  # cycle 3 started in its own block
    finally:
        await close(services)
    assert [lesson_of(p[2]) for p in platform.posts] == ["cs-0", "cs-1", "math-0"]
    assert [day_field(p[2]) for p in platform.posts] == [
        "3 of 4 (cycle 2)",
        "4 of 4 (cycle 2)",
        "1 of 4 (cycle 3)",
    ]
