"""The live preview of a draft tree (patron/segments/preview.py): how many registered customers
it matches and the first few of them; an exact count when they are fewer than the sample; the
statement timeout, really reached in the database (SQLite's progress handler, PostgreSQL's
statement_timeout), answering "at least N"; problems at their paths; Visitors drafts."""

import datetime as dt

import pytest
from django.db import connection

from patron.core.errors import InvalidInput
from patron.customers.models import Customer
from patron.customers.tests.factories import make_address, make_customer, share_accounts
from patron.segments import preview as previews
from patron.segments.preview import preview
from patron.segments.tests.conftest import (
    address_attribute,
    cart_total,
    combine,
    customer_address,
    customer_attribute,
    make_product,
    number_of_orders,
    set_cart,
    store_credit,
)
from patron.testing.fixtures import make_store_view

NOW = dt.datetime(2026, 3, 15, 12, tzinfo=dt.UTC)


def lovelaces() -> dict:
    return combine(customer_attribute("lastname", "is", "Lovelace"))


def shoppers(count: int, *, lastname: str = "Lovelace", prefix: str = "ada") -> list[Customer]:
    return [make_customer(f"{prefix}{n}@example.com", lastname=lastname) for n in range(count)]


def test_the_preview_counts_every_match_and_samples_the_first_by_id(website_a):
    # given 12 Lovelaces and 3 Hoppers
    ada = shoppers(12)
    shoppers(3, lastname="Hopper", prefix="grace")

    # when
    result = preview(conditions=lovelaces(), apply_to="registered", websites=[website_a])

    # then
    assert (result.count, result.complete) == (12, True)
    assert [c.pk for c in result.sample] == [c.pk for c in ada[:10]]


def test_fewer_matches_than_the_sample_are_counted_exactly_from_it(website_a):
    # given
    ada = shoppers(3)
    shoppers(2, lastname="Hopper", prefix="grace")

    # when
    result = preview(
        conditions=lovelaces(), apply_to="registered", websites=[website_a], sample_size=5
    )

    # then
    assert (result.count, result.complete) == (3, True)
    assert result.sample == ada


def test_a_sample_size_is_kept_and_the_rest_counted(website_a):
    # given
    ada = shoppers(4)

    # when
    result = preview(
        conditions=lovelaces(), apply_to="registered", websites=[website_a], sample_size=2
    )

    # then
    assert (result.count, result.complete, result.sample) == (4, True, ada[:2])


def test_the_preview_counts_customers_of_every_website_chosen_once(website_a, website_b):
    # given accounts shared per website: one Lovelace on each website
    share_accounts("website")
    view_b = make_store_view(website_b, "second_en", "en", is_default=True)
    ada = make_customer("ada@example.com")
    byron = make_customer("byron@example.com", store_view=view_b)

    # when
    only_a = preview(conditions=lovelaces(), apply_to="both", websites=[website_a])
    both = preview(conditions=lovelaces(), apply_to="both", websites=[website_a, website_b])

    # then
    assert (only_a.count, only_a.sample) == (1, [ada])
    assert (both.count, both.sample) == (2, [ada, byron])


def test_accounts_shared_globally_are_counted_once_over_several_websites(website_a, website_b):
    # given
    share_accounts("global")
    ada = make_customer("ada@example.com")

    # when
    result = preview(conditions=lovelaces(), apply_to="both", websites=[website_a, website_b])

    # then
    assert (result.count, result.sample) == (1, [ada])


def test_no_conditions_match_everyone_on_the_websites(website_a):
    # given
    everyone = [*shoppers(2), *shoppers(1, lastname="Hopper", prefix="grace")]

    # when
    result = preview(conditions=None, apply_to="registered", websites=[website_a])

    # then
    assert (result.count, result.sample) == (3, everyone)


def test_conditions_that_depend_on_the_date_use_the_moment_given(website_a):
    # given a customer with an address in Los Angeles
    ada = make_customer("ada@example.com")
    make_address(ada, city="Los Angeles", region="California", region_code="CA")
    tree = combine(customer_address(address_attribute("city", "contains", "los")))

    # when
    result = preview(conditions=tree, apply_to="registered", websites=[website_a], now=NOW)

    # then
    assert (result.count, result.sample) == (1, [ada])


# --- The statement timeout ----------------------------------------------------------------------

MANY = 4000


@pytest.fixture
def crowd(website_a) -> int:
    """MANY Lovelaces with no orders, credit or address: a tree of subqueries has to look at
    each of them."""
    first = make_customer("first@example.com")
    Customer.objects.bulk_create(
        Customer(
            website=website_a,
            group_id=first.group_id,
            created_in_id=first.created_in_id,
            email=f"c{n}@example.com",
            firstname="Ada",
            lastname="Lovelace",
        )
        for n in range(MANY - 1)
    )
    return MANY


def laborious() -> dict:
    """A tree that matches everyone through a subquery per customer and condition."""
    return combine(
        customer_attribute("lastname", "contains", "love"),
        number_of_orders("lt", 1),
        store_credit("lte", 0),
        customer_address(address_attribute("city", "contains", "x")),
        aggregator="any",
    )


def matching_count(website) -> int:
    """The count, computed without any time limit."""
    tree = previews.services.check_conditions(laborious(), apply_to="registered")
    return previews.matching_any_website(tree, [website]).count()


def test_a_preview_that_runs_out_of_time_is_marked_incomplete(crowd, website_a):
    # when the database is given a millisecond
    result = preview(
        conditions=laborious(), apply_to="registered", websites=[website_a], timeout_ms=1
    )

    # then the answer is "at least count", never more than the real count, and the
    # connection is usable (and no longer limited) afterwards
    assert result.complete is False
    assert result.count == len(result.sample) <= 10
    assert matching_count(website_a) == crowd


def test_a_count_that_runs_out_of_time_answers_at_least_the_sample(crowd, website_a, monkeypatch):
    # given the sample query plenty of time and the count a millisecond of the database's
    # own statement limit
    deadline = previews._deadline
    limits = iter([10_000, 1])
    monkeypatch.setattr(previews, "_deadline", lambda _ms: deadline(next(limits)))

    # when
    result = preview(conditions=laborious(), apply_to="registered", websites=[website_a])

    # then
    assert (result.count, result.complete, len(result.sample)) == (10, False, 10)
    assert matching_count(website_a) == crowd


def test_a_preview_in_time_is_complete(crowd, website_a):
    # when
    result = preview(
        conditions=laborious(), apply_to="registered", websites=[website_a], timeout_ms=60_000
    )

    # then
    assert (result.count, result.complete, len(result.sample)) == (crowd, True, 10)


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_the_statement_timeout_is_restored_after_a_preview(crowd, website_a):
    # given
    def statement_timeout() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            return cursor.fetchone()[0]

    before = statement_timeout()

    # when one preview finishes and one runs out of time
    preview(conditions=lovelaces(), apply_to="registered", websites=[website_a])
    preview(conditions=laborious(), apply_to="registered", websites=[website_a], timeout_ms=1)

    # then
    assert statement_timeout() == before


# --- Problems and visitors ----------------------------------------------------------------------


def test_a_bad_tree_is_refused_with_the_path_of_each_problem(website_a):
    # given
    tree = combine(
        customer_attribute("lastname", "is", "Lovelace"),
        customer_attribute("gender", "bigger", 2),
        customer_address(address_attribute("city", "contains", "")),
    )

    # when
    with pytest.raises(InvalidInput) as raised:
        preview(conditions=tree, apply_to="registered", websites=[website_a])

    # then
    fields = sorted(p.field for p in raised.value.problems)
    assert fields == [
        "conditions.conditions[1].operator",
        "conditions.conditions[2].conditions[0].value",
    ]


def test_a_registered_only_condition_is_refused_in_a_visitors_draft(website_a):
    # when
    with pytest.raises(InvalidInput) as raised:
        preview(
            conditions=combine(store_credit("gt", 0)), apply_to="visitors", websites=[website_a]
        )

    # then
    assert [p.field for p in raised.value.problems] == ["conditions.conditions[0].type"]


def test_a_visitors_draft_matches_no_stored_customers(website_a, view_a):
    # given a customer whose cart the draft would match
    make_product("MUG")
    ada = make_customer("ada@example.com")
    set_cart(view_a, customer=ada, items=[{"sku": "MUG", "qty": 1, "price": "80.00"}])
    tree = combine(cart_total("gte", 50))

    # when
    visitors = preview(conditions=tree, apply_to="visitors", websites=[website_a])
    both = preview(conditions=tree, apply_to="both", websites=[website_a])

    # then
    assert (visitors.count, visitors.complete, visitors.sample) == (0, True, [])
    assert (both.count, both.sample) == (1, [ada])
