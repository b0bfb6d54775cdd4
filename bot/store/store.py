"""The Store facade: one object with every read and write the commands and the scheduler need.

The methods live in concept modules, one mixin each (see docs/store.md):
``members`` (workspaces, members, timezones), ``groups``, ``quizzes`` (posts and answers),
``checkins`` (daily check-ins and streaks), ``leaderboards``, ``profiles``, ``practice``
(what each member has been shown), ``reviews`` (FSRS review cards, topic records),
``mocks`` (mock-interview sessions); ``base`` holds the
engine, transactions, the member upsert and the points ledger they share.
"""

from __future__ import annotations

from bot.store import migrate
from bot.store.base import StoreBase, name_key
from bot.store.checkins import CheckinsMixin
from bot.store.engine import make_engine
from bot.store.groups import GroupsMixin
from bot.store.leaderboards import LeaderboardsMixin
from bot.store.members import MembersMixin
from bot.store.mocks import MocksMixin
from bot.store.practice import PracticeMixin
from bot.store.profiles import ProfilesMixin
from bot.store.quizzes import QuizzesMixin
from bot.store.records import Points
from bot.store.reviews import RecapMixin, ReviewsMixin

__all__ = ["Store", "StoreBase", "name_key", "open_store"]


class Store(
    MembersMixin,
    GroupsMixin,
    QuizzesMixin,
    CheckinsMixin,
    LeaderboardsMixin,
    ProfilesMixin,
    PracticeMixin,
    ReviewsMixin,
    RecapMixin,
    MocksMixin,
    StoreBase,
):
    """Members, study groups, quizzes, check-ins, points and leaderboards."""


async def open_store(
    url: str,
    *,
    default_timezone: str = "UTC",
    points: Points | None = None,
    migrate_schema: bool = True,
    echo: bool = False,
) -> Store:
    """Connect to ``url`` and upgrade its schema to the newest revision.

    ``url``: ``sqlite+aiosqlite:///path.db`` (default, one file) or
    ``postgresql+asyncpg://user@host:5432/db``. The database must exist; SQLite creates the file.
    """
    engine = make_engine(url, echo=echo)
    try:
        if migrate_schema:
            await migrate.ensure_schema(engine)
    except BaseException:
        await engine.dispose()
        raise
    return Store(engine, default_timezone=default_timezone, points=points)
