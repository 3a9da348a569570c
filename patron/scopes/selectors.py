"""Reads of websites, stores and store views, cached where every request needs them."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from patron.core.errors import NotFound
from patron.scopes.config import get_config
from patron.scopes.models import Store, StoreView, Website

ROUTING_KEY = "patron:scopes:routing"


def list_websites() -> QuerySet[Website]:
    return Website.objects.order_by("sort_order", "name")


def list_store_views(*, active_only: bool = False) -> QuerySet[StoreView]:
    views = StoreView.objects.select_related("store__website")
    if active_only:
        views = views.filter(is_active=True)
    return views.order_by("store__website__sort_order", "store__sort_order", "sort_order", "name")


def get_website(website_id: int) -> Website:
    try:
        return Website.objects.get(pk=website_id)
    except Website.DoesNotExist:
        raise NotFound(_("No website with id %(id)s.") % {"id": website_id}) from None


def get_store_view(store_view_id: int) -> StoreView:
    try:
        return StoreView.objects.select_related("store__website").get(pk=store_view_id)
    except StoreView.DoesNotExist:
        raise NotFound(_("No store view with id %(id)s.") % {"id": store_view_id}) from None


def get_store_view_by_code(
    code: str, *, active_only: bool = True, field: str = "X-Patron-Store"
) -> StoreView:
    """Return the store view with ``code`` or raise ``NotFound`` (code ``unknown_store``)."""
    views = StoreView.objects.select_related("store__website")
    if active_only:
        views = views.filter(is_active=True)
    try:
        return views.get(code=code)
    except StoreView.DoesNotExist:
        raise NotFound(
            _("There is no active store view with the code %(code)s.") % {"code": code},
            code="unknown_store",
            field=field,
        ) from None


def default_store_view(website: Website | None = None) -> StoreView | None:
    """Return the default view of the default store of ``website`` (or the default website)."""
    views = StoreView.objects.select_related("store__website").filter(is_active=True)
    if website is None:
        views = views.order_by(
            "-store__website__is_default", "store__website__sort_order", "-store__is_default",
            "store__sort_order", "-is_default", "sort_order", "pk",
        )  # fmt: skip
    else:
        views = views.filter(store__website=website).order_by(
            "-store__is_default", "store__sort_order", "-is_default", "sort_order", "pk"
        )
    return views.first()


def default_store_of(website: Website) -> Store | None:
    return website.stores.order_by("-is_default", "sort_order", "pk").first()


@dataclass(frozen=True)
class Routing:
    """How requests find their store view: by host name, or by a code prefix."""

    by_host: dict[str, int]
    by_code: dict[str, int]
    default_id: int | None


def routing() -> Routing:
    cached = cache.get(ROUTING_KEY)
    if cached is None:
        cached = _build_routing()
        # As for the configuration snapshot: never cache what a transaction may roll back.
        if not connection.in_atomic_block:
            cache.set(ROUTING_KEY, cached, timeout=None)
    return cached


def invalidate_routing() -> None:
    cache.delete(ROUTING_KEY)


def _build_routing() -> Routing:
    by_host: dict[str, int] = {}
    by_code: dict[str, int] = {}
    for view in list_store_views(active_only=True):
        by_code[view.code] = view.pk
        base_url = get_config("web/url/base_url", store_view=view)
        host = urlsplit(base_url).netloc.lower() if base_url else ""
        if host:
            by_host.setdefault(host, view.pk)
    default = default_store_view()
    return Routing(by_host=by_host, by_code=by_code, default_id=default.pk if default else None)


def store_view_base_path(store_view: StoreView) -> str:
    """Return the path prefix under which a store view's pages live on Patron's own host."""
    route = routing()
    if store_view.pk == route.default_id:
        return "/"
    if get_config("web/url/base_url", store_view=store_view):
        return "/"
    return f"/{store_view.code}/"
