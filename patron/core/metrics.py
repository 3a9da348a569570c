"""Prometheus metrics at ``/metrics``, for a scraper holding ``PATRON_METRICS_TOKEN``.

Counted in each process: requests (by view and status class) and their latency, sign-in
failures (shopper and staff), finished tasks by outcome. Read at scrape time: tasks waiting in
the queue. With several web processes (gunicorn workers) set ``PROMETHEUS_MULTIPROC_DIR`` to an
empty directory shared by them, so a scrape sums every process (prometheus_client's
multiprocess mode).
"""

import hmac
import os
import time

from django.conf import settings
from django.http import Http404, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

REQUESTS = Counter(
    "patron_http_requests_total", "HTTP requests answered.", ["view", "method", "status"]
)
LATENCY = Histogram(
    "patron_http_request_duration_seconds",
    "Time to answer an HTTP request.",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
SIGN_IN_FAILURES = Counter(
    "patron_sign_in_failures_total", "Failed sign-in attempts.", ["audience"]
)
TASKS_FINISHED = Counter(
    "patron_tasks_finished_total", "Background tasks finished, by outcome.", ["task", "status"]
)


class QueueCollector:
    """Tasks waiting in the database queue, per queue, read when scraped."""

    def describe(self):
        # Without describe(), registering would call collect() (a query) at import time.
        return [GaugeMetricFamily("patron_tasks_waiting", "", labels=["queue"])]

    def collect(self):
        from django.db.models import Count
        from django_tasks_db.models import DBTaskResult

        gauge = GaugeMetricFamily(
            "patron_tasks_waiting", "Background tasks queued and not started.", labels=["queue"]
        )
        if "django_tasks_db" in settings.INSTALLED_APPS:
            waiting = DBTaskResult.objects.ready().values("queue_name").annotate(n=Count("id"))
            for row in waiting:
                gauge.add_metric([row["queue_name"]], row["n"])
        yield gauge


def _view_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.view_name or match.url_name or "unnamed"


class MetricsMiddleware:
    """Count every request and its latency, labelled by the view that answered (not the path,
    which would make one series per customer id)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        view = _view_name(request)
        REQUESTS.labels(view, request.method, f"{response.status_code // 100}xx").inc()
        LATENCY.labels(view).observe(time.perf_counter() - started)
        return response


def count_task(sender, task_result, **kwargs) -> None:
    """Signal receiver (task_finished)."""
    TASKS_FINISHED.labels(task_result.task.name, str(task_result.status)).inc()


REGISTRY.register(QueueCollector())


def _registry() -> CollectorRegistry:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(QueueCollector())
    return registry


def metrics_view(request):
    """The metrics, to ``Authorization: Bearer <PATRON_METRICS_TOKEN>``; 404 without a token
    configured, so the endpoint does not exist until an operator asks for it."""
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        return HttpResponse(status=401, headers={"WWW-Authenticate": "Bearer"})
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
