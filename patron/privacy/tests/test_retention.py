"""Data retention: each purge removes its kind of personal data once it is older than its
setting, keeps recent rows and rows of other kinds, and keeps everything when the setting is 0;
the daily job runs them all."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from patron.accounts import history as account_history
from patron.accounts import services as account_services
from patron.accounts.history import AccountKind
from patron.accounts.models import PasswordResetRequest
from patron.assistance import services as assistance_services
from patron.assistance import settings_fields as assistance_fields
from patron.assistance.models import AssistanceAction, AssistanceSession
from patron.core.actors import SYSTEM, Actor
from patron.core.errors import NotAuthenticated
from patron.core.scheduler import periodic_jobs
from patron.customers import services as customer_services
from patron.customers.history import TimelineKind
from patron.customers.models import TimelineEntry
from patron.customers.tests.factories import make_customer
from patron.mail import services as mail_services
from patron.mail.models import OutboxMessage
from patron.online.models import OnlineSession
from patron.online.services import flush_online, touch_online
from patron.privacy import retention
from patron.sales import services as sales_services
from patron.sales.models import Cart, CartItem, ProductView
from patron.testing.fixtures import make_staff_user, set_config

PASSWORD = "Secret-password-1"
LIMIT = 10
WELCOME = "customer_create_account_email_template"


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def old(now):
    """Just past the limit of LIMIT days."""
    return now - dt.timedelta(days=LIMIT, hours=1)


@pytest.fixture
def recent(now):
    """Just within the limit."""
    return now - dt.timedelta(days=LIMIT - 1)


@pytest.fixture
def customer(view_a):
    return make_customer(
        "ada@example.com", store_view=view_a, password=PASSWORD, allow_remote_assistance=True
    )


@pytest.fixture
def products(db):
    return [
        sales_services.save_product(sku=sku, name=sku.title(), price=Decimal("10"), actor=SYSTEM)
        for sku in ("kettle", "teapot")
    ]


def keep_for(path: str, days: int = LIMIT) -> None:
    set_config({path: days})


# --- Rows of every kind, made through the services ---------------------------------------------


def online(at, *, customer=None, visitor_id=""):
    touch_online(customer=customer, visitor_id=visitor_id, now=at)
    flush_online()


def guest_cart(view, visitor_id: str, updated_at) -> Cart:
    cart = sales_services.replace_cart(
        store_view=view, visitor_id=visitor_id, actor=SYSTEM, currency="USD",
        items=[
            {"sku": "kettle", "qty": 1, "price": "10"},
            {"sku": "teapot", "qty": 2, "price": "10"},
        ],
    )  # fmt: skip
    Cart.objects.filter(pk=cart.pk).update(updated_at=updated_at)
    return cart


def customer_cart(view, customer, updated_at) -> Cart:
    cart = sales_services.replace_cart(
        store_view=view, customer_id=customer.pk, actor=SYSTEM, currency="USD",
        items=[{"sku": "kettle", "qty": 1, "price": "10"}],
    )  # fmt: skip
    Cart.objects.filter(pk=cart.pk).update(updated_at=updated_at)
    return cart


def product_view(view, external_id: str, at, **viewer) -> ProductView:
    seen, _outcome = sales_services.record_product_view(
        store_view=view, external_id=external_id, sku="kettle", viewed_at=at, actor=SYSTEM,
        **viewer,
    )  # fmt: skip
    return seen


def reset_request(view, email: str, ip: str, at) -> PasswordResetRequest:
    account_services.request_password_reset(email=email, store_view=view, ip=ip)
    request = PasswordResetRequest.objects.filter(email=email).latest("pk")
    PasswordResetRequest.objects.filter(pk=request.pk).update(created_at=at)
    return request


def failed_sign_in(view, customer, ip: str, at) -> TimelineEntry:
    with pytest.raises(NotAuthenticated):
        account_services.authenticate(
            store_view=view, email=customer.email, password="wrong-password", ip=ip
        )
    entry = TimelineEntry.objects.filter(kind=AccountKind.SIGN_IN_FAILED).latest("pk")
    TimelineEntry.objects.filter(pk=entry.pk).update(occurred_at=at)
    return entry


def outbox_message(view, to: str, at) -> OutboxMessage:
    message = mail_services.send_templated_email(
        template=WELCOME, to=to, store_view=view,
        context={"customer_name": "Ann", "customer_email": to},
    )  # fmt: skip
    OutboxMessage.objects.filter(pk=message.pk).update(created_at=at)
    return message


def note(customer, text: str, at) -> TimelineEntry:
    entry = customer_services.add_timeline_note(customer=customer, text=text, actor=SYSTEM)
    TimelineEntry.objects.filter(pk=entry.pk).update(occurred_at=at)
    return entry


def dated(entry: TimelineEntry, at) -> TimelineEntry:
    TimelineEntry.objects.filter(pk=entry.pk).update(occurred_at=at)
    return TimelineEntry.objects.get(pk=entry.pk)


def assisted_session(customer, staff, *, started_at, ended_at=None, actions=2):
    set_config({assistance_fields.ENABLED: True})
    session, _secret = assistance_services.start_assistance(
        customer=customer, actor=Actor.staff(staff), may=True, staff_user=staff
    )
    AssistanceSession.objects.filter(pk=session.pk).update(
        started_at=started_at, last_activity_at=started_at
    )
    session.refresh_from_db()
    for n in range(actions):
        assistance_services.record_action(session, method="POST", path=f"/p/{n}/", status=302)
    AssistanceSession.objects.filter(pk=session.pk).update(
        last_activity_at=ended_at or started_at, ended_at=ended_at
    )
    return session


def snapshot() -> dict[str, list]:
    """Every value the purges could touch, to compare before and after."""
    return {
        "online": sorted(OnlineSession.objects.values_list("subject", flat=True)),
        "carts": sorted(Cart.objects.values_list("pk", flat=True)),
        "cart_items": sorted(CartItem.objects.values_list("pk", flat=True)),
        "views": sorted(ProductView.objects.values_list("pk", flat=True)),
        "reset_ips": sorted(PasswordResetRequest.objects.values_list("pk", "ip")),
        "outbox": sorted(OutboxMessage.objects.values_list("pk", flat=True)),
        "timeline": sorted(
            (pk, kind, sorted(params.items()), text)
            for pk, kind, params, text in TimelineEntry.objects.values_list(
                "pk", "kind", "params", "note"
            )
        ),
        "actions": sorted(AssistanceAction.objects.values_list("pk", flat=True)),
    }


# --- Visitors and Now Online --------------------------------------------------------------------


def test_visitor_purge_deletes_idle_online_records_and_guest_carts(
    view_a, customer, products, old, recent, now
):
    # given
    keep_for(retention.VISITORS_DAYS)
    online(old, visitor_id="idle-visitor")
    online(old, customer=customer)
    online(recent, visitor_id="recent-visitor")
    idle_cart = guest_cart(view_a, "idle-visitor", old)
    recent_cart = guest_cart(view_a, "recent-visitor", recent)
    own_cart = customer_cart(view_a, customer, old)
    seen = product_view(view_a, "v-1", old, visitor_id="idle-visitor")

    # when
    purged = retention.purge_visitors(now=now)

    # then
    assert purged == {"online_records": 2, "guest_carts": 1, "guest_cart_items": 2}
    assert list(OnlineSession.objects.values_list("subject", flat=True)) == ["v:recent-visitor"]
    assert sorted(Cart.objects.values_list("pk", flat=True)) == sorted(
        [recent_cart.pk, own_cart.pk]
    )
    assert not CartItem.objects.filter(cart_id=idle_cart.pk).exists()
    assert CartItem.objects.filter(cart_id=recent_cart.pk).count() == 2
    assert list(ProductView.objects.values_list("pk", flat=True)) == [seen.pk]


# --- Product views ------------------------------------------------------------------------------


def test_product_view_purge_deletes_views_older_than_the_limit(
    view_a, customer, products, old, recent, now
):
    # given
    keep_for(retention.PRODUCT_VIEWS_DAYS)
    product_view(view_a, "old-customer", old, customer_id=customer.pk)
    product_view(view_a, "old-visitor", old, visitor_id="visitor-1")
    product_view(view_a, "recent-customer", recent, customer_id=customer.pk)
    cart = guest_cart(view_a, "visitor-1", old)

    # when
    purged = retention.purge_product_views(now=now)

    # then
    assert purged == {"product_views": 2}
    assert list(ProductView.objects.values_list("external_id", flat=True)) == ["recent-customer"]
    assert Cart.objects.filter(pk=cart.pk).exists()


def test_a_purge_larger_than_a_batch_takes_every_row(
    view_a, products, old, recent, now, monkeypatch
):
    # given
    monkeypatch.setattr(retention, "BATCH_SIZE", 2)
    keep_for(retention.PRODUCT_VIEWS_DAYS)
    for n in range(5):
        product_view(view_a, f"old-{n}", old, visitor_id=f"visitor-{n}")
    product_view(view_a, "recent", recent, visitor_id="visitor-9")

    # when
    purged = retention.purge_product_views(now=now)

    # then
    assert purged == {"product_views": 5}
    assert list(ProductView.objects.values_list("external_id", flat=True)) == ["recent"]


def test_purges_that_clear_values_in_batches_stop_once_all_are_cleared(
    view_a, customer, old, now, monkeypatch
):
    # given: each batch is one row, so every purge needs several rounds
    monkeypatch.setattr(retention, "BATCH_SIZE", 1)
    keep_for(retention.IP_DAYS)
    keep_for(retention.TIMELINE_DETAILS_DAYS)
    for n in range(2):
        reset_request(view_a, f"nobody{n}@example.com", f"203.0.113.{n}", old)
        failed_sign_in(view_a, customer, f"198.51.100.{n}", old)
    TimelineEntry.objects.update(occurred_at=old)

    # when
    cleared_ips = retention.purge_ip_addresses(now=now)
    cleared_details = retention.purge_timeline_details(now=now)

    # then
    assert cleared_ips == {"password_reset_requests": 2, "timeline_entries": 2}
    assert cleared_details == {"timeline_entries": 1}  # the account's creation
    assert not PasswordResetRequest.objects.filter(ip__isnull=False).exists()
    assert list(TimelineEntry.objects.values_list("params", flat=True)) == [{}, {}, {}]


# --- IP addresses -------------------------------------------------------------------------------


def test_ip_purge_clears_old_addresses_and_keeps_the_rows(view_a, customer, old, recent, now):
    # given
    keep_for(retention.IP_DAYS)
    old_known = reset_request(view_a, customer.email, "203.0.113.5", old)
    old_unknown = reset_request(view_a, "nobody@example.com", "203.0.113.6", old)
    new_unknown = reset_request(view_a, "someone@example.com", "203.0.113.7", recent)
    old_failure = failed_sign_in(view_a, customer, "198.51.100.1", old)
    new_failure = failed_sign_in(view_a, customer, "198.51.100.2", recent)
    mixed = dated(
        account_history.record(
            customer, AccountKind.SIGN_IN_FAILED, SYSTEM, ip="198.51.100.3", via="api"
        ),
        old,
    )
    other = note(customer, "Called about an order", old)

    # when
    purged = retention.purge_ip_addresses(now=now)

    # then
    assert purged == {"password_reset_requests": 2, "timeline_entries": 2}
    assert dict(PasswordResetRequest.objects.values_list("pk", "ip")) == {
        old_known.pk: None,
        old_unknown.pk: None,
        new_unknown.pk: "203.0.113.7",
    }
    params = dict(TimelineEntry.objects.values_list("pk", "params"))
    assert params[old_failure.pk] == {}
    assert params[mixed.pk] == {"via": "api"}
    assert params[new_failure.pk] == {"ip": "198.51.100.2"}
    assert TimelineEntry.objects.get(pk=other.pk).note == "Called about an order"


# --- Outbox -------------------------------------------------------------------------------------


def test_outbox_purge_deletes_messages_older_than_the_limit(view_a, customer, old, recent, now):
    # given
    keep_for(retention.OUTBOX_DAYS)
    outbox_message(view_a, "old@example.com", old)
    kept = outbox_message(view_a, "recent@example.com", recent)
    entry = note(customer, "Sent the catalogue", old)

    # when
    purged = retention.purge_outbox(now=now)

    # then
    assert purged == {"outbox_messages": 1}
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [kept.pk]
    assert TimelineEntry.objects.get(pk=entry.pk).note == "Sent the catalogue"


def test_the_mail_jobs_purge_follows_the_setting_not_the_environment(view_a):
    # given: the setting is longer than the environment's 90 days
    keep_for(retention.OUTBOX_DAYS, 120)
    kept = outbox_message(view_a, "a@example.com", timezone.now() - dt.timedelta(days=100))
    outbox_message(view_a, "b@example.com", timezone.now() - dt.timedelta(days=121))

    # when
    result = next(j for j in periodic_jobs() if j.code == "mail.purge_outbox").enqueue()

    # then
    assert result.return_value == 1
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [kept.pk]


# --- Timeline details ---------------------------------------------------------------------------


def test_timeline_purge_clears_details_and_notes_of_old_entries(customer, old, recent, now):
    # given
    keep_for(retention.TIMELINE_DETAILS_DAYS)
    old_note = note(customer, "Prefers phone calls", old)
    customer_services.update_customer(customer=customer, actor=SYSTEM, firstname="Augusta")
    old_change = dated(TimelineEntry.objects.get(kind=TimelineKind.ACCOUNT_UPDATED), old)
    new_note = note(customer, "Asked for an invoice", recent)

    # when
    purged = retention.purge_timeline_details(now=now)

    # then
    assert purged == {"timeline_entries": 2}
    rows = {
        pk: (kind, occurred_at, params, text)
        for pk, kind, occurred_at, params, text in TimelineEntry.objects.values_list(
            "pk", "kind", "occurred_at", "params", "note"
        )
    }
    assert rows[old_note.pk] == (old_note.kind, old, {}, "")
    assert rows[old_change.pk] == (TimelineKind.ACCOUNT_UPDATED, old, {}, "")
    assert rows[new_note.pk][3] == "Asked for an invoice"


def test_a_timeline_with_cleared_details_still_shows(client, customer, old, now):
    # given: an entry whose kind describes itself from its details
    from patron.credit import services as credit_services

    set_config({credit_services.ENABLED: True})
    keep_for(retention.TIMELINE_DETAILS_DAYS)
    credit_services.update_balance(
        customer=customer, website=customer.website, delta=Decimal("5"), actor=SYSTEM
    )
    TimelineEntry.objects.filter(customer=customer).update(occurred_at=old)
    retention.purge_timeline_details(now=now)
    client.force_login(make_staff_user("root", superuser=True))

    # when
    response = client.get(f"/admin/customers/customer/{customer.pk}/change/?section=timeline")

    # then
    assert response.status_code == 200
    assert "Store credit changed" in response.content.decode()


# --- Assisted-session logs ----------------------------------------------------------------------


def test_assistance_purge_deletes_the_actions_of_sessions_ended_before_the_limit(
    customer, old, recent, now
):
    # given
    staff = make_staff_user("helper", permissions=[assistance_services.PERMISSION])
    ended_long_ago = assisted_session(customer, staff, started_at=old, ended_at=old)
    abandoned = assisted_session(customer, staff, started_at=old)
    ended_lately = assisted_session(customer, staff, started_at=old, ended_at=recent)
    running = assisted_session(customer, staff, started_at=recent)
    keep_for(retention.ASSISTANCE_DAYS)

    # when
    purged = retention.purge_assistance_logs(now=now)

    # then
    assert purged == {"assistance_actions": 4}
    assert sorted(set(AssistanceAction.objects.values_list("session_id", flat=True))) == sorted(
        [ended_lately.pk, running.pk]
    )
    counts = dict(AssistanceSession.objects.values_list("pk", "actions_count"))
    assert counts == {ended_long_ago.pk: 2, abandoned.pk: 2, ended_lately.pk: 2, running.pk: 2}


# --- 0 keeps everything, and the daily job ------------------------------------------------------


@pytest.fixture
def old_data_of_every_kind(view_a, customer, products, old):
    staff = make_staff_user("helper", permissions=[assistance_services.PERMISSION])
    online(old, visitor_id="idle-visitor")
    guest_cart(view_a, "idle-visitor", old)
    product_view(view_a, "v-1", old, visitor_id="idle-visitor")
    reset_request(view_a, "nobody@example.com", "203.0.113.6", old)
    failed_sign_in(view_a, customer, "198.51.100.1", old)
    outbox_message(view_a, "old@example.com", old)
    note(customer, "Prefers phone calls", old)
    assisted_session(customer, staff, started_at=old, ended_at=old)
    # Older than every default limit too.
    long_ago = old - dt.timedelta(days=4000)
    OnlineSession.objects.update(last_activity_at=long_ago)
    Cart.objects.update(updated_at=long_ago)
    ProductView.objects.update(viewed_at=long_ago)
    PasswordResetRequest.objects.update(created_at=long_ago)
    OutboxMessage.objects.update(created_at=long_ago)
    TimelineEntry.objects.update(occurred_at=long_ago)
    AssistanceSession.objects.update(ended_at=long_ago, last_activity_at=long_ago)


@pytest.mark.parametrize(
    ("path", "purge"),
    [
        (retention.VISITORS_DAYS, retention.purge_visitors),
        (retention.PRODUCT_VIEWS_DAYS, retention.purge_product_views),
        (retention.IP_DAYS, retention.purge_ip_addresses),
        (retention.OUTBOX_DAYS, retention.purge_outbox),
        (retention.TIMELINE_DETAILS_DAYS, retention.purge_timeline_details),
        (retention.ASSISTANCE_DAYS, retention.purge_assistance_logs),
    ],
    ids=lambda value: value.rsplit("/", 1)[-1] if isinstance(value, str) else "",
)
def test_zero_days_keeps_everything(old_data_of_every_kind, now, path, purge):
    # given
    keep_for(path, 0)
    before = snapshot()

    # when
    purged = purge(now=now)

    # then
    assert purged == {}
    assert snapshot() == before


def test_the_daily_job_runs_every_purge_and_returns_the_counts(old_data_of_every_kind):
    # given
    job = next(j for j in periodic_jobs() if j.code == "privacy.retention")

    # when
    result = job.enqueue()

    # then
    assert job.cron == "37 4 * * *"
    assert result.return_value == {
        "visitors": {"online_records": 1, "guest_carts": 1, "guest_cart_items": 2},
        "product_views": {"product_views": 1},
        "ip_addresses": {"password_reset_requests": 1, "timeline_entries": 1},
        "outbox": {"outbox_messages": 1},
        "timeline_details": {"timeline_entries": 2},
        "assistance_logs": {"assistance_actions": 2},
    }


def test_a_failing_purge_does_not_stop_the_others(old_data_of_every_kind, monkeypatch):
    # given
    def broken(*, now):
        raise RuntimeError("disk full")

    monkeypatch.setitem(retention.PURGES, "product_views", broken)

    # when
    with pytest.raises(RuntimeError, match="disk full"):
        retention.run_retention()

    # then: the purges before and after the broken one ran
    assert OnlineSession.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    assert ProductView.objects.count() == 1
