"""prompt threads: an optional discussion thread per daily prompt

Revision ID: 0008_prompt_threads
Revises: 0007_weekly_recap
Create Date: 2026-12-01

Owned by the scheduler (scheduler/tables.py, docs/scheduler.md "Discussion threads").

* ``daily_subscriptions.thread``: when true, each daily prompt posted to the channel opens a
  discussion thread (a Discord thread on the message; a Slack reply in the message's
  thread). Existing subscriptions get false (off, the default).

Plain ALTER TABLE … ADD COLUMN, never a batch copy: on SQLite (foreign keys on) dropping the
old copy of daily_subscriptions would cascade-delete every delivery row (see 0007).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_prompt_threads"
down_revision = "0007_weekly_recap"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "daily_subscriptions",
        sa.Column("thread", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35), not a copy of the parent table (see upgrade).
    op.drop_column("daily_subscriptions", "thread")
