from django.core import signing

from patron.assistance import services

COOKIE = "patron_assisted"
SALT = "patron.assistance.cookie"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NOT_SHOPPER_PAGES = ("/admin/", "/api/", "/static/")


def signed_session_id(session_id: int) -> str:
    return signing.dumps(session_id, salt=SALT)


def _session_id(raw: str):
    try:
        return signing.loads(raw, salt=SALT)
    except signing.BadSignature:
        return None


class AssistanceMiddleware:
    """During a Login as Customer session (its own cookie) the shopper pages act as the
    assisted customer; the staff session and any shopper session in the browser stay as they
    were. Changes are recorded on the session, and pages are never cached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.assistance = None
        raw = request.COOKIES.get(COOKIE)
        shopper_page = not request.path_info.startswith(NOT_SHOPPER_PAGES)
        stale = False
        if raw and shopper_page:
            session = services.active_session(_session_id(raw))
            if session is None:
                stale = True
            elif services.may_use_on(session, request.store_view):
                request.assistance = session
                request.customer = session.customer
                services.touch(session)
            # Elsewhere (another website's store view) the session is kept for its own pages.
        response = self.get_response(request)
        session = request.assistance
        if session is not None:
            response["Cache-Control"] = "no-store"
            changed = request.method in UNSAFE_METHODS and response.status_code < 400
            if changed and not getattr(request, "assistance_ending", False):
                services.record_action(
                    session,
                    method=request.method,
                    path=request.get_full_path(),
                    status=response.status_code,
                )
        if getattr(request, "set_assistance_cookie", None):
            response.set_cookie(
                COOKIE, request.set_assistance_cookie, httponly=True, samesite="Lax",
                secure=request.is_secure(), path="/",
            )  # fmt: skip
        elif stale or getattr(request, "assistance_ending", False):
            response.delete_cookie(COOKIE, path="/")
        return response
