"""/skills [category]: the skills the guides say an ML engineer needs, and why."""

from __future__ import annotations

from typing import get_args

from rapidfuzz import fuzz, process

from bot.commands._common import footer_for
from bot.content import norm, with_note
from bot.content.schema import SkillCategory
from bot.core.context import Context
from bot.core.dispatch import pick_choice
from bot.core.errors import UserError
from bot.core.registry import Option, command
from bot.core.reply import Entry, Reply

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
    key = norm(category)
    cat = ALIASES.get(key) or (
        key.replace(" ", "-") if key.replace(" ", "-") in CATEGORIES else None
    )
    if cat is None:
        by_name = {norm(s.name): s for s in content.skills}
        hit = process.extractOne(key, list(by_name), scorer=fuzz.WRatio, score_cutoff=88)
        if hit:
            s = by_name[hit[0]]
            text = with_note(s.description + (f"\nWhy it matters: {s.why}" if s.why else ""), s)
            return Reply(
                title=f"{s.name} — {LABELS.get(s.category, s.category)}",
                text=text,
                footer=footer_for([s.source], ctx.content),
            )
        try:
            cat = pick_choice("category", key.replace(" ", "-"), CATEGORIES)
        except UserError as exc:
            raise UserError(
                exc.message + " You can also name a skill, e.g. /skills pytorch."
            ) from None
    chosen = [s for s in content.skills if s.category == cat]
    items = tuple(
        Entry(
            s.name,
            with_note(s.description + (f" Why it matters: {s.why}" if s.why else ""), s),
            content.cite(s.source),
        )
        for s in chosen
    )
    return Reply(
        title=f"{LABELS.get(cat, cat)} skills",
        text=None if items else "No skills in this category yet.",
        items=items,
    )
