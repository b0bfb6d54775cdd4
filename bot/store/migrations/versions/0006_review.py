"""review: FSRS review cards and mock-interview sessions

Revision ID: 0006_review
Revises: 0005_practice
Create Date: 2026-11-30

* ``review_cards``: one row per member × item (a quiz or interview question) holding its FSRS
  card state (``fsrs.Card.to_json``), its due time (indexed per member) and its topic.
* ``mock_sessions``: a member's mock interview: the questions, where they are, which outline
  points they covered; persisted so a session survives a restart and can be resumed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_review"
down_revision = "0005_practice"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def _member(table: str) -> list:
    return [
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("workspace", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform", "workspace", "member_id"],
            ["members.platform", "members.workspace", "members.member_id"],
            name=op.f(f"fk_{table}_platform_workspace_member_id_members"),
            ondelete="CASCADE",
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "review_cards",
        *_member("review_cards"),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("item_id", sa.String(length=48), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("card", sa.String(length=400), nullable=False),
        sa.Column("due", _TS, nullable=False),
        sa.Column("last_rating", sa.SmallInteger(), nullable=True),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint(
            "platform", "workspace", "member_id", "kind", "item_id", name=op.f("pk_review_cards")
        ),
    )
    op.create_index(
        op.f("ix_review_cards_platform_workspace_member_id_due"),
        "review_cards",
        ["platform", "workspace", "member_id", "due"],
    )
    op.create_table(
        "mock_sessions",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        *_member("mock_sessions"),
        sa.Column("topic", sa.String(length=32), nullable=True),
        sa.Column("items", sa.String(length=1000), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("covered", sa.String(length=2000), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("started_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )
    op.create_index(
        op.f("ix_mock_sessions_platform_workspace_member_id_status"),
        "mock_sessions",
        ["platform", "workspace", "member_id", "status"],
    )


def downgrade() -> None:
    op.drop_table("mock_sessions")
    op.drop_table("review_cards")
