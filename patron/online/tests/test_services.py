"""Now Online (spec a §5): sign-ins and cart changes are touched into the cache, flushed to the
database in one batch, listed within the Online Minutes Interval, forgotten on sign-out and
purged when stale (acceptance checks 30, 31 and 32)."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from patron.accounts.tests.factories import ACCOUNT_URL, LOGIN_URL, LOGOUT_URL, sign_in
from patron.core.actors import SYSTEM
from patron.customers import services as customer_services
from patron.online.models import OnlineKind, OnlineSession
from patron.online.services import (
    COUNTER_KEY,
    flush_online,
    online_now,
    purge_stale,
    touch_online,
)
from patron.testing.fixtures import set_config

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
INTERVAL = "customer/online_customers/online_minutes_interval"
LOGIN_PAGE = f"http://testserver{LOGIN_URL}"
CART_ADD = "http://testserver/checkout/cart/add/"


def listed() -> list[tuple[str, int | None, str, str]]:
    return [(s.kind, s.customer_id, s.visitor_id, s.last_url) for s in online_now()]


def stored() -> list[tuple[str, int | None, str, dt.datetime, str]]:
    return list(
        OnlineSession.objects.order_by("subject").values_list(
            "subject", "customer_id", "visitor_id", "last_activity_at", "last_url"
        )
    )


# --- Signing in ---------------------------------------------------------------------------------


def test_sign_in_lists_the_customer_with_the_login_page_and_a_current_activity(
    client, shopper, view_a
):
    # given
    before = timezone.now()

    # when
    response = sign_in(client, "ada@example.com")

    # then
    after = timezone.now()
    assert response.status_code == 302
    [session] = online_now()
    assert (
        session.kind,
        session.subject,
        session.customer_id,
        session.visitor_id,
        session.store_view_id,
        session.last_url,
    ) == (OnlineKind.CUSTOMER, f"c:{shopper.pk}", shopper.pk, "", view_a.pk, LOGIN_PAGE)
    assert before <= session.last_activity_at <= after


def test_page_views_do_not_change_last_activity(client, shopper):
    # given
    sign_in(client, "ada@example.com")
    [signed_in] = online_now()

    # when
    pages = [client.get(ACCOUNT_URL).status_code for _ in range(3)]

    # then
    assert pages == [200, 200, 200]
    assert cache.get(COUNTER_KEY) == 1
    [session] = online_now()
    assert (session.last_activity_at, session.last_url) == (
        signed_in.last_activity_at,
        LOGIN_PAGE,
    )


def test_a_cart_change_moves_last_activity_and_last_url(shopper):
    # given
    touch_online(customer=shopper, url=LOGIN_PAGE, now=NOW - dt.timedelta(minutes=10))
    flush_online()

    # when
    touch_online(customer=shopper, url=CART_ADD, now=NOW)

    # then
    assert [(s.last_activity_at, s.last_url) for s in online_now(now=NOW)] == [(NOW, CART_ADD)]


# --- Cache and flush ----------------------------------------------------------------------------


def test_touches_stay_in_the_cache_until_the_flush(shopper, other_shopper):
    # given
    touch_online(customer=shopper, url=LOGIN_PAGE, now=NOW - dt.timedelta(minutes=2))
    touch_online(customer=other_shopper, url=LOGIN_PAGE, now=NOW - dt.timedelta(minutes=1))
    touch_online(customer=shopper, url=CART_ADD, now=NOW)
    # A touch that arrives late with an older time must not win over the newer one.
    touch_online(customer=other_shopper, url=CART_ADD, now=NOW - dt.timedelta(minutes=3))
    rows_before_flush = OnlineSession.objects.count()

    # when
    with CaptureQueriesContext(connection) as queries:
        written = flush_online()

    # then
    assert rows_before_flush == 0
    assert written == 2
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    assert stored() == [
        (f"c:{shopper.pk}", shopper.pk, "", NOW, CART_ADD),
        (f"c:{other_shopper.pk}", other_shopper.pk, "", NOW - dt.timedelta(minutes=1), LOGIN_PAGE),
    ]
    assert flush_online() == 0


def test_a_second_flush_updates_the_row_of_the_same_subject(shopper):
    # given
    touch_online(customer=shopper, url=LOGIN_PAGE, now=NOW - dt.timedelta(minutes=5))
    flush_online()
    touch_online(customer=shopper, url=CART_ADD, now=NOW)

    # when
    written = flush_online()

    # then
    assert written == 1
    assert stored() == [(f"c:{shopper.pk}", shopper.pk, "", NOW, CART_ADD)]


def test_touches_after_the_counter_expired_are_still_flushed(shopper):
    # given
    touch_online(customer=shopper, url=LOGIN_PAGE, now=NOW - dt.timedelta(minutes=5))
    flush_online()
    # The file cache gives the counter a five-minute expiry on every increment, and any cache
    # may evict it, while the "flushed up to" mark stays behind.
    cache.delete(COUNTER_KEY)
    touch_online(customer=shopper, url=CART_ADD, now=NOW)

    # when
    written = flush_online()

    # then
    assert written == 1
    assert stored() == [(f"c:{shopper.pk}", shopper.pk, "", NOW, CART_ADD)]


def test_a_customer_deleted_after_a_touch_is_left_out_of_the_flush(shopper, other_shopper):
    # given
    touch_online(customer=shopper, url=LOGIN_PAGE, now=NOW)
    touch_online(customer=other_shopper, url=LOGIN_PAGE, now=NOW)
    customer_services.delete_customer(customer=shopper, actor=SYSTEM)

    # when
    written = flush_online()

    # then
    assert written == 1
    assert stored() == [(f"c:{other_shopper.pk}", other_shopper.pk, "", NOW, LOGIN_PAGE)]
    connection.check_constraints()
    assert flush_online() == 0


def test_a_touch_needs_a_customer_or_a_visitor():
    # when
    with pytest.raises(ValueError) as error:
        touch_online(url=CART_ADD)

    # then
    assert str(error.value) == "touch_online needs a customer or a visitor id"
    assert cache.get(COUNTER_KEY) is None


# --- Visitors -----------------------------------------------------------------------------------


def test_a_visitor_cart_change_is_listed_as_a_visitor_without_customer(db, view_a):
    # when
    touch_online(visitor_id="v-123", url=CART_ADD, store_view=view_a)

    # then
    [session] = online_now()
    assert (
        session.kind,
        session.subject,
        session.customer_id,
        session.visitor_id,
        session.store_view_id,
        session.last_url,
    ) == (OnlineKind.VISITOR, "v:v-123", None, "v-123", view_a.pk, CART_ADD)


# --- The Online Minutes Interval ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("interval", "minutes_ago", "is_listed"),
    [
        (None, 16, False),
        (None, 15, True),
        (None, 14, True),
        (5, 6, False),
        (5, 4, True),
    ],
    ids=[
        "empty_16_minutes_case",
        "empty_15_minutes_case",
        "empty_14_minutes_case",
        "five_6_minutes_case",
        "five_4_minutes_case",
    ],
)
def test_only_activity_within_the_interval_is_listed(shopper, interval, minutes_ago, is_listed):
    # given
    if interval is not None:
        set_config({INTERVAL: interval})
    touch_online(customer=shopper, url=CART_ADD, now=NOW - dt.timedelta(minutes=minutes_ago))

    # when
    online = [s.customer_id for s in online_now(now=NOW)]

    # then
    assert online == ([shopper.pk] if is_listed else [])
    assert OnlineSession.objects.count() == 1


def test_list_is_newest_first(shopper, other_shopper):
    # given
    touch_online(customer=shopper, url=CART_ADD, now=NOW - dt.timedelta(minutes=3))
    touch_online(visitor_id="v-123", url=CART_ADD, now=NOW - dt.timedelta(minutes=1))
    touch_online(customer=other_shopper, url=CART_ADD, now=NOW - dt.timedelta(minutes=2))

    # when
    online = [s.subject for s in online_now(now=NOW)]

    # then
    assert online == ["v:v-123", f"c:{other_shopper.pk}", f"c:{shopper.pk}"]


# --- Signing out and purging --------------------------------------------------------------------


def test_sign_out_takes_the_customer_off_the_list(client, shopper, other_shopper):
    # given
    touch_online(customer=other_shopper, url=CART_ADD)
    sign_in(client, "ada@example.com")

    # when
    response = client.post(LOGOUT_URL)

    # then
    assert response.status_code == 302
    assert listed() == [(OnlineKind.CUSTOMER, other_shopper.pk, "", CART_ADD)]
    assert flush_online() == 0
    assert [s.customer_id for s in online_now()] == [other_shopper.pk]


def test_purge_deletes_sessions_idle_for_more_than_a_day(shopper, other_shopper):
    # given
    now = timezone.now()
    touch_online(customer=shopper, url=CART_ADD, now=now - dt.timedelta(hours=25))
    touch_online(customer=other_shopper, url=CART_ADD, now=now - dt.timedelta(hours=23))
    touch_online(visitor_id="v-123", url=CART_ADD, now=now - dt.timedelta(days=3))
    flush_online()

    # when
    deleted = purge_stale()

    # then
    assert deleted == 2
    assert list(OnlineSession.objects.values_list("customer_id", flat=True)) == [other_shopper.pk]


def test_purge_takes_a_shorter_idle_time(shopper, other_shopper):
    # given
    now = timezone.now()
    touch_online(customer=shopper, url=CART_ADD, now=now - dt.timedelta(minutes=31))
    touch_online(customer=other_shopper, url=CART_ADD, now=now - dt.timedelta(minutes=29))
    flush_online()

    # when
    deleted = purge_stale(older_than=dt.timedelta(minutes=30))

    # then
    assert deleted == 1
    assert list(OnlineSession.objects.values_list("customer_id", flat=True)) == [other_shopper.pk]
