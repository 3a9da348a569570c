"""Timeline event kinds: every app registers the kinds it writes, with their labels.

Each domain's ``history.py`` declares its kinds as one ``TextChoices`` class and registers it
here, so the timeline can label any entry and a typo in a kind fails at once.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models

_kinds: dict[str, str] = {}
_describers: dict[str, Callable[[dict[str, Any]], str]] = {}


def register_kinds(choices: type[models.TextChoices]) -> None:
    for value, label in choices.choices:
        if value in _kinds and _kinds[value] is not label:
            raise ImproperlyConfigured(f"Timeline kind {value!r} is registered twice.")
        _kinds[value] = label


def is_known_kind(kind: str) -> bool:
    return kind in _kinds


def kind_label(kind: str) -> str:
    return str(_kinds.get(kind, kind))


def kind_choices() -> list[tuple[str, str]]:
    return sorted(((value, str(label)) for value, label in _kinds.items()), key=lambda c: c[1])


def register_describer(kind: str, describe: Callable[[dict[str, Any]], str]) -> None:
    """A one-line text for entries of ``kind``, made from their params when shown (so it is in
    the reader's language, not the writer's)."""
    _describers[kind] = describe


def describe(kind: str, params: dict[str, Any]) -> str:
    describer = _describers.get(kind)
    # Without params (cleared by data retention) there is nothing to describe.
    return describer(params) if describer and params else ""
