"""delivery outbox: fencing version, idempotency key and intent time on daily_deliveries

Revision ID: 0004_delivery_outbox
Revises: 0003_daily_prompts
Create Date: 2026-11-30

Owned by the scheduler (scheduler/tables.py, docs/scheduler.md "Delivery as an outbox").
``status`` gains ``sending``, ``uncertain`` and ``reconciled``; ``version`` is the claim's
fencing token (bumped by every claim and takeover); ``idem_key`` is the idempotency key
carried to the platform; ``sending_at`` is when the first post attempt was recorded (where
reconciliation starts looking).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_delivery_outbox"
down_revision = "0003_daily_prompts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("daily_deliveries") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("idem_key", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("sending_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("daily_deliveries") as batch:
        batch.drop_column("sending_at")
        batch.drop_column("idem_key")
        batch.drop_column("version")
