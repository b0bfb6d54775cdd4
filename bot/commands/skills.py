"""/skills [category]: the skills the guides say an ML engineer needs, and why."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import get_args

from bot.commands._common import footer_for
from bot.content import with_note
from bot.content.schema import SkillCategory
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.lookup import Resolver, did_you_mean, fold, resolve_any
from bot.core.registry import Option, command
from bot.core.reply import Entry, Reply
from bot.core.safety import neutralize

CATEGORIES: tuple[str, ...] = get_args(SkillCategory)
LABELS = {
    "math": "Mathematics",
    "cs": "Computer science",
    "ml": "Machine learning",
    "data": "Data",
    "signal-processing": "Signal processing",
    "software": "Software engineering",
    "tools": "Tools and frameworks",
    "soft-skills": "Soft skills",
}
ALIASES = {
    "mathematics": "math",
    "maths": "math",
    "computer science": "cs",
    "programming": "cs",
    "machine learning": "ml",
    "deep learning": "ml",
    "frameworks": "tools",
    "libraries": "tools",
    "software engineering": "software",
    "engineering": "software",
    "soft": "soft-skills",
    "signal": "signal-processing",
    "signals": "signal-processing",
}


def _categories(services) -> list[str]:
    return services.content.skill_categories() or list(CATEGORIES)


@command(
    "skills",
    description="Skills an ML engineer needs, by category, and why they matter",
    options=[
        Option(
            "category",
            "math, cs, ml, data, tools, soft-skills… or a skill name",
            suggest=_categories,
        )
    ],
    examples=["/skills", "/skills math", "/skills pytorch"],
    needs_store=False,
    paged=True,
    page_size=8,
)
async def skills(ctx: Context, category: str | None = None) -> Reply:
    content = ctx.content
    if category is None:
        items = []
        for cat in _categories(ctx.services):
            names = [s.name for s in content.skills if s.category == cat]
            items.append(Entry(f"{LABELS.get(cat, cat)} ({cat})", ", ".join(names)))
        return Reply(
            title="Skills for ML engineers",
            text="Pick a category with /skills <category>, or name a skill: /skills pytorch.",
            items=tuple(items),
        )
    hits = resolve_any(category, _resolvers(content))
    if len(hits) == 1:
        hit = hits[0]
        note = None if hit.exact else f"Showing {hit.name} for “{neutralize(category, 40)}”."
        kind, value = hit.item
        if kind == "skill":
            return _skill_card(value, note, content)
        return _category_list(content, value, note)
    shown = neutralize(category, 40)
    near = [m.name for m in hits] or [
        n for r in _resolvers(content) for n in r.suggest(category, 3)
    ][:4]
    raise UserError(
        f"The guides name no skill called “{shown}”.{did_you_mean(near)} "
        f"Categories: {', '.join(CATEGORIES)}. /search {shown} looks through everything."
    )


@lru_cache(maxsize=8)  # one set per loaded content (immutable)
def _resolvers(content) -> tuple[Resolver, Resolver, Resolver]:
    """In priority order: categories by id and label; skills by full name (and by the name
    without its parenthesis when no other skill has that name: "complexity"); categories by
    synonym ("deep learning" is a skill before it is a synonym of ml)."""
    categories = Resolver((("category", c), LABELS.get(c, c), [c]) for c in CATEGORIES)
    full = {fold(s.name) for s in content.skills}

    def short(name: str) -> list[str]:
        bare = _PAREN.sub("", name)
        return [bare] if fold(bare) not in full else []

    skills = Resolver((("skill", s), s.name, short(s.name)) for s in content.skills)
    synonyms = Resolver(
        (("category", c), LABELS.get(c, c), [a for a, t in ALIASES.items() if t == c])
        for c in CATEGORIES
        if any(t == c for t in ALIASES.values())
    )
    return categories, skills, synonyms


_PAREN = re.compile(r"\s*\([^)]*\)")


def _skill_card(s, note: str | None, content) -> Reply:
    text = with_note(s.description + (f"\nWhy it matters: {s.why}" if s.why else ""), s)
    return Reply(
        title=f"{s.name} — {LABELS.get(s.category, s.category)}",
        text=((note + "\n") if note else "") + text,
        footer=footer_for([s.source], content),
    )


def _category_list(content, cat: str, note: str | None) -> Reply:
    chosen = [s for s in content.skills if s.category == cat]
    items = tuple(
        Entry(
            s.name,
            with_note(s.description + (f" Why it matters: {s.why}" if s.why else ""), s),
            content.cite(s.source),
        )
        for s in chosen
    )
    text = note if items else ((note + " ") if note else "") + "No skills in this category yet."
    label = LABELS.get(cat, cat)
    title = label if label.lower().endswith("skills") else f"{label} skills"
    return Reply(title=title, text=text, items=items)
