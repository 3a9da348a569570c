import time

from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject

from patron.accounts import sessions
from patron.scopes.config import get_config


class ShopperSessionMiddleware:
    """Load the shopper session from its own cookie and set ``request.customer`` (or None)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.shopper_session = sessions.session_store(
            request.COOKIES.get(sessions.SESSION_COOKIE)
        )
        request.set_persistent_cookie = None
        request.delete_persistent_cookie = False
        request.customer = SimpleLazyObject(lambda: self._customer(request))
        response = self.get_response(request)
        self._save(request, response)
        return response

    def _customer(self, request):
        customer = sessions.customer_from_session(request)
        if customer is None and request.COOKIES.get(sessions.PERSISTENT_COOKIE):
            customer = sessions.customer_from_persistent_cookie(request)
            if customer is not None:
                sessions.start_session(request, customer, remember=False)
        return customer

    def _save(self, request, response):
        store_view = getattr(request, "store_view", None)
        cookie = {
            "path": get_config("web/cookie/cookie_path", store_view=store_view) or "/",
            "domain": get_config("web/cookie/cookie_domain", store_view=store_view) or None,
            "secure": request.is_secure(),
            "httponly": bool(get_config("web/cookie/cookie_httponly", store_view=store_view)),
            "samesite": "Lax",
        }
        session = request.shopper_session
        lifetime = int(get_config("web/cookie/cookie_lifetime", store_view=store_view))
        if not session.modified and session.get(sessions.KEY_CUSTOMER) is not None:
            # Inactivity ends a session after the cookie lifetime; renewing the expiry on every
            # page view would write the session each time, so renew once a tenth has passed.
            refreshed = session.get("refreshed_at", 0)
            if time.time() - refreshed > lifetime / 10:
                session["refreshed_at"] = time.time()
        if session.modified:
            if session.is_empty():
                if sessions.SESSION_COOKIE in request.COOKIES:
                    response.delete_cookie(
                        sessions.SESSION_COOKIE, path=cookie["path"], domain=cookie["domain"]
                    )
            else:
                session.set_expiry(lifetime)
                session.save()
                response.set_cookie(
                    sessions.SESSION_COOKIE, session.session_key, max_age=lifetime, **cookie
                )
            patch_vary_headers(response, ("Cookie",))
        website = store_view.store.website if store_view else None
        if request.set_persistent_cookie and website is not None:
            lifetime = int(get_config("persistent/options/lifetime", website=website))
            response.set_cookie(
                sessions.PERSISTENT_COOKIE,
                request.set_persistent_cookie,
                max_age=lifetime,
                **{**cookie, "httponly": True},
            )
        elif request.delete_persistent_cookie:
            response.delete_cookie(
                sessions.PERSISTENT_COOKIE, path=cookie["path"], domain=cookie["domain"]
            )
