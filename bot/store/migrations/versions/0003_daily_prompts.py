"""daily prompts: subscriptions and per-day delivery claims (scheduler)

Revision ID: 0003_daily_prompts
Revises: 0002_leaderboard_resets
Create Date: 2026-01-05

Owned by the scheduler (scheduler/tables.py). ``UNIQUE(subscription_id, local_date)`` on
daily_deliveries is the exactly-once claim.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_daily_prompts"
down_revision = "0002_leaderboard_resets"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "daily_subscriptions",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("workspace", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("time", sa.String(length=5), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("days", sa.String(length=27), nullable=False),
        sa.Column("track", sa.String(length=16), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=True),
        sa.Column("paused", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("paused_reason", sa.String(length=300), nullable=True),
        sa.Column("skip_date", sa.Date(), nullable=True),
        sa.Column("cursor", sa.Integer(), server_default="0", nullable=False),
        sa.Column("active_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_subscriptions")),
        sa.UniqueConstraint(
            "platform",
            "workspace",
            "channel",
            name=op.f("uq_daily_subscriptions_platform_workspace_channel"),
        ),
    )
    op.create_table(
        "daily_deliveries",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("subscription_id", _ID, nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("cursor", sa.Integer(), nullable=True),
        sa.Column("lesson_id", sa.String(length=48), nullable=True),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["daily_subscriptions.id"],
            name=op.f("fk_daily_deliveries_subscription_id_daily_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_deliveries")),
        sa.UniqueConstraint(
            "subscription_id",
            "local_date",
            name=op.f("uq_daily_deliveries_subscription_id_local_date"),
        ),
    )
    op.create_index(
        op.f("ix_daily_deliveries_status_lease_until"),
        "daily_deliveries",
        ["status", "lease_until"],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_daily_deliveries_status_lease_until"), table_name="daily_deliveries")
    op.drop_table("daily_deliveries")
    op.drop_table("daily_subscriptions")
