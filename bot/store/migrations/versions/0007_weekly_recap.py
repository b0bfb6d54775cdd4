"""weekly recap: recap day/time on daily_subscriptions, a delivery kind on daily_deliveries

Revision ID: 0007_weekly_recap
Revises: 0006_review
Create Date: 2026-12-01

Owned by the scheduler (scheduler/tables.py, docs/scheduler.md "Weekly recap").

* ``daily_subscriptions.recap_day`` / ``recap_time``: the weekday (``sun``) and local
  ``HH:MM`` of the channel's weekly recap, in the subscription's timezone; NULL = off.
  ``recap_since``: when it was set (recaps due before then are not owed).
* ``daily_deliveries.kind``: ``prompt`` (every existing row) or ``recap``. The recap uses the
  same outbox (claim before post, lease, fencing version, idempotency key), so the unique key
  becomes (subscription_id, kind, local_date): a recap and a prompt on the same local date are
  two rows, each decided once.

SQLite can't alter a constraint in place: ``batch_alter_table`` copies daily_deliveries (a
child table, so nothing cascades). daily_subscriptions only gains or loses columns, with plain
ALTER TABLE: copying it would cascade-delete its deliveries on SQLite.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_weekly_recap"
down_revision = "0006_review"
branch_labels = None
depends_on = None

OLD_UQ = "uq_daily_deliveries_subscription_id_local_date"
NEW_UQ = "uq_daily_deliveries_subscription_id_kind_local_date"


def upgrade() -> None:
    # Plain ALTER TABLE … ADD COLUMN, never a batch copy: on SQLite (foreign keys on) dropping
    # the old copy of daily_subscriptions would cascade-delete every delivery row.
    op.add_column("daily_subscriptions", sa.Column("recap_day", sa.String(length=3)))
    op.add_column("daily_subscriptions", sa.Column("recap_time", sa.String(length=5)))
    op.add_column("daily_subscriptions", sa.Column("recap_since", sa.DateTime(timezone=True)))
    with op.batch_alter_table("daily_deliveries") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=8), server_default="prompt", nullable=False)
        )
        batch.drop_constraint(OLD_UQ, type_="unique")
        batch.create_unique_constraint(NEW_UQ, ["subscription_id", "kind", "local_date"])


def downgrade() -> None:
    op.execute("DELETE FROM daily_deliveries WHERE kind <> 'prompt'")
    with op.batch_alter_table("daily_deliveries") as batch:
        batch.drop_constraint(NEW_UQ, type_="unique")
        batch.create_unique_constraint(OLD_UQ, ["subscription_id", "local_date"])
        batch.drop_column("kind")
    # ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35), not a copy of the parent table (see upgrade).
    for column in ("recap_since", "recap_time", "recap_day"):
        op.drop_column("daily_subscriptions", column)
