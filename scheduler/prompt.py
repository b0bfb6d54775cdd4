"""The neutral Reply for a daily prompt: topic, what to study, a question, a resource, a button."""

from __future__ import annotations

from datetime import date

from bot.content import Content
from bot.content.schema import AUTHORED
from bot.core import actions
from bot.core.mentions import decode
from bot.core.reply import Button, Entry, Field, Reply
from bot.core.safety import neutralize
from scheduler.curriculum import Pick

CHECKIN_ACTION = "daily-in"
CHECKIN_LABEL = "I studied this"
STAGE_NAMES = {
    "math": "Math foundations",
    "cs": "Computer science",
    "ml-concepts": "ML concepts",
    "algorithms": "Algorithms",
    "tools": "Tools and frameworks",
    "projects": "Projects",
    "interview": "Interview preparation",
}


def source_label(source: str) -> str:
    return "authored by the MLE study bot team" if source == AUTHORED else source


def prompt_id(subscription_id: int, local_date: date | None, cursor: int) -> str:
    """What a check-in refers to: one scheduled day of one subscription (or one manual post)."""
    if local_date is not None:
        return f"s{subscription_id}-{local_date:%Y%m%d}"
    return f"s{subscription_id}-n{cursor}"


def build_prompt(
    content: Content,
    pick: Pick,
    *,
    track: str,
    prompt: str,
    local_date: date | None = None,
    role: str | None = None,
) -> Reply:
    """The Reply posted to a channel for one lesson."""
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
        if getattr(resource, "url", None):
            text += " " + resource.url  # type: ignore[attr-defined]
        items.append(
            Entry(f"Resource: {resource.title}", text, source_label(resource.source))  # type: ignore[attr-defined]
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
    footer = "Source: " + ", ".join(source_label(s) for s in dict.fromkeys(sources))
    return Reply(
        title=f"Daily study prompt{when}: {lesson.topic}",
        text=f"Today: {lesson.study}",
        fields=tuple(fields),
        items=tuple(items),
        buttons=(Button(CHECKIN_LABEL, actions.encode(None, CHECKIN_ACTION, prompt), "success"),),
        footer=footer,
        mentions=(mention,) if mention else (),
    )
