"""/mock [topic] [count] (ephemeral): a mock interview of N questions for one member.

Question → "Show outline" → the member marks each outline point they covered → next; at the
end a summary per topic. Each finished question is graded for spaced review by coverage
(bot.practice.review.coverage_rating), which also feeds weak-topic practice. The session is
stored (bot.store.mocks), so its stateless ``mle|mk.…`` buttons work after a restart, and
``/mock`` again offers to resume it.
"""

from __future__ import annotations

from bot.commands._common import TOPICS, resolve_topic
from bot.commands._store import call, need_store, refuse_bots, who
from bot.commands._weak import weak_topic
from bot.core import actions
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.registry import Option, action, command
from bot.core.reply import Button, Reply, error, with_notes
from bot.core.safety import neutralize
from bot.core.wording import plural
from bot.practice import mock as rules
from bot.practice import review
from bot.practice.mock import MockSession

MAX_LABEL = 80


def _topics(services) -> list[str]:
    return services.content.interview_topics() or list(TOPICS)


def _head(s: MockSession, q) -> str:
    return f"Mock interview · {s.position + 1}/{len(s.items)} · {q.topic} · {q.difficulty}"


def _question(ctx: Context, s: MockSession, lead: str = "") -> Reply:
    q = ctx.content.get("interview", s.items[s.position])
    if q is None:
        raise UserError("A question of this session left the bank. Start a new one with /mock.")
    return Reply(
        title=_head(s, q),
        text=lead + q.question,
        buttons=(
            Button(
                "Show outline",
                actions.encode(ctx.services, "mk.show", s.id, s.position),
                "primary",
            ),
        ),
        footer="Answer out loud or on paper, then compare with the outline",
        ephemeral=True,
    )


def _outline(ctx: Context, s: MockSession) -> Reply:
    q = ctx.content.get("interview", s.items[s.position])
    if q is None:
        raise UserError("A question of this session left the bank. Start a new one with /mock.")
    covered = s.covered[s.position]
    points = q.outline[: rules.MAX_POINTS]
    lines = "\n".join(f"{'☑' if i in covered else '☐'} {i + 1}. {p}" for i, p in enumerate(points))
    toggles = []
    for i, p in enumerate(points):
        label = f"{'☑' if i in covered else '☐'} {i + 1}. {p}"
        toggles.append(
            Button(
                label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…",
                actions.encode(ctx.services, "mk.pt", s.id, s.position, i),
                "success" if i in covered else "secondary",
            )
        )
    last = s.position + 1 >= len(s.items)
    return Reply(
        title=_head(s, q),
        text=(
            f"{q.question}\n\nWhat a strong answer covers — mark each point you covered:\n"
            f"{lines}\n\nCovered {len(covered & set(range(len(points))))} of {len(points)}."
        ),
        buttons=(
            *toggles,
            Button(
                "Finish" if last else "Next question",
                actions.encode(ctx.services, "mk.next", s.id, s.position),
                "primary",
            ),
        ),
        ephemeral=True,
        replace=True,
    )


def _summary(ctx: Context, s: MockSession) -> Reply:
    questions = [ctx.content.get("interview", i) for i in s.items]
    rows = rules.summary(s, questions)
    lines = "\n".join(
        f"• {r.topic}: {plural(r.questions, 'question')}, covered {r.covered} of "
        f"{plural(r.points, 'outline point')} ({r.percent}%)"
        for r in rows
    )
    weakest = rows[0].topic if rows else None
    tip = (
        f"\n\nEach question is now in your /review queue, scheduled by how much you covered. "
        f"Next: /interview {weakest}, or another /mock {weakest}."
        if weakest
        else ""
    )
    return Reply(
        title="Mock interview · summary",
        text=f"By topic (weakest first):\n{lines}{tip}",
        ephemeral=True,
        kind="success",
    )


async def _session(ctx: Context, session_id: str) -> MockSession | None:
    if not (session_id.isascii() and session_id.isdigit() and len(session_id) <= 18):
        return None
    return await call(
        ctx.store.get_mock(ctx.platform, ctx.workspace, ctx.member.id, int(session_id))
    )


async def _start(ctx: Context, topic: str | None, count: int) -> Reply:
    store = need_store(ctx)
    chosen = topic or await weak_topic(ctx, "interview", ctx.content.interview)
    pool = [q for q in ctx.content.interview if chosen is None or q.topic == chosen]
    if not pool:
        raise UserError("No interview questions for that topic yet. Try /mock with another topic.")
    seen = await call(store.seen_items(ctx.platform, ctx.workspace, ctx.member.id, "interview"))
    items = rules.choose_items(pool, count, ctx.services.rng, seen)
    now = ctx.clock.now()
    s = await call(
        store.start_mock(
            ctx.platform,
            ctx.workspace,
            ctx.member.id,
            who(ctx),
            chosen,
            tuple(q.id for q in items),
            now,
        )
    )
    for q in items:
        await call(
            store.mark_seen(
                ctx.platform, ctx.workspace, ctx.member.id, who(ctx), "interview", q.id, now
            )
        )
    lead = ""
    if len(items) < count:
        lead = f"Only {plural(len(items), 'question')} in {chosen}, so the session has those.\n\n"
    elif topic is None and chosen is not None:
        lead = f"Topic: {chosen} (one of your weaker ones; name a topic to choose).\n\n"
    return _question(ctx, s, lead)


@command(
    "mock",
    description="A mock interview: N questions, outline self-check, summary by topic (only you see it)",
    options=[
        Option(
            "topic",
            "nlp, system-design, ml-concepts… (default: one of your weaker topics)",
            suggest=_topics,
        ),
        Option(
            "count",
            "how many questions (1–10, default 3)",
            type="integer",
            min_value=1,
            max_value=rules.MAX_COUNT,
        ),
    ],
    examples=["/mock", "/mock nlp 3", "/mock topic:system-design count:5"],
    ephemeral=True,
)
async def mock(ctx: Context, topic: str | None = None, count: int | None = None) -> Reply:
    store = need_store(ctx)
    refuse_bots(ctx)
    if topic is not None and count is None and topic.strip().isdigit():  # "/mock 5"
        topic, count = None, int(topic.strip())
    if count is not None and not 1 <= count <= rules.MAX_COUNT:
        raise UserError(f"A mock interview has 1 to {rules.MAX_COUNT} questions; try /mock nlp 3.")
    notes: list[str] = []
    if topic is not None:
        topic = resolve_topic(topic, _topics(ctx.services), notes)
    count = count or rules.DEFAULT_COUNT
    active = await call(store.active_mock(ctx.platform, ctx.workspace, ctx.member.id))
    if active is not None and not active.finished:
        about = f" on {neutralize(active.topic, 32)}" if active.topic else ""
        new = f"{count} questions" + (f" on {topic}" if topic else "")
        return Reply(
            title="Mock interview in progress",
            text=(
                f"You have a mock interview{about} at question {active.position + 1} of "
                f"{len(active.items)}. Resume it, or start the new one ({new}; the old one "
                "ends)."
            ),
            buttons=(
                Button("Resume", actions.encode(ctx.services, "mk.resume", active.id), "primary"),
                Button("Start new", actions.encode(ctx.services, "mk.new", topic or "", count)),
            ),
            ephemeral=True,
        )
    return with_notes(await _start(ctx, topic, count), notes)


@action("mk.new")
async def start_new(ctx: Context, topic: str = "", count: str = "", *_: str) -> Reply:
    need_store(ctx)
    refuse_bots(ctx)
    n = int(count) if count.isascii() and count.isdigit() and len(count) < 3 else 0
    if topic not in _topics(ctx.services) and topic != "" or not 1 <= n <= rules.MAX_COUNT:
        return error("That button has expired. Run /mock again.")
    return await _start(ctx, topic or None, n)


@action("mk.resume")
async def resume(ctx: Context, session_id: str = "", *_: str) -> Reply:
    need_store(ctx)
    s = await _session(ctx, session_id)
    if s is None or s.status != "active":
        return error("That mock interview is over. Run /mock for a new one.")
    return _question(ctx, s, "Welcome back.\n\n")


async def _current(ctx: Context, session_id: str, position: str) -> MockSession | Reply:
    """The session if the button is for its current question, else a Reply saying where it is."""
    need_store(ctx)
    s = await _session(ctx, session_id)
    if s is None:
        return error("That mock interview isn't yours or is gone. Run /mock for a new one.")
    if s.status == "done":
        return _summary(ctx, s)
    if s.status != "active":
        return error("That mock interview was replaced by a newer one. Run /mock to resume it.")
    if position != str(s.position):
        return _question(ctx, s, "That question is done; here is where you are.\n\n")
    return s


@action("mk.show")
async def show(ctx: Context, session_id: str = "", position: str = "", *_: str) -> Reply:
    s = await _current(ctx, session_id, position)
    return s if isinstance(s, Reply) else _outline(ctx, s)


@action("mk.pt")
async def point(
    ctx: Context, session_id: str = "", position: str = "", index: str = "", *_: str
) -> Reply:
    s = await _current(ctx, session_id, position)
    if isinstance(s, Reply):
        return s
    i = int(index) if index.isascii() and index.isdigit() and len(index) < 3 else rules.MAX_POINTS
    q = ctx.content.get("interview", s.items[s.position])
    if q is None or i >= min(len(q.outline), rules.MAX_POINTS):
        return error("That button has expired. Run /mock to resume.")
    s = s.toggle(i)
    await call(store_save(ctx, s, s.position))
    return _outline(ctx, s)


def store_save(ctx: Context, s: MockSession, expected: int):
    return ctx.store.save_mock(ctx.platform, ctx.workspace, s, ctx.clock.now(), expected=expected)


@action("mk.next")
async def next_question(ctx: Context, session_id: str = "", position: str = "", *_: str) -> Reply:
    s = await _current(ctx, session_id, position)
    if isinstance(s, Reply):
        return s
    q = ctx.content.get("interview", s.items[s.position])
    if q is None:
        return error("That question left the bank. Run /mock for a new session.")
    covered = len({i for i in s.covered[s.position] if i < min(len(q.outline), rules.MAX_POINTS)})
    moved = s.advance()
    if not await call(store_save(ctx, moved, s.position)):  # a double click: already moved on
        again = await _session(ctx, session_id)
        return _summary(ctx, again) if again and again.status == "done" else _question(ctx, again)
    rating = review.coverage_rating(covered, min(len(q.outline), rules.MAX_POINTS))
    await call(
        ctx.store.record_review(
            ctx.platform,
            ctx.workspace,
            ctx.member.id,
            who(ctx),
            "interview",
            q.id,
            q.topic,
            rating,
            ctx.clock.now(),
            study=True,
        )
    )
    if moved.finished:
        return _summary(ctx, moved)
    return _question(ctx, moved)
