"""The store: members, study groups, quizzes, check-ins, points and leaderboards.

One interface over two backends (SQLite by default, PostgreSQL to share state between bot
processes), built on SQLAlchemy Core's async engine with Alembic migrations. Open it with
``await open_store(url)``, which also upgrades the schema. See docs/store.md.
"""

from bot.store.errors import (
    AlreadyMember,
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
from bot.store.store import Store, name_key, open_store

__all__ = [
    "AlreadyMember",
    "AnswerResult",
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
