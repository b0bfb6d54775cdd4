"""Console scenarios for /group, /quiz, /leaderboard and /profile on a real database (both backends)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.adapters.console import ConsoleSession, render
from bot.app import build_services, context
from bot.content import Content
from bot.content.schema import QuizQuestion
from bot.core import actions
from bot.core.clock import FakeClock
from bot.core.context import Member
from bot.core.dispatch import execute, press
from bot.settings import Settings
from tests.store.conftest import T0

QUIZ = [
    QuizQuestion(
        id="q-sum",
        source="authored",
        question="What is 2 + 2 in base ten?",
        topic="math-statistics",
        difficulty="easy",
        options=("3", "4", "5"),
        answer=1,
        explanation="Two plus two is four.",
    ),
    QuizQuestion(
        id="q-relu",
        source="authored",
        question="What does ReLU return for an input of -3?",
        topic="deep-learning",
        difficulty="easy",
        options=("-3", "0", "3", "1"),
        answer=1,
        explanation="ReLU is max(0, x), so negative inputs become 0.",
    ),
]
BY_TEXT = {q.question: q for q in QUIZ}


@pytest.fixture
def services(store):
    services = build_services(
        Settings(), clock=FakeClock(T0), content=Content({"quiz": list(QUIZ)})
    )
    services.store = store
    return services


def asked(reply) -> QuizQuestion:
    return next(q for text, q in BY_TEXT.items() if text in (reply.text or ""))


def button(reply, option: int):
    """The button showing the bank's option ``option`` (options are shuffled per post)."""
    text = asked(reply).options[option]
    return next(b for b in reply.buttons if b.label.split(". ", 1)[1] == text)


async def answer(session: ConsoleSession, reply, right: bool = True):
    q = asked(reply)
    index = q.answer if right else (q.answer + 1) % len(q.options)
    return await session.send(str(reply.buttons.index(button(reply, index)) + 1))


async def test_console_group_quiz_leaderboard_profile(services):
    clock: FakeClock = services.clock
    ann = ConsoleSession(services, Member("ann", "Ann", is_admin=True))
    bob = ConsoleSession(services, Member("bob", "Bob"))

    r = await ann.send("group create Night Owls")
    assert r.kind == "success" and "Group created: Night Owls" in render(r)
    r = await bob.send("group join night owls")
    assert "You joined Night Owls" in render(r) and "2 members" in render(r)
    assert "No points yet" in render(await bob.send("leaderboard Night Owls"))
    assert "Night Owls — 2 members (you)" in render(await bob.send("group list"))
    assert "Ann, Bob" in render(await bob.send("group info NIGHT OWLS"))

    quiz = await ann.send("quiz")
    assert quiz.kind == "info" and len(quiz.buttons) == len(asked(quiz).options)
    assert all(b.action.startswith("mle|quiz.ans|") for b in quiz.buttons)
    r = await answer(ann, quiz, right=True)
    assert r.ephemeral and r.kind == "success" and "Correct! +10 points" in render(r)
    assert asked(quiz).explanation in render(r)
    # Bob answers the same post (he sees the same message), wrongly.
    wrong = (asked(quiz).answer + 1) % len(asked(quiz).options)
    r = await press(bob.ctx, button(quiz, wrong).action)
    assert r.ephemeral and "Not quite" in render(r) and asked(quiz).explanation in render(r)
    # Pressing again changes nothing: the first answer counts.
    r = await press(bob.ctx, button(quiz, asked(quiz).answer).action)
    assert r.kind == "error" and "already answered" in render(r) and "wrong" in render(r)

    clock.advance(seconds=10)
    another = await ann.send(f"quiz {asked(quiz).topic}")  # the topic has one question
    assert another.buttons and another.title.startswith("Quiz")
    assert asked(another) == asked(quiz)
    r = await answer(ann, another, right=True)
    assert "practice" in render(r) and "no points" in render(r) and "+10" not in render(r)
    assert "Total: 10 pts" in render(r)
    clock.advance(seconds=10)
    fresh = await ann.send("quiz")  # least-seen first: the question Ann hasn't had
    assert asked(fresh) != asked(quiz)
    r = await answer(ann, fresh, right=True)
    assert "+10 points" in render(r) and "Total: 20 pts" in render(r)

    board = render(await bob.send("leaderboard"))
    assert "1. Ann — 20 pts" in board and "You: no points here yet" in board
    board = render(await ann.send("leaderboard night owls week"))
    assert "Leaderboard · Night Owls · this week" in board and "1. Ann (you) — 20 pts" in board
    assert "Weeks start on Monday (UTC)" in board

    prof = await ann.send("profile")
    text = render(prof)
    assert (
        prof.ephemeral
        and "Points: 20" in text
        and "Rank: #1" in text
        and "Groups: Night Owls" in text
    )
    assert "correct (100%)" in text
    prof_bob = render(await bob.send("profile"))
    assert "Points: 0" in prof_bob and "0/1 correct (0%)" in prof_bob

    # Bob answers a fresh quiz right: the board changes.
    clock.advance(seconds=10)
    q3 = await bob.send("quiz")
    await answer(bob, q3, right=True)
    board = render(await bob.send("leaderboard"))
    assert (
        "1. Ann — 20 pts" in board
        and "2. Bob (you) — 10 pts" in board
        and "You: #2 of 2 with 10 pts" in board
    )


async def test_late_answer_and_cooldown(services):
    clock: FakeClock = services.clock
    ann = ConsoleSession(services, Member("ann", "Ann"))
    first = await ann.send("quiz")
    second_post = await ConsoleSession(services, Member("host", "Host")).send("quiz")
    await answer(ann, first)
    # A second answer within the cooldown is refused and stores nothing.
    r = await press(ann.ctx, button(second_post, asked(second_post).answer).action)
    assert r.kind == "error" and "wait 3 s" in render(r)
    clock.advance(hours=25)
    r = await press(ann.ctx, button(second_post, asked(second_post).answer).action)
    assert r.kind == "error" and "closed" in render(r) and "earn nothing" in render(r)
    assert "1. Ann (you) — 10 pts" in render(await ann.send("leaderboard"))


async def test_timezone_and_admin_actions(services):
    ann = ConsoleSession(services, Member("ann", "Ann", is_admin=True))
    bob = ConsoleSession(services, Member("bob", "Bob"))
    r = await bob.send("profile timezone europe/berlin")
    assert r.ephemeral and "Europe/Berlin" in render(r)
    assert "Timezone: Europe/Berlin" in render(await bob.send("profile"))
    r = await bob.send("profile timezone Mars/Olympus")
    assert r.kind == "error" and "isn't a timezone" in render(r)
    assert "workspace's timezone (UTC)" in render(await bob.send("profile timezone default"))

    await ann.send("group create Owls")
    assert "Only admins" in render(await bob.send("group rename Owls to Larks"))
    assert "Renamed to Larks" in render(await ann.send("group rename Owls to Larks"))
    confirm = await ann.send("group delete larks")
    assert confirm.buttons and "Delete Larks?" in render(confirm)
    assert "Only admins" in render(await press(bob.ctx, confirm.buttons[0].action))
    assert "Deleted Larks" in render(await ann.send("1"))
    assert "No groups yet" in render(await ann.send("group list"))

    quiz = await bob.send("quiz")
    await answer(bob, quiz)
    assert "Only admins" in render(await bob.send("leaderboard reset"))
    confirm = await ann.send("leaderboard reset")
    assert "Only admins" in render(await press(bob.ctx, confirm.buttons[0].action))
    services.clock.advance(minutes=11)
    assert "expired" in render(await press(ann.ctx, confirm.buttons[0].action))
    confirm = await ann.send("leaderboard reset")
    r = await ann.send("1")
    assert r.kind == "success" and "reset (1 point award cleared)" in render(r)
    assert "No points yet" in render(await bob.send("leaderboard"))


async def test_group_input_errors_are_friendly(services):
    ann = ConsoleSession(services, Member("ann", "Ann"))
    for text, expect in [
        ("group create x", "at least 2"),
        ("group create " + "a" * 33, "at most 32"),
        ("group create @everyone", "letters, digits"),
        ("group create <@123>", "letters, digits"),
        ("group create week", "reserved"),
        ("group join nowhere", "no group called"),
        ("group leave nowhere", "no group called"),
        ("leaderboard nowhere", "no group called"),
        ("group", "needs one of"),
    ]:
        r = await ann.send(text)
        assert r.kind == "error" and expect in render(r), (text, render(r))
    await ann.send("group create Owls")
    assert "already exists" in render(await ann.send("group create owls"))
    assert "already in" in render(await ann.send("group join OWLS"))


async def test_leaderboard_pages_and_own_rank(services, store):
    for i in range(25):
        pid = await store.open_quiz(
            "console", "local", "c", f"q-{i}-0", "math-statistics", T0, T0 + timedelta(days=1), "h"
        )
        for j in range(25 - i):  # member i gets 25 - i points worth of posts
            if j:
                pid = await store.open_quiz(
                    "console",
                    "local",
                    "c",
                    f"q-{i}-{j}",
                    "math-statistics",
                    T0,
                    T0 + timedelta(days=1),
                    "h",
                )
            await store.answer_quiz(
                "console",
                "local",
                pid,
                f"m{i:02d}",
                f"M{i}",
                1,
                True,
                T0 + timedelta(seconds=5 * j),
            )
    last = ConsoleSession(services, Member("m24", "M24"))
    page1 = await last.send("leaderboard")
    text = render(page1)
    assert "1. M0 — 250 pts" in text and "10. M9" in text and "11." not in text
    assert "You: #25 of 25 with 10 pts" in text and "Page 1 of 3" in text
    assert [b.label for b in page1.buttons] == ["Next ▶"]
    page2 = await last.send("1")
    assert page2.replace and "11. M10" in render(page2) and "Page 2 of 3" in render(page2)
    page3 = await last.send("leaderboard page:3")
    assert "25. M24 (you) — 10 pts" in render(page3)
    # A trailing number is the page, after a period word or alone (reviewer: "all 2").
    for typed in ("leaderboard all 2", "leaderboard 2", "leaderboard all time 2"):
        shown = render(await last.send(typed))
        assert "11. M10" in shown and "Page 2 of 3" in shown, (typed, shown)
    assert "Page 2 of 3" in render(await last.send("leaderboard week 2"))
    assert "Page 2 of 3" in render(await last.send("leaderboard all page 2"))
    beyond = render(await last.send("leaderboard 9"))
    assert "Page 3 of 3" in beyond and "There's only 3 pages; this is the last." in beyond
    # A group whose name ends in a number keeps it.
    await last.send("group create Team 2")
    shown = render(await last.send("leaderboard Team 2"))
    assert "Leaderboard · Team 2" in shown, shown
    # A forged page button ("00", "007") is refused like any expired button.
    forged = actions.encode(services, "lb.page", "all", "00", "")
    here = context(services, "console", "local", "console", Member("m24", "M24"))
    assert "expired" in render(await press(here, forged))


async def test_isolation_through_commands(services):
    ann = ConsoleSession(services, Member("ann", "Ann"))
    quiz = await ann.send("quiz")
    await ann.send("group create Owls")
    elsewhere = context(services, "discord", "guild-9", "chan", Member("eve", "Eve"))
    r = await press(elsewhere, quiz.buttons[0].action)
    assert r.kind == "error" and "isn't available here" in render(r)
    assert "No groups yet" in render(await execute(elsewhere, "/group list"))
    assert "no group called" in render(await execute(elsewhere, "/group join Owls"))
    bot = context(services, "console", "local", "console", Member("b", "Bot", is_bot=True))
    assert "Bots don't" in render(await press(bot, quiz.buttons[0].action))


async def test_commands_without_a_store_say_so(services):
    services.store = None
    s = ConsoleSession(services, Member("ann", "Ann", is_admin=True))
    for text in [
        "quiz",
        "group list",
        "group create Owls",
        "leaderboard",
        "profile",
        "leaderboard reset",
    ]:
        r = await s.send(text)
        assert r.kind == "error" and "need the database" in render(r), text


async def test_quiz_filters(services):
    s = ConsoleSession(services, Member("ann", "Ann"))
    r = await s.send("quiz dl")
    assert asked(r).id == "q-relu" and "Quiz · deep-learning · easy" in render(r)
    assert "isn't a topic I know" in render(await s.send("quiz nlp"))
    assert "No quiz questions match" in render(await s.send("quiz math hard"))


async def test_another_quiz_asks_what_the_member_asked(services):
    """ "Another quiz" repeats the member's request, not the answered question's topic and
    level: a plain /quiz stays weak-topic practice over every topic (reviewer finding)."""
    clock: FakeClock = services.clock
    s = ConsoleSession(services, Member("ann", "Ann"))
    for typed, request in [("quiz", ("", "")), ("quiz dl", ("deep-learning", ""))]:
        quiz = await s.send(typed)
        r = await answer(s, quiz)
        nxt = next(b for b in r.buttons if b.label == "Another quiz")
        assert actions.decode(services, nxt.action) == ("quiz.next", list(request)), typed
        clock.advance(seconds=10)
    # A button posted before the request rode along keeps the old meaning.
    quiz = await s.send("quiz dl")
    pid, index = actions.decode(services, quiz.buttons[0].action)[1][:2]
    old = actions.encode(services, "quiz.ans", pid, index)
    here = context(services, "console", "local", "console", Member("bob", "Bob"))
    r = await press(here, old)
    nxt = next(b for b in r.buttons if b.label == "Another quiz")
    assert actions.decode(services, nxt.action) == ("quiz.next", ["deep-learning", "easy"])


async def test_leaderboard_streak_is_the_profiles_streak(services):
    """A newcomer answered one quiz right: the answer and /profile said "Streak: 1 day" but the
    leaderboard (text and card) showed none — it only counted check-ins."""
    s = ConsoleSession(services, Member("ann", "Ann"))
    quiz = await s.send("quiz dl")
    r = await answer(s, quiz)
    assert "Streak: 1 day" in render(r)
    assert "Streak: 1 day" in render(await s.send("profile"))
    board = await s.send("leaderboard")
    assert "1. Ann (you) — 10 pts · 1-day streak" in render(board), render(board)
    assert "streak 1" in board.attachments[0].alt, board.attachments[0].alt
