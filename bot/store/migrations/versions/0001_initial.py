"""initial schema

Revision ID: 0001_initial
Revises:
Create Date: 2026-01-05

The first schema: workspaces, members, study groups, quiz posts and answers, check-ins,
the points ledger and its per-period running totals. Written out in full (not from
metadata) so later edits to tables.py never change what this revision creates.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "members",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("workspace", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), server_default="", nullable=False),
        sa.Column("is_bot", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("streak", sa.Integer(), server_default="0", nullable=False),
        sa.Column("best_streak", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_checkin_date", sa.Date(), nullable=True),
        sa.Column("last_answer_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "workspace", "member_id", name=op.f("pk_members")),
    )
    op.create_table(
        "quiz_posts",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("workspace", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("question_id", sa.String(length=48), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_posts")),
        sa.UniqueConstraint(
            "id", "platform", "workspace", name=op.f("uq_quiz_posts_id_platform_workspace")
        ),
    )
    op.create_table(
        "study_groups",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("workspace", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("name_key", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_groups")),
        sa.UniqueConstraint(
            "id", "platform", "workspace", name=op.f("uq_study_groups_id_platform_workspace")
        ),
        sa.UniqueConstraint(
            "platform",
            "workspace",
            "name_key",
            name=op.f("uq_study_groups_platform_workspace_name_key"),
        ),
    )
    op.create_table(
        "workspaces",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("workspace", sa.String(length=64), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "workspace", name=op.f("pk_workspaces")),
    )
    op.create_table(
        "checkins",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("workspace", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("prompt_id", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("streak", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform", "workspace", "member_id"],
            ["members.platform", "members.workspace", "members.member_id"],
            name=op.f("fk_checkins_platform_workspace_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins")),
        sa.UniqueConstraint(
            "platform",
            "workspace",
            "prompt_id",
            "member_id",
            name=op.f("uq_checkins_platform_workspace_prompt_id_member_id"),
        ),
    )
    op.create_table(
        "group_members",
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("workspace", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id", "platform", "workspace"],
            ["study_groups.id", "study_groups.platform", "study_groups.workspace"],
            name=op.f("fk_group_members_group_id_platform_workspace_study_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["platform", "workspace", "member_id"],
            ["members.platform", "members.workspace", "members.member_id"],
            name=op.f("fk_group_members_platform_workspace_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "member_id", name=op.f("pk_group_members")),
    )
    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_group_members_platform_workspace_member_id"),
            ["platform", "workspace", "member_id"],
            unique=False,
        )

    op.create_table(
        "point_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("workspace", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("ref", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform", "workspace", "member_id"],
            ["members.platform", "members.workspace", "members.member_id"],
            name=op.f("fk_point_events_platform_workspace_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_point_events")),
    )
    with op.batch_alter_table("point_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_point_events_platform_workspace_member_id_at"),
            ["platform", "workspace", "member_id", "at"],
            unique=False,
        )

    op.create_table(
        "point_totals",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("workspace", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=12), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform", "workspace", "member_id"],
            ["members.platform", "members.workspace", "members.member_id"],
            name=op.f("fk_point_totals_platform_workspace_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "platform", "workspace", "period", "member_id", name=op.f("pk_point_totals")
        ),
    )
    with op.batch_alter_table("point_totals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_point_totals_platform_workspace_period_points_member_id"),
            ["platform", "workspace", "period", "points", "member_id"],
            unique=False,
        )

    op.create_table(
        "quiz_answers",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("post_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("workspace", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("question_id", sa.String(length=48), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("choice", sa.SmallInteger(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform", "workspace", "member_id"],
            ["members.platform", "members.workspace", "members.member_id"],
            name=op.f("fk_quiz_answers_platform_workspace_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id", "platform", "workspace"],
            ["quiz_posts.id", "quiz_posts.platform", "quiz_posts.workspace"],
            name=op.f("fk_quiz_answers_post_id_platform_workspace_quiz_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_answers")),
        sa.UniqueConstraint("post_id", "member_id", name=op.f("uq_quiz_answers_post_id_member_id")),
    )
    with op.batch_alter_table("quiz_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quiz_answers_platform_workspace_member_id"),
            ["platform", "workspace", "member_id"],
            unique=False,
        )


def downgrade() -> None:

    with op.batch_alter_table("quiz_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quiz_answers_platform_workspace_member_id"))

    op.drop_table("quiz_answers")
    with op.batch_alter_table("point_totals", schema=None) as batch_op:
        batch_op.drop_index(
            batch_op.f("ix_point_totals_platform_workspace_period_points_member_id")
        )

    op.drop_table("point_totals")
    with op.batch_alter_table("point_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_point_events_platform_workspace_member_id_at"))

    op.drop_table("point_events")
    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_members_platform_workspace_member_id"))

    op.drop_table("group_members")
    op.drop_table("checkins")
    op.drop_table("workspaces")
    op.drop_table("study_groups")
    op.drop_table("quiz_posts")
    op.drop_table("members")
