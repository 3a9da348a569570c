"""Structured logs: one JSON object per line, each carrying the id of the request (or of the
request that queued the task) it belongs to, so one action can be followed from the web process
into the worker.

The id comes from the ``X-Request-ID`` header when a proxy sets a sane one, else it is new; it
is echoed in the response. When a task is queued its id is remembered in the shared cache under
the task's id, and the worker takes it up when the task starts.
"""

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from django.core.cache import cache

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "patron_request_id", default=None
)
HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
TASK_KEY = "patron:task-request:{}"
TASK_KEY_SECONDS = 7 * 24 * 3600
# LogRecord's own attributes: anything else on a record came from ``extra=`` and is logged.
_RECORD_FIELDS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


def current_request_id() -> str | None:
    return request_id_var.get()


class RequestIdFilter(logging.Filter):
    """Put the current request id on every record (None outside requests and tasks)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, request_id, the ``extra=`` fields, and the exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and not key.startswith("_"):
                entry[key] = (
                    value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
                )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class RequestIdMiddleware:
    """Give each request an id (the proxy's, when well formed), for its logs and its tasks."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(HEADER, "")
        request_id = given if _VALID_ID.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        # Not reset on the way out: Django logs the response (e.g. "Not Found") after the
        # middleware has returned, and that line belongs to this request too. The next request
        # in this thread sets its own id first.
        request_id_var.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def remember_for_task(sender, task_result, **kwargs) -> None:
    """Signal receiver (task_enqueued): keep the queuing request's id for the worker."""
    request_id = request_id_var.get()
    if request_id:
        cache.set(TASK_KEY.format(task_result.id), request_id, TASK_KEY_SECONDS)


_task_tokens: dict[str, contextvars.Token] = {}


def adopt_for_task(sender, task_result, **kwargs) -> None:
    """Signal receiver (task_started): log the task under the id of the request that queued
    it, or a new one for scheduled tasks."""
    request_id = cache.get(TASK_KEY.format(task_result.id)) or f"task-{task_result.id}"
    _task_tokens[task_result.id] = request_id_var.set(str(request_id))


def forget_for_task(sender, task_result, **kwargs) -> None:
    """Signal receiver (task_finished): back to the id from before the task (a task run at
    once, inside the request, keeps the request's)."""
    cache.delete(TASK_KEY.format(task_result.id))
    token = _task_tokens.pop(task_result.id, None)
    if token is not None:
        request_id_var.reset(token)
