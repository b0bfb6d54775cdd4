"""The delivery port: how the scheduler posts to a channel without knowing the platform.

Each adapter implements ``Delivery`` and maps its platform's failures onto the two errors
below, so the scheduler can retry what is transient and pause what is permanent.
"""

from __future__ import annotations

from typing import Protocol

from bot.core.reply import Reply


class DeliveryError(Exception):
    pass


class TransientDeliveryError(DeliveryError):
    """Rate limited, 5xx, timeout: worth retrying (after ``retry_after`` seconds if known)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentDeliveryError(DeliveryError):
    """Missing permission, channel gone, bot removed: retrying will not help."""

    def __init__(self, message: str, missing_permission: str | None = None) -> None:
        super().__init__(message)
        self.missing_permission = missing_permission


class Delivery(Protocol):
    platform: str  # "console", "discord" or "slack"

    async def post(self, workspace: str, channel: str, reply: Reply) -> str:
        """Post ``reply`` to ``channel`` of ``workspace``; return the platform's message id."""
        ...

    async def notify_admin(self, workspace: str, channel: str, text: str) -> None:
        """Tell an admin of ``workspace`` something went wrong with ``channel`` (best effort)."""
        ...
