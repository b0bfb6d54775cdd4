"""/interview [topic] [difficulty]: a question, with buttons to reveal the outline or get another."""

from __future__ import annotations

from bot.commands._common import (
    DIFFICULTIES,
    TOPICS,
    footer_for,
    resolve_topic,
    topic_and_difficulty,
)
from bot.commands._store import mark_seen, pick_unseen
from bot.commands._weak import weak_topic
from bot.commands.review import rating_buttons, with_outline
from bot.core import actions
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.registry import Option, action, command
from bot.core.reply import Button, Reply, with_notes


def _topics(services) -> list[str]:
    return services.content.interview_topics() or list(TOPICS)


def _another(ctx: Context, topic: str | None, difficulty: str | None) -> Button:
    """ "Another question" for what the member asked (None: any; no topic is weak-topic
    practice)."""
    return Button(
        "Another question", actions.encode(ctx.services, "iv.next", topic or "", difficulty or "")
    )


def _question_reply(ctx: Context, q, topic: str | None, difficulty: str | None) -> Reply:
    # The member's request rides on "Reveal" too, so the outline's "Another question" asks
    # the same again.
    reveal = actions.encode(ctx.services, "iv.reveal", q.id, topic or "", difficulty or "")
    return Reply(
        title=f"Interview question · {q.topic} · {q.difficulty}",
        text=q.question,
        buttons=(
            Button("Reveal answer outline", reveal, "primary"),
            _another(ctx, topic, difficulty),
        ),
        footer=footer_for([q.source], ctx.content),
    )


async def pick(ctx: Context, topic: str | None, difficulty: str | None):
    if topic is None:  # weak-topic practice: mostly the member's weakest topics
        topic = await weak_topic(
            ctx,
            "interview",
            [q for q in ctx.content.interview if difficulty in (None, q.difficulty)],
        )
    pool = [
        q
        for q in ctx.content.interview
        if (topic is None or q.topic == topic)
        and (difficulty is None or q.difficulty == difficulty)
    ]
    if not pool:
        raise UserError("No questions match that topic and difficulty yet. Try another difficulty.")
    q = await pick_unseen(ctx, "interview", pool)
    await mark_seen(ctx, "interview", q.id)
    return q


@command(
    "interview",
    description="Practise an interview question; reveal the answer outline when ready",
    options=[
        Option(
            "topic",
            "ml-concepts, algorithms, math-statistics, deep-learning, nlp, system-design…",
            suggest=_topics,
        ),
        Option("difficulty", "easy, medium or hard", choices=DIFFICULTIES),
    ],
    examples=[
        "/interview",
        "/interview statistics",
        "/interview topic:system-design difficulty:hard",
    ],
)
async def interview(ctx: Context, topic: str | None = None, difficulty: str | None = None) -> Reply:
    topic, difficulty = topic_and_difficulty(topic, difficulty, _topics(ctx.services), "interview")
    notes: list[str] = []
    if topic is not None:
        topic = resolve_topic(topic, _topics(ctx.services), notes)
    return with_notes(
        _question_reply(ctx, await pick(ctx, topic, difficulty), topic, difficulty), notes
    )


@action("iv.reveal")
async def reveal(
    ctx: Context,
    question_id: str = "",
    topic: str | None = None,
    difficulty: str | None = None,
    *_: str,
) -> Reply:
    q = ctx.content.get("interview", question_id)
    if q is None:
        raise UserError("That question is no longer in the bank. Try /interview again.")
    if topic is None:  # a button from before the request rode along: this question's topic
        topic, difficulty = q.topic, ""
    return Reply(
        title=f"Interview question · {q.topic} · {q.difficulty}",
        text=f"{with_outline(q)}\n\nHow did you do? Your grade schedules it for /review.",
        buttons=(
            *(rating_buttons(ctx, q.id, "iv") if ctx.store is not None else ()),
            _another(ctx, topic or None, difficulty or None),
        ),
        footer=(
            footer_for([q.source], ctx.content)
            if q.outline_source == q.source
            else f"Question: {ctx.content.cite(q.source, file=True)} · "
            f"Outline: {ctx.content.cite(q.outline_source, file=True)}"
        ),
        replace=True,
    )


@action("iv.next")
async def another(ctx: Context, topic: str = "", difficulty: str = "", *_: str) -> Reply:
    topic_ = topic if topic in TOPICS else None
    diff = difficulty if difficulty in DIFFICULTIES else None
    return _question_reply(ctx, await pick(ctx, topic_, diff), topic_, diff)
