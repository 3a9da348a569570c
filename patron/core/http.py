import urllib.request

from django.conf import settings


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # Following a redirect could lead to an address the caller never checked, and would carry
    # the request's credentials there.
    def redirect_request(self, *args, **kwargs):
        return None


def no_redirect_opener() -> urllib.request.OpenerDirector:
    """A urllib opener that answers a redirect as the HTTP error it is instead of following it."""
    return urllib.request.build_opener(_NoRedirects)


def client_ip(request) -> str | None:
    """Return the caller's IP; behind a trusted proxy, the last address it appended."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None
