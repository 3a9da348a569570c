"""Pick the store view of each shopper request: by host name, else by a store-code prefix.

``/de/customer/account/login/`` is served as ``/customer/account/login/`` for the ``de`` view,
with the script prefix set so that every ``reverse()`` in that request keeps the prefix.
Back-office, API and static paths are never prefixed.
"""

from django.urls import set_script_prefix

from patron.scopes.selectors import get_store_view, routing

UNPREFIXED = ("admin", "api", "static", "media", "healthz", "readyz")


class StoreViewMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.store_view = None
        script_name = request.META.get("SCRIPT_NAME", "").rstrip("/")
        # Always set the prefix: it is thread-local, and a previous request on this thread may
        # have left another store view's prefix behind.
        set_script_prefix(f"{script_name}/")
        route = routing()
        store_view_id = route.by_host.get(request.get_host().lower())
        first, _, rest = request.path_info.lstrip("/").partition("/")
        # "/<code>/admin/" must not become a second back office (or API) under each prefix.
        unprefixed = first in UNPREFIXED or rest.partition("/")[0] in UNPREFIXED
        if store_view_id is None and first in route.by_code and not unprefixed:
            store_view_id = route.by_code[first]
            set_script_prefix(f"{script_name}/{first}/")
            request.path_info = "/" + rest
            request.path = f"{script_name}/{first}/{rest}"
            request.store_prefix = f"/{first}"
        if store_view_id is None:
            store_view_id = route.default_id
        if store_view_id is not None:
            request.store_view = get_store_view(store_view_id)
        return self.get_response(request)
