"""practice: fair quiz credit, shuffled options, seen items, study days, score histogram

Revision ID: 0005_practice
Revises: 0003_daily_prompts
Create Date: 2026-11-30

* ``quiz_posts.option_order``: the permutation shown on a post (NULL = the bank's order).
* ``quiz_credits``: a member's first answer per question; the only one that can earn points.
* ``practice_seen``: what each member has been shown (no-repeat selection).
* ``study_days`` and ``members.last_study_date`` / ``members.freezes``: schedule-aware streaks.
* ``score_histogram``: the score histogram behind exact ranks at scale,
  back-filled here from ``point_totals``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_practice"
down_revision = "0003_daily_prompts"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def _scope() -> list[sa.Column]:
    return [
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("workspace", sa.String(length=64), nullable=False),
    ]


def _member_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["platform", "workspace", "member_id"],
        ["members.platform", "members.workspace", "members.member_id"],
        name=op.f(f"fk_{table}_platform_workspace_member_id_members"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.add_column("quiz_posts", sa.Column("option_order", sa.String(length=32), nullable=True))
    op.add_column("members", sa.Column("last_study_date", sa.Date(), nullable=True))
    op.add_column(
        "members", sa.Column("freezes", sa.SmallInteger(), server_default="0", nullable=False)
    )
    op.execute("UPDATE members SET last_study_date = last_checkin_date")
    op.create_table(
        "quiz_credits",
        *_scope(),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("question_id", sa.String(length=48), nullable=False),
        sa.Column("post_id", _ID, nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("at", _TS, nullable=False),
        _member_fk("quiz_credits"),
        sa.PrimaryKeyConstraint(
            "platform", "workspace", "member_id", "question_id", name=op.f("pk_quiz_credits")
        ),
    )
    # Earlier answers: each member's first answer per question is their credit.
    op.execute(
        "INSERT INTO quiz_credits (platform, workspace, member_id, question_id, post_id, "
        "correct, points, at) SELECT a.platform, a.workspace, a.member_id, a.question_id, "
        "a.post_id, a.correct, a.points, a.answered_at FROM quiz_answers a WHERE a.id = "
        "(SELECT min(b.id) FROM quiz_answers b WHERE b.platform = a.platform AND "
        "b.workspace = a.workspace AND b.member_id = a.member_id AND b.question_id = a.question_id)"
    )
    op.create_table(
        "practice_seen",
        *_scope(),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("item_id", sa.String(length=48), nullable=False),
        sa.Column("times", sa.Integer(), nullable=False),
        sa.Column("last_seen_at", _TS, nullable=False),
        _member_fk("practice_seen"),
        sa.PrimaryKeyConstraint(
            "platform", "workspace", "member_id", "kind", "item_id", name=op.f("pk_practice_seen")
        ),
    )
    op.create_table(
        "study_days",
        *_scope(),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        _member_fk("study_days"),
        sa.PrimaryKeyConstraint(
            "platform", "workspace", "member_id", "local_date", name=op.f("pk_study_days")
        ),
    )
    op.create_table(
        "score_histogram",
        *_scope(),
        sa.Column("period", sa.String(length=12), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("shard", sa.SmallInteger(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "platform",
            "workspace",
            "period",
            "level",
            "bucket",
            "shard",
            name=op.f("pk_score_histogram"),
        ),
    )
    backfill_histogram()


# The histogram's bucket widths (bot.store.tables.HISTOGRAM_WIDTHS at this revision).
WIDTHS = (1, 256, 65536)


def histogram_sql() -> list[str]:
    """Statements that build the score histogram from point_totals (shard 0: only the sums
    over shards matter). Also used by bench/bench_store.py after its bulk load."""
    return [
        "INSERT INTO score_histogram (platform, workspace, period, level, bucket, shard, members) "
        f"SELECT platform, workspace, period, {level}, points / {width}, 0, count(*) "
        f"FROM point_totals WHERE points > 0 GROUP BY platform, workspace, period, points / {width}"
        for level, width in enumerate(WIDTHS)
    ]


def backfill_histogram() -> None:
    for sql in histogram_sql():
        op.execute(sql)


def downgrade() -> None:
    op.drop_table("score_histogram")
    op.drop_table("study_days")
    op.drop_table("practice_seen")
    op.drop_table("quiz_credits")
    with op.batch_alter_table("members") as batch:
        batch.drop_column("freezes")
        batch.drop_column("last_study_date")
    with op.batch_alter_table("quiz_posts") as batch:
        batch.drop_column("option_order")
