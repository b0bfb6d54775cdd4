"""The scheduler's tables, on the store's ``metadata`` (migration 0003_daily_prompts).

``daily_subscriptions`` is the source of truth for jobs: APScheduler's job list is rebuilt
from it at start-up and after every change.

``daily_deliveries`` holds one row per (subscription, local date) — the UNIQUE key that makes
posting exactly-once: an instance inserts the row (``ON CONFLICT DO NOTHING``) *before*
posting and only posts if its insert won. Skipped and missed days get a row too, so each day
is decided once. ``status``:

* ``claimed`` — won by ``owner`` until ``lease_until``; being posted. A claim whose lease ran
  out (its process died mid-post) is taken over by any instance while still on its day.
* ``sent`` — posted (``message_id``); ``failed`` — a permanent error paused the subscription;
* ``skipped`` — ``daily skip``; ``missed`` — due while no instance ran, past the grace window.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    false,
)

from bot.store.tables import MEMBER, PLATFORM, WORKSPACE, BigId, UTCDateTime, metadata

daily_subscriptions = Table(
    "daily_subscriptions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("platform", String(PLATFORM), nullable=False),
    Column("workspace", String(WORKSPACE), nullable=False),
    Column("channel", String(64), nullable=False),
    Column("time", String(5), nullable=False),  # "HH:MM", local
    Column("timezone", String(64), nullable=False),  # IANA name, "UTC" or "UTC+02:00"
    Column("days", String(27), nullable=False),  # "mon,tue,…"
    Column("track", String(16), nullable=False),
    Column("role", String(100), nullable=True),
    Column("paused", Boolean, nullable=False, server_default=false()),
    Column("paused_reason", String(300), nullable=True),
    Column("skip_date", Date, nullable=True),  # `daily skip`: this local date is skipped
    Column("cursor", Integer, nullable=False, server_default="0"),  # lessons handed out
    # Posts due before this instant are not owed (subscribed or resumed later).
    Column("active_since", UTCDateTime, nullable=False),
    Column("created_by", String(MEMBER), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("platform", "workspace", "channel"),  # one subscription per channel
)

daily_deliveries = Table(
    "daily_deliveries",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column(
        "subscription_id",
        BigId,
        ForeignKey("daily_subscriptions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("local_date", Date, nullable=False),
    Column("scheduled_at", UTCDateTime, nullable=False),
    Column("status", String(10), nullable=False),
    Column("cursor", Integer, nullable=True),  # which lesson (set with the claim)
    Column("lesson_id", String(48), nullable=True),
    Column("owner", String(64), nullable=True),
    Column("lease_until", UTCDateTime, nullable=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("message_id", String(64), nullable=True),
    Column("error", String(300), nullable=True),
    Column("claimed_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    UniqueConstraint("subscription_id", "local_date"),  # exactly once per local day
    Index(None, "status", "lease_until"),
)
