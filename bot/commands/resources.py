"""/resources [topic] [kind]: courses, books, blogs, practice and job platforms, communities."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import get_args

from bot.content import with_note
from bot.content.schema import Resource, ResourceKind
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.lookup import Resolver, fold
from bot.core.registry import Option, command
from bot.core.reply import Entry, Reply
from bot.core.safety import neutralize

KINDS: tuple[str, ...] = get_args(ResourceKind)
KIND_ALIASES = {
    "courses": "course",
    "books": "book",
    "blogs": "blog",
    "jobs": "job-platform",
    "job": "job-platform",
    "job platforms": "job-platform",
    "communities": "community",
    "certifications": "certification",
    "certs": "certification",
    "videos": "video",
    "podcasts": "podcast",
    "tools": "tool",
    "datasets": "dataset",
    "practice platforms": "practice",
}


def _topics(services) -> list[str]:
    return services.content.resource_topics()


def _describe(r: Resource) -> str:
    bits = [r.kind]
    if r.authors:
        bits.append("by " + ", ".join(r.authors))
    if r.provider:
        bits.append(r.provider)
    text = " · ".join(bits)
    if r.description:
        text += f". {r.description}"
    text = with_note(text, r)
    if r.url:
        text += f"\nLink: {r.url}"
    return text


@lru_cache(maxsize=8)  # one per loaded content (immutable)
def _topic_resolver(content) -> Resolver[str]:
    """Topics by name and the resources' tags that name a topic of their own (not the
    "also-in-000" bookkeeping tags)."""
    tags = sorted({t for r in content.resources for t in r.tags if not t.startswith("also-in")})
    topics = content.resource_topics()
    return Resolver([(t, t, ()) for t in topics] + [(t, t, ()) for t in tags if t not in topics])


def _match_topic(content, topic: str) -> tuple[list[Resource], str | None, str]:
    """Resources on ``topic``, a note when it was read as a close typo, and the topic as
    read (for the title).

    A topic or tag (exact, or a close typo — the note says so), else resources whose title,
    provider or author contains the words as whole words ("coursera", "andrew ng"), else a
    UserError with the nearest topics. Never a loose fuzzy guess."""
    hits = _topic_resolver(content).candidates(topic)
    if len(hits) == 1:
        key = hits[0].item
        found = [r for r in content.resources if key in r.topics or key in r.tags]
        # Resources about this topic first (it is their first topic), general platforms that
        # cover many topics after; otherwise the file's order.
        found.sort(key=lambda r: (not r.topics or r.topics[0] != key, len(r.topics)))
        note = None if hits[0].exact else f"Showing {key} for “{neutralize(topic, 40)}”."
        return found, note, key
    words = fold(topic)
    if len(words) > 1:  # a lone letter would match initials ("David R. O'Hallaron")
        phrase = re.compile(rf"(?<![\w+#]){re.escape(words)}(?![\w+#])")
        named = [
            r
            for r in content.resources
            if phrase.search(fold(" ".join([r.title, r.provider or "", *r.authors])))
        ]
        if named:
            return named, None, neutralize(topic, 40)
    near = [m.item for m in hits] or _topic_resolver(content).suggest(topic, 4)
    hint = f" Try: {', '.join(near)}." if near else ""
    raise UserError(f"I have no resources on “{neutralize(topic, 40)}”.{hint}")


def _none(ctx: Context, topic: str | None, kind: str | None) -> str:
    """Why a /resources lookup found nothing, and what to try instead."""
    kinds = sorted({r.kind for r in ctx.content.resources})
    if kind is not None and kind not in kinds:
        return f"There are no {kind} resources yet. Kinds with resources: {', '.join(kinds)}."
    shown = topic or ""
    return (
        f"No {kind} resources on {shown}. Try /resources {shown} for every kind, or "
        f"/resources kind:{kind} for every topic."
    )


@command(
    "resources",
    description="Learning resources: courses, books, blogs, practice and job platforms",
    options=[
        Option(
            "topic", "A topic such as statistics, deep-learning, python, career", suggest=_topics
        ),
        Option(
            "kind",
            "course, book, blog, practice, job-platform, community…",
            choices=KINDS,
            aliases=KIND_ALIASES,
        ),
    ],
    examples=["/resources", "/resources statistics", "/resources topic:python kind:book"],
    needs_store=False,
    paged=True,
)
async def resources(ctx: Context, topic: str | None = None, kind: str | None = None) -> Reply:
    found, note, shown = list(ctx.content.resources), None, ""
    if topic is not None:
        found, note, shown = _match_topic(ctx.content, topic)
    if kind is not None:
        found = [r for r in found if r.kind == kind]
    title = "Learning resources"
    if topic:
        title += f" on {shown}"
    if kind:
        title += f" ({kind})"
    if not found:
        return Reply(title=title, text=((note + " ") if note else "") + _none(ctx, shown, kind))
    items = tuple(Entry(r.title, _describe(r), ctx.content.cite(r.source)) for r in found)
    return Reply(title=title, text=note, items=items)
