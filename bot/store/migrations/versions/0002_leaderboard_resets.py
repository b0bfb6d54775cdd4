"""leaderboard resets audit table

Revision ID: 0002_leaderboard_resets
Revises: 0001_initial
Create Date: 2026-01-05

``leaderboard reset`` records who reset a workspace's points and how many events it removed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_leaderboard_resets"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leaderboard_resets",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("workspace", sa.String(length=64), nullable=False),
        sa.Column("reset_by", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("events_removed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leaderboard_resets")),
    )
    op.create_index(
        op.f("ix_leaderboard_resets_platform_workspace_at"),
        "leaderboard_resets",
        ["platform", "workspace", "at"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_leaderboard_resets_platform_workspace_at"), table_name="leaderboard_resets"
    )
    op.drop_table("leaderboard_resets")
