"""Segment membership (spec c §5, checks 31-35): real-time matching after the events of the
sales, accounts, customers and credit services (run after commit, as in production), visitors'
memberships in the cache, full refreshes, the history of stays, account sharing, the daily
refresh of date-dependent segments and the feature switch."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.utils import timezone

from patron.accounts.services import record_sign_in
from patron.core.actors import SYSTEM
from patron.credit import services as credit
from patron.customers import services as customers
from patron.customers.models import CustomerGroup
from patron.customers.tests.factories import make_address, make_customer, share_accounts
from patron.sales import services as sales
from patron.scopes import services as scopes
from patron.segments import services
from patron.segments.models import SegmentMembership
from patron.segments.tests.conftest import (
    address_attribute,
    cart_total,
    combine,
    customer_address,
    customer_attribute,
    make_product,
    member_ids,
    newsletter,
    number_of_orders,
    order_status,
    place_order,
    product_history,
    product_list,
    sales_amount,
    set_cart,
    store_credit,
    up_to_date,
    view_product,
)
from patron.testing.fixtures import make_store_view, set_config

MALE, FEMALE = 1, 2
WHOLESALE = 2  # the group a fresh installation numbers 2
NEW_YORK = ZoneInfo("America/New_York")
FEMALE_TREE = combine(customer_attribute("gender", "is", FEMALE))
CART_OVER_100 = combine(cart_total("gte", 100))


@pytest.fixture
def view_b(website_b):
    return make_store_view(website_b, "second_en", "en", name="Second English", is_default=True)


@pytest.fixture
def mug(db):
    return make_product("MUG")


@pytest.fixture
def ada(view_a):
    return make_customer("ada@example.com", store_view=view_a, gender=FEMALE)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what the services queue after commit (event handlers, tasks), as production does
    once the transaction commits: ``with on_commit(): ...``."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def stays(segment, customer) -> list[tuple]:
    """The customer's membership rows in the segment: (website id, joined, left), oldest first."""
    rows = SegmentMembership.objects.filter(segment=segment, customer=customer)
    return list(rows.order_by("joined_at", "pk").values_list("website_id", "joined_at", "left_at"))


def change(customer, **fields):
    customers.update_customer(customer=customer, actor=SYSTEM, **fields)


# --- Real-time matching of customers (checks 31, 32, 34) ----------------------------------------


def test_an_order_reaching_the_threshold_adds_the_customer_when_it_is_saved(
    make_segment, ada, view_a, mug, on_commit
):
    # given (check 31)
    segment = make_segment(
        combine(sales_amount("gte", 500, order_status("complete"), up_to_date("lte", 30)))
    )
    now = timezone.now()
    with on_commit():
        place_order(view_a, ada, grand_total="300", placed_at=now - dt.timedelta(days=5))
    assert member_ids(segment) == set()

    # when
    with on_commit():
        place_order(view_a, ada, grand_total="250", placed_at=now)

    # then: a member with no refresh
    assert member_ids(segment) == {ada.pk}
    segment.refresh_from_db()
    assert segment.refreshed_at is None


def test_an_order_status_change_adds_or_removes_the_customer(
    make_segment, ada, view_a, mug, on_commit
):
    # given
    segment = make_segment(combine(sales_amount("gte", 500, order_status("complete"))))
    placed = timezone.now()
    with on_commit():
        order = place_order(view_a, ada, grand_total="600", placed_at=placed, status="processing")
    assert member_ids(segment) == set()

    # when: the shop reports the order complete, then closed
    with on_commit():
        place_order(view_a, ada, number=order.number, grand_total="600", placed_at=placed)
    joined = member_ids(segment)
    with on_commit():
        place_order(
            view_a, ada, number=order.number, grand_total="600", placed_at=placed, status="closed"
        )

    # then
    assert joined == {ada.pk}
    assert member_ids(segment) == set()


def test_signing_in_re_evaluates_every_active_segment(make_segment, ada, view_a, on_commit):
    # given (check 32): Ada matches two segments she has no row in yet, and no longer matches a
    # third she is a member of; a visitors-only and an inactive segment exist too
    women = make_segment(FEMALE_TREE, apply_to="registered")
    no_orders = make_segment(combine(number_of_orders("is", 0)))
    adas = make_segment(combine(customer_attribute("firstname", "is", "Ada")))
    services.refresh_segment(segment=adas)
    change(ada, firstname="Augusta")  # its event is not handled: the row stays
    visitors = make_segment(CART_OVER_100, apply_to="visitors")
    inactive = make_segment(FEMALE_TREE, is_active=False)
    assert services.customer_segment_ids(customer=ada) == [adas.pk]

    # when
    with on_commit():
        record_sign_in(customer=ada, store_view=view_a)

    # then
    assert services.customer_segment_ids(customer=ada) == [women.pk, no_orders.pk]
    assert [left is not None for _w, _j, left in stays(adas, ada)] == [True]
    assert SegmentMembership.objects.filter(segment__in=[visitors, inactive]).count() == 0


def add_los_angeles_address(customer, **_):
    make_address(
        customer, city="Los Angeles", region="California", region_code="CA", postcode="90012"
    )


def move_to_wholesale(customer, **_):
    customers.change_group(
        customer=customer, group=CustomerGroup.objects.get(pk=WHOLESALE), actor=SYSTEM
    )


def subscribe(customer, view, **_):
    customers.subscribe_newsletter(
        store_view=view, customer=customer, actor=SYSTEM, source="account"
    )


def wish_for_a_mug(customer, **_):
    sales.replace_wishlist(customer=customer, items=[{"sku": "MUG"}], actor=SYSTEM)


def view_a_mug(customer, view, **_):
    view_product(view, sku="MUG", viewed_at=timezone.now(), customer=customer)


def fill_cart(customer, view, **_):
    set_cart(view, customer=customer, items=[{"sku": "MUG", "qty": 1, "price": "150"}])


def add_credit(customer, website, **_):
    credit.update_balance(customer=customer, website=website, delta="5", actor=SYSTEM)


@pytest.mark.parametrize(
    ("tree", "action"),
    [
        pytest.param(
            combine(customer_address(address_attribute("city", "is", "Los Angeles"))),
            add_los_angeles_address,
            id="address_saved",
        ),
        pytest.param(
            combine(customer_attribute("group_id", "is", WHOLESALE)), move_to_wholesale, id="group"
        ),
        pytest.param(combine(newsletter()), subscribe, id="newsletter"),
        pytest.param(combine(product_list(source="wishlist")), wish_for_a_mug, id="wish_list"),
        pytest.param(combine(product_history()), view_a_mug, id="product_viewed"),
        pytest.param(CART_OVER_100, fill_cart, id="cart"),
        pytest.param(combine(store_credit("gt", 0)), add_credit, id="store_credit"),
    ],
)
def test_each_kind_of_fact_re_evaluates_the_segments_that_depend_on_it(
    make_segment, ada, view_a, website_a, mug, on_commit, tree, action
):
    # given (spec c §4.5)
    segment = make_segment(tree)

    # when
    with on_commit():
        action(ada, view=view_a, website=website_a)

    # then
    assert member_ids(segment) == {ada.pk}


def test_an_event_re_evaluates_only_the_segments_that_listen_to_it(
    make_segment, ada, website_a, on_commit
):
    # given: Ada matches both segments but is a member of neither yet
    women = make_segment(FEMALE_TREE)
    credited = make_segment(combine(store_credit("gt", 0)))

    # when: her store credit changes
    with on_commit():
        credit.update_balance(customer=ada, website=website_a, delta="5", actor=SYSTEM)

    # then: only the store credit segment was evaluated
    assert (member_ids(women), member_ids(credited)) == (set(), {ada.pk})


def test_an_inactive_segment_neither_gains_nor_loses_members_through_events(
    make_segment, ada, view_a, on_commit
):
    # given (check 34): Ada is a member of a segment that is then deactivated
    segment = make_segment(FEMALE_TREE)
    services.refresh_segment(segment=segment)
    services.update_segment(segment=segment, is_active=False, actor=SYSTEM)
    grace = make_customer("grace@example.com", store_view=view_a, gender=MALE)

    # when: Ada stops matching and Grace starts to
    with on_commit():
        change(ada, gender=MALE)
        change(grace, gender=FEMALE)
        record_sign_in(customer=ada, store_view=view_a)
        record_sign_in(customer=grace, store_view=view_a)

    # then: the rows are as they were, and the inactive segment is not reported
    assert member_ids(segment) == {ada.pk}
    assert services.customer_segment_ids(customer=ada) == []


def test_an_inactive_segment_is_not_in_a_visitors_segments(
    make_segment, view_a, website_a, mug, on_commit
):
    # given
    active = make_segment(CART_OVER_100)
    make_segment(CART_OVER_100, is_active=False)

    # when
    with on_commit():
        set_cart(view_a, visitor_id="v-1", items=[{"sku": "MUG", "qty": 1, "price": "150"}])

    # then
    assert services.visitor_segment_ids(website=website_a, visitor_id="v-1") == [active.pk]


# --- Visitors (check 33) ------------------------------------------------------------------------


def test_a_guests_memberships_are_kept_per_website_and_never_stored(
    make_segment, website_a, website_b, view_a, view_b, mug, on_commit
):
    # given: the same cart condition on each website
    here = make_segment(CART_OVER_100)
    there = make_segment(CART_OVER_100, websites=[website_b])
    both = make_segment(CART_OVER_100, websites=[website_a, website_b])
    make_segment(CART_OVER_100, apply_to="registered")  # never for guests
    line = [{"sku": "MUG", "qty": 1, "price": "120"}]

    # when: the guest fills a cart on the first website only
    with on_commit():
        set_cart(view_a, visitor_id="v-1", items=line)

    # then
    assert services.visitor_segment_ids(website=website_a, visitor_id="v-1") == [here.pk, both.pk]
    assert services.visitor_segment_ids(website=website_b, visitor_id="v-1") == []
    with on_commit():
        set_cart(view_b, visitor_id="v-1", items=line)
    assert services.visitor_segment_ids(website=website_b, visitor_id="v-1") == [there.pk, both.pk]
    assert SegmentMembership.objects.count() == 0


def test_a_guests_segments_come_from_the_cache_and_are_evaluated_when_missing(
    make_segment, website_a, view_a, mug
):
    # given: cart changes whose events are not handled
    segment = make_segment(CART_OVER_100)
    set_cart(view_a, visitor_id="v-1", items=[{"sku": "MUG", "qty": 1, "price": "120"}])

    # when: nothing is cached, the guest is evaluated now (and cached)
    first = services.visitor_segment_ids(website=website_a, visitor_id="v-1")
    set_cart(view_a, visitor_id="v-1", items=[{"sku": "MUG", "qty": 1, "price": "50"}])
    cached = services.visitor_segment_ids(website=website_a, visitor_id="v-1")
    cache.clear()
    evaluated = services.visitor_segment_ids(website=website_a, visitor_id="v-1")

    # then
    assert (first, cached, evaluated) == ([segment.pk], [segment.pk], [])


def test_after_sign_in_registered_only_conditions_are_evaluated_on_the_account(
    make_segment, ada, website_a, view_a, mug, on_commit
):
    # given: a mixed segment on an account attribute; as a guest Ada is not in it
    segment = make_segment(FEMALE_TREE, apply_to="both")
    with on_commit():
        set_cart(view_a, visitor_id="v-ada", items=[{"sku": "MUG", "qty": 1, "price": "10"}])
    assert services.visitor_segment_ids(website=website_a, visitor_id="v-ada") == []

    # when
    with on_commit():
        record_sign_in(customer=ada, store_view=view_a)

    # then
    assert services.customer_segment_ids(customer=ada, website=website_a) == [segment.pk]


# --- Full refresh and history (check 35) --------------------------------------------------------


def test_a_refresh_replaces_the_members_with_a_full_recomputation(make_segment, ada, view_a):
    # given: members computed, then facts changed without their events being handled
    grace = make_customer("grace@example.com", store_view=view_a, gender=FEMALE)
    alan = make_customer("alan@example.com", store_view=view_a, gender=MALE)
    segment = make_segment(FEMALE_TREE)
    services.refresh_segment(segment=segment)
    change(grace, gender=MALE)
    change(alan, gender=FEMALE)
    assert member_ids(segment) == {ada.pk, grace.pk}

    # when (check 35)
    result = services.refresh_segment(segment=segment)

    # then
    assert result.as_dict() == {"joined": 1, "left": 1, "members": 2}
    assert member_ids(segment) == {ada.pk, alan.pk}
    matching = services.matching_customers(segment, segment.websites.get())
    assert set(matching.values_list("pk", flat=True)) == member_ids(segment)


def test_saving_a_segment_recomputes_its_members(make_segment, ada, view_a, on_commit):
    # given
    alan = make_customer("alan@example.com", store_view=view_a, gender=MALE)
    with on_commit():
        segment = make_segment(FEMALE_TREE)
    assert member_ids(segment) == {ada.pk}

    # when (check 35)
    with on_commit():
        services.update_segment(
            segment=segment,
            conditions=combine(customer_attribute("gender", "is", MALE)),
            actor=SYSTEM,
        )

    # then
    assert member_ids(segment) == {alan.pk}
    segment.refresh_from_db()
    assert segment.refreshed_at is not None


def test_leaving_closes_the_stay_and_joining_again_opens_a_new_one(make_segment, ada, website_a):
    # given
    segment = make_segment(FEMALE_TREE)
    moments = [dt.datetime(2026, 3, day, 9, tzinfo=dt.UTC) for day in (1, 2, 3)]
    services.refresh_segment(segment=segment, now=moments[0])

    # when
    change(ada, gender=MALE)
    services.refresh_segment(segment=segment, now=moments[1])
    change(ada, gender=FEMALE)
    services.refresh_segment(segment=segment, now=moments[2])

    # then
    assert stays(segment, ada) == [
        (website_a.pk, moments[0], moments[1]),
        (website_a.pk, moments[2], None),
    ]


def test_real_time_matching_keeps_the_history_of_stays(make_segment, ada, view_a, on_commit):
    # given
    segment = make_segment(FEMALE_TREE)

    # when
    for gender in (FEMALE, MALE, FEMALE):
        with on_commit():
            change(ada, gender=gender, firstname=f"Ada {gender}")

    # then: joined, left, joined again
    rows = stays(segment, ada)
    assert [left is None for _website, _joined, left in rows] == [False, True]
    assert rows[0][2] <= rows[1][1]


def test_a_segment_leaving_a_website_closes_its_members_there(
    make_segment, ada, website_a, website_b
):
    # given
    segment = make_segment(FEMALE_TREE, websites=[website_a, website_b])
    services.refresh_segment(segment=segment)
    assert member_ids(segment, website_a) == {ada.pk}

    # when
    services.update_segment(segment=segment, websites=[website_b], actor=SYSTEM)

    # then
    assert member_ids(segment) == set()
    assert [left is not None for _w, _j, left in stays(segment, ada)] == [True]


# --- Account sharing ----------------------------------------------------------------------------


@pytest.mark.parametrize(("sharing", "on_both"), [("global", True), ("website", False)])
def test_an_account_change_is_evaluated_on_every_website_when_accounts_are_global(
    make_segment, view_a, website_a, website_b, on_commit, sharing, on_both
):
    # given
    share_accounts(sharing)
    ada = make_customer("ada@example.com", store_view=view_a, gender=MALE)
    segment = make_segment(FEMALE_TREE, websites=[website_a, website_b])

    # when
    with on_commit():
        change(ada, gender=FEMALE)

    # then
    expected = {website_a.pk, website_b.pk} if on_both else {website_a.pk}
    assert {website for website, _joined, _left in stays(segment, ada)} == expected


# --- The daily refresh of date-dependent segments -----------------------------------------------


def new_york(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=NEW_YORK)


def test_date_dependent_segments_are_refreshed_once_after_local_midnight(
    make_segment, ada, website_a, view_a, mug
):
    # given: "ordered today" in New York's calendar, and segments the daily refresh leaves alone
    scopes.save_website(website=website_a, time_zone="America/New_York")
    place_order(view_a, ada, grand_total="10", placed_at=new_york(2026, 3, 10, 15))
    today = make_segment(combine(number_of_orders("gte", 1, up_to_date("lte", 0))))
    undated = make_segment(combine(number_of_orders("gte", 1)))
    inactive = make_segment(
        combine(number_of_orders("gte", 1, up_to_date("lte", 0))), is_active=False
    )
    make_segment(combine(product_history(up_to_date("lte", 1))), apply_to="visitors")

    def refreshed_at(moment):
        return services.refresh_time_dependent(now=moment)

    # when: 18:00, 21:00 (past midnight in UTC, not in New York), 00:05 and 08:00 the next day
    runs = [
        refreshed_at(new_york(2026, 3, 10, 18)),
        refreshed_at(new_york(2026, 3, 10, 21)),
    ]
    member_on_the_day = member_ids(today)
    runs += [
        refreshed_at(new_york(2026, 3, 11, 0, 5)),
        refreshed_at(new_york(2026, 3, 11, 8)),
    ]

    # then
    assert runs == [[today.pk], [], [today.pk], []]
    assert (member_on_the_day, member_ids(today)) == ({ada.pk}, set())
    today.refresh_from_db()
    assert today.refreshed_at == new_york(2026, 3, 11, 0, 5)
    assert SegmentMembership.objects.filter(segment__in=[undated, inactive]).count() == 0


# --- The feature switch -------------------------------------------------------------------------


def test_with_segments_disabled_nothing_is_evaluated(
    make_segment, ada, website_a, view_a, mug, on_commit
):
    # given: segments Ada and a guest would match, then the functionality is switched off
    women = make_segment(FEMALE_TREE)
    carts = make_segment(CART_OVER_100)
    dated = make_segment(combine(number_of_orders("is", 0, up_to_date("lte", 1))))
    set_config({services.ENABLED_PATH: False})

    # when
    result = services.evaluate_customer(customer_id=ada.pk)
    with on_commit():
        record_sign_in(customer=ada, store_view=view_a)
        set_cart(view_a, visitor_id="v-1", items=[{"sku": "MUG", "qty": 1, "price": "150"}])
    daily = services.refresh_time_dependent()

    # then
    assert (result, daily) == ({"joined": [], "left": []}, [])
    assert SegmentMembership.objects.filter(segment__in=[women, carts, dated]).count() == 0
    assert services.evaluate_visitor(website=website_a, visitor_id="v-1") == []
    assert services.visitor_segment_ids(website=website_a, visitor_id="v-1") == []
