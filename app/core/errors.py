"""Errors a user can act on: each carries a Simplified Chinese message and the field it concerns."""

from __future__ import annotations

from collections.abc import Sequence


class StationDeskError(Exception):
    """Base of every expected error; ``message`` is shown to the user as it is."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(StationDeskError):
    """Input that breaks a rule; ``field`` names the form field to mark."""


class ValidationErrors(ValidationError):
    """Several fields wrong at once, so a form can mark every one of them together.

    ``errors`` holds one ValidationError per field in the form's order; ``field`` is the
    first one's (where the cursor goes) and ``message`` all messages, one a line, for a
    place that shows only one text (a message box, the command line).
    """

    def __init__(self, errors: Sequence[ValidationError]) -> None:
        if not errors:
            raise ValueError("ValidationErrors needs at least one error")
        super().__init__("\n".join(e.message for e in errors), errors[0].field)
        self.errors: tuple[ValidationError, ...] = tuple(errors)

    @property
    def fields(self) -> tuple[tuple[str | None, str], ...]:
        """(field, message) of every error, in the form's order."""
        return tuple((e.field, e.message) for e in self.errors)


class NameDiffers(ValidationError):
    """The same ID number was last registered under another name: the officer must choose.

    Not a mistake in the form but a question; the form asks 以本次为准 or 改回上次的姓名 and
    saves again with the answer (NewVisit.name_choice). Shown as it is, the message asks too.
    """

    def __init__(
        self, message: str, *, typed: str, previous_masked: str, previous_date: str
    ) -> None:
        super().__init__(message, "citizen_name")
        self.typed = typed
        self.previous_masked = previous_masked
        self.previous_date = previous_date


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


class ServerUnavailable(DatabaseBusy):
    """The station server cannot be reached: nothing was saved; the program reconnects."""
