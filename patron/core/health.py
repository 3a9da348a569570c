"""Liveness and readiness: is the process up, and can it reach what it needs?"""

import time
import uuid

from django.core.cache import cache
from django.db import connection
from django.utils import timezone

WORKER_HEARTBEAT_KEY = "patron:heartbeat:worker"
SCHEDULER_HEARTBEAT_KEY = "patron:heartbeat:scheduler"
HEARTBEAT_MAX_AGE_SECONDS = 180


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return False, f"{type(error).__name__}: {error}"
    return True, connection.vendor


def check_cache() -> tuple[bool, str]:
    key = f"patron:readyz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "ok", timeout=10)
        ok = cache.get(key) == "ok"
        cache.delete(key)
    except Exception as error:
        return False, f"{type(error).__name__}: {error}"
    return ok, "ok" if ok else "value written was not read back"


def check_queue() -> tuple[bool, str]:
    """The task queue: Redis for RQ, else the database queue (read, so a missing table shows)."""
    from django.conf import settings

    try:
        if settings.TASK_BACKEND == "django_tasks_rq.RQBackend":
            import django_rq

            queue = django_rq.get_queue("default")
            queue.connection.ping()
            return True, f"rq: {queue.count} waiting"
        if settings.TASK_BACKEND == "django_tasks_db.DatabaseBackend":
            from django_tasks_db.models import DBTaskResult

            return True, f"database: {DBTaskResult.objects.ready().count()} waiting"
    except Exception as error:
        return False, f"{type(error).__name__}: {error}"
    return True, "tasks run at once"


def record_heartbeat(key: str) -> None:
    cache.set(key, time.time(), timeout=HEARTBEAT_MAX_AGE_SECONDS * 10)


def check_heartbeat(key: str, what: str) -> tuple[bool, str]:
    try:
        beat = cache.get(key)
    except Exception as error:
        return False, f"{type(error).__name__}: {error}"
    if beat is None:
        return False, f"no {what} heartbeat seen"
    age = time.time() - beat
    if age > HEARTBEAT_MAX_AGE_SECONDS:
        return False, f"last {what} heartbeat {int(age)} s ago"
    return True, f"heartbeat {int(age)} s ago"


def readiness() -> dict[str, dict[str, object]]:
    checks = {
        "database": check_database(),
        "cache": check_cache(),
        "queue": check_queue(),
        "worker": check_heartbeat(WORKER_HEARTBEAT_KEY, "worker"),
        "scheduler": check_heartbeat(SCHEDULER_HEARTBEAT_KEY, "scheduler"),
    }
    return {
        name: {"ok": ok, "detail": detail, "checked_at": timezone.now().isoformat()}
        for name, (ok, detail) in checks.items()
    }
