"""/path [section] and /role [section]: the career path and the role, as the guides describe them."""

from __future__ import annotations

from bot.commands._common import footer_for
from bot.content import norm, with_note
from bot.core.context import Context
from bot.core.dispatch import pick_choice
from bot.core.registry import Option, command
from bot.core.reply import Entry, Reply
from bot.core.wording import plural

# section name → (heading, career kinds it shows)
PATH_SECTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "paths": ("Career paths", ("path",)),
    "steps": ("Step-by-step guides", ("steps",)),
    "education": ("Education", ("education",)),
    "experience": ("Getting experience", ("experience",)),
    "certifications": ("Certifications", ("certification",)),
    "projects": ("Project ideas", ("project-idea",)),
    "jobs": ("Finding a job", ("job-search",)),
    "challenges": ("Challenges and how to overcome them", ("challenge",)),
    "outlook": ("Job outlook", ("outlook",)),
}
ROLE_SECTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "overview": ("What an ML engineer is", ("role",)),
    "responsibilities": ("Responsibilities", ("responsibility",)),
    "job-description": ("Job description", ("job-description",)),
    "day": ("A day in the life", ("day-in-life",)),
    "requirements": ("Skills and qualifications asked for", ("skill-requirement",)),
    "comparison": ("ML engineer vs other roles", ("comparison",)),
    "problems": ("Problem types ML engineers solve", ("problem-type",)),
    "industries": ("Industries", ("industry",)),
    "kpis": ("KPIs", ("kpi",)),
    "tools": ("Tools", ("tool",)),
    "faq": ("Frequently asked questions", ("faq",)),
}

# The words members use for a section (the README's descriptions) → its name.
ROLE_ALIASES = {
    "what": "overview",
    "role": "overview",
    "duties": "responsibilities",
    "jd": "job-description",
    "day in the life": "day",
    "a day in the life": "day",
    "skills": "requirements",
    "qualifications": "requirements",
    "vs": "comparison",
    "vs data scientist": "comparison",
    "data scientist": "comparison",
    "problem types": "problems",
    "kpi": "kpis",
    "metrics": "kpis",
    "questions": "faq",
}
PATH_ALIASES = {
    "career paths": "paths",
    "step by step": "steps",
    "degree": "education",
    "certs": "certifications",
    "project ideas": "projects",
    "job search": "jobs",
    "finding a job": "jobs",
    "job outlook": "outlook",
}


def _entries(ctx: Context, kinds: tuple[str, ...]) -> tuple[Entry, ...]:
    out = []
    for fact in ctx.content.career:
        if fact.kind in kinds:
            body = fact.text or ""
            if fact.points:
                body = (body + "\n" if body else "") + "\n".join(f"– {p}" for p in fact.points)
            out.append(Entry(fact.title, with_note(body, fact), ctx.content.cite(fact.source)))
    return tuple(out)


def _overview(ctx: Context, sections, title: str, usage: str) -> Reply:
    items = []
    for name, (heading, kinds) in sections.items():
        n = sum(1 for f in ctx.content.career if f.kind in kinds)
        if n:
            items.append(Entry(f"{heading} — {usage} {name}", plural(n, "item")))
    return Reply(title=title, text=f"Pick a section: {usage} <section>.", items=tuple(items))


def _section(ctx: Context, sections, section: str) -> Reply:
    name = pick_choice("section", norm(section).replace(" ", "-"), tuple(sections))
    heading, kinds = sections[name]
    items = _entries(ctx, kinds)
    if not items:
        return Reply(title=heading, text="The guides say nothing about this yet.")
    return Reply(title=heading, items=items)


@command(
    "path",
    description="How to become an ML engineer: paths, steps, education, experience, outlook",
    options=[
        Option(
            "section",
            "paths, steps, education, experience, certifications, projects, jobs, challenges, outlook",
            choices=tuple(PATH_SECTIONS),
            aliases=PATH_ALIASES,
            greedy=True,
        )
    ],
    examples=["/path", "/path steps", "/path paths"],
    needs_store=False,
    paged=True,
)
async def path(ctx: Context, section: str | None = None) -> Reply:
    if section is None:
        return _overview(ctx, PATH_SECTIONS, "The path to ML engineer", "/path")
    return _section(ctx, PATH_SECTIONS, section)


@command(
    "role",
    description="What an ML engineer does: the role, responsibilities, a day in the life, FAQs",
    options=[
        Option(
            "section",
            "overview, responsibilities, job-description, day, requirements, comparison, problems, industries, kpis, tools, faq",
            choices=tuple(ROLE_SECTIONS),
            aliases=ROLE_ALIASES,
            greedy=True,
        )
    ],
    examples=["/role", "/role responsibilities", "/role faq"],
    needs_store=False,
    paged=True,
)
async def role(ctx: Context, section: str | None = None) -> Reply:
    if section is None:
        reply = _overview(ctx, ROLE_SECTIONS, "The ML engineer role", "/role")
        first = next((f for f in ctx.content.career if f.kind == "role"), None)
        if first is not None:
            reply = reply.with_(
                text=(first.text or "") + "\n\nPick a section: /role <section>.",
                footer=footer_for([first.source], ctx.content),
            )
        return reply
    return _section(ctx, ROLE_SECTIONS, section)
