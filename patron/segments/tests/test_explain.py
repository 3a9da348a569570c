"""Explanations (patron/segments/explain.py): why a customer is or is not in a segment.

On random facts and random trees from the whole catalogue the root of an explanation holds
exactly for the customers the SQL engine matches (``services.matching_customers``), and every
combination holds as its children say. Then focused cases: the values compared (a count, an
amount, an attribute by its option label, a container's matching rows), the conditions inside a
container each shown on their own, a customer the website's segments do not look at, and a
visitors-only segment."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from patron.core.actors import SYSTEM
from patron.credit import services as credit
from patron.customers import attributes
from patron.customers.models import Customer
from patron.customers.tests.factories import make_address, make_customer, share_accounts
from patron.segments import services
from patron.segments.explain import Explained, explain_segment, explain_tree
from patron.segments.tests import strategies as strats
from patron.segments.tests.conftest import (
    address_attribute,
    cart_total,
    combine,
    customer_address,
    customer_attribute,
    make_product,
    number_of_orders,
    order_status,
    place_order,
    sales_amount,
    set_cart,
    store_credit,
)

# The differential test's installation and fact writer, shared rather than copied.
from patron.segments.tests.test_differential import (  # noqa: F401 - installation: a fixture
    Installation,
    installation,
    rolled_back,
    write_world,
)
from patron.testing.fixtures import make_store_view

NOW = dt.datetime(2026, 3, 15, 12, tzinfo=dt.UTC)
FEMALE = 2


def nodes(explained: Explained):
    """Every node of an explanation, the root first."""
    yield explained
    for child in explained.children:
        yield from nodes(child)


def combined(node: Explained) -> bool:
    """What a combination's children say it should be: "If ALL|ANY of these are TRUE|FALSE";
    a combination without children always holds."""
    if not node.children:
        return True
    wanted = node.node["value"]
    verdicts = [child.held == wanted for child in node.children]
    return all(verdicts) if node.node["aggregator"] == "all" else any(verdicts)


# --- Against the SQL engine, on random data -----------------------------------------------------


@given(data=st.data())
def test_the_explanation_holds_exactly_for_the_customers_the_engine_matches(
    installation,  # noqa: F811 - the fixture imported above
    data,
):
    scenario = data.draw(
        strats.scenarios(
            installation.catalogue,
            apply_to=data.draw(st.sampled_from(("registered", "both")), label="apply_to"),
        ),
        label="scenario",
    )
    with rolled_back():
        check_explanations(scenario, installation)


def check_explanations(scenario: strats.Scenario, inst: Installation) -> None:
    # given the facts and a segment of each drawn tree
    website = inst.websites[scenario.website]
    ids = write_world(scenario.world, inst)
    looked_at = set(services.customers_of_website(website).values_list("pk", flat=True))
    for number, tree in enumerate(scenario.trees):
        segment = services.create_segment(
            name=f"Explained {number}",
            websites=[website],
            apply_to=scenario.apply_to,
            conditions=tree,
            actor=SYSTEM,
        )
        matched = set(
            services.matching_customers(segment, website, now=scenario.now).values_list(
                "pk", flat=True
            )
        )
        event(f"customers matched: {'some' if matched else 'none'}")
        for customer in Customer.objects.filter(pk__in=ids.values()):
            check_explanation(segment, customer, website, scenario.now, matched, looked_at)


def check_explanation(segment, customer, website, now, matched, looked_at) -> None:
    # when the segment is explained for the customer (of this website or not)
    explained = explain_segment(segment, customer=customer, website=website, now=now)

    # then the root holds exactly when the engine matches the customer
    assert explained.held == (customer.pk in matched), (customer.pk, segment.conditions)
    # and, for a customer the website looks at, every combination outside a container holds
    # as its children say
    if customer.pk not in looked_at:
        assert not any(node.held for node in nodes(explained))
        return
    for node in nodes(explained):
        if node.node["type"] == "combine" and not node.scoped:
            assert node.held == combined(node), (customer.pk, segment.conditions)


# --- Values compared ----------------------------------------------------------------------------


@pytest.fixture
def mug(db):
    return make_product("MUG")


def order(view, customer, amount, *, status="complete", days_ago=1):
    place_order(
        view,
        customer,
        grand_total=amount,
        status=status,
        placed_at=NOW - dt.timedelta(days=days_ago),
    )


def test_a_count_below_the_threshold_is_shown_with_what_was_needed(make_segment, view_a, mug):
    # given one complete order (and a cancelled one the condition leaves out)
    ada = make_customer("ada@example.com")
    order(view_a, ada, "10.00")
    order(view_a, ada, "99.00", status="canceled")
    segment = make_segment(combine(number_of_orders("gte", 2, order_status("complete"))))

    # when
    explained = explain_segment(segment, customer=ada, now=NOW)

    # then: "Number of Orders = 1, needed equals or greater than 2"
    (orders,) = explained.children
    assert (orders.held, orders.measured) == (False, 1)
    assert "Number of Orders" in orders.label
    assert "equals or greater than 2" in orders.label
    assert explained.held is False
    assert explained.as_dict()["children"][0]["measured"] == "1"


def test_a_count_reaching_the_threshold_holds(make_segment, view_a, mug):
    # given
    ada = make_customer("ada@example.com")
    order(view_a, ada, "10.00")
    order(view_a, ada, "20.00", days_ago=3)
    segment = make_segment(combine(number_of_orders("gte", 2)))

    # when
    explained = explain_segment(segment, customer=ada, now=NOW)

    # then
    assert (explained.held, explained.children[0].held, explained.children[0].measured) == (
        True,
        True,
        2,
    )


def test_a_sales_amount_is_measured_over_the_orders_it_filters(make_segment, view_a, mug):
    # given
    ada = make_customer("ada@example.com")
    order(view_a, ada, "10.00")
    order(view_a, ada, "20.50")
    order(view_a, ada, "500.00", status="canceled")
    segment = make_segment(combine(sales_amount("gte", "500", order_status("complete"))))

    # when
    (amount,) = explain_segment(segment, customer=ada, now=NOW).children

    # then
    assert amount.held is False
    assert Decimal(str(amount.measured)) == Decimal("30.50")


def test_store_credit_is_measured_on_the_segments_website(make_segment, website_a, website_b):
    # given 12.50 on this website and more on another one (accounts shared globally)
    share_accounts("global")
    ada = make_customer("ada@example.com")
    credit.update_balance(customer=ada, website=website_a, delta="12.50", actor=SYSTEM)
    credit.update_balance(customer=ada, website=website_b, delta="100", actor=SYSTEM)
    segment = make_segment(combine(store_credit("gte", 20)))

    # when
    (balance,) = explain_segment(segment, customer=ada, now=NOW).children

    # then
    assert balance.held is False
    assert Decimal(str(balance.measured)) == Decimal("12.50")


def test_a_customer_attribute_is_shown_by_its_option_label(make_segment):
    # given a built-in choice (gender) and a custom dropdown
    tier = attributes.create_attribute(
        entity="customer",
        code="tier",
        input_type="select",
        used_in_segments=True,
        actor=SYSTEM,
        label="Tier",
        options=[{"label": "Silver"}, {"label": "Gold"}],
    )
    option = {o.label: o.pk for o in tier.options.all()}
    ada = make_customer(
        "ada@example.com", gender=FEMALE, custom_attributes={"tier": option["Silver"]}
    )
    segment = make_segment(
        combine(
            customer_attribute("gender", "is", FEMALE),
            customer_attribute("tier", "is", option["Gold"]),
            customer_attribute("lastname", "contains", "love"),
        )
    )

    # when
    gender, tier_node, lastname = explain_segment(segment, customer=ada, now=NOW).children

    # then
    assert (gender.held, gender.measured, gender.label) == (True, "Female", "Gender is Female")
    assert (tier_node.held, tier_node.measured, tier_node.label) == (
        False,
        "Silver",
        "Tier is Gold",
    )
    assert (lastname.held, lastname.measured) == (True, "Lovelace")


LOS_ANGELES = {"city": "Los Angeles", "region": "California", "region_code": "CA"}
BERLIN = {
    "street": ["Unter den Linden 1"],
    "city": "Berlin",
    "country_id": "DE",
    "region": "",
    "region_code": "",
    "postcode": "10117",
    "telephone": "+49 30 1234567",
}


def test_a_container_counts_the_rows_that_satisfy_its_conditions(make_segment):
    # given two addresses in Los Angeles and one in Boston
    ada = make_customer("ada@example.com")
    make_address(ada, **LOS_ANGELES)
    make_address(ada, **LOS_ANGELES, postcode="90013")
    make_address(ada)
    nobody = make_customer("grace@example.com")
    segment = make_segment(combine(customer_address(address_attribute("city", "contains", "los"))))

    # when
    (addresses,) = explain_segment(segment, customer=ada, now=NOW).children
    (none,) = explain_segment(segment, customer=nobody, now=NOW).children

    # then
    assert (addresses.held, addresses.measured) == (True, 2)
    assert (none.held, none.measured) == (False, 0)


def test_conditions_inside_a_container_are_each_shown_for_some_row(make_segment):
    # given the city on one address and the country on another: no single address has both
    ada = make_customer("ada@example.com")
    make_address(ada, **LOS_ANGELES)
    make_address(ada, **BERLIN)
    segment = make_segment(
        combine(
            customer_address(
                address_attribute("city", "contains", "los"),
                address_attribute("country_id", "is", "DE"),
                address_attribute("city", "is", "Paris"),
            )
        )
    )

    # when
    (addresses,) = explain_segment(segment, customer=ada, now=NOW).children

    # then the container fails, while the city and the country each hold for some address
    assert (addresses.held, addresses.scoped, addresses.measured) == (False, False, 0)
    assert [(c.held, c.scoped) for c in addresses.children] == [
        (True, True),
        (True, True),
        (False, True),
    ]
    assert [c.label for c in addresses.children][1] == "Country is Germany"


def test_an_explanation_agrees_with_the_refreshed_membership(make_segment, view_a, mug):
    # given
    ada = make_customer("ada@example.com", gender=FEMALE)
    make_address(ada, **LOS_ANGELES)
    order(view_a, ada, "10.00")
    grace = make_customer("grace@example.com", gender=FEMALE)
    segment = make_segment(
        combine(
            customer_attribute("gender", "is", FEMALE),
            customer_address(address_attribute("city", "contains", "los")),
            number_of_orders("gte", 1),
        )
    )
    services.refresh_segment(segment=segment, now=NOW)
    members = set(services.matching_customers(segment, ada.website, now=NOW))

    # when / then
    assert members == {ada}
    assert explain_segment(segment, customer=ada, now=NOW).held is True
    assert explain_segment(segment, customer=grace, now=NOW).held is False


# --- Customers a segment does not look at -------------------------------------------------------


@pytest.fixture
def kate(website_b):
    """A customer of the second website (accounts shared per website)."""
    share_accounts("website")
    view_b = make_store_view(website_b, "second_en", "en", is_default=True)
    kate = make_customer("kate@example.com", store_view=view_b, gender=FEMALE)
    make_address(kate, **LOS_ANGELES)
    credit.update_balance(customer=kate, website=kate.website, delta="50", actor=SYSTEM)
    return kate


def kates_tree() -> dict:
    """A tree the second website's customer would satisfy, with every kind of measured node."""
    return combine(
        customer_attribute("gender", "is", FEMALE),
        store_credit("gte", 0),
        customer_address(address_attribute("city", "contains", "los")),
        number_of_orders("lt", 5),
        aggregator="any",
    )


def test_a_customer_the_website_does_not_look_at_holds_nothing(make_segment, website_a, kate):
    # given a segment of the first website
    segment = make_segment(kates_tree())

    # when
    explained = explain_segment(segment, customer=kate, website=website_a, now=NOW)

    # then every node is false: the segment never considers her
    assert [node.held for node in nodes(explained)] == [False] * 6


def test_a_customer_the_website_does_not_look_at_has_nothing_measured(
    make_segment, website_a, kate
):
    # given
    segment = make_segment(kates_tree())

    # when
    explained = explain_segment(segment, customer=kate, website=website_a, now=NOW)

    # then
    assert [node["measured"] for node in explained.as_dict()["children"]] == [None] * 4


def test_a_customer_of_another_website_is_explained_on_it(make_segment, website_a, website_b, kate):
    # given a segment on both websites
    segment = make_segment(kates_tree(), websites=[website_a, website_b])

    # when explained without naming a website: on the customer's own
    explained = explain_segment(segment, customer=kate, now=NOW)

    # then
    assert explained.held is True
    assert [c.held for c in explained.children] == [True, True, True, True]


# --- Visitors-only segments ---------------------------------------------------------------------


def test_a_registered_customer_is_never_explained_into_a_visitors_segment(
    make_segment, view_a, mug
):
    # given a customer whose own cart satisfies a visitors-only segment
    ada = make_customer("ada@example.com")
    set_cart(view_a, customer=ada, items=[{"sku": "MUG", "qty": 1, "price": "80.00"}])
    segment = make_segment(combine(cart_total("gte", 50)), apply_to="visitors")
    assert services.evaluate_customer(customer_id=ada.pk, now=NOW)["joined"] == []

    # when
    explained = explain_segment(segment, customer=ada, now=NOW)

    # then
    assert explained.held is False


def test_a_visitors_tree_is_explained_from_the_customers_cart(make_segment, view_a, mug):
    # given a draft tree for visitors, explained for a customer with a cart of 80
    ada = make_customer("ada@example.com")
    set_cart(view_a, customer=ada, items=[{"sku": "MUG", "qty": 2, "price": "40.00"}])
    tree = services.check_conditions(
        combine(cart_total("gte", 50), cart_total("gte", 100)), apply_to="visitors"
    )

    # when
    explained = explain_tree(tree, customer=ada, website=view_a.store.website, apply_to="visitors")

    # then each cart condition shows the subtotal it compared
    assert [(c.held, Decimal(str(c.measured))) for c in explained.children] == [
        (True, Decimal(80)),
        (False, Decimal(80)),
    ]
    assert explained.held is False
