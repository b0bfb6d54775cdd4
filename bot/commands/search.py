"""/search <query>: ranked, typo-tolerant search across all content, with each hit's source."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.registry import Option, command
from bot.core.reply import Entry, Reply
from bot.core.safety import neutralize

LABELS = {
    "skill": "Skill",
    "resource": "Resource",
    "interview": "Interview question",
    "salary": "Salary",
    "career": "Career",
    "quiz": "Quiz",
    "lesson": "Study plan",
    "guide": "Guide",
}
HOW_TO_OPEN = {
    "skill": "/skills",
    "resource": "/resources",
    "interview": "/interview",
    "salary": "/salary",
    "career": "/path or /role",
    "quiz": "/quiz",
    "lesson": "/daily preview",
    "guide": "/sources",
}


@command(
    "search",
    description="Search everything: skills, resources, questions, salaries, career facts",
    options=[
        Option(
            "query",
            "What to look for, e.g. gradient descent",
            required=True,
            greedy=True,
            max_length=200,
        )
    ],
    examples=["/search pytorch", "/search gradient descent", "/search glassdoor salary"],
    needs_store=False,
    paged=True,
)
async def search(ctx: Context, query: str) -> Reply:
    hits = ctx.content.index.search(query)
    shown = neutralize(query, 60)
    if not hits:
        return Reply(
            title=f"No results for “{shown}”",
            text="Try fewer or different words, e.g. /search statistics.",
        )
    items = tuple(
        Entry(f"{LABELS[h.doc.kind]}: {h.doc.title}", h.snippet, ctx.content.cite(h.doc.source))
        for h in hits
    )
    return Reply(title=f"Results for “{shown}” ({len(hits)})", items=items)
