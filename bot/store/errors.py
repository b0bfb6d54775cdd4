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


class StoreUnavailable(StoreError):
    """The database can't be used: unreachable at start-up, or (SQLite) its file was deleted or
    replaced while the bot runs. ``message`` is for members; ``reason`` is the operator's line
    (names DATABASE_URL and the fix, never the password)."""

    def __init__(
        self,
        reason: str,
        message: str = (
            "The bot's database is unavailable right now, so nothing was saved. "
            "An admin has been alerted; please try again later."
        ),
    ) -> None:
        super().__init__(message)
        self.reason = reason


class CheckInRefused(StoreError):
    """A check-in that can't count: a prompt not delivered to this channel, or too old."""
