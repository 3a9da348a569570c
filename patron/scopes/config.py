"""The configuration registry and the one function that reads a setting for a scope.

Every store setting is registered once here, with its path (Magento's where one exists), type,
default, the scopes it may be set at, its options and validation, label and help. A stored
store-view value beats its website's, which beats the default scope's, which beats the
registered default. Values are read through :func:`get_config`, which works from a snapshot of
all stored values kept in Django's cache and dropped whenever a value or a scope is saved.
"""

import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import connection, transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from patron.scopes.models import Scope

DEFAULT, WEBSITE, STORE_VIEW = Scope.DEFAULT, Scope.WEBSITE, Scope.STORE_VIEW
GLOBAL_SCOPES = frozenset({DEFAULT})
WEBSITE_SCOPES = frozenset({DEFAULT, WEBSITE})
STORE_VIEW_SCOPES = frozenset({DEFAULT, WEBSITE, STORE_VIEW})

SNAPSHOT_KEY = "patron:config:snapshot"


class FieldType(StrEnum):
    BOOL = "bool"
    INT = "int"
    TEXT = "text"
    TEXTAREA = "textarea"
    CHOICE = "choice"
    MULTICHOICE = "multichoice"
    EMAIL = "email"
    URL = "url"
    SECRET = "secret"  # noqa: S105 - a field type name, not a password


Options = Sequence[tuple[Any, Any]] | Callable[[], Sequence[tuple[Any, Any]]] | str


@dataclass(frozen=True)
class ConfigField:
    """One setting. ``options`` may be a list, a callable or a dotted path to a callable."""

    path: str
    type: FieldType
    default: Any
    scopes: frozenset[str]
    label: Any
    help: Any = ""
    options: Options = ()
    required: bool = False
    min_value: int | None = None
    max_value: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    pattern_message: Any = ""
    validators: tuple[Callable[[Any], None], ...] = ()
    # Shown only when another field of the same page has one of these values (path -> values).
    depends_on: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    # Which part of Patron reads the value (for docs/configuration.md).
    used_by: str = ""

    @property
    def group_code(self) -> str:
        return self.path.rsplit("/", 1)[0]

    def choices(self) -> list[tuple[Any, str]]:
        options = self.options
        if isinstance(options, str):
            options = import_string(options)
        if callable(options):
            options = options()
        return [(value, str(label)) for value, label in options]

    def allowed_at(self, scope: str) -> bool:
        return scope in self.scopes

    def clean(self, raw: Any) -> Any:
        """Return ``raw`` converted to this field's type, or raise ``ValidationError``."""
        value = _CONVERTERS[self.type](self, raw)
        if self.required and value in (None, "", []):
            raise ValidationError(gettext("This value is required."), code="required")
        if value not in (None, ""):
            self._check_bounds(value)
        for validator in self.validators:
            validator(value)
        return value

    def _check_bounds(self, value: Any) -> None:
        if self.type == FieldType.INT:
            if self.min_value is not None and value < self.min_value:
                raise ValidationError(
                    gettext("Enter a number of at least %(min)d.") % {"min": self.min_value},
                    code="min_value",
                )
            if self.max_value is not None and value > self.max_value:
                raise ValidationError(
                    gettext("Enter a number no greater than %(max)d.") % {"max": self.max_value},
                    code="max_value",
                )
        if isinstance(value, str):
            if self.max_length is not None and len(value) > self.max_length:
                raise ValidationError(
                    ngettext(
                        "Use at most %(max)d character.",
                        "Use at most %(max)d characters.",
                        self.max_length,
                    )
                    % {"max": self.max_length},
                    code="max_length",
                )
            if self.pattern and not re.fullmatch(self.pattern, value):
                raise ValidationError(
                    str(self.pattern_message) or gettext("The value has the wrong format."),
                    code="invalid_format",
                )


def _to_bool(config_field: ConfigField, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValidationError(gettext("Choose Yes or No."), code="invalid_bool")


def _to_int(config_field: ConfigField, raw: Any) -> int | None:
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        if config_field.required:
            raise ValidationError(gettext("This value is required."), code="required")
        return None
    if isinstance(raw, bool):
        raise ValidationError(gettext("Enter a whole number."), code="invalid_int")
    try:
        return int(str(raw).strip())
    except ValueError:
        raise ValidationError(gettext("Enter a whole number."), code="invalid_int") from None


def _to_text(config_field: ConfigField, raw: Any) -> str:
    if raw is None:
        return ""
    text = str(raw)
    if config_field.type != FieldType.TEXTAREA:
        text = text.strip()
    return text


def _to_choice(config_field: ConfigField, raw: Any) -> Any:
    allowed = {str(value): value for value, _label in config_field.choices()}
    key = "" if raw is None else str(raw)
    if key == "" and "" not in allowed:
        if config_field.required:
            raise ValidationError(gettext("This value is required."), code="required")
        return None
    if key not in allowed:
        raise ValidationError(
            gettext("%(value)s is not one of the available options.") % {"value": key},
            code="invalid_choice",
        )
    return allowed[key]


def _to_multichoice(config_field: ConfigField, raw: Any) -> list[Any]:
    if raw in (None, ""):
        return []
    items = raw if isinstance(raw, (list, tuple)) else str(raw).split(",")
    allowed = {str(value): value for value, _label in config_field.choices()}
    values = []
    for item in items:
        key = str(item).strip()
        if key not in allowed:
            raise ValidationError(
                gettext("%(value)s is not one of the available options.") % {"value": key},
                code="invalid_choice",
            )
        if allowed[key] not in values:
            values.append(allowed[key])
    return values


def _to_email(config_field: ConfigField, raw: Any) -> str:
    text = _to_text(config_field, raw)
    if text:
        EmailValidator(message=gettext("Enter a valid email address."))(text)
    return text


def _to_url(config_field: ConfigField, raw: Any) -> str:
    text = _to_text(config_field, raw)
    if text:
        URLValidator(schemes=["http", "https"], message=gettext("Enter a valid web address."))(text)
    return text


_CONVERTERS: dict[FieldType, Callable[[ConfigField, Any], Any]] = {
    FieldType.BOOL: _to_bool,
    FieldType.INT: _to_int,
    FieldType.TEXT: _to_text,
    FieldType.TEXTAREA: _to_text,
    FieldType.SECRET: _to_text,
    FieldType.CHOICE: _to_choice,
    FieldType.MULTICHOICE: _to_multichoice,
    FieldType.EMAIL: _to_email,
    FieldType.URL: _to_url,
}


@dataclass(frozen=True)
class ConfigGroup:
    code: str  # "customer/password"
    label: Any
    fields: tuple[ConfigField, ...]
    help: Any = ""
    order: int = 0


@dataclass(frozen=True)
class ConfigSection:
    """One back-office configuration page (e.g. Customers > Customer Configuration)."""

    code: str
    label: Any
    order: int
    groups: tuple[ConfigGroup, ...]
    permission: str = "scopes.change_configvalue"


_sections: dict[str, ConfigSection] = {}
_fields: dict[str, ConfigField] = {}


def register_section(section: ConfigSection) -> ConfigSection:
    """Add a configuration page; every path must be new and every default valid."""
    if section.code in _sections:
        raise ImproperlyConfigured(f"Configuration section {section.code!r} is registered twice.")
    for group in section.groups:
        for config_field in group.fields:
            if config_field.path in _fields:
                raise ImproperlyConfigured(f"Config path {config_field.path!r} registered twice.")
            if not config_field.path.startswith(group.code + "/"):
                raise ImproperlyConfigured(
                    f"Config path {config_field.path!r} is outside its group {group.code!r}."
                )
            _fields[config_field.path] = config_field
    _sections[section.code] = section
    return section


def sections() -> list[ConfigSection]:
    return sorted(_sections.values(), key=lambda section: (section.order, section.code))


def get_section(code: str) -> ConfigSection:
    return _sections[code]


def get_field(path: str) -> ConfigField:
    try:
        return _fields[path]
    except KeyError:
        raise KeyError(f"No configuration field is registered at {path!r}.") from None


def all_fields() -> Iterable[ConfigField]:
    return _fields.values()


# --- Reading ------------------------------------------------------------------------------------


@dataclass
class Snapshot:
    """Stored values by (scope, scope_id) and the scope tree needed to walk up from a view."""

    values: dict[tuple[str, int], dict[str, Any]]
    view_website: dict[int, int]


def load_snapshot() -> Snapshot:
    from patron.scopes.models import ConfigValue, StoreView

    values: dict[tuple[str, int], dict[str, Any]] = {}
    for path, scope, scope_id, value in ConfigValue.objects.values_list(
        "path", "scope", "scope_id", "value"
    ):
        values.setdefault((scope, scope_id), {})[path] = value
    view_website = dict(StoreView.objects.values_list("pk", "store__website_id"))
    return Snapshot(values=values, view_website=view_website)


class _TransactionMemo(threading.local):
    """The snapshot read inside the current transaction, for the rest of it.

    It is valid while the on-commit callback registered with it is still pending: Django
    drops pending callbacks when the transaction (or the savepoint the snapshot was read in)
    rolls back, and runs them on commit, which clears the memo. So a rolled-back value is
    never read again, and a long transaction (a bulk import) loads the snapshot once.
    """

    snapshot: Snapshot | None = None
    callback: Any = None

    def get(self) -> Snapshot | None:
        if self.snapshot is None or not connection.in_atomic_block:
            return None
        pending = any(entry[1] is self.callback for entry in connection.run_on_commit)
        return self.snapshot if pending else None

    def set(self, value: Snapshot) -> None:
        def forget() -> None:
            self.snapshot = self.callback = None

        self.snapshot, self.callback = value, forget
        transaction.on_commit(forget)

    def clear(self) -> None:
        self.snapshot = self.callback = None


_memo = _TransactionMemo()


def snapshot() -> Snapshot:
    cached = cache.get(SNAPSHOT_KEY)
    if cached is not None:
        return cached
    if connection.in_atomic_block:
        # Inside a transaction the snapshot may hold uncommitted values that a rollback would
        # leave cached for good: keep it for this transaction only.
        cached = _memo.get()
        if cached is None:
            cached = load_snapshot()
            _memo.set(cached)
        return cached
    cached = load_snapshot()
    cache.set(SNAPSHOT_KEY, cached, timeout=None)
    return cached


def forget_transaction_snapshot() -> None:
    """Drop the snapshot this transaction read, after it changed configuration or scopes."""
    _memo.clear()


def invalidate() -> None:
    """Drop the cached snapshot; called after any configuration value or scope is saved."""
    _memo.clear()
    cache.delete(SNAPSHOT_KEY)


def _scope_chain(
    snap: Snapshot, *, store_view: Any = None, website: Any = None
) -> list[tuple[str, int]]:
    store_view_id = getattr(store_view, "pk", store_view)
    website_id = getattr(website, "pk", website)
    chain: list[tuple[str, int]] = []
    if store_view_id is not None:
        chain.append((STORE_VIEW, int(store_view_id)))
        if website_id is None:
            website_id = snap.view_website.get(int(store_view_id))
    if website_id is not None:
        chain.append((WEBSITE, int(website_id)))
    chain.append((DEFAULT, 0))
    return chain


def get_config(path: str, *, store_view: Any = None, website: Any = None) -> Any:
    """Return the value of ``path`` for a store view (or website, or the default scope).

    Scopes the field may not be set at are skipped, so a stray stored row can never override a
    global setting. Raises ``KeyError`` for an unregistered path.
    """
    config_field = get_field(path)
    snap = snapshot()
    for scope, scope_id in _scope_chain(snap, store_view=store_view, website=website):
        if not config_field.allowed_at(scope):
            continue
        stored = snap.values.get((scope, scope_id), {})
        if path in stored:
            return stored[path]
    return config_field.default


def get_stored(path: str, *, scope: str, scope_id: int) -> tuple[bool, Any]:
    """Return (whether a value is stored at exactly this scope, the stored value)."""
    stored = snapshot().values.get((scope, scope_id), {})
    return (path in stored, stored.get(path))


def inherited_value(path: str, *, scope: str, scope_id: int) -> Any:
    """Return the value a scope would have if it stored nothing itself ("use default")."""
    config_field = get_field(path)
    snap = snapshot()
    if scope == STORE_VIEW:
        website_id = snap.view_website.get(scope_id)
        chain = ([(WEBSITE, website_id)] if website_id is not None else []) + [(DEFAULT, 0)]
    elif scope == WEBSITE:
        chain = [(DEFAULT, 0)]
    else:
        return config_field.default
    for parent_scope, parent_id in chain:
        if not config_field.allowed_at(parent_scope):
            continue
        stored = snap.values.get((parent_scope, parent_id), {})
        if path in stored:
            return stored[path]
    return config_field.default


def parse_option_list(raw: str | None) -> list[str]:
    """Split a ``;``-separated option list (prefix/suffix options); a leading ``;`` keeps a
    blank first option."""
    if not raw:
        return []
    return [item.strip() for item in raw.split(";")]


SCOPE_LABELS = {DEFAULT: _("Default Config"), WEBSITE: _("Website"), STORE_VIEW: _("Store View")}
