"""Table definitions: one ``metadata`` shared by the store and the scheduler.

Every row carries ``(platform, workspace)``; child tables repeat them and reference their
parent by a composite key that includes them, so a row can never point across workspaces.
Uniqueness the product promises (one answer per member per quiz post, one check-in per member
per prompt) is a UNIQUE constraint here, not only a check in code.

The schema history lives in ``bot/store/migrations/versions``; a change here needs a new
revision there (see docs/store.md).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    UniqueConstraint,
    false,
)
from sqlalchemy.types import TypeDecorator

# Constraint names are deterministic so migrations can refer to them on both dialects.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator):
    """An instant, always returned timezone-aware in UTC.

    PostgreSQL stores ``timestamptz``; SQLite stores naive UTC text, which sorts correctly.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("store timestamps must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# SQLite only auto-increments an INTEGER PRIMARY KEY (the rowid alias).
BigId = BigInteger().with_variant(Integer, "sqlite")

PLATFORM = 16
WORKSPACE = 64
MEMBER = 64


def _scope() -> list[Column]:
    return [
        Column("platform", String(PLATFORM), nullable=False),
        Column("workspace", String(WORKSPACE), nullable=False),
    ]


workspaces = Table(
    "workspaces",
    metadata,
    *_scope(),
    Column("timezone", String(64), nullable=True),  # None: settings.timezone
    Column("created_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("platform", "workspace"),
)

members = Table(
    "members",
    metadata,
    *_scope(),
    Column("member_id", String(MEMBER), nullable=False),
    Column("name", String(100), nullable=False, server_default=""),
    Column("is_bot", Boolean, nullable=False, server_default=false()),
    Column("timezone", String(64), nullable=True),  # None: the workspace's
    Column("streak", Integer, nullable=False, server_default="0"),
    Column("best_streak", Integer, nullable=False, server_default="0"),
    Column("last_checkin_date", Date, nullable=True),  # in the member's timezone
    Column("last_answer_at", UTCDateTime, nullable=True),  # for the cooldown
    # Added in 0005: streaks count study days (quiz, check-in, review), not only check-ins.
    Column("last_study_date", Date, nullable=True),  # in the member's timezone
    Column("freezes", SmallInteger, nullable=False, server_default="0"),  # streak freezes held
    Column("created_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("platform", "workspace", "member_id"),
)

study_groups = Table(
    "study_groups",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    *_scope(),
    Column("name", String(64), nullable=False),
    Column("name_key", String(64), nullable=False),  # casefolded: names are unique ignoring case
    Column("created_by", String(MEMBER), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("platform", "workspace", "name_key"),
    UniqueConstraint("id", "platform", "workspace"),  # target of the scoped foreign key
)

group_members = Table(
    "group_members",
    metadata,
    Column("group_id", BigId, nullable=False),
    *_scope(),
    Column("member_id", String(MEMBER), nullable=False),
    Column("joined_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("group_id", "member_id"),
    ForeignKeyConstraint(
        ["group_id", "platform", "workspace"],
        ["study_groups.id", "study_groups.platform", "study_groups.workspace"],
        ondelete="CASCADE",
    ),
    ForeignKeyConstraint(
        ["platform", "workspace", "member_id"],
        ["members.platform", "members.workspace", "members.member_id"],
        ondelete="CASCADE",
    ),
    Index(None, "platform", "workspace", "member_id"),
)

quiz_posts = Table(
    "quiz_posts",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    *_scope(),
    Column("channel", String(64), nullable=False),
    Column("question_id", String(48), nullable=False),
    Column("topic", String(32), nullable=False),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("closes_at", UTCDateTime, nullable=False),
    Column("created_by", String(MEMBER), nullable=False),
    # Added in 0005: the shuffled option order shown on this post, "2,0,3,1" (display position
    # i shows the bank's option order[i]); NULL on older posts means the bank's order.
    Column("option_order", String(32), nullable=True),
    UniqueConstraint("id", "platform", "workspace"),
)

quiz_answers = Table(
    "quiz_answers",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("post_id", BigId, nullable=False),
    *_scope(),
    Column("member_id", String(MEMBER), nullable=False),
    Column("question_id", String(48), nullable=False),
    Column("topic", String(32), nullable=False),
    Column("choice", SmallInteger, nullable=False),
    Column("correct", Boolean, nullable=False),
    Column("points", Integer, nullable=False),
    Column("answered_at", UTCDateTime, nullable=False),
    UniqueConstraint("post_id", "member_id"),  # a member's first answer is the only one
    ForeignKeyConstraint(
        ["post_id", "platform", "workspace"],
        ["quiz_posts.id", "quiz_posts.platform", "quiz_posts.workspace"],
        ondelete="CASCADE",
    ),
    ForeignKeyConstraint(
        ["platform", "workspace", "member_id"],
        ["members.platform", "members.workspace", "members.member_id"],
        ondelete="CASCADE",
    ),
    Index(None, "platform", "workspace", "member_id"),
)

checkins = Table(
    "checkins",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    *_scope(),
    Column("member_id", String(MEMBER), nullable=False),
    Column("prompt_id", String(100), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("local_date", Date, nullable=False),
    Column("points", Integer, nullable=False),
    Column("streak", Integer, nullable=False),
    UniqueConstraint("platform", "workspace", "prompt_id", "member_id"),  # once per prompt
    ForeignKeyConstraint(
        ["platform", "workspace", "member_id"],
        ["members.platform", "members.workspace", "members.member_id"],
        ondelete="CASCADE",
    ),
)

# The ledger: one row per award. Leaderboards read the running totals below instead.
point_events = Table(
    "point_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    *_scope(),
    Column("member_id", String(MEMBER), nullable=False),
    Column("points", Integer, nullable=False),
    Column("reason", String(16), nullable=False),  # quiz, checkin, streak
    Column("ref", String(100), nullable=False),  # quiz:<post id>, checkin:<prompt id>
    Column("at", UTCDateTime, nullable=False),
    ForeignKeyConstraint(
        ["platform", "workspace", "member_id"],
        ["members.platform", "members.workspace", "members.member_id"],
        ondelete="CASCADE",
    ),
    Index(None, "platform", "workspace", "member_id", "at"),
)

# Running totals per period, updated in the same transaction as the ledger: "all",
# "w2026-01-05" (the week starting that Monday) and "m2026-01", in the workspace timezone.
# The leaderboard is then an index range scan, whatever the size of the ledger.
point_totals = Table(
    "point_totals",
    metadata,
    *_scope(),
    Column("period", String(12), nullable=False),
    Column("member_id", String(MEMBER), nullable=False),
    Column("points", Integer, nullable=False),
    PrimaryKeyConstraint("platform", "workspace", "period", "member_id"),
    ForeignKeyConstraint(
        ["platform", "workspace", "member_id"],
        ["members.platform", "members.workspace", "members.member_id"],
        ondelete="CASCADE",
    ),
    Index(None, "platform", "workspace", "period", "points", "member_id"),
)


def now_utc() -> datetime:
    return datetime.now(UTC)


# Added in 0002: who reset a workspace's leaderboard, and when (an audit trail).
leaderboard_resets = Table(
    "leaderboard_resets",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    *_scope(),
    Column("reset_by", String(MEMBER), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("events_removed", Integer, nullable=False),
    Index(None, "platform", "workspace", "at"),
)


# Added in 0005 (practice). A member's first answer to a question, whichever post it came
# from: the only answer that can earn quiz points. The primary key makes "points once per
# (member, question)" a constraint, not a check.
quiz_credits = Table(
    "quiz_credits",
    metadata,
    *_scope(),
    Column("member_id", String(MEMBER), nullable=False),
    Column("question_id", String(48), nullable=False),
    Column("post_id", BigId, nullable=False),
    Column("correct", Boolean, nullable=False),
    Column("points", Integer, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("platform", "workspace", "member_id", "question_id"),
    ForeignKeyConstraint(
        ["platform", "workspace", "member_id"],
        ["members.platform", "members.workspace", "members.member_id"],
        ondelete="CASCADE",
    ),
)

# What each member has been shown, per kind ("quiz", "interview"): how many times and when
# last. Selection (bot/practice/selection.py) serves the least-seen items of a pool first.
practice_seen = Table(
    "practice_seen",
    metadata,
    *_scope(),
    Column("member_id", String(MEMBER), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("item_id", String(48), nullable=False),
    Column("times", Integer, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("platform", "workspace", "member_id", "kind", "item_id"),
    ForeignKeyConstraint(
        ["platform", "workspace", "member_id"],
        ["members.platform", "members.workspace", "members.member_id"],
        ondelete="CASCADE",
    ),
)

# One row per member per local study day (their timezone), written by the day's first study
# action (``kind``: quiz, checkin or review): the history behind streaks.
study_days = Table(
    "study_days",
    metadata,
    *_scope(),
    Column("member_id", String(MEMBER), nullable=False),
    Column("local_date", Date, nullable=False),
    Column("kind", String(16), nullable=False),
    PrimaryKeyConstraint("platform", "workspace", "member_id", "local_date"),
    ForeignKeyConstraint(
        ["platform", "workspace", "member_id"],
        ["members.platform", "members.workspace", "members.member_id"],
        ondelete="CASCADE",
    ),
)

# The score histogram behind exact ranks at any size: how many members of a board (workspace
# × period) hold each score, at three widths (HISTOGRAM_WIDTHS: the exact score, blocks of
# 256, blocks of 65,536). A rank is 1 + the members above: the coarse buckets above mine, then
# the finer ones up to my coarse bucket's end — three range sums bounded by the widths, not
# by the number of members. ``shard`` (a hash of the member id, HISTOGRAM_SHARDS of them)
# spreads concurrent updates of a popular score over several rows; readers sum the shards.
# Maintained in each award's transaction (bot/store/base.py ``_histogram``).
HISTOGRAM_WIDTHS = (1, 256, 65536)
HISTOGRAM_SHARDS = 8

score_histogram = Table(
    "score_histogram",
    metadata,
    *_scope(),
    Column("period", String(12), nullable=False),
    Column("level", SmallInteger, nullable=False),  # index into HISTOGRAM_WIDTHS
    Column("bucket", Integer, nullable=False),  # points // HISTOGRAM_WIDTHS[level]
    Column("shard", SmallInteger, nullable=False),
    Column("members", Integer, nullable=False),
    PrimaryKeyConstraint("platform", "workspace", "period", "level", "bucket", "shard"),
)

# One row per member × item in the spaced-review queue: the FSRS card (``fsrs.Card.to_json``)
# and its due time, indexed per member so "what is due next" is one index probe.
review_cards = Table(
    "review_cards",
    metadata,
    *_scope(),
    Column("member_id", String(MEMBER), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("item_id", String(48), nullable=False),
    Column("topic", String(32), nullable=False),
    Column("card", String(400), nullable=False),
    Column("due", UTCDateTime, nullable=False),
    Column("last_rating", SmallInteger, nullable=True),
    Column("reviews", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("platform", "workspace", "member_id", "kind", "item_id"),
    ForeignKeyConstraint(
        ["platform", "workspace", "member_id"],
        ["members.platform", "members.workspace", "members.member_id"],
        ondelete="CASCADE",
    ),
    Index(None, "platform", "workspace", "member_id", "due"),
)

# A member's mock interview: question ids (comma-separated), the current position, the
# outline points covered per question (JSON list of lists), status active | done.
mock_sessions = Table(
    "mock_sessions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    *_scope(),
    Column("member_id", String(MEMBER), nullable=False),
    Column("topic", String(32), nullable=True),
    Column("items", String(1000), nullable=False),
    Column("position", SmallInteger, nullable=False),
    Column("covered", String(2000), nullable=False),
    Column("status", String(12), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    ForeignKeyConstraint(
        ["platform", "workspace", "member_id"],
        ["members.platform", "members.workspace", "members.member_id"],
        ondelete="CASCADE",
    ),
    Index(None, "platform", "workspace", "member_id", "status"),
)
