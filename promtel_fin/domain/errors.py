"""One small hierarchy of domain errors; each carries reasons that name the values involved.

Messages are English templates with ``{named}`` placeholders. The HTTP layer translates the
template (it is a gettext msgid, marked with ``N_``) and then fills in the values, so the domain
stays free of any web framework while users read every reason in their own language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def N_(message: str) -> str:
    """Mark a message for translation without translating it here."""
    return message


@dataclass(frozen=True)
class Reason:
    """Why something was refused: a stable code, an English template and its values."""

    code: str
    template: str
    params: dict[str, Any] = field(default_factory=dict)
    field: str | None = None

    def __str__(self) -> str:
        return self.template.format(**self.params)


class DomainError(Exception):
    """Base of every error the rules raise; carries one or more reasons."""

    def __init__(self, *reasons: Reason):
        self.reasons = tuple(reasons)
        super().__init__("; ".join(str(r) for r in reasons))


class NotFound(DomainError):
    """The record does not exist, or the user may not know that it does."""


class Forbidden(DomainError):
    """The user is known but may not do this."""


class Conflict(DomainError):
    """The request does not fit the record's current state or version."""


class Gone(DomainError):
    """The record was good once and no longer is (a used or expired one-time link)."""


class CheckFailed(DomainError):
    """A rule that must hold before the action did not hold; every failing reason is listed."""


class InvalidInput(DomainError):
    """Input that is well-formed but breaks a business rule (field-level reasons)."""


def reason(code: str, template: str, field: str | None = None, **params: Any) -> Reason:
    """Build a Reason; templates are msgids marked with N_ at the call site."""
    return Reason(code=code, template=template, params=params, field=field)


class TooLarge(DomainError):
    """An uploaded file is larger than the limit (413)."""


class UnsupportedType(DomainError):
    """An uploaded file is of a type that is not accepted (415)."""
