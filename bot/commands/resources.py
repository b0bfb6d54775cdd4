"""/resources [topic] [kind]: courses, books, blogs, practice and job platforms, communities."""

from __future__ import annotations

from typing import get_args

from rapidfuzz import fuzz, process

from bot.content import norm, with_note
from bot.content.schema import Resource, ResourceKind
from bot.core.context import Context
from bot.core.errors import UserError
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


def _match_topic(content, topic: str) -> list[Resource]:
    key = norm(topic).replace(" ", "-")
    exact = [r for r in content.resources if key in r.topics or key in r.tags]
    if exact:
        return exact
    # A resource named by its title, provider or author ("datacamp", "andrew ng") before a
    # fuzzy topic: WRatio scores one-letter topics such as "c" 100 inside any word.
    words = norm(topic)
    named = [
        r
        for r in content.resources
        if words in norm(" ".join([r.title, r.provider or "", *r.authors]))
    ]
    if named:
        return named
    topics = content.resource_topics()
    hit = process.extractOne(key, topics, scorer=fuzz.WRatio, score_cutoff=85)
    if hit:
        return [r for r in content.resources if hit[0] in r.topics]
    near = [t for t, s, _ in process.extract(key, topics, scorer=fuzz.WRatio, limit=4) if s >= 50]
    hint = f" Try: {', '.join(near)}." if near else ""
    raise UserError(f"I have no resources on “{neutralize(topic, 40)}”.{hint}")


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
    found = list(ctx.content.resources) if topic is None else _match_topic(ctx.content, topic)
    if kind is not None:
        found = [r for r in found if r.kind == kind]
    title = "Learning resources"
    if topic:
        title += f" on {neutralize(topic, 40)}"
    if kind:
        title += f" ({kind})"
    if not found:
        return Reply(title=title, text="Nothing matches both filters. Try without kind.")
    items = tuple(Entry(r.title, _describe(r), ctx.content.cite(r.source)) for r in found)
    return Reply(title=title, items=items)
