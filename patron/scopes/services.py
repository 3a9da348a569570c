"""Every change to websites, stores, store views and stored configuration values."""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from patron.core import events
from patron.core.actors import Actor
from patron.core.errors import InvalidInput, NotFound, Problem, problems_from_validation_error
from patron.scopes import config
from patron.scopes.models import ConfigValue, Scope, Store, StoreView, Website

events.declare("scopesChanged", "A website, store or store view was created or changed.")

# Rules that compare a new value with other data (e.g. "no duplicate emails before switching
# account sharing to Global") are registered by the app owning the data, keyed by path.
_save_guards: dict[str, Callable[[Any, str, int], None]] = {}


def register_save_guard(path: str, guard: Callable[[Any, str, int], None]) -> None:
    """Run ``guard(value, scope, scope_id)`` before ``path`` is saved; it raises to refuse."""
    _save_guards[path] = guard


def invalidate_caches() -> None:
    """Drop the cached configuration snapshot and the store view routing table."""
    from patron.scopes.selectors import invalidate_routing

    config.invalidate()
    invalidate_routing()


def _scope_exists(scope: str, scope_id: int) -> bool:
    if scope == Scope.DEFAULT:
        return scope_id == 0
    if scope == Scope.WEBSITE:
        return Website.objects.filter(pk=scope_id).exists()
    if scope == Scope.STORE_VIEW:
        return StoreView.objects.filter(pk=scope_id).exists()
    return False


@transaction.atomic
def save_config(
    *,
    scope: str,
    scope_id: int,
    values: Mapping[str, Any],
    inherit: Iterable[str] = (),
    actor: Actor,
) -> dict[str, Any]:
    """Store ``values`` at one scope and drop the stored values named in ``inherit``.

    Every value is validated first and all problems are reported together, each naming its
    field (the config path); nothing is saved unless every value is valid. Returns the cleaned
    values saved. Raises ``InvalidInput`` or ``NotFound`` (unknown scope).
    """
    if not _scope_exists(scope, scope_id):
        raise NotFound(_("That scope does not exist."), code="scope_not_found")
    problems: list[Problem] = []
    cleaned: dict[str, Any] = {}
    for path, raw in values.items():
        problem_or_value = _clean_one(path, raw, scope)
        if isinstance(problem_or_value, Problem):
            problems.append(problem_or_value)
        else:
            cleaned[path] = problem_or_value
    inherit = list(inherit)
    for path in inherit:
        if path not in {f.path for f in config.all_fields()}:
            problems.append(Problem("unknown_setting", _("There is no such setting."), field=path))
        elif scope == Scope.DEFAULT:
            problems.append(
                Problem(
                    "cannot_inherit",
                    _("The default scope has no parent to inherit from."),
                    field=path,
                )
            )
    for path, value in cleaned.items():
        guard = _save_guards.get(path)
        if guard is None:
            continue
        try:
            guard(value, scope, scope_id)
        except InvalidInput as error:
            problems.extend(
                error.problems
                or [Problem(error.code, str(error.message), field=path, params=error.params)]
            )
    if problems:
        raise InvalidInput.from_problems(problems)

    changed: dict[str, Any] = {}
    for path, value in cleaned.items():
        current = ConfigValue.objects.filter(path=path, scope=scope, scope_id=scope_id).first()
        if current is not None and current.value == value:
            continue
        ConfigValue.objects.update_or_create(
            path=path, scope=scope, scope_id=scope_id, defaults={"value": value}
        )
        changed[path] = value
    removed = ConfigValue.objects.filter(path__in=inherit, scope=scope, scope_id=scope_id)
    removed_paths = list(removed.values_list("path", flat=True))
    removed.delete()

    # This transaction reads its own change at once; other processes once it commits.
    config.forget_transaction_snapshot()
    transaction.on_commit(invalidate_caches)
    if changed or removed_paths:
        from patron.staff.services import record_configuration_change

        record_configuration_change(
            actor=actor,
            scope=scope,
            scope_id=scope_id,
            changed=sorted(changed),
            reset=sorted(removed_paths),
        )
        events.emit(
            "configurationChanged",
            scope=scope,
            scope_id=scope_id,
            changed=sorted(changed),
            reset=sorted(removed_paths),
            actor=actor.as_fields(),
        )
    return cleaned


def _clean_one(path: str, raw: Any, scope: str) -> Any:
    try:
        config_field = config.get_field(path)
    except KeyError:
        return Problem("unknown_setting", _("There is no such setting."), field=path)
    if not config_field.allowed_at(scope):
        return Problem(
            "scope_not_allowed",
            _("%(label)s cannot be set at the %(scope)s scope.")
            % {"label": config_field.label, "scope": config.SCOPE_LABELS[scope]},
            field=path,
        )
    try:
        return config_field.clean(raw)
    except ValidationError as error:
        message = "; ".join(str(m) for m in error.messages)
        return Problem(
            error.code or "invalid",
            _("%(label)s: %(message)s") % {"label": config_field.label, "message": message},
            field=path,
        )


def _full_clean(instance: Any) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        raise InvalidInput.from_problems(problems_from_validation_error(error)) from None


def _save_scope(instance: Any, fields: Mapping[str, Any]) -> Any:
    for name, value in fields.items():
        setattr(instance, name, value)
    _full_clean(instance)
    instance.save()
    # This transaction reads its own change at once; other processes once it commits.
    config.forget_transaction_snapshot()
    transaction.on_commit(invalidate_caches)
    events.emit("scopesChanged", model=instance._meta.model_name, id=instance.pk)
    return instance


def _ensure_single_default(model: type, instance: Any, parent_filter: dict[str, Any]) -> None:
    if instance.is_default:
        model.objects.filter(is_default=True, **parent_filter).exclude(pk=instance.pk).update(
            is_default=False
        )


@transaction.atomic
def save_website(*, website: Website | None = None, **fields: Any) -> Website:
    """Create or update a website; making it the default clears the previous default."""
    website = website or Website()
    if fields.get("is_default"):
        Website.objects.filter(is_default=True).exclude(pk=website.pk).update(is_default=False)
    return _save_scope(website, fields)


@transaction.atomic
def save_store(*, store: Store | None = None, **fields: Any) -> Store:
    store = store or Store()
    website = fields.get("website") or getattr(store, "website", None)
    if fields.get("is_default") and website is not None:
        Store.objects.filter(website=website, is_default=True).exclude(pk=store.pk).update(
            is_default=False
        )
    return _save_scope(store, fields)


@transaction.atomic
def save_store_view(*, store_view: StoreView | None = None, **fields: Any) -> StoreView:
    """Create or update a store view; its language must be one Patron ships."""
    store_view = store_view or StoreView()
    store = fields.get("store") or getattr(store_view, "store", None)
    if fields.get("is_default") and store is not None:
        StoreView.objects.filter(store=store, is_default=True).exclude(pk=store_view.pk).update(
            is_default=False
        )
    return _save_scope(store_view, fields)
