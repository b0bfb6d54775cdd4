"""The scheduler's tables, on the store's ``metadata`` (migration 0003_daily_prompts).

``daily_subscriptions`` is the source of truth for jobs: APScheduler's job list is rebuilt
from it at start-up and after every change.

``daily_deliveries`` is the delivery outbox: one row per (subscription, kind, local date) — the
UNIQUE key that decides each day once. ``kind`` is ``prompt`` (the daily prompt) or ``recap``
(the weekly recap; migration 0007): both go through the same claim, lease, fencing and
reconciliation. An instance inserts the row (``ON CONFLICT DO
NOTHING``) before posting and only posts if its insert won. Skipped and missed days get a row
too. ``status`` (docs/scheduler.md, "Delivery as an outbox"):

* ``claimed`` — won by ``owner`` until ``lease_until``; nothing sent to the platform yet.
* ``sending`` — intent recorded: the owner is calling the platform with ``idem_key``.
* ``uncertain`` — the call ended ambiguously (timeout, reset, 5xx after sending): the post
  may exist. It is reconciled (the port's ``find``) before any new attempt.
* ``sent`` — posted (``message_id``); ``reconciled`` — found on the platform after an
  uncertain outcome; ``failed`` — a permanent error paused the subscription;
  ``skipped`` — ``daily skip``; ``missed`` — past its deadline.

Leases are short and renewed by the owner's heartbeat; a row whose lease ran out (its owner
died) is taken over by any instance, which bumps ``version``. Every write of an owner says
``WHERE version = <its version>`` (a fencing token), so a stale owner can't record over a
newer one.
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
    # The next lesson position: (cycle - 1) * CYCLE_SPAN + step (scheduler.curriculum).
    Column("cursor", Integer, nullable=False, server_default="0"),
    # Posts due before this instant are not owed (subscribed or resumed later).
    Column("active_since", UTCDateTime, nullable=False),
    # The weekly recap (migration 0007): one weekday ("sun") and local "HH:MM" in the
    # subscription's timezone; both NULL = no recap (the default until an admin sets one).
    Column("recap_day", String(3), nullable=True),
    Column("recap_time", String(5), nullable=True),
    # When the recap was last set: recaps due before it are not owed (like active_since).
    Column("recap_since", UTCDateTime, nullable=True),
    # Open a discussion thread on each daily prompt (migration 0008; default off).
    Column("thread", Boolean, nullable=False, server_default=false()),
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
    # What the row delivers: "prompt" (the daily prompt) or "recap" (the weekly recap, on the
    # local date of its instant). Everything that reads prompts filters kind = "prompt".
    Column("kind", String(8), nullable=False, default="prompt", server_default="prompt"),
    Column("local_date", Date, nullable=False),
    Column("scheduled_at", UTCDateTime, nullable=False),
    Column("status", String(10), nullable=False),
    Column("cursor", Integer, nullable=True),  # the lesson's position (set with the claim)
    Column("lesson_id", String(48), nullable=True),  # chosen with the claim, by id
    Column("owner", String(64), nullable=True),
    Column("lease_until", UTCDateTime, nullable=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("message_id", String(64), nullable=True),
    Column("error", String(300), nullable=True),
    Column("claimed_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("version", Integer, nullable=False, server_default="0"),  # fencing token
    Column("idem_key", String(32), nullable=True),  # idempotency key sent to the platform
    Column("sending_at", UTCDateTime, nullable=True),  # first attempt recorded (find since)
    # exactly once per kind per local day (migration 0007 added ``kind``)
    UniqueConstraint("subscription_id", "kind", "local_date"),
    Index(None, "status", "lease_until"),
)
