"""Errors a user can act on: each carries a Simplified Chinese message and the field it concerns."""

from __future__ import annotations


class StationDeskError(Exception):
    """Base of every expected error; ``message`` is shown to the user as it is."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(StationDeskError):
    """Input that breaks a rule; ``field`` names the form field to mark."""


class PermissionDenied(StationDeskError):
    """The officer's role does not allow this use case."""


class NotFound(StationDeskError):
    """The record asked for does not exist."""


class AuthenticationError(StationDeskError):
    """Wrong badge number or password, a locked or a deactivated account."""


class ConflictError(StationDeskError):
    """The record changed or the state forbids the change; retry after reloading."""


class DatabaseProblem(StationDeskError):
    """The database cannot be opened, is not ours, or was written by a newer version."""


class DatabaseBusy(StationDeskError):
    """Another counter held the write lock past the wait: nothing was saved, try again."""
