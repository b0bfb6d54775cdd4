"""/mock: a mock interview runs to a summary, feeds the review queue and the weak-topic model,
survives a restart mid-session and is offered for resuming — SQLite and PostgreSQL."""

from __future__ import annotations

import random

import pytest

from bot.adapters.console import ConsoleSession, render
from bot.app import build_services
from bot.core.clock import FakeClock
from bot.core.context import Member
from bot.core.dispatch import press
from bot.settings import Settings
from bot.store import open_store
from tests.store.conftest import T0

WS = ("console", "local")


@pytest.fixture
def services(store, content):
    services = build_services(Settings(), clock=FakeClock(T0), content=content)
    services.store = store
    services.rng = random.Random(3)
    return services


def button(reply, label_part: str):
    return next(b for b in reply.buttons if label_part in b.label)


def item(services, reply):
    return next(q for q in services.content.interview if q.question in (reply.text or ""))


async def cover(session, reply, points: int):
    """Show the outline and tick the first ``points`` outline points; returns the outline."""
    out = await press(session.ctx, button(reply, "Show outline").action)
    for i in range(points):
        out = await press(session.ctx, button(out, f"☐ {i + 1}.").action)
    return out


async def test_mock_nlp_3_runs_to_a_summary_and_feeds_review_and_weak_topics(services):
    ann = ConsoleSession(services, Member("ann", "Ann"))
    r = await ann.send("/mock nlp 3")
    asked = []
    for n in range(3):
        assert r.title.startswith(f"Mock interview · {n + 1}/3 · nlp"), r.title
        q = item(services, r)
        asked.append(q.id)
        out = await cover(ann, r, len(q.outline) if n == 0 else 0)
        assert f"Covered {len(q.outline) if n == 0 else 0} of {len(q.outline)}" in out.text
        r = await press(ann.ctx, button(out, "Finish" if n == 2 else "Next question").action)
    assert len(set(asked)) == 3
    text = render(r)
    assert "summary" in r.title and "nlp: 3 questions" in text and "/mock nlp" in text
    _, total, _ = await services.store.review_counts(*WS, "ann", services.clock.now())
    assert total == 3
    records = await services.store.topic_records(*WS, "ann")
    assert records["nlp"].attempts == 3 and records["nlp"].correct == 1  # the one fully covered
    # The session is over: /mock starts a new one rather than offering a resume.
    assert "in progress" not in render(await ann.send("/mock nlp 2"))


async def test_a_session_survives_a_restart_and_is_offered_for_resume(services, db_url, content):
    ann = ConsoleSession(services, Member("ann", "Ann"))
    r = await ann.send("/mock nlp 3")
    first = item(services, r)
    out = await cover(ann, r, 1)
    r = await press(ann.ctx, button(out, "Next question").action)
    second = item(services, r)
    out = await cover(ann, r, 2)  # mid-question: two points ticked, then the bot restarts
    tick_button = button(out, "Next question").action
    restarted = await open_store(db_url)
    try:
        again = build_services(Settings(), clock=services.clock, content=content)
        again.store = restarted
        again.rng = random.Random(5)
        ann2 = ConsoleSession(again, Member("ann", "Ann"))
        offer = await ann2.send("/mock")
        assert "in progress" in render(offer) and "question 2 of 3" in render(offer)
        back = await press(ann2.ctx, button(offer, "Resume").action)
        assert item(again, back) == second
        outline = await press(ann2.ctx, button(back, "Show outline").action)
        assert "Covered 2 of" in outline.text  # the ticks survived
        # An old message's button still works after the restart (stateless ids).
        r = await press(ann2.ctx, tick_button)
        assert r.title.startswith("Mock interview · 3/3")
        # Pressing it twice doesn't advance twice.
        again_r = await press(ann2.ctx, tick_button)
        assert again_r.title.startswith("Mock interview · 3/3")
        out = await cover(ann2, r, 0)
        done = await press(ann2.ctx, button(out, "Finish").action)
        assert "summary" in done.title
        _, total, _ = await restarted.review_counts(*WS, "ann", services.clock.now())
        assert total == 3 and first != second
    finally:
        await restarted.close()


async def test_start_new_replaces_the_old_session_and_old_buttons_say_so(services):
    ann = ConsoleSession(services, Member("ann", "Ann"))
    r = await ann.send("/mock nlp 2")
    old_show = button(r, "Show outline").action
    offer = await ann.send("/mock coding 2")
    r2 = await press(ann.ctx, button(offer, "Start new").action)
    assert "coding" in r2.title
    stale = await press(ann.ctx, old_show)
    assert stale.kind == "error" and "replaced" in render(stale)


@pytest.mark.parametrize(
    "line, words",
    [
        ("/mock nlp 0", "at least 1"),
        ("/mock nlp 11", "10"),
        ("/mock nlp 99999999999999999999", "count"),
        ("/mock nonsense-topic", "topic"),
    ],
)
async def test_bad_mock_input_gets_a_friendly_message(services, line, words):
    ann = ConsoleSession(services, Member("ann", "Ann"))
    r = await ann.send(line)
    text = render(r)
    assert r.kind == "error" and words in text and "Traceback" not in text, text
    assert await services.store.active_mock(*WS, "ann") is None


async def test_another_members_or_forged_mock_buttons_change_nothing(services):
    ann = ConsoleSession(services, Member("ann", "Ann"))
    bob = ConsoleSession(services, Member("bob", "Bob"))
    r = await ann.send("/mock nlp 2")
    show = button(r, "Show outline").action
    sid = show.split("|")[2]
    for forged in (show, f"mle|mk.pt|{sid}|0|99", f"mle|mk.next|{sid}|7", "mle|mk.resume|x"):
        got = await press(bob.ctx, forged)
        assert got.kind == "error" or "1/2" in (got.title or ""), forged
    s = await services.store.active_mock(*WS, "ann")
    assert s.position == 0 and not any(s.covered)
    r = await press(ann.ctx, f"mle|mk.pt|{sid}|0|99")
    assert r.kind == "error"
