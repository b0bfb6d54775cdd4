"""Issue #13's failing inputs, through the console and the dispatcher, on SQLite and
PostgreSQL, with the injected clock: fair points, shuffled options, no repeats, check-ins that
must match a delivered prompt, streaks that fit the schedule, the standing on every answer."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.adapters.console import ConsoleSession, render
from bot.app import build_services
from bot.core import actions
from bot.core.clock import FakeClock
from bot.core.context import Member
from bot.core.dispatch import press
from bot.settings import Settings
from bot.store import Points, open_store
from scheduler.prompt import CHECKIN_ACTION
from tests.store.conftest import T0, deliver

WS = ("console", "local")


@pytest.fixture
def services(store, content):
    services = build_services(Settings(), clock=FakeClock(T0), content=content)
    services.store = store
    return services


def question(services, reply):
    """The bank item a posted quiz shows."""
    return next(q for q in services.content.quiz if q.question in (reply.text or ""))


def button_for(services, reply, right: bool = True):
    q = question(services, reply)
    want = q.options[q.answer]
    for b in reply.buttons:
        if (b.label.split(". ", 1)[1] == want) == right:
            return b
    raise AssertionError("no such button")


async def answer(services, session, reply, right: bool = True):
    services.clock.advance(seconds=5)  # past the answer cooldown
    return await press(session.ctx, button_for(services, reply, right).action)


# -- fair points ----------------------------------------------------------------------------


async def test_quiz_forty_times_pays_each_question_once(services):
    ann = ConsoleSession(services, Member("ann", "Ann"))
    pool = [q for q in services.content.quiz if q.topic == "career"]
    asked, paid = [], 0
    for _ in range(40):
        post = await ann.send("/quiz career")
        asked.append(question(services, post).id)
        r = await answer(services, ann, post)
        text = render(r)
        if "+10 points" in text:
            paid += 10
        else:
            assert "practice" in text and "no points" in text, text
    # Every question once per cycle, no repeat before the pool is exhausted.
    assert len(set(asked[: len(pool)])) == len(pool)
    assert all(a != b for a, b in zip(asked, asked[1:], strict=False))
    assert paid == 10 * len(pool)
    prof = await services.store.profile(*WS, "ann", services.clock.now())
    assert prof.points == 10 * len(pool)


async def test_repeat_on_a_new_post_after_a_wrong_first_answer_earns_nothing(services):
    ann = ConsoleSession(services, Member("ann", "Ann"))
    q = services.content.quiz[0]
    store = services.store
    first = await ann.send(f"/quiz {q.topic}")
    target = question(services, first)
    await answer(services, ann, first, right=False)
    # Seeing the answer and then getting the same question on another post pays nothing.
    while True:
        again = await ann.send(f"/quiz {target.topic}")
        if question(services, again) == target:
            break
        await answer(services, ann, again)
    before = (await store.profile(*WS, "ann", services.clock.now())).points
    r = await answer(services, ann, again, right=True)
    assert "practice" in render(r) and "+10" not in render(r)
    assert (await store.profile(*WS, "ann", services.clock.now())).points == before


async def test_options_are_shuffled_per_post_and_grade_by_the_stored_order(services):
    hosts = [ConsoleSession(services, Member(f"h{i}", f"H{i}")) for i in range(30)]
    q = next(q for q in services.content.quiz if q.topic == "nlp")
    positions = Counter()
    for h in hosts:
        # Each host has seen everything in nlp but q, so q is what they get.
        for other in services.content.quiz:
            if other.topic == "nlp" and other.id != q.id:
                await services.store.mark_seen(*WS, h.ctx.member.id, "h", "quiz", other.id, T0)
        post = await h.send("/quiz nlp")
        assert question(services, post) == q
        right = button_for(services, post)
        positions[post.buttons.index(right)] += 1
        r = await answer(services, h, post, right=True)
        assert "Correct!" in render(r), render(r)
    assert len(positions) > 1  # not always in the bank's order


async def test_a_second_replica_renders_and_grades_the_same_post(services, db_url, content):
    ann = ConsoleSession(services, Member("ann", "Ann"))
    post = await ann.send("/quiz")
    q = question(services, post)
    other_store = await open_store(db_url, points=Points(cooldown_seconds=3))
    try:
        replica = build_services(Settings(), clock=services.clock, content=content)
        replica.store = other_store
        pid = int(post.buttons[0].action.split("|")[2])
        a = await services.store.get_quiz_post(*WS, pid)
        b = await other_store.get_quiz_post(*WS, pid)
        assert a.option_order == b.option_order and a.option_order is not None
        bob = ConsoleSession(replica, Member("bob", "Bob"))
        r = await press(bob.ctx, button_for(services, post, right=True).action)
        assert "Correct! +10 points" in render(r)
        wrong = button_for(services, post, right=False)
        carl = ConsoleSession(replica, Member("carl", "Carl"))
        r = await press(carl.ctx, wrong.action)
        shown = post.buttons.index(button_for(services, post))
        assert "Not quite" in render(r) and f"{'ABCDE'[shown]}. {q.options[q.answer]}" in render(r)
    finally:
        await other_store.close()


# -- no repeats -----------------------------------------------------------------------------


async def test_interview_another_question_twenty_times_no_repeat_until_exhausted(services):
    ann = ConsoleSession(services, Member("ann", "Ann"))
    pool = {q.id for q in services.content.interview if q.topic == "nlp"}
    by_text = {q.question: q.id for q in services.content.interview}
    r = await ann.send("/interview nlp")
    shown = [by_text[r.text]]
    for _ in range(19):
        nxt = next(b for b in r.buttons if b.label == "Another question")
        services.clock.advance(seconds=1)
        r = await press(ann.ctx, nxt.action)
        shown.append(by_text[r.text])
    assert set(shown[: len(pool)]) == pool and len(set(shown[: len(pool)])) == len(pool)
    assert all(a != b for a, b in zip(shown, shown[1:], strict=False))


async def test_the_outlines_another_question_asks_what_the_member_asked(services):
    """After "Reveal answer outline", "Another question" repeats the member's request: a
    plain /interview stays weak-topic practice, /interview nlp hard stays nlp and hard."""
    ann = ConsoleSession(services, Member("ann", "Ann"))
    for typed, request in [("/interview", ["", ""]), ("/interview nlp hard", ["nlp", "hard"])]:
        r = await ann.send(typed)
        reveal = next(b for b in r.buttons if b.label == "Reveal answer outline")
        shown = await press(ann.ctx, reveal.action)
        nxt = next(b for b in shown.buttons if b.label == "Another question")
        assert actions.decode(services, nxt.action) == ("iv.next", request), typed
    # A Reveal button from before the request rode along: that question's topic, any level.
    q = next(q for q in services.content.interview if q.topic == "nlp")
    shown = await press(ann.ctx, actions.encode(services, "iv.reveal", q.id))
    nxt = next(b for b in shown.buttons if b.label == "Another question")
    assert actions.decode(services, nxt.action) == ("iv.next", ["nlp", ""])


async def test_seen_items_survive_a_restart(services, db_url, content):
    ann = ConsoleSession(services, Member("ann", "Ann"))
    pool = {q.id for q in services.content.interview if q.topic == "coding"}
    by_text = {q.question: q.id for q in services.content.interview}
    first = {by_text[(await ann.send("/interview coding")).text] for _ in range(3)}
    restarted = await open_store(db_url)
    try:
        again = build_services(Settings(), clock=services.clock, content=content)
        again.store = restarted
        ann2 = ConsoleSession(again, Member("ann", "Ann"))
        rest = [by_text[(await ann2.send("/interview coding")).text] for _ in range(len(pool) - 3)]
        assert first | set(rest) == pool and len(first) == 3 and len(set(rest)) == len(rest)
    finally:
        await restarted.close()


# -- check-ins ------------------------------------------------------------------------------


def checkin(prompt: str) -> str:
    return actions.encode(None, CHECKIN_ACTION, prompt)


async def test_old_forged_and_elsewhere_checkins_earn_nothing(services):
    store = services.store
    old = [
        await deliver(
            store,
            T0.date() - timedelta(days=n),
            platform="console",
            workspace="local",
            channel="console",
        )
        for n in range(1, 6)
    ]
    today = await deliver(
        store, T0.date(), platform="console", workspace="local", channel="console"
    )
    other_channel = await deliver(
        store, T0.date(), platform="console", workspace="local", channel="elsewhere"
    )
    skipped = await deliver(
        store,
        T0.date() + timedelta(days=1),
        platform="console",
        workspace="local",
        channel="console",
        status="skipped",
    )
    ann = ConsoleSession(services, Member("ann", "Ann"))
    for p in old:
        r = await press(ann.ctx, checkin(p))
        assert r.kind == "error" and "earns nothing" in render(r), render(r)
    for n in range(20):
        r = await press(ann.ctx, checkin(f"s{900 + n}-20260105"))
        assert r.kind == "error" and "earns nothing" in render(r)
    for p in (other_channel, "s1-n3", "s1-20260105x", skipped):
        r = await press(ann.ctx, checkin(p))
        assert r.kind == "error" and "earns nothing" in render(r), p
    assert (await press(ann.ctx, checkin("x" * 200))).kind == "error"  # too long for a button
    assert await store.profile(*WS, "ann", T0) is None  # nothing stored at all
    r = await press(ann.ctx, checkin(today))
    assert "Checked in: +5 points" in render(r) and "Total: 5 pts" in render(r)
    # Within the grace after its day it still counts for someone else; later it doesn't.
    services.clock.set(
        datetime.combine(T0.date() + timedelta(days=1), datetime.min.time(), UTC)
        + timedelta(hours=2)
    )
    bob = ConsoleSession(services, Member("bob", "Bob"))
    assert "+5 points" in render(await press(bob.ctx, checkin(today)))
    services.clock.advance(hours=2)
    carl = ConsoleSession(services, Member("carl", "Carl"))
    r = await press(carl.ctx, checkin(today))
    assert r.kind == "error" and "earns nothing" in render(r)


# -- streaks --------------------------------------------------------------------------------


async def test_three_correct_quizzes_in_a_day_make_a_one_day_streak(services):
    ann = ConsoleSession(services, Member("ann", "Ann"))
    for _ in range(3):
        r = await answer(services, ann, await ann.send("/quiz"))
        assert "Streak: 1 day" in render(r)
    assert "Streak: 1 day" in render(await ann.send("/profile"))


async def test_weekday_schedule_streak_survives_the_weekend(services):
    store, clock = services.store, services.clock
    ann = ConsoleSession(services, Member("ann", "Ann"))
    monday = T0.date()
    for week in range(2):
        for d in range(5):
            await deliver(
                store,
                monday + timedelta(days=7 * week + d),
                platform="console",
                workspace="local",
                channel="console",
            )
    for offset in (0, 1, 2, 3, 4, 7):  # Mon–Fri, then Monday
        clock.set(
            datetime.combine(monday + timedelta(days=offset), datetime.min.time(), UTC)
            + timedelta(hours=12)
        )
        r = await answer(services, ann, await ann.send("/quiz"))
        assert "Streak" in render(r)
    assert "Streak: 6 days" in render(r)
    prof = render(await ann.send("/profile"))
    assert "Streak: 6 days" in prof and "Best streak: 6 days" in prof
    # Missing Tuesday (a prompt day) with no freeze: Wednesday's profile shows it broken.
    clock.advance(days=2)
    assert "Streak: 0 days" in render(await ann.send("/profile"))


async def test_freezes_are_earned_and_cover_a_missed_day(services):
    store, clock = services.store, services.clock
    ann = ConsoleSession(services, Member("ann", "Ann"))
    start = T0.date()
    for d in range(10):
        await deliver(
            store,
            start + timedelta(days=d),
            platform="console",
            workspace="local",
            channel="console",
        )
    for d in list(range(7)) + [8]:  # a week, then day 7 (a prompt day) missed
        clock.set(
            datetime.combine(start + timedelta(days=d), datetime.min.time(), UTC)
            + timedelta(hours=12)
        )
        if d == 6:
            prof = await store.profile(*WS, "ann", clock.now())
            assert prof.freezes == 0
        await store.record_study(*WS, "ann", "Ann", clock.now())
        if d == 6:
            assert "Streak freezes: 1 of 2" in render(await ann.send("/profile"))
    prof = await store.profile(*WS, "ann", clock.now())
    assert (prof.streak, prof.freezes, prof.best_streak) == (8, 0, 8)


# -- the standing on every answer -----------------------------------------------------------


async def test_each_answer_shows_total_streak_and_rank_change(services):
    store = services.store
    store.points = Points(quiz_correct=10, cooldown_seconds=0)
    # Carol already has 20 points (two questions answered on the store directly).
    for qid in ("x1", "x2"):
        pid = await store.open_quiz(*WS, "console", qid, "nlp", T0, T0 + timedelta(days=1), "h")
        await store.answer_quiz(*WS, pid, "carol", "Carol", 0, True, T0)
    bob = ConsoleSession(services, Member("bob", "Bob"))
    r = await answer(services, bob, await bob.send("/quiz"), right=False)
    assert "Total: 0 pts · Streak: 1 day · Rank: —" in render(r)
    r = await answer(services, bob, await bob.send("/quiz"))
    assert "Total: 10 pts · Streak: 1 day · Rank: #2 (new)" in render(r)
    r = await answer(services, bob, await bob.send("/quiz"))
    assert "Total: 20 pts · Streak: 1 day · Rank: #1 (up 1)" in render(r)  # tied with Carol
    r = await answer(services, bob, await bob.send("/quiz"))
    assert "Total: 30 pts · Streak: 1 day · Rank: #1 (no change)" in render(r)


# -- ranks from the score histogram ---------------------------------------------------------


async def test_histogram_ranks_match_counting_across_bucket_edges(store):
    import random

    rng = random.Random(13)
    given = Counter()
    for n in range(60):
        member = f"m{rng.randrange(12)}"
        amount = rng.choice([1, 5, 255, 256, 300, 65535, 65536, 70000])
        store.points = Points(quiz_correct=amount, cooldown_seconds=0)
        pid = await store.open_quiz(*WS, "c", f"q{n}", "nlp", T0, T0 + timedelta(days=1), "h")
        r = await store.answer_quiz(*WS, pid, member, member, 0, True, T0)
        given[member] += amount
        truth = 1 + sum(1 for v in given.values() if v > given[member])
        assert (r.total, r.rank) == (given[member], truth)
    for member, pts in given.items():
        board = await store.leaderboard(*WS, at=T0, member_id=member)
        assert board.me.rank == 1 + sum(1 for v in given.values() if v > pts)
        assert board.total == len(given)
    week = await store.leaderboard(*WS, at=T0, period="week", page=2, page_size=5)
    ordered = sorted(given.values(), reverse=True)
    assert [s.rank for s in week.rows] == [1 + ordered.index(s.points) for s in week.rows]
    await store.reset_points(*WS, "admin", T0)
    assert (await store.leaderboard(*WS, at=T0, member_id="m1")).total == 0


async def test_skipped_and_paused_days_do_not_break_a_streak(store):
    monday = T0.date()
    mon = await deliver(store, monday)
    await deliver(store, monday + timedelta(days=1), status="skipped")  # /daily skip
    # Wednesday and Thursday: paused, so no delivery rows at all.
    fri = await deliver(store, monday + timedelta(days=4))
    r = await store.check_in("discord", "guild-1", "u1", "Ann", mon, T0)
    assert r.streak == 1
    r = await store.check_in("discord", "guild-1", "u1", "Ann", fri, T0 + timedelta(days=4))
    assert (r.streak, r.points_awarded) == (2, 5 + 2)  # continues, with the streak bonus
    # A member in another timezone: Friday 09:00 UTC is still Friday in New York.
    await store.set_member_timezone("discord", "guild-1", "u2", "Bo", "America/New_York")
    r = await store.check_in("discord", "guild-1", "u2", "Bo", fri, T0 + timedelta(days=4))
    assert (r.local_date, r.streak) == (date(2026, 1, 9), 1)


async def test_one_prompt_has_one_spelling_so_replays_earn_nothing(services):
    """Found by trying to break it: "s01-…", other scripts' digits and full-width digits named
    the same prompt and each earned +5 (the UNIQUE key compared raw strings)."""
    store = services.store
    today = await deliver(
        store, T0.date(), platform="console", workspace="local", channel="console"
    )
    sid, day = today[1:].split("-")
    ann = ConsoleSession(services, Member("ann", "Ann"))
    assert "+5 points" in render(await press(ann.ctx, checkin(today)))
    for variant in (
        f"s0{sid}-{day}",
        f"s00{sid}-{day}",
        f"s{sid.translate(str.maketrans('0123456789', '٠١٢٣٤٥٦٧٨٩'))}-{day}",
        f"s{sid}-{day.translate(str.maketrans('0123456789', '０１２３４５６７８９'))}",
        f"s{sid}-{day}|copy",
    ):
        r = await press(ann.ctx, checkin(variant))
        assert "+5" not in render(r), variant
    assert (await store.profile(*WS, "ann", T0)).points == 5


async def test_a_future_days_prompt_says_it_has_not_started(services):
    store = services.store
    tomorrow = await deliver(
        store,
        T0.date() + timedelta(days=1),
        platform="console",
        workspace="local",
        channel="console",
    )
    r = await press(ConsoleSession(services, Member("ann", "Ann")).ctx, checkin(tomorrow))
    assert r.kind == "error" and "hasn't started" in render(r)
