"""The neutral Reply for a daily prompt: topic, what to study, a question, a resource, a button."""

from __future__ import annotations

from datetime import date

from bot.content import Content, with_note
from bot.core import actions
from bot.core.mentions import decode
from bot.core.reply import Button, Entry, Field, Reply
from bot.core.safety import neutralize
from scheduler.curriculum import Pick

CHECKIN_ACTION = "daily-in"
CHECKIN_LABEL = "I studied this"
COPY_MARK = "copy"  # last button argument of an extra copy posted by ``daily now``
STAGE_NAMES = {
    "math": "Math foundations",
    "cs": "Computer science",
    "ml-concepts": "ML concepts",
    "algorithms": "Algorithms",
    "tools": "Tools and frameworks",
    "projects": "Projects",
    "interview": "Interview preparation",
}


def delivery_key(subscription_id: int, local_date: date) -> str:
    """The idempotency key of one scheduled post: deterministic in (subscription, local date),
    so every attempt by any process carries the same one (≤ 25 characters: Discord's nonce
    limit). It is also the prompt id check-ins refer to."""
    return f"s{subscription_id}-{local_date:%Y%m%d}"


def recap_key(subscription_id: int, local_date: date) -> str:
    """The idempotency key of one weekly recap (``r<subscription>-<YYYYMMDD>``, the local date
    of its instant): like ``delivery_key``, but never a prompt id a check-in could use."""
    return f"r{subscription_id}-{local_date:%Y%m%d}"


THREAD_NAME_MAX = 100  # Discord's limit for a thread name


def thread_title(pick: Pick) -> str:
    """The discussion thread's name for a prompt: "Day 12 · <lesson topic>", plain text with
    no mentions, at most 100 characters."""
    topic = neutralize(pick.lesson.topic, THREAD_NAME_MAX)
    title = f"Day {pick.day} · {topic}"
    if len(title) > THREAD_NAME_MAX:
        title = title[: THREAD_NAME_MAX - 1].rstrip() + "…"
    return title


def prompt_id(subscription_id: int, local_date: date | None, cursor: int) -> str:
    """What a check-in refers to: one scheduled day of one subscription (or one manual post)."""
    if local_date is not None:
        return delivery_key(subscription_id, local_date)
    return f"s{subscription_id}-n{cursor}"


def build_prompt(
    content: Content,
    pick: Pick,
    *,
    track: str,
    prompt: str,
    local_date: date | None = None,
    role: str | None = None,
    copy: bool = False,
) -> Reply:
    """The Reply posted to a channel for one lesson.

    The check-in button's action is ``daily-in|<prompt id>``, its last argument the delivery
    key a platform search can recognise; an extra copy (``daily now``, ``copy=True``) adds a
    marker after it, so reconciliation never mistakes the copy for the scheduled post (a
    check-in on either counts once: same prompt id)."""
    lesson = pick.lesson
    resource = content.get("resources", lesson.resource)
    items = [Entry("Question to answer", lesson.question)]
    sources = [lesson.source]
    if resource is not None:
        bits = [resource.kind]  # type: ignore[attr-defined]
        if getattr(resource, "provider", None):
            bits.append(resource.provider)  # type: ignore[attr-defined]
        text = " · ".join(bits)
        if getattr(resource, "description", None):
            text += ". " + resource.description  # type: ignore[attr-defined]
        text = with_note(text, resource)
        if getattr(resource, "url", None):
            text += "\nLink: " + resource.url  # type: ignore[attr-defined]
        items.append(
            Entry(f"Resource: {resource.title}", text, content.cite(resource.source))  # type: ignore[attr-defined]
        )
        sources.append(resource.source)
    fields = [
        Field("Stage", STAGE_NAMES.get(lesson.stage, lesson.stage)),
        Field("Track", track),
        Field(
            "Day",
            f"{pick.day} of {pick.length}" + (f" (cycle {pick.cycle})" if pick.cycle > 1 else ""),
        ),
    ]
    mention = decode(role)  # an admin-configured ping, or plain text shown as "For"
    if role and mention is None:
        fields.append(Field("For", neutralize(role, 60)))
    when = f" — {local_date:%a %d %b %Y}" if local_date else ""
    footer = "Source: " + "; ".join(content.cite(s, file=True) for s in dict.fromkeys(sources))
    args = (prompt, COPY_MARK) if copy else (prompt,)
    return Reply(
        title=f"Daily study prompt{when}: {lesson.topic}",
        text=f"Today: {lesson.study}",
        fields=tuple(fields),
        items=tuple(items),
        buttons=(Button(CHECKIN_LABEL, actions.encode(None, CHECKIN_ACTION, *args), "success"),),
        footer=footer,
        mentions=(mention,) if mention else (),
    )
