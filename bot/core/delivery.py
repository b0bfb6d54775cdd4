"""The delivery port: how the scheduler posts to a channel without knowing the platform.

Each adapter implements ``Delivery`` and maps its platform's failures onto the errors below,
so the scheduler can retry what is transient, reconcile what is uncertain and pause what is
permanent.

Idempotency (docs/scheduler.md, "Delivery as an outbox"): every scheduled post carries a
``key`` derived from (subscription, local date). ``post`` hands it to the platform where the
platform deduplicates (Discord: message ``nonce`` with ``enforce_nonce``) and marks the
message with it (Slack: message ``metadata``), so ``find`` can look for it in the channel's
recent history when an earlier attempt's outcome is unknown.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.core.reply import Reply


class DeliveryError(Exception):
    pass


class TransientDeliveryError(DeliveryError):
    """Rate limited, 5xx, timeout: worth retrying (after ``retry_after`` seconds if known)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UncertainDeliveryError(TransientDeliveryError):
    """The request may have reached the platform and the answer was lost: a timeout after
    sending, a connection reset, a 5xx. The post may exist, so it is never blindly re-sent:
    the scheduler records ``uncertain`` and calls ``find`` first."""


class PermanentDeliveryError(DeliveryError):
    """Missing permission, channel gone, bot removed: retrying will not help."""

    def __init__(self, message: str, missing_permission: str | None = None) -> None:
        super().__init__(message)
        self.missing_permission = missing_permission


class Delivery(Protocol):
    platform: str  # "console", "discord" or "slack"

    async def post(self, workspace: str, channel: str, reply: Reply, key: str | None = None) -> str:
        """Post ``reply`` to ``channel`` of ``workspace``; return the platform's message id.

        ``key`` (≤ 25 ASCII characters) is the delivery's idempotency key: the same key is
        sent on every attempt of one delivery, by any process. Raises TransientDeliveryError
        (nothing was posted), UncertainDeliveryError (maybe posted) or PermanentDeliveryError.
        """
        ...

    async def find(self, workspace: str, channel: str, key: str, since: datetime) -> str | None:
        """The id of a message this bot posted to ``channel`` with ``key`` at or after
        ``since`` (UTC), or None when there is none. Raises TransientDeliveryError when the
        platform can't be asked right now. Optional: a port without it can't reconcile."""
        ...

    async def open_thread(
        self, workspace: str, channel: str, message_id: str, title: str
    ) -> str | None:
        """Open a discussion thread on the message ``message_id`` just posted to ``channel``
        (Discord: a public thread named ``title``, ≤ 100 plain characters; Slack: a first
        reply in the message's thread); return the thread's id, or None when the platform
        has no such thing. Idempotent where the platform allows (a Discord message takes one
        thread: "already has a thread" counts as done). Optional: the scheduler calls it
        only on ports that have it, for prompts of subscriptions with ``thread`` on, and a
        failure (any exception) is logged and never fails or repeats the post."""
        ...

    async def notify_admin(self, workspace: str, channel: str, text: str) -> None:
        """Tell an admin of ``workspace`` something went wrong with ``channel`` (best effort)."""
        ...
