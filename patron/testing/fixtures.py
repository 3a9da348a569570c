"""Factories for tests of every app: scopes, configuration, staff users and integration tokens.

Plain functions built on Patron's own services, so test data follows the same rules as real
data. Register them as pytest fixtures in each app's ``tests/conftest.py`` where a test needs a
ready-made object. Configuration and routing caches are dropped after each write here, because
``save_config`` and the scope services drop them only when the outermost transaction commits,
which never happens inside a test's transaction.
"""

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.contrib.auth.models import Permission, User
from django.core.cache import cache
from django.urls import set_script_prefix

from patron.core.actors import SYSTEM
from patron.scopes import services as scope_services
from patron.scopes.models import Scope, Store, StoreView, Website
from patron.scopes.selectors import default_store_of


def reset_shared_state() -> None:
    """Forget what one test could leak into the next: the shared cache and the script prefix.

    The store-code prefix middleware sets the thread's script prefix; Django's WSGI handler
    resets it per request, but the test client does not.
    """
    cache.clear()
    set_script_prefix("/")


def default_website() -> Website:
    """Return the website the initial migration creates ("base")."""
    return Website.objects.get(code="base")


def default_store_view() -> StoreView:
    """Return the store view the initial migration creates ("default")."""
    return StoreView.objects.select_related("store__website").get(code="default")


def make_website(code: str = "second", *, name: str | None = None, **fields: Any) -> Website:
    """Create a website through ``save_website``."""
    website = scope_services.save_website(code=code, name=name or code.title(), **fields)
    scope_services.invalidate_caches()
    return website


def make_store(website: Website, code: str | None = None, **fields: Any) -> Store:
    """Create a store of ``website`` through ``save_store``."""
    store = scope_services.save_store(
        website=website,
        code=code or f"{website.code}_store",
        name=fields.pop("name", f"{website.name} Store"),
        **fields,
    )
    scope_services.invalidate_caches()
    return store


def make_store_view(
    website: Website, code: str, locale: str = "en", *, store: Store | None = None, **fields: Any
) -> StoreView:
    """Create a store view in ``store`` (default: the website's default store, made if missing)."""
    store = store or default_store_of(website) or make_store(website, is_default=True)
    view = scope_services.save_store_view(
        store=store, code=code, name=fields.pop("name", code.upper()), locale=locale, **fields
    )
    scope_services.invalidate_caches()
    return view


def set_config(
    values: Mapping[str, Any],
    *,
    website: Website | None = None,
    store_view: StoreView | None = None,
    inherit: Iterable[str] = (),
) -> dict[str, Any]:
    """Store configuration values at the default scope, a website or a store view."""
    if store_view is not None:
        scope, scope_id = Scope.STORE_VIEW, store_view.pk
    elif website is not None:
        scope, scope_id = Scope.WEBSITE, website.pk
    else:
        scope, scope_id = Scope.DEFAULT, 0
    saved = scope_services.save_config(
        scope=scope, scope_id=scope_id, values=values, inherit=inherit, actor=SYSTEM
    )
    scope_services.invalidate_caches()
    return saved


def make_staff_user(
    username: str = "staff",
    *,
    permissions: Iterable[str] = (),
    superuser: bool = False,
    password: str = "Staff-password-1",  # noqa: S107 - test data
) -> User:
    """Create an active staff member holding ``permissions`` ("app_label.codename")."""
    if superuser:
        return User.objects.create_superuser(username, f"{username}@example.com", password)
    user = User.objects.create_user(username, f"{username}@example.com", password, is_staff=True)
    for name in permissions:
        app_label, codename = name.split(".", 1)
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def make_integration_token(
    name: str = "Shop",
    *,
    permissions: Iterable[str] = (),
    websites: Iterable[Website] = (),
    **fields: Any,
):
    """Create an integration token; return (token, plaintext secret)."""
    from patron.staff.services import create_integration_token

    return create_integration_token(
        name=name, permissions=permissions, websites=websites, actor=SYSTEM, **fields
    )


def bearer(secret: str) -> dict[str, str]:
    """Return the test client keyword arguments that send ``secret`` as a bearer token."""
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@functools.cache
def _data_migrations() -> list[tuple[Any, Callable[..., None]]]:
    """Return (historical apps, forward function) of every RunPython step in Patron's apps."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations import RunPython

    loader = MigrationLoader(connection)
    plan: list[tuple[str, str]] = []
    for leaf in sorted(loader.graph.leaf_nodes()):
        plan.extend(key for key in loader.graph.forwards_plan(leaf) if key not in plan)
    steps = []
    for key in plan:
        migration = loader.graph.nodes[key]
        if not type(migration).__module__.startswith("patron."):
            continue
        runs = [op for op in migration.operations if isinstance(op, RunPython)]
        if runs:
            state_apps = loader.project_state(key, at_end=False).apps
            steps.extend((state_apps, op.code) for op in runs)
    return steps


def restore_migration_data() -> None:
    """Put back the rows Patron's data migrations create (default website, store and store view,
    customer groups, tax classes); every step is idempotent.

    A transactional test ends with a flush that empties those tables, which later tests expect
    as a fresh installation has them. (pytest-django's serialized_rollback would reload a
    snapshot instead, but it collides with the roles patron.staff syncs after a flush.)
    """
    from django.db import connection

    from patron.scopes.services import invalidate_caches

    with connection.schema_editor() as schema_editor:
        for state_apps, forward in _data_migrations():
            forward(state_apps, schema_editor)
    invalidate_caches()
