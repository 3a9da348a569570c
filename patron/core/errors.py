"""The one place Patron's exception classes are defined.

Every rule failure is raised as a :class:`PatronError` subclass with a stable ``code`` (which
survives translation), an optional ``field`` and ``params``. The API, the forms and the admin
each map these errors in one place.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: what, where (field, row, line) and a readable message."""

    code: str
    message: str
    field: str | None = None
    params: Mapping[str, Any] = dataclass_field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": str(self.message)}
        if self.field is not None:
            data["field"] = self.field
        if self.params:
            data["params"] = {key: _plain(value) for key, value in self.params.items()}
        return data


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


class PatronError(Exception):
    """Base of every error a service raises on purpose. ``status`` is the HTTP answer."""

    status = 400
    default_code = "error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        params: Mapping[str, Any] | None = None,
        problems: Iterable[Problem] = (),
    ) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code or self.default_code
        self.field = field
        self.params = dict(params or {})
        self.problems = list(problems)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": str(self.message)}
        if self.field is not None:
            data["field"] = self.field
        if self.params:
            data["params"] = {key: _plain(value) for key, value in self.params.items()}
        if self.problems:
            data["errors"] = [problem.as_dict() for problem in self.problems]
        return data


class InvalidInput(PatronError):
    """The input breaks a rule; ``problems`` lists every failure found, each with its field."""

    status = 400
    default_code = "invalid"

    @classmethod
    def from_problems(cls, problems: list[Problem], message: str | None = None) -> "InvalidInput":
        from django.utils.translation import ngettext

        first = problems[0]
        if len(problems) == 1:
            return cls(
                message or first.message,
                code=first.code,
                field=first.field,
                params=first.params,
                problems=problems,
            )
        return cls(
            message
            or ngettext(
                "%(count)d value is not valid.", "%(count)d values are not valid.", len(problems)
            )
            % {"count": len(problems)},
            code="invalid",
            problems=problems,
        )


class NotFound(PatronError):
    status = 404
    default_code = "not_found"


class Conflict(PatronError):
    """The request is valid but clashes with the current state (duplicate, balance, lock)."""

    status = 409
    default_code = "conflict"


class LimitReached(PatronError):
    """A rate limit or quota was hit; ``retry_after`` (seconds) tells when to try again."""

    status = 429
    default_code = "limit_reached"

    def __init__(self, message: str, *, retry_after: int | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class Forbidden(PatronError):
    status = 403
    default_code = "forbidden"


class NotAuthenticated(PatronError):
    status = 401
    default_code = "not_authenticated"


def problems_from_validation_error(error: Any) -> list[Problem]:
    """Turn a Django ``ValidationError`` into problems, keeping each message's field and code."""
    problems: list[Problem] = []
    if hasattr(error, "error_dict"):
        for field_name, errors in error.error_dict.items():
            for item in errors:
                message = item.message % item.params if item.params else item.message
                problems.append(
                    Problem(
                        code=item.code or "invalid",
                        message=str(message),
                        field=None if field_name == "__all__" else field_name,
                    )
                )
    else:
        for item in error.error_list:
            message = item.message % item.params if item.params else item.message
            problems.append(Problem(code=item.code or "invalid", message=str(message)))
    return problems
