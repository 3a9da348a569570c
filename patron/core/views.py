from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from patron.core.health import readiness


@require_GET
@never_cache
def healthz(request):
    """Liveness: the process answers. Checks nothing else, so it never flaps with the database."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request):
    """Readiness: database, cache, worker and scheduler, each reported on its own."""
    checks = readiness()
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )


def storefront_home(request):
    """The store view's landing page on Patron's own host: account links for shoppers."""
    return render(request, "shop/home.html")
