"""/quiz [topic] [difficulty]: a multiple-choice question with one button per option.

The post is stored (question, channel, when it closes, the shuffled option order) so the
buttons work after a restart or on another replica, each member's first answer is the one that
counts, answers after it closes earn nothing, and a question earns points once per member
whichever post it comes from (bot/practice). Questions come least-seen first per member.
"""

from __future__ import annotations

import random
from datetime import timedelta

from bot.commands._common import (
    DIFFICULTIES,
    TOPICS,
    footer_for,
    resolve_topic,
    topic_and_difficulty,
)
from bot.commands._store import call, mark_seen, need_store, pick_unseen, small_int, who
from bot.commands._weak import weak_topic
from bot.content.schema import QuizQuestion
from bot.core import actions
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.registry import Option, action, command
from bot.core.reply import Button, Reply, error, with_notes
from bot.core.wording import plural
from bot.practice import feedback, review, scoring

_rng = random.SystemRandom()
LETTERS = "ABCDE"
MAX_LABEL = 80  # Discord's button label limit


def _topics(services) -> list[str]:
    return services.content.quiz_topics() or list(TOPICS)


async def _pick(ctx: Context, topic: str | None, difficulty: str | None):
    if topic is None:  # weak-topic practice: mostly the member's weakest topics
        topic = await weak_topic(
            ctx,
            "quiz",
            [q for q in ctx.content.quiz if difficulty in (None, q.difficulty)],
        )
    pool = [
        q
        for q in ctx.content.quiz
        if (topic is None or q.topic == topic)
        and (difficulty is None or q.difficulty == difficulty)
    ]
    if not ctx.content.quiz:
        raise UserError("There are no quiz questions loaded yet.")
    if not pool:
        raise UserError(
            "No quiz questions match that topic and difficulty yet. Try another difficulty."
        )
    return await pick_unseen(ctx, "quiz", pool)


def _label(i: int, option: str) -> str:
    label = f"{LETTERS[i]}. {option}"
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def _hours(h: float) -> str:
    return f"{h:g} h" if h < 48 else f"{h / 24:g} days"


async def post_quiz(
    ctx: Context, topic: str | None, difficulty: str | None, question: QuizQuestion | None = None
) -> Reply:
    """Post a quiz in the channel: ``question`` (a search hit's), else one picked at random."""
    store = need_store(ctx)
    q = question or await _pick(ctx, topic, difficulty)
    now = ctx.clock.now()
    window = ctx.settings.quiz_window_hours
    order = scoring.shuffled(len(q.options), _rng)
    post_id = await call(
        store.open_quiz(
            ctx.platform,
            ctx.workspace,
            ctx.channel,
            q.id,
            q.topic,
            now,
            now + timedelta(hours=window),
            ctx.member.id,
            option_order=scoring.encode(order),
        )
    )
    await mark_seen(ctx, "quiz", q.id)
    shown = [q.options[i] for i in order]
    options = "\n".join(f"{LETTERS[i]}. {o}" for i, o in enumerate(shown))
    return Reply(
        title=f"Quiz · {q.topic} · {q.difficulty}",
        text=f"{q.question}\n\n{options}",
        buttons=tuple(
            # The member's request rides along, so "Another quiz" asks the same again.
            Button(
                _label(i, o),
                actions.encode(ctx.services, "quiz.ans", post_id, i, topic or "", difficulty or ""),
            )
            for i, o in enumerate(shown)
        ),
        footer=f"Your first answer counts · open for {_hours(window)} · {footer_for([q.source], ctx.content)}",
    )


@command(
    "quiz",
    description="Answer a multiple-choice question for points",
    options=[
        Option(
            "topic", "ml-concepts, math-statistics, deep-learning, nlp, mlops…", suggest=_topics
        ),
        Option("difficulty", "easy, medium or hard", choices=DIFFICULTIES),
    ],
    examples=["/quiz", "/quiz statistics", "/quiz topic:deep-learning difficulty:hard"],
)
async def quiz(ctx: Context, topic: str | None = None, difficulty: str | None = None) -> Reply:
    topic, difficulty = topic_and_difficulty(topic, difficulty, _topics(ctx.services))
    notes: list[str] = []
    if topic is not None:
        quiz_topics = _topics(ctx.services)
        try:
            topic = resolve_topic(topic, quiz_topics, notes)
        except UserError:
            # A topic the interview bank has but the quiz deliberately doesn't (behavioural:
            # an answer is a story, not a choice) gets pointed at /interview, not just refused.
            try:
                asked = resolve_topic(topic)
            except UserError:
                asked = None
            if asked in ctx.services.content.interview_topics() and asked not in quiz_topics:
                raise UserError(
                    f"There's no {asked} quiz: those questions need an answer in your own words. "
                    f"Try /interview {asked}."
                ) from None
            raise
    return with_notes(await post_quiz(ctx, topic, difficulty), notes)


def _another(ctx: Context, request: tuple[str, str]) -> Button:
    """ "Another quiz" for what the member asked: ``request`` is (topic, difficulty), each ""
    for any (no topic: weak-topic practice)."""
    return Button("Another quiz", actions.encode(ctx.services, "quiz.next", *request), "primary")


@action("quiz.ans")
async def answer(
    ctx: Context,
    post_id: str = "",
    choice: str = "",
    topic: str | None = None,
    difficulty: str | None = None,
    *_: str,
) -> Reply:
    store = need_store(ctx)
    pid, index = small_int(post_id), small_int(choice, 2)
    if pid is None or index is None:
        return error("That button has expired. Run /quiz again.")
    if ctx.member.is_bot:
        return error("Bots don't take quizzes.")
    post = await call(store.get_quiz_post(ctx.platform, ctx.workspace, pid))
    if post is None:
        return error("That quiz isn't available here. Run /quiz for a new one.")
    q = ctx.content.get("quiz", post.question_id)
    if q is None:
        return error("That question has left the quiz bank. Run /quiz for a new one.")
    # Buttons from before the request rode along: the answered question's topic and level.
    request = (q.topic, q.difficulty) if topic is None else (topic, difficulty or "")
    order = scoring.decode(post.option_order, len(q.options))
    if order is None:
        return error("That question has changed since it was posted. Run /quiz for a new one.")
    chosen = scoring.bank_index(order, index)
    if chosen is None:
        return error("That isn't one of the options. Run /quiz again.")
    right = f"{LETTERS[scoring.position_of(order, q.answer)]}. {q.options[q.answer]}"
    result = await call(
        store.answer_quiz(
            ctx.platform,
            ctx.workspace,
            post.id,
            ctx.member.id,
            who(ctx),
            chosen,
            chosen == q.answer,
            ctx.clock.now(),
        )
    )
    if result.status == "cooldown":
        return error(
            f"Easy there: wait {max(1, round(result.retry_after))} s before answering again."
        )
    if result.status == "already":
        verdict = "right" if result.correct else "wrong"
        mine = "?"
        if result.choice is not None and result.choice in order:
            mine = LETTERS[scoring.position_of(order, result.choice)]
        return Reply(
            text=f"You already answered this one ({mine}, which was {verdict}). Your first answer is the one that counts.",
            ephemeral=True,
            kind="error",
            buttons=(_another(ctx, request),),
        )
    if result.status == "closed":
        return Reply(
            title="This quiz has closed",
            text=f"Answers after it closes earn nothing. The answer was {right}.\n\n{q.explanation}",
            ephemeral=True,
            kind="error",
            buttons=(_another(ctx, request),),
        )
    if result.status != "recorded":
        return error("That quiz isn't available here. Run /quiz for a new one.")
    if not result.correct:  # into the spaced-review queue (FSRS: Again)
        await call(
            store.record_review(
                ctx.platform,
                ctx.workspace,
                ctx.member.id,
                who(ctx),
                "quiz",
                q.id,
                q.topic,
                review.quiz_rating(False),
                ctx.clock.now(),
            )
        )
    standing = feedback.standing_line(
        result.total, result.streak, result.previous_rank, result.rank
    )
    practice = (
        "You've answered this question before, so this is practice: no points this time.\n\n"
        if result.repeat
        else ""
    )
    if result.correct:
        title = (
            "Correct! (practice, +0)"
            if result.repeat
            else f"Correct! +{plural(result.points_awarded, 'point')}"
        )
        return Reply(
            title=title,
            text=f"{practice}{q.explanation}\n\n{standing}",
            ephemeral=True,
            kind="success",
            buttons=(_another(ctx, request),),
        )
    return Reply(
        title="Not quite",
        text=f"{practice}The answer is {right}.\n\n{q.explanation}\n\n{standing}\n"
        "It's in your /review queue for another go soon.",
        ephemeral=True,
        buttons=(_another(ctx, request),),
    )


@action("quiz.next")
async def another(ctx: Context, topic: str = "", difficulty: str = "", *_: str) -> Reply:
    return await post_quiz(
        ctx,
        topic if topic in _topics(ctx.services) else None,
        difficulty if difficulty in DIFFICULTIES else None,
    )
