"""Patron's REST API, version 1: ``/api/v1/``, its OpenAPI document and its offline docs."""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from patron.core.errors import LimitReached, PatronError

api = NinjaAPI(
    title="Patron API",
    version="1",
    urls_namespace="api-v1",
    description=(
        "Customer management for online stores. Back-office operations take an integration "
        "token (`Authorization: Bearer ptn_…`) or a staff session; shopper operations take a "
        "customer token and the `X-Patron-Store` header naming the store view. Errors always "
        "have the shape `{code, message, field?, params?, errors?}`."
    ),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _error(request, status: int, data: dict, headers: dict | None = None):
    response = api.create_response(request, data, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


@api.exception_handler(PatronError)
def patron_error(request, error: PatronError):
    headers = {}
    if isinstance(error, LimitReached) and error.retry_after:
        headers["Retry-After"] = str(error.retry_after)
    return _error(request, error.status, error.as_dict(), headers)


@api.exception_handler(NinjaValidationError)
def validation_error(request, error: NinjaValidationError):
    problems = []
    for item in error.errors:
        location = [str(part) for part in item.get("loc", ()) if part not in ("body", "payload")]
        problems.append(
            {
                "code": item.get("type", "invalid"),
                "message": item.get("msg", ""),
                "field": ".".join(location) or None,
            }
        )
    first = problems[0] if problems else {"message": _("The request is not valid.")}
    message = (
        first["message"]
        if len(problems) == 1
        else _("%(count)d values are not valid.") % {"count": len(problems)}
    )
    return _error(
        request,
        422,
        {"code": "invalid", "message": message, "field": first.get("field"), "errors": problems},
    )


@api.exception_handler(AuthenticationError)
def authentication_error(request, error):
    return _error(
        request,
        401,
        {"code": "not_authenticated", "message": _("Sign in or send a valid API token.")},
        {"WWW-Authenticate": "Bearer"},
    )


@api.exception_handler(Http404)
def not_found(request, error):
    return _error(request, 404, {"code": "not_found", "message": _("Not found.")})


@api.exception_handler(HttpError)
def http_error(request, error: HttpError):
    return _error(request, error.status_code, {"code": "error", "message": str(error)})


def register_routers() -> None:
    """Attach each app's router; called once from urls.py."""
    from patron.accounts.api import me_router
    from patron.accounts.api import router as accounts_router
    from patron.assistance.api import router as assistance_router
    from patron.customers.api import router as customers_router
    from patron.customers.api import shopper_router
    from patron.customers.attributes_api import router as attributes_router
    from patron.sales.api import router as sales_router
    from patron.scopes.api import router as scopes_router
    from patron.staff.api import router as staff_router
    from patron.webhooks.api import router as webhooks_router

    api.add_router("/", scopes_router)
    api.add_router("/", staff_router)
    api.add_router("/", customers_router)
    api.add_router("/", shopper_router)
    api.add_router("/", attributes_router)
    api.add_router("/", accounts_router)
    api.add_router("/", me_router)
    api.add_router("/", webhooks_router)
    api.add_router("/", assistance_router)
    api.add_router("/", sales_router)
    api.add_router("/", "patron.credit.api.router")
    api.add_router("/", "patron.segments.api.router")
    api.add_router("/", "patron.segments.api_insight.router")
    api.add_router("/", "patron.privacy.api.router")
    api.add_router("/", "patron.privacy.erasure_api.router")
    api.add_router("/", "patron.promotions.api.router")
    api.add_router("/", "patron.audiences.api.router")
    api.add_router("/", "patron.blocks.api.router")
    api.add_router("/", "patron.transfer.api.router")
    api.add_router("/", "patron.transfer.exports.api.router")
