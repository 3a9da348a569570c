from django.conf import settings
from django.utils import translation

BACK_OFFICE_PREFIXES = ("/admin/", "/api/v1/docs")


class ContentSecurityPolicyMiddleware:
    """Send a Content-Security-Policy on every response; shopper pages get the strict one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            loose = request.path_info.startswith(BACK_OFFICE_PREFIXES)
            response["Content-Security-Policy"] = (
                settings.CONTENT_SECURITY_POLICY_ADMIN
                if loose
                else settings.CONTENT_SECURITY_POLICY
            )
        return response


class LanguageMiddleware:
    """Activate the language of the request's audience.

    Shopper pages and shopper API calls speak their store view's language; the back office
    speaks the staff member's chosen language, else the browser's.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = self.language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        patch_vary = response.get("Vary", "")
        if "Accept-Language" not in patch_vary:
            response["Vary"] = ", ".join(filter(None, [patch_vary, "Accept-Language"]))
        translation.deactivate()
        return response

    def language_for(self, request) -> str:
        path = request.path_info
        if path.startswith("/admin/"):
            preferred = staff_language(request.user)
            return preferred or translation.get_language_from_request(request)
        if path.startswith("/api/"):
            code = request.headers.get("X-Patron-Store")
            if code:
                from patron.scopes.selectors import routing

                view_id = routing().by_code.get(code)
                if view_id is not None:
                    from patron.scopes.selectors import get_store_view

                    return get_store_view(view_id).locale
            return translation.get_language_from_request(request)
        store_view = getattr(request, "store_view", None)
        if store_view is not None:
            return store_view.locale
        return translation.get_language_from_request(request)


def staff_language(user) -> str:
    if not getattr(user, "is_authenticated", False):
        return ""
    profile = getattr(user, "staff_profile", None)
    return getattr(profile, "language", "") or ""
