"""Spaced review (FSRS) and weak-topic practice, through the console and the dispatcher, on
SQLite and PostgreSQL, with the injected clock and a seeded RNG."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from fsrs import Rating

from bot.adapters.console import ConsoleSession, render
from bot.app import build_services
from bot.core.clock import FakeClock
from bot.core.context import Member
from bot.core.dispatch import press
from bot.practice import review as rules
from bot.practice import weak
from bot.practice.weak import TopicRecord
from bot.settings import Settings
from bot.store import open_store
from tests.store.conftest import T0

WS = ("console", "local")


@pytest.fixture
def services(store, content):
    services = build_services(Settings(), clock=FakeClock(T0), content=content)
    services.store = store
    services.rng = random.Random(7)
    return services


def quiz_item(services, reply):
    return next(q for q in services.content.quiz if q.question in (reply.text or ""))


def button(reply, label_part: str):
    return next(b for b in reply.buttons if label_part in b.label)


def option_button(q, reply, right: bool):
    want = q.options[q.answer]
    return next(b for b in reply.buttons if (b.label.split(". ", 1)[1] == want) == right)


async def wrong_answer(services, session, topic="nlp"):
    services.clock.advance(seconds=5)
    post = await session.send(f"/quiz {topic}")
    q = quiz_item(services, post)
    services.clock.advance(seconds=5)
    r = await press(session.ctx, option_button(q, post, right=False).action)
    assert "Not quite" in render(r) and "/review" in render(r)
    return q


# -- spaced review --------------------------------------------------------------------------


async def test_a_wrong_answer_appears_in_review_when_due(services):
    ann = ConsoleSession(services, Member("ann", "Ann"))
    assert "queue is empty" in render(await ann.send("/review"))
    q = await wrong_answer(services, ann)
    # FSRS "Again" on a new card: a short learning step, not due this very second.
    early = render(await ann.send("/review"))
    assert "Nothing due right now" in early and "1 card queued" in early
    services.clock.advance(minutes=15)
    r = await ann.send("/review")
    assert q.question in r.text and len(r.buttons) == len(q.options)
    # The review shows the quiz options (any order) and grades by the order in the button.
    r2 = await press(ann.ctx, option_button(q, r, right=True).action)
    text = render(r2)
    assert "Right!" in text and "Rated Good" in text
    card = await services.store.next_review(*WS, "ann", services.clock.now() + timedelta(days=400))
    assert card.item_id == q.id and card.reviews == 2 and card.last_rating == Rating.Good
    assert card.due > services.clock.now()


async def test_review_wrong_again_and_counts_as_a_study_day(services):
    ann = ConsoleSession(services, Member("ann", "Ann"))
    q = await wrong_answer(services, ann)
    services.clock.advance(days=2)
    r = await ann.send("/review")
    r2 = await press(ann.ctx, option_button(q, r, right=False).action)
    assert "Not quite" in render(r2) and "Rated Again" in render(r2)
    prof = await services.store.profile(*WS, "ann", services.clock.now())
    assert prof.streak == 1  # the review day (two days after the quiz day; no schedule)
    due, total, _ = await services.store.review_counts(*WS, "ann", services.clock.now())
    assert (due, total) == (0, 1)


async def test_interview_self_grade_enters_the_queue_and_review_shows_outline(services):
    ann = ConsoleSession(services, Member("ann", "Ann"))
    r = await ann.send("/interview nlp")
    q = next(i for i in services.content.interview if i.question == r.text)
    shown = await press(ann.ctx, button(r, "Reveal").action)
    graded = await press(ann.ctx, button(shown, "Hard").action)
    assert "Rated Hard" in render(graded) and "Another question" in render(graded)
    services.clock.advance(days=30)
    r = await ann.send("/review")
    assert q.question in r.text and [b.label for b in r.buttons] == ["Show outline"]
    out = await press(ann.ctx, r.buttons[0].action)
    assert q.outline[0] in out.text
    assert [b.label for b in out.buttons] == ["Again", "Hard", "Good", "Easy"]
    done = await press(ann.ctx, button(out, "Easy").action)
    assert "Rated Easy" in render(done) and "Nothing due" in render(done)


async def test_forged_and_stale_review_buttons_are_refused_politely(services):
    ann = ConsoleSession(services, Member("ann", "Ann"))
    q = services.content.quiz[0]
    for forged in (
        f"mle|rv.q|{q.id}|9|0,1,2,3",
        f"mle|rv.q|{q.id}|x|0,1",
        "mle|rv.q|nope|0|0,1,2,3",
        f"mle|rv.g|interview|{services.content.interview[0].id}|superb|rv",
        "mle|rv.g|quiz|x|good|rv",
        "mle|rv.show|missing",
    ):
        r = await press(ann.ctx, forged)
        assert r.kind == "error", forged
        assert "Traceback" not in render(r)
    _, total, _ = await services.store.review_counts(*WS, "ann", services.clock.now())
    assert total == 0


async def test_the_queue_survives_a_restart_and_profile_shows_due(services, db_url, content):
    ann = ConsoleSession(services, Member("ann", "Ann"))
    await wrong_answer(services, ann, "career")
    await wrong_answer(services, ann, "nlp")
    services.clock.advance(hours=1)
    assert "Reviews due: 2" in render(await ann.send("/profile"))
    restarted = await open_store(db_url)
    try:
        again = build_services(Settings(), clock=services.clock, content=content)
        again.store = restarted
        ann2 = ConsoleSession(again, Member("ann", "Ann"))
        r = await ann2.send("/review")
        assert len(r.buttons) >= 2 and r.title.startswith("Review ·")
    finally:
        await restarted.close()


def test_coverage_ratings_and_fsrs_intervals_grow():
    assert [rules.coverage_rating(c, 6) for c in (0, 1, 2, 3, 5, 6)] == [
        Rating.Again,
        Rating.Again,
        Rating.Hard,
        Rating.Hard,
        Rating.Good,
        Rating.Easy,
    ]
    assert rules.coverage_rating(0, 0) == Rating.Again
    card, now, gaps = rules.new_card(T0), T0, []
    for _ in range(4):
        card = rules.grade(card, Rating.Good, now)
        gaps.append(card.due - now)
        now = card.due
    assert gaps == sorted(gaps) and gaps[-1] > timedelta(days=3)
    assert rules.loads(rules.dumps(card)).due == card.due
    assert rules.parse_rating("GOOD") == Rating.Good and rules.parse_rating("5") is None


# -- weak-topic practice --------------------------------------------------------------------


def test_weakest_topic_ranks_first_and_recency_matters():
    now = T0
    records = {
        "nlp": TopicRecord(10, 2, now),
        "coding": TopicRecord(10, 9, now),
        "mlops": TopicRecord(10, 9, now - timedelta(days=60)),
    }
    order = [t for t, _ in weak.ranked(["coding", "mlops", "nlp"], records, now)]
    assert order[0] == "nlp" and order.index("mlops") < order.index("coding")
    assert weak.pick_topic(["a", "b"], {}, now, random.Random(0)) is None


def test_pick_topic_exploits_about_seventy_percent():
    now = T0
    topics = [f"t{i}" for i in range(6)]
    records = {t: TopicRecord(10, 9, now) for t in topics} | {"t3": TopicRecord(10, 1, now)}
    rng = random.Random(42)
    picks = [weak.pick_topic(topics, records, now, rng) for _ in range(2000)]
    weakest_two = {t for t, _ in weak.ranked(topics, records, now)[:2]}
    share = sum(p in weakest_two for p in picks) / len(picks)
    assert 0.65 < share < 0.75 and picks.count("t3") > picks.count("t0") * 3
    assert set(picks) == set(topics)  # exploration reaches every topic


async def test_quiz_without_topic_favours_the_weakest_topic(services):
    ann = ConsoleSession(services, Member("ann", "Ann"))
    for _ in range(3):
        await wrong_answer(services, ann, "nlp")
    for topic in ("career", "mlops", "coding"):
        services.clock.advance(seconds=5)
        post = await ann.send(f"/quiz {topic}")
        q = quiz_item(services, post)
        services.clock.advance(seconds=5)
        await press(ann.ctx, option_button(q, post, right=True).action)
    topics = []
    for _ in range(20):
        services.clock.advance(seconds=5)
        topics.append(quiz_item(services, await ann.send("/quiz")).topic)
    assert topics.count("nlp") >= 8, topics
    assert len(set(topics)) > 1  # and sometimes elsewhere (exploration)
    prof = render(await ann.send("/profile"))
    assert "interview answers): nlp" in prof and "/mock nlp" in prof
    # The member's own counts, as the topic list above shows them (not a smoothed 20 %).
    line = prof.split("interview answers):")[1].split("\n")[0]
    assert "nlp (0/3 right)" in line and "%" not in line
    # Topics answered right every time are never called weak (career, mlops, coding).
    assert "career" not in line and "mlops" not in line and "coding" not in line
    assert "• nlp: 0/3 correct (0%) — weakest" in prof


async def test_interview_without_topic_favours_the_weakest_topic(services):
    ann = ConsoleSession(services, Member("ann", "Ann"))
    by_text = {q.question: q for q in services.content.interview}
    for topic, rating in (("nlp", "Again"), ("coding", "Easy"), ("mlops", "Easy")):
        r = await ann.send(f"/interview {topic}")
        shown = await press(ann.ctx, button(r, "Reveal").action)
        await press(ann.ctx, button(shown, rating).action)
    picks = [by_text[(await ann.send("/interview")).text].topic for _ in range(20)]
    assert picks.count("nlp") >= 8, picks
