"""Store errors. Each carries a message fit to show a member as is."""

from __future__ import annotations


class StoreError(Exception):
    """A refused store operation; ``message`` is friendly."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StoreBusy(StoreError):
    """The database stayed locked (SQLite) or kept conflicting (PostgreSQL) through retries."""

    def __init__(
        self, message: str = "The database is busy right now. Please try again in a moment."
    ) -> None:
        super().__init__(message)


class GroupNotFound(StoreError):
    pass


class GroupExists(StoreError):
    pass


class LimitReached(StoreError):
    pass


class NotMember(StoreError):
    pass


class AlreadyMember(StoreError):
    pass


class CheckInRefused(StoreError):
    """A check-in that can't count: a prompt not delivered to this channel, or too old."""
