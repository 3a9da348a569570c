"""Where reads go: the read replica for the reads that tolerate its lag, when one is set."""

from django.conf import settings
from django.db import connections


def read_alias() -> str:
    """ "replica" when PATRON_DATABASE_REPLICA_URL is set and no transaction is open on the
    primary (a read inside a write must see that write), else "default"."""
    if "replica" not in settings.DATABASES or connections["default"].in_atomic_block:
        return "default"
    return "replica"
