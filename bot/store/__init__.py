"""The store: members, study groups, quizzes, check-ins, points and leaderboards.

One interface over two backends (SQLite by default, PostgreSQL to share state between bot
processes), built on SQLAlchemy Core's async engine with Alembic migrations. Open it with
``await open_store(url)``, which also upgrades the schema. See docs/store.md.
"""

from bot.store.errors import (
    AlreadyMember,
    CheckInRefused,
    GroupExists,
    GroupNotFound,
    LimitReached,
    NotMember,
    StoreBusy,
    StoreError,
)
from bot.store.records import (
    AnswerResult,
    CheckInResult,
    Group,
    GroupDetail,
    Leaderboard,
    Points,
    Profile,
    QuizPost,
    Standing,
    TopicStats,
)

# Store and open_store pull in SQLAlchemy and the drivers; they load on first use so that
# importing the command modules (which only need the errors and records) stays cheap.
_LAZY = {"Store", "name_key", "open_store"}


def __getattr__(name: str):
    if name in _LAZY:
        from bot.store import store

        return getattr(store, name)
    raise AttributeError(f"module 'bot.store' has no attribute {name!r}")


__all__ = [
    "AlreadyMember",
    "AnswerResult",
    "CheckInRefused",
    "CheckInResult",
    "Group",
    "GroupDetail",
    "GroupExists",
    "GroupNotFound",
    "Leaderboard",
    "LimitReached",
    "NotMember",
    "Points",
    "Profile",
    "QuizPost",
    "Standing",
    "Store",
    "StoreBusy",
    "StoreError",
    "TopicStats",
    "name_key",
    "open_store",
]
