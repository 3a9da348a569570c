"""Staff-edited email text: ``{{ name }}`` placeholders from a fixed list, nothing else.

Values are inserted as plain text (emails are sent as text), so no markup or code in staff
text or in customer data can run.
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from patron.core.errors import InvalidInput, Problem

PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
NAME = re.compile(r"[a-z_][a-z0-9_]*")


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def placeholder_problems(text: str, allowed: Iterable[str], *, field: str) -> list[Problem]:
    """Return a problem for every placeholder that is malformed or not in ``allowed``."""
    allowed = set(allowed)
    problems = []
    for match in PLACEHOLDER.finditer(text):
        name = match.group(1)
        line, column = _line_column(text, match.start())
        if not NAME.fullmatch(name) or name not in allowed:
            problems.append(
                Problem(
                    "unknown_placeholder",
                    _(
                        "Line %(line)d, column %(column)d: {{ %(name)s }} is not available here; use one of %(allowed)s."
                    )
                    % {
                        "line": line,
                        "column": column,
                        "name": name,
                        "allowed": ", ".join(sorted(allowed)),
                    },
                    field=field,
                )
            )
    unclosed = [m.start() for m in re.finditer(r"\{\{(?![^{}]*\}\})", text)]
    for offset in unclosed:
        line, column = _line_column(text, offset)
        problems.append(
            Problem(
                "unclosed_placeholder",
                _(
                    "Line %(line)d, column %(column)d: a placeholder opened with {{ is not closed with }}."
                )
                % {"line": line, "column": column},
                field=field,
            )
        )
    return problems


def check_placeholders(texts: Mapping[str, str], allowed: Iterable[str]) -> None:
    allowed = list(allowed)
    problems = [
        p for field, text in texts.items() for p in placeholder_problems(text, allowed, field=field)
    ]
    if problems:
        raise InvalidInput.from_problems(problems)


def fill(text: str, values: Mapping[str, Any]) -> str:
    """Replace each known placeholder with its value (missing values become empty)."""
    return PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), "") or ""), text)
