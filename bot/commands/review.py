"""/review (ephemeral): spaced review of what is due, scheduled with FSRS (bot.practice.review).

Quiz items show their options (shuffled per showing; the order travels in the button id) and
are graded right → Good, wrong → Again. Interview items show the question, then "Show
outline", then Again / Hard / Good / Easy. Every grade counts as a study day.
"""

from __future__ import annotations

from bot.commands._store import call, need_store, refuse_bots, who
from bot.commands._weak import until
from bot.core import actions
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.registry import action, command
from bot.core.reply import Button, Reply, error
from bot.core.wording import plural
from bot.practice import review as rules
from bot.practice import scoring
from bot.practice.recap import REVIEW_ACTION

LETTERS = "ABCDE"
MAX_LABEL = 80
EMPTY = (
    "Your review queue is empty. Quiz questions you get wrong and interview questions you "
    "grade yourself on come back here when they're due."
)


def rating_buttons(ctx: Context, item_id: str, origin: str = "rv") -> tuple[Button, ...]:
    """Again / Hard / Good / Easy for an interview item
    (``rv.g|interview|<id>|<rating>|<origin>``; origin "iv": graded from /interview)."""
    return tuple(
        Button(
            label, actions.encode(ctx.services, "rv.g", "interview", item_id, name, origin), style
        )
        for name, label, style in (
            ("again", "Again", "danger"),
            ("hard", "Hard", "secondary"),
            ("good", "Good", "primary"),
            ("easy", "Easy", "success"),
        )
    )


def _label(i: int, option: str) -> str:
    label = f"{LETTERS[i]}. {option}"
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


async def _status(ctx: Context) -> str:
    due, total, nxt = await call(
        ctx.store.review_counts(ctx.platform, ctx.workspace, ctx.member.id, ctx.clock.now())
    )
    if total == 0:
        return EMPTY
    if due:
        return f"{plural(due, 'review')} due now."
    return (
        f"Nothing due right now. {plural(total, 'card')} queued; the next is due "
        f"{until(nxt, ctx.clock.now())}."
    )


async def next_item(ctx: Context, skip: str = "", lead: str = "") -> Reply:
    """The member's next due card as a Reply (or where their queue stands)."""
    store = need_store(ctx)
    now = ctx.clock.now()
    while True:
        card = await call(
            store.next_review(ctx.platform, ctx.workspace, ctx.member.id, now, skip=skip)
        )
        if card is None:
            return Reply(title="Review", text=lead + await _status(ctx), ephemeral=True)
        q = ctx.content.get(card.kind, card.item_id)
        if q is not None:
            break
        # The item left the bank: nothing to show, so it leaves the queue too.
        await call(
            store.drop_review(ctx.platform, ctx.workspace, ctx.member.id, card.kind, card.item_id)
        )
    title = f"Review · {q.topic} · {q.difficulty}"
    if card.kind == "quiz":
        order = scoring.shuffled(len(q.options), ctx.services.rng)
        shown = [q.options[i] for i in order]
        code = scoring.encode(order)
        return Reply(
            title=title,
            text=lead
            + q.question
            + "\n\n"
            + "\n".join(f"{LETTERS[i]}. {o}" for i, o in enumerate(shown)),
            buttons=tuple(
                Button(_label(i, o), actions.encode(ctx.services, "rv.q", q.id, i, code))
                for i, o in enumerate(shown)
            ),
            footer="Spaced review (FSRS): right → Good, wrong → Again",
            ephemeral=True,
        )
    return Reply(
        title=title,
        text=lead + q.question,
        buttons=(Button("Show outline", actions.encode(ctx.services, "rv.show", q.id), "primary"),),
        footer="Answer it in your head or on paper, then compare with the outline",
        ephemeral=True,
    )


@command(
    "review",
    description="Spaced review: the quiz and interview questions due for you now (only you see it)",
    examples=["/review"],
    ephemeral=True,
)
async def review(ctx: Context) -> Reply:
    refuse_bots(ctx)
    return await next_item(ctx)


async def _grade(ctx: Context, kind: str, q, rating) -> str:
    card = await call(
        ctx.store.record_review(
            ctx.platform,
            ctx.workspace,
            ctx.member.id,
            who(ctx),
            kind,
            q.id,
            q.topic,
            rating,
            ctx.clock.now(),
            study=True,
        )
    )
    return f"Rated {rules.LABELS[rating]}: this comes back {until(card.due, ctx.clock.now())}.\n\n"


@action(REVIEW_ACTION)
async def from_recap(ctx: Context, *_key: str) -> Reply:
    """The weekly recap's "Review what's due" button: the presser's own /review (the
    argument is the recap's delivery key, there for reconciliation only)."""
    refuse_bots(ctx)
    return await next_item(ctx)


@action("rv.q")
async def answer(
    ctx: Context, item_id: str = "", position: str = "", code: str = "", *_: str
) -> Reply:
    need_store(ctx)
    refuse_bots(ctx)
    q = ctx.content.get("quiz", item_id)
    if q is None:
        return error("That question has left the quiz bank. Run /review again.")
    order = scoring.decode(code, len(q.options))
    pos = position if position.isascii() and position.isdigit() and len(position) < 3 else ""
    chosen = scoring.bank_index(order, int(pos)) if order is not None and pos else None
    if chosen is None:
        return error("That button has expired. Run /review again.")
    correct = chosen == q.answer
    lead = await _grade(ctx, "quiz", q, rules.quiz_rating(correct))
    right = f"{LETTERS[scoring.position_of(order, q.answer)]}. {q.options[q.answer]}"
    verdict = "Right!" if correct else f"Not quite: the answer is {right}."
    return await next_item(ctx, skip=q.id, lead=f"{verdict} {q.explanation}\n{lead}")


def with_outline(q) -> str:
    """An interview question followed by its answer outline, one bullet per point."""
    outline = "\n".join(f"• {point}" for point in q.outline)
    return f"{q.question}\n\nWhat a strong answer covers:\n{outline}"


@action("rv.show")
async def show(ctx: Context, item_id: str = "", *_: str) -> Reply:
    q = ctx.content.get("interview", item_id)
    if q is None:
        raise UserError("That question is no longer in the bank. Run /review again.")
    return Reply(
        title=f"Review · {q.topic} · {q.difficulty}",
        text=f"{with_outline(q)}\n\nHow did you do?",
        buttons=rating_buttons(ctx, q.id),
        ephemeral=True,
        replace=True,
    )


@action("rv.g")
async def graded(
    ctx: Context, kind: str = "", item_id: str = "", rating: str = "", origin: str = "", *_: str
) -> Reply:
    need_store(ctx)
    refuse_bots(ctx)
    value = rules.parse_rating(rating)
    q = ctx.content.get("interview", item_id) if kind == "interview" else None
    if value is None or q is None:
        return error("That button has expired. Run /review again.")
    lead = await _grade(ctx, "interview", q, value)
    if origin == "iv":  # graded from /interview: back to practice, the queue is one command away
        return Reply(
            title="Saved for review",
            text=lead + await _status(ctx) + " Run /review when you're ready.",
            buttons=(
                Button("Another question", actions.encode(ctx.services, "iv.next", q.topic, "")),
            ),
            ephemeral=True,
        )
    return await next_item(ctx, skip=q.id, lead=lead)
