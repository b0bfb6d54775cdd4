"""Small helpers shared by command modules: topic names, money, sources."""

from __future__ import annotations

from typing import get_args

from bot.content import AUTHORED_LABEL
from bot.content.schema import AUTHORED, InterviewTopic
from bot.core.dispatch import pick_choice
from bot.core.errors import UserError
from bot.core.lookup import Resolver
from bot.core.safety import neutralize

TOPICS: tuple[str, ...] = get_args(InterviewTopic)
DIFFICULTIES = ("easy", "medium", "hard")

# What members type → topic id. Fuzzy matching covers typos; this covers synonyms.
TOPIC_ALIASES = {
    "ml": "ml-concepts",
    "machine learning": "ml-concepts",
    "concepts": "ml-concepts",
    "stats": "math-statistics",
    "statistics": "math-statistics",
    "math": "math-statistics",
    "maths": "math-statistics",
    "probability": "math-statistics",
    "linear algebra": "math-statistics",
    "preprocessing": "data-preprocessing",
    "data": "data-preprocessing",
    "features": "data-preprocessing",
    "feature engineering": "data-preprocessing",
    "metrics": "evaluation",
    "eval": "evaluation",
    "dl": "deep-learning",
    "deep learning": "deep-learning",
    "neural networks": "deep-learning",
    "language": "nlp",
    "cv": "computer-vision",
    "vision": "computer-vision",
    "deployment": "mlops",
    "ops": "mlops",
    "production": "mlops",
    "design": "system-design",
    "system design": "system-design",
    "ml system design": "system-design",
    "behavioral": "behavioural",
    "behaviour": "behavioural",
    "behavior": "behavioural",
    "soft skills": "behavioural",
    "leetcode": "coding",
    "code": "coding",
    "algo": "algorithms",
    "llms": "llm",
    "genai": "llm",
    "large language models": "llm",
    "experiments": "experimentation",
    "experiment": "experimentation",
    "ab": "experimentation",
    "a b": "experimentation",
    "ab testing": "experimentation",
    "recommender": "recsys",
    "recommenders": "recsys",
    "recommendations": "recsys",
    "learning to rank": "recsys",
    "distributed": "distributed-training",
    "gpu": "distributed-training",
    "gpus": "distributed-training",
    "parallelism": "distributed-training",
    "database": "sql",
    "databases": "sql",
    "joins": "sql",
}

CURRENCY_SYMBOLS = {"USD": "$", "GBP": "£", "EUR": "€"}


def resolve_topic(
    value: str, topics: tuple[str, ...] | list[str] = TOPICS, notes: list[str] | None = None
) -> str:
    """The topic ``value`` names (id, synonym or close typo), or a UserError listing topics.
    A close typo adds "Showing <topic> for “<typed>”." to ``notes`` (see ``pick_choice``)."""
    aliases = {a: t for a, t in TOPIC_ALIASES.items() if t in topics}
    try:
        return pick_choice("topic", value, tuple(topics), aliases, notes)
    except UserError:
        level = Resolver((d, d, ()) for d in DIFFICULTIES).resolve(value)
        if level is None:
            raise
        raise UserError(  # "/interview hrad": a difficulty in the topic's place
            f"“{neutralize(value, 20)}” isn't a topic; did you mean the difficulty {level.item}? "
            f"Try difficulty:{level.item}, e.g. /interview difficulty:{level.item}."
        ) from None


def topic_and_difficulty(
    topic: str | None,
    difficulty: str | None,
    topics: tuple[str, ...] | list[str],
    command: str = "quiz",
) -> tuple[str | None, str | None]:
    """Read a two-word topic that holds the difficulty too, in either order ("easy nlp",
    "nlp hard"), and name the bad word when one half is a topic and the other isn't a
    difficulty ("nlp impossible": “impossible” isn't a difficulty). A two-word topic name
    ("machine learning", "ml ops") and anything else stay unchanged."""
    if topic is None or difficulty is not None:
        return topic, difficulty
    words = topic.split()
    if len(words) != 2:
        return topic, difficulty
    try:
        resolve_topic(topic, topics)
        return topic, difficulty  # the whole phrase names a topic
    except UserError:
        pass
    levels = {d: d for d in DIFFICULTIES}
    for level_at, topic_at in ((0, 1), (1, 0)):
        level = levels.get(words[level_at].lower())
        if level is not None:
            return words[topic_at], level
    for topic_at, bad_at in ((0, 1), (1, 0)):  # "nlp impossible" and "impossible nlp"
        try:
            named = resolve_topic(words[topic_at], topics)
        except UserError:
            continue
        raise UserError(
            f"“{neutralize(words[bad_at], 20)}” isn't a difficulty: use easy, medium or hard, "
            f"e.g. /{command} {named} hard."
        )
    return topic, difficulty


def money(amount: int, currency: str) -> str:
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{symbol}{amount:,}" if symbol else f"{currency} {amount:,}"


def footer_for(sources: list[str] | tuple[str, ...], content=None) -> str:
    """``Source: <guide title> (<file>)`` for each distinct source, in order; "" for none.

    Without ``content`` (no guide titles at hand) the file names are shown as they are.
    """
    unique = list(dict.fromkeys(sources))
    if not unique:
        return ""
    if content is None:
        return "Source: " + ", ".join(AUTHORED_LABEL if s == AUTHORED else s for s in unique)
    return "Source: " + "; ".join(content.cite(s, file=True) for s in unique)
