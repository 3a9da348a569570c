"""The shopper session: Patron's own cookie, separate from the staff session and from an
assisted session, bound to the website and to the customer's session fingerprint.

Remember Me is a second, signed cookie holding the customer, the website and the fingerprint;
it restores a session after the session cookie expired, until the persistence lifetime ends.
"""

from importlib import import_module

from django.conf import settings
from django.core import signing
from django.utils import timezone

from patron.accounts.services import session_fingerprint
from patron.customers.models import Customer
from patron.customers.services import accounts_are_global
from patron.scopes.config import get_config

SESSION_COOKIE = "patron_shopper"
PERSISTENT_COOKIE = "patron_persistent"
PERSISTENT_SALT = "patron.accounts.persistent"
KEY_CUSTOMER = "customer_id"
KEY_WEBSITE = "website_id"
KEY_FINGERPRINT = "fingerprint"


def session_store(session_key: str | None):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


def _valid_customer(customer_id, website_id, fingerprint, store_view) -> Customer | None:
    if customer_id is None or store_view is None:
        return None
    customer = (
        Customer.objects.select_related("website", "group")
        .filter(pk=customer_id, is_active=True)
        .first()
    )
    if customer is None or session_fingerprint(customer) != fingerprint:
        return None
    if not accounts_are_global() and (
        customer.website_id != store_view.store.website_id or website_id != customer.website_id
    ):
        return None
    # A group excluded from this website may not be signed in here (spec a §8), also with a
    # session started on another website under Global sharing or before the exclusion.
    if customer.group.excluded_websites.filter(pk=store_view.store.website_id).exists():
        return None
    return customer


def customer_from_session(request) -> Customer | None:
    session = request.shopper_session
    return _valid_customer(
        session.get(KEY_CUSTOMER),
        session.get(KEY_WEBSITE),
        session.get(KEY_FINGERPRINT),
        request.store_view,
    )


def customer_from_persistent_cookie(request) -> Customer | None:
    raw = request.COOKIES.get(PERSISTENT_COOKIE)
    if not raw or request.store_view is None:
        return None
    website = request.store_view.store.website
    if not get_config("persistent/options/enabled", website=website):
        return None
    lifetime = int(get_config("persistent/options/lifetime", website=website))
    try:
        data = signing.loads(raw, salt=PERSISTENT_SALT, max_age=lifetime)
    except signing.BadSignature:
        return None
    return _valid_customer(data.get("c"), data.get("w"), data.get("f"), request.store_view)


def start_session(request, customer: Customer, *, remember: bool) -> None:
    """Sign ``customer`` in on this request: a new session key (no fixation), bound data, and
    the Remember Me cookie when asked for and allowed."""
    session = request.shopper_session
    # flush() drops the old session and its key, so a planted session id is never signed in.
    session.flush()
    session[KEY_CUSTOMER] = customer.pk
    session[KEY_WEBSITE] = customer.website_id
    session[KEY_FINGERPRINT] = session_fingerprint(customer)
    session["signed_in_at"] = timezone.now().isoformat()
    request.customer = customer
    website = request.store_view.store.website
    if (
        remember
        and get_config("persistent/options/enabled", website=website)
        and get_config("persistent/options/remember_enabled", website=website)
    ):
        request.set_persistent_cookie = signing.dumps(
            {"c": customer.pk, "w": customer.website_id, "f": session_fingerprint(customer)},
            salt=PERSISTENT_SALT,
        )


def refresh_fingerprint(request, customer: Customer) -> None:
    """Keep the current session valid after the customer changed their own password."""
    customer.refresh_from_db(fields=["password", "session_version"])
    request.shopper_session[KEY_FINGERPRINT] = session_fingerprint(customer)


def end_session(request) -> None:
    request.shopper_session.flush()
    request.customer = None
    website = request.store_view.store.website if request.store_view else None
    if website is None or get_config("persistent/options/logout_clear", website=website):
        request.delete_persistent_cookie = True


def shopper_actor(request):
    """Who makes a change from the shopper pages: the customer, or the customer as assisted by
    a staff member during a Login as Customer session."""
    from patron.core.actors import Actor

    assistance = getattr(request, "assistance", None)
    if assistance is not None:
        from patron.assistance.services import assisted_actor

        return assisted_actor(assistance)
    return Actor.customer(request.customer)
