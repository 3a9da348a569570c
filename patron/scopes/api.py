from typing import Any

from django.utils.translation import gettext as _
from ninja import Router, Schema

from patron.core.api import ErrorOut, principal_of, require_permission, staff_auth
from patron.core.errors import NotFound
from patron.scopes import selectors, services
from patron.scopes.config import get_config, get_field

router = Router(tags=["Stores and configuration"], auth=staff_auth)


class WebsiteOut(Schema):
    id: int
    code: str
    name: str
    is_default: bool
    time_zone: str
    base_currency: str


class StoreViewOut(Schema):
    id: int
    code: str
    name: str
    locale: str
    time_zone: str
    is_default: bool
    is_active: bool
    website_id: int
    store_id: int


class ConfigValueOut(Schema):
    path: str
    value: Any
    scope: str
    scope_id: int


class ConfigIn(Schema):
    scope: str = "default"
    scope_id: int = 0
    values: dict[str, Any] = {}
    inherit: list[str] = []


@router.get("/websites", response=list[WebsiteOut], url_name="websites")
def list_websites(request):
    require_permission(request, "scopes.view_website")
    principal = principal_of(request)
    websites = selectors.list_websites()
    if principal.website_ids is not None:
        websites = websites.filter(pk__in=principal.website_ids)
    return list(websites)


@router.get("/store-views", response=list[StoreViewOut], url_name="store-views")
def list_store_views(request):
    require_permission(request, "scopes.view_storeview")
    principal = principal_of(request)
    views = selectors.list_store_views()
    if principal.website_ids is not None:
        views = views.filter(store__website_id__in=principal.website_ids)
    return [
        StoreViewOut(
            id=v.pk,
            code=v.code,
            name=v.name,
            locale=v.locale,
            time_zone=v.effective_time_zone,
            is_default=v.is_default,
            is_active=v.is_active,
            website_id=v.store.website_id,
            store_id=v.store_id,
        )
        for v in views
    ]


@router.get(
    "/config/{path:path}", response={200: ConfigValueOut, 404: ErrorOut}, url_name="config-read"
)
def read_config(request, path: str, store_view: str | None = None, website: str | None = None):
    """Return the value in force for a store view (by code), a website (by code) or the default."""
    require_permission(request, "scopes.view_configvalue")
    try:
        get_field(path)
    except KeyError:
        raise NotFound(
            _("There is no such setting."), code="unknown_setting", field="path"
        ) from None
    if store_view:
        view = selectors.get_store_view_by_code(store_view, active_only=False)
        return ConfigValueOut(
            path=path, value=get_config(path, store_view=view), scope="store_view", scope_id=view.pk
        )
    if website:
        site = selectors.list_websites().filter(code=website).first()
        if site is None:
            raise NotFound(
                _("There is no website with the code %(code)s.") % {"code": website},
                code="unknown_website",
            )
        return ConfigValueOut(
            path=path, value=get_config(path, website=site), scope="website", scope_id=site.pk
        )
    return ConfigValueOut(path=path, value=get_config(path), scope="default", scope_id=0)


@router.put("/config", response={200: dict[str, Any], 400: ErrorOut}, url_name="config-write")
def write_config(request, payload: ConfigIn):
    """Store values at one scope and reset the paths in ``inherit`` to their parent's value."""
    principal = require_permission(request, "scopes.change_configvalue")
    return services.save_config(
        scope=payload.scope,
        scope_id=payload.scope_id,
        values=payload.values,
        inherit=payload.inherit,
        actor=principal.actor,
    )
