"""The store suite: runs on SQLite and on PostgreSQL (see conftest)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from bot.store import (
    AlreadyMember,
    CheckInRefused,
    GroupExists,
    GroupNotFound,
    LimitReached,
    NotMember,
    Store,
    migrate,
    open_store,
)
from bot.store.tables import checkins, point_events, quiz_answers
from tests.store.conftest import T0, deliver

P, W = "discord", "guild-1"


async def post(
    store: Store,
    at: datetime = T0,
    ws: str = W,
    platform: str = P,
    hours: float = 24,
    question: str = "q1",
) -> int:
    return await store.open_quiz(
        platform, ws, "chan", question, "nlp", at, at + timedelta(hours=hours), "host"
    )


def day(n: int) -> date:
    """T0's date plus ``n`` days (T0 is Monday 5 January 2026)."""
    return T0.date() + timedelta(days=n)


# -- groups ---------------------------------------------------------------------------------


async def test_group_lifecycle(store: Store):
    g = await store.create_group(P, W, "Night Owls", "u1", "Ann", T0)
    assert (g.name, g.members) == ("Night Owls", 1)
    g = await store.join_group(P, W, "night   OWLS", "u2", "Bob", T0)
    assert g.members == 2
    with pytest.raises(AlreadyMember):
        await store.join_group(P, W, "Night Owls", "u2", "Bob", T0)
    with pytest.raises(GroupExists):
        await store.create_group(P, W, "NIGHT owls", "u3", "Cy", T0)
    await store.create_group(P, W, "Early Birds", "u2", "Bob", T0)
    assert [(g.name, g.members) for g in await store.list_groups(P, W)] == [
        ("Early Birds", 1),
        ("Night Owls", 2),
    ]
    assert await store.member_groups(P, W, "u2") == ["Early Birds", "Night Owls"]
    info = await store.group_info(P, W, "night owls")
    assert info.member_names == ("Ann", "Bob")
    await store.leave_group(P, W, "Night Owls", "u1")
    with pytest.raises(NotMember):
        await store.leave_group(P, W, "Night Owls", "u1")
    renamed = await store.rename_group(P, W, "night owls", "Late Owls")
    assert renamed.name == "Late Owls" and renamed.members == 1
    with pytest.raises(GroupExists):
        await store.rename_group(P, W, "Late Owls", "early birds")
    with pytest.raises(GroupNotFound):
        await store.join_group(P, W, "Night Owls", "u1", "Ann", T0)
    deleted = await store.delete_group(P, W, "Late Owls")
    assert deleted.members == 1
    assert [g.name for g in await store.list_groups(P, W)] == ["Early Birds"]
    assert await store.member_groups(P, W, "u2") == ["Early Birds"]


async def test_group_limits(store: Store):
    for i in range(3):
        await store.create_group(P, W, f"g{i}", "u1", "Ann", T0, max_groups=3, max_per_member=5)
    with pytest.raises(LimitReached, match="3 study groups"):
        await store.create_group(P, W, "g9", "u2", "Bob", T0, max_groups=3)
    await store.join_group(P, W, "g0", "u2", "Bob", T0, max_per_member=2)
    await store.join_group(P, W, "g1", "u2", "Bob", T0, max_per_member=2)
    with pytest.raises(LimitReached, match="2 groups"):
        await store.join_group(P, W, "g2", "u2", "Bob", T0, max_per_member=2)


# -- quiz answers ---------------------------------------------------------------------------


async def test_first_answer_counts(store: Store):
    pid = await post(store)
    first = await store.answer_quiz(P, W, pid, "u1", "Ann", 2, False, T0)
    assert (first.status, first.points_awarded) == ("recorded", 0)
    again = await store.answer_quiz(P, W, pid, "u1", "Ann", 1, True, T0 + timedelta(minutes=5))
    assert again.already and again.choice == 2 and not again.correct and again.points_awarded == 0
    ok = await store.answer_quiz(P, W, pid, "u2", "Bob", 1, True, T0)
    assert (ok.status, ok.points_awarded, ok.correct) == ("recorded", 10, True)
    board = await store.leaderboard(P, W, at=T0)
    assert [(s.member_id, s.points) for s in board.rows] == [("u2", 10)]


async def test_late_answers_earn_nothing(store: Store):
    pid = await post(store, hours=24)
    late = await store.answer_quiz(P, W, pid, "u1", "Ann", 1, True, T0 + timedelta(hours=24))
    assert late.status == "closed" and late.points_awarded == 0
    assert (await store.leaderboard(P, W, at=T0)).rows == ()
    just_in = await store.answer_quiz(
        P, W, pid, "u2", "Bob", 1, True, T0 + timedelta(hours=23, minutes=59)
    )
    assert just_in.status == "recorded"


async def test_cooldown_between_answers(store: Store):
    a, b = await post(store), await post(store)
    assert (await store.answer_quiz(P, W, a, "u1", "Ann", 1, True, T0)).status == "recorded"
    fast = await store.answer_quiz(P, W, b, "u1", "Ann", 1, True, T0 + timedelta(seconds=1))
    assert fast.status == "cooldown" and 1.9 <= fast.retry_after <= 2.0
    later = await store.answer_quiz(P, W, b, "u1", "Ann", 1, True, T0 + timedelta(seconds=3))
    assert later.status == "recorded"  # the refused attempt stored nothing


async def test_unknown_post_and_bots(store: Store):
    assert (await store.answer_quiz(P, W, 999, "u1", "Ann", 0, True, T0)).status == "missing"
    pid = await post(store)
    assert (
        await store.answer_quiz(P, W, pid, "b1", "Bot", 0, True, T0, is_bot=True)
    ).status == "bot"
    assert (await store.check_in(P, W, "b1", "Bot", "p1", T0, is_bot=True)).points_awarded == 0
    assert (await store.leaderboard(P, W, at=T0)).total == 0


# -- check-ins and streaks ------------------------------------------------------------------


async def test_checkin_once_per_prompt_and_streaks(store: Store):
    p = {n: await deliver(store, day(n)) for n in range(6)}
    r = await store.check_in(P, W, "u1", "Ann", p[0], T0)
    assert (r.points_awarded, r.streak, r.already) == (5, 1, False)
    r = await store.check_in(P, W, "u1", "Ann", p[0], T0 + timedelta(hours=1))
    assert (r.points_awarded, r.streak, r.already) == (0, 1, True)
    r = await store.check_in(P, W, "u1", "Ann", p[1], T0 + timedelta(days=1))
    assert (r.points_awarded, r.streak) == (7, 2)  # 5 + streak bonus 2
    other = await deliver(store, day(1), channel="chan-2")
    r = await store.check_in(P, W, "u1", "Ann", other, T0 + timedelta(days=1, hours=2))
    assert (r.points_awarded, r.streak) == (5, 2)  # a second prompt the same day: no bonus
    r = await store.check_in(P, W, "u1", "Ann", p[2], T0 + timedelta(days=2))
    assert (r.streak, r.best_streak) == (3, 3)
    # Day 3 had a prompt and was missed (no freeze held): the streak breaks, the best stays.
    r = await store.check_in(P, W, "u1", "Ann", p[4], T0 + timedelta(days=4))
    assert (r.points_awarded, r.streak, r.best_streak) == (5, 1, 3)
    prof = await store.profile(P, W, "u1", T0 + timedelta(days=4))
    assert (prof.streak, prof.best_streak, prof.points) == (1, 3, 5 + 7 + 5 + 7 + 5)
    # Profile shows a broken streak as 0 once a day with a prompt passes without study.
    prof = await store.profile(P, W, "u1", T0 + timedelta(days=6))
    assert (prof.streak, prof.best_streak) == (0, 3)


async def test_streak_days_follow_member_timezone_across_dst(store: Store):
    await store.set_member_timezone(P, W, "u1", "Ann", "Europe/Berlin")
    assert await store.member_timezone(P, W, "u1") == "Europe/Berlin"
    prompts = {d: await deliver(store, date(2026, 3, d), tz="Europe/Berlin") for d in range(27, 32)}
    prompts[32] = await deliver(store, date(2026, 4, 1), tz="Europe/Berlin")
    # 23:30 Berlin time every evening across the spring-forward night (29 March 2026):
    # 22:30 UTC in winter time, 21:30 UTC in summer time.
    evenings = [
        datetime(2026, 3, 27, 22, 30, tzinfo=UTC),
        datetime(2026, 3, 28, 22, 30, tzinfo=UTC),
        datetime(2026, 3, 29, 21, 30, tzinfo=UTC),
        datetime(2026, 3, 30, 21, 30, tzinfo=UTC),
    ]
    for i, at in enumerate(evenings):
        r = await store.check_in(P, W, "u1", "Ann", prompts[27 + i], at)
        assert r.streak == i + 1
    assert r.local_date == date(2026, 3, 30)
    # 00:30 Berlin on 1 April is still 31 March in UTC: it counts for 1 April in Berlin,
    # so 31 March (which had a prompt) was missed and the streak restarts.
    r = await store.check_in(
        P, W, "u1", "Ann", prompts[32], datetime(2026, 3, 31, 22, 30, tzinfo=UTC)
    )
    assert (r.local_date, r.streak, r.best_streak) == (date(2026, 4, 1), 1, 4)


async def test_streak_falls_back_to_workspace_timezone(store: Store):
    await store.set_workspace_timezone(P, W, "America/New_York")
    a = await deliver(store, date(2026, 1, 5), tz="America/New_York")
    b = await deliver(store, date(2026, 1, 6), tz="America/New_York")
    # 03:00 UTC is the previous evening in New York: these are two consecutive NY days.
    r1 = await store.check_in(P, W, "u1", "Ann", a, datetime(2026, 1, 6, 3, 0, tzinfo=UTC))
    r2 = await store.check_in(P, W, "u1", "Ann", b, datetime(2026, 1, 6, 23, 0, tzinfo=UTC))
    assert (r1.local_date, r2.local_date, r2.streak) == (date(2026, 1, 5), date(2026, 1, 6), 2)


# -- leaderboards ---------------------------------------------------------------------------


async def _give(store: Store, member: str, points: int, at: datetime = T0, ws: str = W) -> None:
    """Give ``member`` points through real awards (correct answers on fresh posts)."""
    store.points = store.points.__class__(
        quiz_correct=1, checkin=5, streak_bonus=2, cooldown_seconds=0
    )
    for n in range(points):  # points come once per (member, question): a new one each time
        pid = await post(store, at, ws, question=f"q-{n}")
        await store.answer_quiz(P, ws, pid, member, member.upper(), 0, True, at)


async def test_leaderboard_ranks_ties_pages_and_me(store: Store):
    # 14 members: m00 has 14 points, ties at 10 (m04, m05, m06), the rest descending.
    points = {
        f"m{i:02d}": p for i, p in enumerate([14, 13, 12, 11, 10, 10, 10, 7, 6, 5, 4, 3, 2, 1])
    }
    await asyncio.gather(*(_give(store, m, p) for m, p in points.items()))
    page1 = await store.leaderboard(P, W, at=T0, member_id="m13", page_size=5)
    assert (page1.total, page1.pages) == (14, 3)
    assert [(s.rank, s.member_id) for s in page1.rows] == [
        (1, "m00"),
        (2, "m01"),
        (3, "m02"),
        (4, "m03"),
        (5, "m04"),
    ]
    assert page1.me is not None and (page1.me.rank, page1.me.points) == (14, 1)
    page2 = await store.leaderboard(P, W, at=T0, page=2, page_size=5)
    # The tie continues across the page boundary: m05 and m06 share rank 5.
    assert [(s.rank, s.member_id) for s in page2.rows] == [
        (5, "m05"),
        (5, "m06"),
        (8, "m07"),
        (9, "m08"),
        (10, "m09"),
    ]
    last = await store.leaderboard(P, W, at=T0, page=99, page_size=5)
    assert last.page == 3 and [s.member_id for s in last.rows] == ["m10", "m11", "m12", "m13"]
    nobody = await store.leaderboard(P, W, at=T0, member_id="stranger")
    assert nobody.me is None


async def test_periods_use_workspace_timezone_and_monday_weeks(store: Store):
    await store.set_workspace_timezone(P, W, "Europe/Berlin")
    sunday_late_utc = datetime(2026, 1, 11, 23, 30, tzinfo=UTC)  # Monday 00:30 in Berlin
    await _give(store, "a", 3, sunday_late_utc)
    await _give(store, "b", 2, datetime(2026, 1, 11, 12, 0, tzinfo=UTC))  # Sunday: last week
    week = await store.leaderboard(P, W, at=datetime(2026, 1, 12, 12, tzinfo=UTC), period="week")
    assert week.period_key == "w2026-01-12"
    assert [(s.member_id, s.points) for s in week.rows] == [("a", 3)]
    last_week = await store.leaderboard(
        P, W, at=datetime(2026, 1, 11, 12, tzinfo=UTC), period="week"
    )
    assert [(s.member_id, s.points) for s in last_week.rows] == [("b", 2)]
    month = await store.leaderboard(P, W, at=datetime(2026, 1, 31, 12, tzinfo=UTC), period="month")
    assert [(s.member_id, s.points) for s in month.rows] == [("a", 3), ("b", 2)]
    feb = await store.leaderboard(P, W, at=datetime(2026, 2, 1, 12, tzinfo=UTC), period="month")
    assert feb.rows == ()
    alltime = await store.leaderboard(P, W, at=datetime(2027, 1, 1, tzinfo=UTC), period="all")
    assert alltime.total == 2


async def test_group_leaderboard_only_counts_members(store: Store):
    await _give(store, "a", 5)
    await _give(store, "b", 3)
    await _give(store, "c", 9)
    await store.create_group(P, W, "Owls", "a", "A", T0)
    await store.join_group(P, W, "Owls", "b", "B", T0)
    board = await store.leaderboard(P, W, at=T0, group="owls", member_id="c")
    assert board.group == "Owls"
    assert [(s.rank, s.member_id) for s in board.rows] == [(1, "a"), (2, "b")]
    assert board.me is None  # c isn't in the group
    with pytest.raises(GroupNotFound):
        await store.leaderboard(P, W, at=T0, group="nope")


async def test_profile_topics_and_rank(store: Store):
    for i, (topic, ok) in enumerate([("nlp", True), ("nlp", False), ("mlops", True)]):
        pid = await store.open_quiz(P, W, "c", f"q{i}", topic, T0, T0 + timedelta(days=1), "h")
        await store.answer_quiz(P, W, pid, "u1", "Ann", 0, ok, T0 + timedelta(seconds=10 * i))
    await _give(store, "top", 50)
    prof = await store.profile(P, W, "u1", T0)
    assert (prof.points, prof.rank, prof.week_points) == (20, 2, 20)
    assert [(t.topic, t.answered, t.correct) for t in prof.topics] == [
        ("mlops", 1, 1),
        ("nlp", 2, 1),
    ]
    assert prof.topics[1].accuracy == 0.5
    assert await store.profile(P, W, "nobody", T0) is None


async def test_reset_points_keeps_answers(store: Store):
    pid = await post(store)
    await store.answer_quiz(P, W, pid, "u1", "Ann", 1, True, T0)
    await store.check_in(P, W, "u1", "Ann", await deliver(store, day(0)), T0)
    removed = await store.reset_points(P, W, "admin", T0)
    assert removed == 2
    assert (await store.leaderboard(P, W, at=T0)).total == 0
    # The answer still counts as given: no second chance at the points.
    assert (
        await store.answer_quiz(P, W, pid, "u1", "Ann", 1, True, T0 + timedelta(minutes=1))
    ).already
    prof = await store.profile(P, W, "u1", T0)
    assert (prof.points, prof.streak) == (0, 1)


# -- isolation ------------------------------------------------------------------------------


async def test_workspaces_are_isolated(store: Store):
    other = "guild-2"
    await store.create_group(P, W, "Owls", "u1", "Ann", T0)
    pid = await post(store)
    await store.answer_quiz(P, W, pid, "u1", "Ann", 1, True, T0)
    prompt = await deliver(store, day(0))
    await store.check_in(P, W, "u1", "Ann", prompt, T0)
    await store.set_workspace_timezone(P, W, "Asia/Tokyo")

    # Nothing of guild-1 is visible from guild-2, or from the same id on another platform.
    for platform, ws in ((P, other), ("slack", W)):
        assert await store.list_groups(platform, ws) == []
        assert await store.member_groups(platform, ws, "u1") == []
        with pytest.raises(GroupNotFound):
            await store.group_info(platform, ws, "Owls")
        with pytest.raises(GroupNotFound):
            await store.join_group(platform, ws, "Owls", "u9", "Eve", T0)
        with pytest.raises(GroupNotFound):
            await store.rename_group(platform, ws, "Owls", "Hacked")
        with pytest.raises(GroupNotFound):
            await store.delete_group(platform, ws, "Owls")
        assert await store.get_quiz_post(platform, ws, pid) is None
        assert (
            await store.answer_quiz(platform, ws, pid, "u9", "Eve", 1, True, T0)
        ).status == "missing"
        assert (await store.leaderboard(platform, ws, at=T0)).total == 0
        assert await store.profile(platform, ws, "u1", T0) is None
        assert await store.workspace_timezone(platform, ws) == "UTC"
        assert await store.reset_points(platform, ws, "evil", T0) == 0
        # guild-1's prompt id is refused there (it wasn't delivered there) ...
        with pytest.raises(CheckInRefused):
            await store.check_in(platform, ws, "u1", "Ann", prompt, T0)
        # ... and that workspace's own prompt checks in separately.
        own = await deliver(store, day(0), platform=platform, workspace=ws)
        assert not (await store.check_in(platform, ws, "u1", "Ann", own, T0)).already

    # guild-1 is untouched.
    assert [g.name for g in await store.list_groups(P, W)] == ["Owls"]
    board = await store.leaderboard(P, W, at=T0)
    assert [(s.member_id, s.points) for s in board.rows] == [("u1", 15)]
    assert await store.workspace_timezone(P, W) == "Asia/Tokyo"
    # The same group name is free in another workspace.
    assert (await store.create_group(P, other, "Owls", "u1", "Ann", T0)).members == 1


async def test_database_enforces_uniqueness_and_scope(store: Store):
    pid = await post(store)
    await store.answer_quiz(P, W, pid, "u1", "Ann", 1, True, T0)
    prompt = await deliver(store, day(0))
    await store.check_in(P, W, "u1", "Ann", prompt, T0)
    await store.check_in(
        "slack",
        "T2",
        "u1",
        "Ann",
        await deliver(store, day(0), platform="slack", workspace="T2"),
        T0,
    )
    answer = dict(
        post_id=pid,
        platform=P,
        workspace=W,
        member_id="u1",
        question_id="q1",
        topic="nlp",
        choice=0,
        correct=True,
        points=10,
        answered_at=T0,
    )
    async with store.engine.connect() as conn:
        # Bypassing the store's code: the constraints still refuse a second answer...
        with pytest.raises(IntegrityError):
            async with conn.begin():
                await conn.execute(insert(quiz_answers).values(**answer))
        # ...a second check-in for the same prompt...
        with pytest.raises(IntegrityError):
            async with conn.begin():
                await conn.execute(
                    insert(checkins).values(
                        platform=P,
                        workspace=W,
                        member_id="u1",
                        prompt_id=prompt,
                        at=T0,
                        local_date=T0.date(),
                        points=5,
                        streak=1,
                    )
                )
        # ...and an answer in another workspace pointing at this workspace's post.
        with pytest.raises(IntegrityError):
            async with conn.begin():
                await conn.execute(
                    insert(quiz_answers).values(
                        **{**answer, "platform": "slack", "workspace": "T2"}
                    )
                )


# -- concurrency and faults -----------------------------------------------------------------


async def test_1000_members_answer_concurrently_once_each(store: Store):
    pid = await post(store)
    n = 1000

    async def member(i: int):
        # Every member double-clicks: two concurrent answers, one counts.
        return await asyncio.gather(
            store.answer_quiz(P, W, pid, f"u{i}", f"U{i}", i % 3, i % 3 == 0, T0),
            store.answer_quiz(P, W, pid, f"u{i}", f"U{i}", (i + 1) % 3, (i + 1) % 3 == 0, T0),
        )

    results = [r for pair in await asyncio.gather(*(member(i) for i in range(n))) for r in pair]
    assert sum(r.status == "recorded" for r in results) == n
    assert sum(r.status == "already" for r in results) == n
    async with store.engine.connect() as conn:
        rows = (
            await conn.execute(
                select(quiz_answers.c.member_id).where(quiz_answers.c.post_id == pid)
            )
        ).all()
        events = (await conn.execute(select(point_events.c.points))).scalars().all()
    assert len(rows) == n and len({r.member_id for r in rows}) == n
    winners = sum(r.status == "recorded" and r.correct for r in results)
    assert sum(events) == 10 * winners
    board = await store.leaderboard(P, W, at=T0)
    assert board.total == winners and all(s.points == 10 and s.rank == 1 for s in board.rows)


async def test_two_processes_share_the_database(db_url):
    """Two Store objects (as two bot processes would have) writing at once: no lost or double answers."""
    a, b = await open_store(db_url), await open_store(db_url)
    try:
        pid = await post(a)
        results = await asyncio.gather(
            *(
                s.answer_quiz(P, W, pid, f"u{i}", "U", 0, True, T0)
                for i in range(150)
                for s in (a, b)
            )
        )
        assert sum(r.status == "recorded" for r in results) == 150
        assert (await b.leaderboard(P, W, at=T0)).total == 150
    finally:
        await a.close()
        await b.close()


async def test_schema_has_one_head_and_matches_tables(store: Store):
    """Every table change has a migration, and revisions form one line (no forgotten merge)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from bot.store.tables import metadata

    assert migrate.heads() == [migrate.HEAD], "update bot.store.migrate.HEAD"
    assert len(migrate.heads()) == 1, (
        f"several Alembic heads: {migrate.heads()}: add a merge revision"
    )
    assert await migrate.current(store.engine) == set(migrate.heads())

    def diff(sync_conn):
        return compare_metadata(MigrationContext.configure(sync_conn), metadata)

    async with store.engine.connect() as conn:
        assert await conn.run_sync(diff) == []
