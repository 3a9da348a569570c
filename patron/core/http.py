from django.conf import settings


def client_ip(request) -> str | None:
    """Return the caller's IP; behind a trusted proxy, the last address it appended."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None
