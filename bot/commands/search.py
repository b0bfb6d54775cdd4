"""/search <query>: answers a question from all content, each hit with its source.

Obvious questions are routed (see ``bot.content.search.route``): pay in a country → that
country's salary card (/salary), pay in two countries → /salary compare, pay in a place the
guides lack → says so. Everything else is ranked hits; an interview question's hit has a
button that reveals its outline and a quiz item's a button that posts that quiz.
"""

from __future__ import annotations

from functools import lru_cache

from bot.commands.interview import reveal
from bot.commands.quiz import post_quiz
from bot.commands.salary import compare, covered_codes, salary
from bot.content import Content, norm
from bot.content.search import Hit, route
from bot.core import actions
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.registry import Option, action, command
from bot.core.reply import Button, Entry, Reply
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
MAX_HITS = 25  # five pages of five
# What a hit's button does, by kind; other kinds are read in full in the list.
OPEN = {"interview": "Reveal outline", "quiz": "Take this quiz"}


def exact_country(content: Content):
    """``text`` → the display name of the country it names exactly (name, code, alias), or
    None: search answers only for a country the question named, never a near miss.

    Names, codes and aliases of the salary items are a dictionary lookup; a single word the
    content doesn't use otherwise (a country's name in another language) is asked of the
    salary lookup, exact answers only.
    """
    keys = _country_keys(content)

    def country(text: str) -> str | None:
        key = norm(text)
        if key in keys:
            return keys[key]
        if not key or " " in key or content.index.knows(key):
            return None
        match = content.find_country(text)
        return match.key if match is not None and match.exact else None

    return country


@lru_cache(maxsize=8)
def _country_keys(content: Content) -> dict[str, str]:
    keys: dict[str, str] = {}
    for s in content.salaries:
        if s.country is None:  # a range the guide gives without naming a country
            continue
        for alias in (s.country, s.country_code, s.region or "", *s.aliases):
            if norm(alias):
                keys.setdefault(norm(alias), s.country)
    return keys


def _entry(ctx: Context, rank: int, hit: Hit) -> Entry:
    doc = hit.doc
    verb = OPEN.get(doc.kind)
    button = (
        Button(f"{verb} #{rank}", actions.encode(ctx.services, "search.open", doc.kind, doc.id))
        if verb
        else None
    )
    title = f"#{rank} {LABELS.get(doc.kind, doc.kind.title())}: {doc.title}"
    text = hit.snippet
    if verb:
        # The hit says what it is and how to open it; a quiz's options stay in the quiz.
        text = f"{doc.body} · press “{verb} #{rank}”"
    return Entry(title, text, ctx.content.cite(doc.source), button)


@command(
    "search",
    description="Ask anything: skills, resources, interview questions, salaries, career facts",
    options=[
        Option(
            "query",
            "A question or words, e.g. how do I handle imbalanced data",
            required=True,
            greedy=True,
            max_length=200,
        )
    ],
    examples=[
        "/search how to handle imbalanced data",
        "/search salary in germany",
        "/search ml engineer vs data scientist",
    ],
    needs_store=False,
    paged=True,
)
async def search(ctx: Context, query: str) -> Reply:
    shown = neutralize(query, 60)
    intent = route(query, exact_country(ctx.content), covered_codes(ctx.content))
    if intent is not None and intent.kind == "salary":
        # A city ("salary in london") goes in as the city: /salary says the figures are its
        # country's.
        return await salary(ctx, country=intent.via or intent.places[0])
    if intent is not None and intent.kind == "salary-compare":
        return await compare(ctx, *intent.places)
    if intent is not None and intent.kind == "salary-missing":
        return Reply(
            title=f"No salary figures for {neutralize(intent.places[0], 40)}",
            text=(
                f"The guides have no figures for {neutralize(intent.places[0], 40)}. "
                f"They cover: {', '.join(ctx.content.countries())}. "
                "Type /salary <country> for one of them."
            ),
        )
    hits = ctx.content.index.search(query, limit=MAX_HITS)
    if not hits:
        return Reply(
            title=f"No results for “{shown}”",
            text="Try fewer or different words, e.g. /search statistics.",
        )
    items = tuple(_entry(ctx, rank, h) for rank, h in enumerate(hits, 1))
    count = f"best {MAX_HITS}" if len(hits) >= MAX_HITS else str(len(hits))  # a cap, not a total
    return Reply(title=f"Results for “{shown}” ({count})", items=items)


@action("search.open")
async def open_hit(ctx: Context, kind: str = "", item_id: str = "", *_: str) -> Reply:
    """A search hit's button: reveal an interview question's outline, or post a quiz item
    (its options as buttons). A new message: the results stay where they were."""
    if kind == "interview":
        return (await reveal(ctx, item_id)).with_(replace=False)
    q = ctx.content.get("quiz", item_id) if kind == "quiz" else None
    if q is None:
        raise UserError("That item is no longer in the bank. Search again.")
    return await post_quiz(ctx, q.topic, None, question=q)
