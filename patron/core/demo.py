"""Demo data: the credentials ``make demo`` prints, and the guard against seeding a real store."""

from django.db import transaction
from django.utils.translation import gettext as _

from patron.core.errors import Conflict
from patron.core.models import DemoMarker

DEMO_STAFF_USERNAME = "admin"
DEMO_STAFF_PASSWORD = "patron-admin"  # noqa: S105 - published demo credentials
DEMO_SHOPPER_EMAIL = "shopper@example.com"
DEMO_SHOPPER_PASSWORD = "Patron-shopper-1"  # noqa: S105 - published demo credentials


def database_is_pristine() -> bool:
    """True while nobody has created staff users or customers: safe to mark as demo."""
    from django.apps import apps
    from django.contrib.auth.models import User

    if User.objects.exists():
        return False
    if apps.is_installed("patron.customers"):
        from patron.customers.models import Customer

        return not Customer.objects.exists()
    return True


@transaction.atomic
def ensure_demo_database() -> None:
    """Mark a pristine database as a demo database, or refuse a database that is not one."""
    if DemoMarker.objects.exists():
        return
    if not database_is_pristine():
        raise Conflict(
            _(
                "This database already holds data and is not a demo database; demo data is "
                "never loaded into it."
            ),
            code="not_a_demo_database",
        )
    DemoMarker.objects.create()
