"""Errors a command raises to tell the member something friendly."""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a refused action: the message is shown to the member as is."""

    def __init__(self, message: str, *, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.suggestions = suggestions or []
