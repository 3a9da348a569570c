"""The segment query language (issue 10): every condition tree prints as a query that reads back
into the same tree, every printed query reads and prints back unchanged (also when spaced,
commented and cased differently), each condition type and combination has its written form,
each kind of error points at its line and column and says what was expected, the catalogue's
checks are reported at the place they concern, and the reference page is generated.

Random trees come from the differential test's strategies (the whole catalogue), with values
widened here to any text, number, date and day count ``clean_tree`` accepts.
"""

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from patron.core.actors import SYSTEM
from patron.core.errors import InvalidInput
from patron.customers import attributes as attribute_services
from patron.customers.models import CustomerAttribute, CustomerGroup
from patron.sales import services as sales
from patron.sales.models import Category
from patron.segments.conditions import segment_conditions
from patron.segments.management.commands.segment_query_docs import DOCS_PATH
from patron.segments.query import QuerySyntaxError, parse, parse_and_check, to_text
from patron.segments.query.forms import FORMS
from patron.segments.query.syntax import DATE, DAYS, NAME, NUMBER, tokenize
from patron.segments.tests import oracle
from patron.segments.tests import strategies as strats
from patron.segments.tests.conftest import (
    address_attribute,
    address_has_region,
    cart_line_items,
    cart_qty,
    cart_total,
    combine,
    customer_address,
    customer_attribute,
    date_range,
    default_address,
    default_address_exists,
    newsletter,
    number_of_orders,
    order_address,
    order_address_attribute,
    order_address_type,
    order_status,
    product_attribute,
    product_history,
    product_list,
    purchased_qty,
    sales_amount,
    store_credit,
    up_to_date,
)
from patron.segments.trees import clean_tree, walk

APPLY_TO = ("both", "registered", "visitors")


@pytest.fixture
def catalogue(website_a, view_a, website_b) -> strats.Catalogue:
    """Every system attribute and a custom attribute of each input type flagged for segments,
    a product attribute of each type flagged for promo rules, and the strategies' categories."""
    for attribute in CustomerAttribute.objects.filter(is_system=True):
        attribute_services.update_attribute(
            attribute=attribute, actor=SYSTEM, used_in_segments=True
        )
    options: dict[str, tuple[int, ...]] = {}
    kinds: dict[str, dict[str, str]] = {"customer": {}, "address": {}}
    for entity, definitions in (
        ("customer", strats.CUSTOMER_CUSTOM),
        ("address", strats.ADDRESS_CUSTOM),
    ):
        for code, (kind, input_type, validation, labels) in definitions.items():
            attribute = attribute_services.create_attribute(
                entity=entity,
                code=code,
                actor=SYSTEM,
                label=code.upper(),
                input_type=input_type,
                validation=validation,
                used_in_segments=True,
                options=[{"label": label} for label in labels],
            )
            kinds[entity][code] = kind
            if labels:
                options[code] = tuple(attribute.options.order_by("pk").values_list("pk", flat=True))
    for code, (kind, choices) in strats.PRODUCT_ATTRIBUTES.items():
        sales.save_product_attribute(
            code=code,
            label=code.upper(),
            type=kind,
            actor=SYSTEM,
            options=choices,
            use_for_promo_rules=True,
        )
    for code in strats.CATEGORIES:
        Category.objects.create(code=code, name=code.title())
    return strats.Catalogue(
        websites=(website_a.pk, website_b.pk),
        store_views={website_a.pk: (view_a.pk,), website_b.pk: ()},
        groups=tuple(CustomerGroup.objects.order_by("pk").values_list("pk", flat=True)),
        options=options,
        schema=oracle.Schema(
            customer_kinds={**strats.CUSTOMER_SYSTEM, **kinds["customer"]},
            address_kinds={**strats.ADDRESS_SYSTEM, **kinds["address"]},
            product_kinds=strats.PRODUCT_KINDS,
            view_websites={view_a.pk: website_a.pk},
            time_zones={website_a.pk: "UTC", website_b.pk: "UTC"},
        ),
    )


# --- Random trees with any value ----------------------------------------------------------------

# Texts that printing must escape or keep: quotes, backslashes, line breaks, invisible and
# astral characters, and a surrogate pair written as two code points.
TRICKY_TEXTS = (
    'say "hi"',
    "back\\slash",
    "two\nlines\r\n",
    "tab\there",
    "nbsp\u00a0inside",
    "zero\u200bwidth",
    "emoji 😀",
    "tag \U000e0041",
    "pair \ud83d\ude00",
    "lone \udc00",
    "# not a comment",
    "a) or (b",
    "not between: 2024-01-01..2024-01-02",
)
WIDE_TEXT = st.one_of(
    st.text(st.characters(exclude_categories=()), min_size=1, max_size=12),
    st.sampled_from(TRICKY_TEXTS),
).filter(lambda text: text.strip())
WIDE_NUMBER = st.one_of(
    st.decimals(min_value=-(10**17), max_value=10**17, allow_nan=False, allow_infinity=False),
    st.sampled_from(("-0", "0E-7", "1E+2", "0.10", "-12.5000", "7", "1.5E-9")),
).map(str)
WIDE_DATE = st.dates().map(dt.date.isoformat)
NUMERIC_TYPES = {
    "store_credit",
    "cart_total",
    "cart_line_items",
    "cart_qty",
    "sales_amount",
    "number_of_orders",
    "purchased_qty",
}


def _widen(draw, cat: strats.Catalogue, node: dict) -> None:
    """Give ``node`` a value drawn from everything its type accepts, not only the small pools
    the differential test needs for its conditions to match."""
    kind = node["type"]
    if kind in ("customer_attribute", "address_attribute"):
        schema = cat.schema
        kinds = schema.customer_kinds if kind == "customer_attribute" else schema.address_kinds
        value_kind = kinds[node["attribute"]]
        if value_kind in ("text", "lines"):
            node["value"] = draw(WIDE_TEXT)
        elif value_kind == "number":
            node["value"] = draw(WIDE_NUMBER)
        elif value_kind in ("date", "moment"):
            node["value"] = draw(WIDE_DATE)
    elif kind in NUMERIC_TYPES:
        node["value"] = draw(WIDE_NUMBER)
    elif kind == "product_attribute":
        value_kind = strats.PRODUCT_KINDS[node["attribute"]]
        if node["operator"] in ("is_one_of", "is_not_one_of"):
            node["value"] = draw(st.lists(WIDE_TEXT, min_size=1, max_size=3))
        elif value_kind == "number":
            node["value"] = draw(WIDE_NUMBER)
        elif value_kind == "date":
            node["value"] = draw(WIDE_DATE)
        elif value_kind != "boolean":
            node["value"] = draw(WIDE_TEXT)
    elif kind == "order_address_attribute" and node["attribute"] != "country_id":
        node["value"] = draw(WIDE_TEXT)
    elif kind == "up_to_date":
        node["value"] = draw(st.integers(0, 36500))
    elif kind == "date_range":
        node["value"] = sorted(draw(st.lists(WIDE_DATE, min_size=2, max_size=2)))


@st.composite
def cleaned_trees(draw, cat: strats.Catalogue) -> tuple[str, dict]:
    """(Apply To, a tree of the whole catalogue as ``clean_tree`` returns it)."""
    apply_to = draw(st.sampled_from(APPLY_TO))
    tree = draw(strats.trees(strats.Frame(cat, apply_to, draw(strats.moments()))))
    for node in walk(tree):
        _widen(draw, cat, node)
    return apply_to, clean_tree(tree, apply_to=apply_to)


WORDS = {NAME, NUMBER, DATE, DAYS}
SPACES = st.sampled_from((" ", "  ", "\n", "\t", "\n\n    ", "  # a comment ) (\n", "\r\n"))


@st.composite
def respaced(draw, text: str) -> str:
    """``text`` with other spacing, line breaks and comments between its tokens, and its names
    and keywords in upper, lower or mixed case."""
    tokens = tokenize(text)[:-1]
    parts = []
    for index, token in enumerate(tokens):
        if index:
            both_words = tokens[index - 1].kind in WORDS and token.kind in WORDS
            parts.append(draw(SPACES if both_words else st.one_of(st.just(""), SPACES)))
        if token.kind == NAME:
            parts.append(draw(st.sampled_from((token.text.upper(), token.text.title()))))
        else:
            parts.append(token.text)
    return draw(SPACES) + "".join(parts) + draw(st.one_of(st.just(""), SPACES))


@given(data=st.data())
def test_every_tree_prints_as_a_query_that_reads_back_into_the_same_tree(catalogue, data):
    # given
    _apply_to, tree = data.draw(cleaned_trees(catalogue))

    # when
    text = to_text(tree)

    # then
    assert parse(text) == tree


@given(data=st.data())
def test_every_printed_query_reads_and_prints_back_unchanged(catalogue, data):
    # given
    apply_to, tree = data.draw(cleaned_trees(catalogue))
    text = to_text(tree)

    # when
    tree_read = parse_and_check(text, apply_to)

    # then
    assert to_text(tree_read) == text


@given(data=st.data())
def test_spacing_comments_and_case_do_not_change_what_a_query_means(catalogue, data):
    # given
    _apply_to, tree = data.draw(cleaned_trees(catalogue))
    text = data.draw(respaced(to_text(tree)))

    # when
    tree_read = parse(text)

    # then
    assert tree_read == tree


# --- The written form of each condition type ----------------------------------------------------

A = cart_qty("gt", "1")
B = cart_total("is", "0", field="tax")
C = cart_total("lt", "5")
CONDITIONS = [
    ("", combine()),
    ("customer.gender = 2", combine(customer_attribute("gender", "is", 2))),
    (
        'customer.email contains "@example.com"',
        combine(customer_attribute("email", "contains", "@example.com")),
    ),
    ("customer.dob >= 1990-05-01", combine(customer_attribute("dob", "gte", "1990-05-01"))),
    ("customer.c_num < 2.5", combine(customer_attribute("c_num", "lt", "2.5"))),
    ("customer.c_bool != true", combine(customer_attribute("c_bool", "is_not", True))),
    ("has_default_billing_address = true", combine(default_address_exists("billing", True))),
    ("has_default_shipping_address = false", combine(default_address_exists("shipping", False))),
    ("newsletter_subscribed = false", combine(newsletter(False))),
    ("store_credit > 10.50", combine(store_credit("gt", "10.50"))),
    ("cart.grand_total <= 99.99", combine(cart_total("lte", "99.99", field="grand_total"))),
    ("cart.store_credit != 0", combine(cart_total("is_not", "0", field="store_credit"))),
    ("cart.line_items = 3", combine(cart_line_items("is", 3))),
    ("cart.qty != 0.5", combine(cart_qty("is_not", "0.5"))),
    (
        'address.any(country_id = "DE", city contains "Berl")',
        combine(
            customer_address(
                address_attribute("country_id", "is", "DE"),
                address_attribute("city", "contains", "Berl"),
            )
        ),
    ),
    (
        "address.any(default != shipping or has_region = false)",
        combine(
            customer_address(
                default_address("shipping", "is_not"), address_has_region(False), aggregator="any"
            )
        ),
    ),
    (
        'order_address.any(type = billing, country_id != "FR", street not contains "Main")',
        combine(
            order_address(
                order_address_type("billing"),
                order_address_attribute("country_id", "is_not", "FR"),
                order_address_attribute("street", "does_not_contain", "Main"),
            )
        ),
    ),
    (
        'products.in_cart(sku = "ABC", within: 7d)',
        combine(product_list(product_attribute("sku", "is", "ABC"), up_to_date("lte", 7))),
    ),
    (
        'products.not_in_cart(p_sel = "red")',
        combine(product_list(product_attribute("p_sel", "is", "red"), operator="not_found")),
    ),
    (
        'products.in_wishlist(p_multi not in ["s", "m"])',
        combine(
            product_list(
                product_attribute("p_multi", "is_not_one_of", ["s", "m"]), source="wishlist"
            )
        ),
    ),
    (
        'products.not_in_wishlist(category in ["shoes", "hats"])',
        combine(
            product_list(
                product_attribute("category", "is_one_of", ["shoes", "hats"]),
                operator="not_found",
                source="wishlist",
            )
        ),
    ),
    (
        "products.viewed(p_bool = false, match: any)",
        combine(product_history(product_attribute("p_bool", "is", False), aggregator="any")),
    ),
    (
        "products.not_viewed(not between: 2024-01-01..2024-03-31 or age = 0d)",
        combine(
            product_history(
                date_range("2024-01-01", "2024-03-31", "is_not"),
                up_to_date("is", 0),
                operator="was_not",
                aggregator="any",
            )
        ),
    ),
    (
        "products.ordered(p_date <= 2024-02-29, p_num > -1.5, older: 30d)",
        combine(
            product_history(
                product_attribute("p_date", "lte", "2024-02-29"),
                product_attribute("p_num", "gt", "-1.5"),
                up_to_date("gt", 30),
                source="ordered",
            )
        ),
    ),
    (
        'products.not_ordered(between: 2024-01-01..2024-03-31, p_text contains "x")',
        combine(
            product_history(
                date_range("2024-01-01", "2024-03-31"),
                product_attribute("p_text", "contains", "x"),
                operator="was_not",
                source="ordered",
            )
        ),
    ),
    (
        "sales.total(status: complete, age >= 7d) > 500",
        combine(sales_amount("gt", "500", order_status("complete"), up_to_date("gte", 7))),
    ),
    (
        "sales.average(status != canceled or age < 2d) >= 20",
        combine(
            sales_amount(
                "gte",
                "20",
                order_status("canceled", "is_not"),
                up_to_date("lt", 2),
                function="average",
                aggregator="any",
            )
        ),
    ),
    ("orders.count() = 0", combine(number_of_orders("is", "0"))),
    (
        "orders.average_count(age != 3d) != 1",
        combine(number_of_orders("is_not", "1", up_to_date("is_not", 3), function="average")),
    ),
    (
        "purchased_qty.total(within: 30d, match: any) >= 10",
        combine(purchased_qty("gte", "10", up_to_date("lte", 30), aggregator="any")),
    ),
    (
        "purchased_qty.average(status: any) < 2.5",
        combine(purchased_qty("lt", "2.5", order_status("any"), function="average")),
    ),
]
COMBINATIONS = [
    ("cart.qty > 1 and cart.tax = 0", combine(A, B)),
    ("cart.qty > 1 or cart.tax = 0", combine(A, B, aggregator="any")),
    ("not any(cart.qty > 1, cart.tax = 0)", combine(A, B, value=False)),
    ("not all(cart.qty > 1, cart.tax = 0)", combine(A, B, aggregator="any", value=False)),
    ("any(cart.qty > 1)", combine(A, aggregator="any")),
    ("not cart.qty > 1", combine(A, value=False)),
    ("not all(cart.qty > 1)", combine(A, aggregator="any", value=False)),
    ("any()", combine(aggregator="any")),
    ("not any()", combine(value=False)),
    ("not all()", combine(aggregator="any", value=False)),
    ("all(cart.qty > 1 and cart.tax = 0)", combine(combine(A, B))),
    (
        "not any(cart.qty > 1 or cart.tax = 0)",
        combine(combine(A, B, aggregator="any"), value=False),
    ),
    (
        "cart.qty > 1 or (cart.tax = 0 and not cart.subtotal < 5)",
        combine(A, combine(B, combine(C, value=False)), aggregator="any"),
    ),
    (
        "(cart.qty > 1 or cart.tax = 0) and all()",
        combine(combine(A, B, aggregator="any"), combine()),
    ),
    (
        "all(cart.qty > 1) and (cart.tax = 0 or not all(cart.subtotal < 5))",
        combine(
            combine(A), combine(B, combine(C, aggregator="any", value=False), aggregator="any")
        ),
    ),
    (
        'address.any(any(city = "a", city = "b"), match: any)',
        combine(
            customer_address(
                combine(
                    address_attribute("city", "is", "a"),
                    address_attribute("city", "is", "b"),
                    aggregator="any",
                ),
                aggregator="any",
            )
        ),
    ),
    (
        'address.any(any(city = "a", city = "b"))',
        combine(
            customer_address(
                combine(
                    address_attribute("city", "is", "a"),
                    address_attribute("city", "is", "b"),
                    aggregator="any",
                )
            )
        ),
    ),
    (
        'address.any(city = "a" or city = "b", has_region = true)',
        combine(
            customer_address(
                combine(
                    address_attribute("city", "is", "a"),
                    address_attribute("city", "is", "b"),
                    aggregator="any",
                ),
                address_has_region(True),
            )
        ),
    ),
    (
        "products.viewed(not (between: 2024-01-01..2024-01-31))",
        combine(product_history(combine(date_range("2024-01-01", "2024-01-31"), value=False))),
    ),
    ("address.any()", combine(customer_address())),
    ("address.any(match: any)", combine(customer_address(aggregator="any"))),
]


@pytest.mark.parametrize(("text", "tree"), CONDITIONS)
def test_each_condition_type_has_its_written_form(catalogue, text, tree):
    # given
    assert clean_tree(tree, apply_to="both") == tree

    # when
    printed = to_text(tree)
    read = parse(text)

    # then
    assert printed == text
    assert read == tree


@pytest.mark.parametrize(("text", "tree"), COMBINATIONS)
def test_each_combination_has_its_written_form(db, text, tree):
    # given
    assert clean_tree(tree, apply_to="both") == tree

    # when
    printed = to_text(tree)
    read = parse(text)

    # then
    assert printed == text
    assert read == tree


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("NOT (cart.qty > 1 AND cart.tax = 0)", "not all(cart.qty > 1, cart.tax = 0)"),
        ("not (cart.qty > 1 or cart.tax = 0)", "not any(cart.qty > 1, cart.tax = 0)"),
        ("none(cart.qty > 1, cart.tax = 0)", "not any(cart.qty > 1, cart.tax = 0)"),
        ("all(cart.qty > 1, cart.tax = 0)", "cart.qty > 1 and cart.tax = 0"),
        ("all(cart.qty > 1)", "cart.qty > 1"),
        ("all()", ""),
        ("  # nothing but a comment\n", ""),
        ("not not cart.qty > 1", "any(cart.qty > 1)"),
        (
            "cart.qty > 1 or cart.tax = 0 and cart.subtotal < 5",
            "cart.qty > 1 or (cart.tax = 0 and cart.subtotal < 5)",
        ),
        ("cart.qty > 1 # more than one\n\tAND\n cart.tax == 0", "cart.qty > 1 and cart.tax = 0"),
        ('address.any(city = "a" and city = "b")', 'address.any(city = "a", city = "b")'),
        ('address.any(country = "de")', 'address.any(country_id = "DE")'),
        ("address.any(country_id != de)", 'address.any(country_id != "DE")'),
        (
            "orders.count(status = complete, age <= 90d, age > 1d) >= 2",
            "orders.count(status: complete, within: 90d, older: 1d) >= 2",
        ),
        ("products.viewed(within: 2w)", "products.viewed(within: 14d)"),
        ("products.viewed(age <= 5)", "products.viewed(within: 5d)"),
        ('customer.gender = "2"', "customer.gender = 2"),
        ("Customer.Gender = 2", "customer.gender = 2"),
        ("store_credit > 007.50", "store_credit > 7.50"),
        ("store_credit > 1e3", "store_credit > 1E+3"),
        ('customer.email = "  x  "', 'customer.email = "x"'),
        ('customer.email = "caf\\u00e9 \\"x\\""', 'customer.email = "café \\"x\\""'),
        (
            'products.in_cart(category in ["shoes", " ", "hats"])',
            'products.in_cart(category in ["shoes", "hats"])',
        ),
    ],
)
def test_a_query_may_be_written_more_freely_than_it_is_printed(db, text, canonical):
    # when
    tree = parse(text)

    # then
    assert to_text(tree) == canonical
    assert parse(canonical) == tree


def test_the_issue_example_reads_into_the_tree_the_builder_makes(catalogue):
    # given
    text = (
        "orders.count(status: complete, within: 90d) >= 2 and "
        'address.any(country = "DE" and city contains "Berl")'
    )

    # when
    tree = parse_and_check(text, "registered")

    # then
    assert tree == combine(
        number_of_orders("gte", 2, order_status("complete"), up_to_date("lte", 90)),
        customer_address(
            address_attribute("country_id", "is", "DE"),
            address_attribute("city", "contains", "Berl"),
        ),
    )
    assert to_text(tree) == (
        "orders.count(status: complete, within: 90d) >= 2 and "
        'address.any(country_id = "DE", city contains "Berl")'
    )


def test_an_attribute_code_that_is_a_keyword_or_a_name_is_written_with_its_prefix(catalogue):
    # given
    for code in ("age", "in"):
        sales.save_product_attribute(
            code=code, label=code, type="number", actor=SYSTEM, use_for_promo_rules=True
        )
    attribute_services.create_attribute(
        entity="address", code="default", actor=SYSTEM, label="Default", input_type="text",
        used_in_segments=True,
    )  # fmt: skip
    tree = combine(
        product_list(
            product_attribute("age", "gte", "3"),
            product_attribute("in", "is", "1"),
            up_to_date("gte", 3),
        ),
        customer_address(address_attribute("default", "is", "x"), default_address("billing")),
    )

    # when
    text = to_text(tree)

    # then
    assert text == (
        "products.in_cart(product.age >= 3, product.in = 1, age >= 3d) and "
        'address.any(address.default = "x", default = billing)'
    )
    assert parse(text) == tree


def test_an_attribute_no_longer_offered_is_printed_by_its_value_and_refused_when_read(catalogue):
    # given
    tree = combine(customer_attribute("gone", "is", "x"))

    # when
    text = to_text(tree)

    # then
    assert text == 'customer.gone = "x"'
    with pytest.raises(QuerySyntaxError) as error:
        parse(text)
    assert error.value.detail == 'there is no customer attribute "gone" used in customer segments'


# --- Errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "detail"),
    [
        pytest.param(
            "cart.qty > 1 and\n  store_credt > 1",
            2,
            3,
            'unknown field or function "store_credt": did you mean "store_credit"?',
            id="unknown field",
        ),
        pytest.param(
            "orders.counts() > 1",
            1,
            1,
            'unknown field or function "orders.counts": did you mean "orders.count"?',
            id="unknown function",
        ),
        pytest.param(
            'city = "Berlin"',
            1,
            1,
            '"city" can be used only inside address.any(...) or inside order_address.any(...)',
            id="field of another scope",
        ),
        pytest.param(
            "customer.nope = 1",
            1,
            1,
            'there is no customer attribute "nope" used in customer segments',
            id="unknown attribute",
        ),
        pytest.param(
            "customer.gender contains 2",
            1,
            17,
            '"contains" cannot compare customer.gender (option): use =, !=',
            id="wrong operator for the type",
        ),
        pytest.param(
            "orders.count(status: complete) 2",
            1,
            32,
            "expected a comparison operator (=, !=, >=, >, <=, <) after "
            '"orders.count(...)", found "2"',
            id="missing operator",
        ),
        pytest.param(
            "store_credit >= ten",
            1,
            17,
            'expected a number after "store_credit", found "ten"',
            id="bad number",
        ),
        pytest.param(
            "customer.dob = 2024-02-30",
            1,
            16,
            '"2024-02-30" is not a date of the calendar',
            id="bad date",
        ),
        pytest.param(
            "customer.gender = 9",
            1,
            19,
            '9 is not a value for "customer.gender": expected one of: 1 (Male), 2 (Female), '
            "3 (Not Specified)",
            id="bad option",
        ),
        pytest.param(
            "orders.count(status: shipped) > 1",
            1,
            22,
            'shipped is not a value for "status:": expected one of: any, pending, '
            "pending_payment, payment_review, processing, holded, complete, closed, canceled, "
            "fraud",
            id="bad status",
        ),
        pytest.param(
            "products.viewed(within: 1y)",
            1,
            25,
            '"1y" is not a number, a date (YYYY-MM-DD) or a number of days (such as 90d)',
            id="bad number of days",
        ),
        pytest.param(
            "(cart.qty > 1\n or cart.tax = 0",
            2,
            17,
            'unexpected end of the query: expected "and", "or" or ")" to close the "(" at '
            "line 1, column 1",
            id="unclosed parenthesis",
        ),
        pytest.param(
            "cart.qty > 1)",
            1,
            13,
            'unexpected ")": there is no "(" to close',
            id="unopened parenthesis",
        ),
        pytest.param(
            'address.any(city = "a" cart.qty > 1',
            1,
            24,
            'expected "," or ")" to close "address.any(" at line 1, column 12, found "cart"',
            id="unclosed function",
        ),
        pytest.param(
            "cart.qty >",
            1,
            11,
            'unexpected end of the query: expected a number after "cart.qty"',
            id="unexpected end",
        ),
        pytest.param(
            "cart.qty > 1 and",
            1,
            17,
            'unexpected end of the query: expected a condition after "and"',
            id="unexpected end after and",
        ),
        pytest.param(
            "cart.qty > 1 cart.tax = 0",
            1,
            14,
            'expected "and", "or" or the end of the query, found "cart"',
            id="missing and",
        ),
        pytest.param(
            "products.in_cart(since: 7d)",
            1,
            18,
            'unknown named argument "since": expected within:, older:, between:, not between:',
            id="unknown named argument",
        ),
        pytest.param(
            "address.any(match: any, match: all)",
            1,
            25,
            'duplicate argument "match" (already given at line 1, column 13)',
            id="duplicate argument",
        ),
        pytest.param(
            'customer.email = "abc',
            1,
            18,
            'this text has no closing "',
            id="unterminated text",
        ),
        pytest.param(
            'customer.email = "a\\qb"',
            1,
            18,
            'unknown escape "\\q" in a text: use \\", \\\\, \\n, \\r, \\t or \\uXXXX',
            id="bad escape",
        ),
        pytest.param(
            "cart.qty > 1 & cart.tax = 0",
            1,
            14,
            'unexpected character "&"',
            id="unexpected character",
        ),
    ],
)
def test_an_error_points_at_its_line_and_column_and_says_what_was_expected(
    db, text, line, column, detail
):
    # when
    with pytest.raises(QuerySyntaxError) as error:
        parse(text)

    # then
    assert (error.value.line, error.value.column, error.value.detail) == (line, column, detail)
    assert str(error.value) == f"line {line}, column {column}: {detail}"


def test_a_query_error_is_invalid_input_with_its_position_for_the_api():
    # when
    with pytest.raises(InvalidInput) as error:
        parse("cart.qty >\n")

    # then
    assert error.value.as_dict() == {
        "code": "query_syntax",
        "message": "line 2, column 1: unexpected end of the query: expected a number after "
        '"cart.qty"',
        "field": "query",
        "params": {"line": 2, "column": 1},
        "errors": [
            {
                "code": "query_syntax",
                "message": "line 2, column 1: unexpected end of the query: expected a number "
                'after "cart.qty"',
                "field": "query",
                "params": {"line": 2, "column": 1},
            }
        ],
    }


def test_the_catalogue_checks_are_reported_where_the_condition_is_written(catalogue):
    # given
    text = (
        "cart.qty > 1 and\n"
        '  products.in_wishlist(sku = "x") and\n'
        "  products.viewed(within: 40000d) and customer.gender = 2"
    )

    # when
    with pytest.raises(QuerySyntaxError) as error:
        parse_and_check(text, "visitors")

    # then
    assert [(p.line, p.column, p.message) for p in error.value.query_problems] == [
        (2, 3, "Choose one of: cart."),
        (3, 27, "Enter at most 36500 days."),
        (3, 39, "Customer attribute is not available to segments that apply to visitors."),
    ]


def test_a_checked_query_gives_the_tree_clean_tree_returns(catalogue):
    # when
    tree = parse_and_check('products.in_cart(sku = "ABC") or cart.qty >= 2', "visitors")

    # then
    assert tree == combine(
        product_list(product_attribute("sku", "is", "ABC")),
        cart_qty("gte", "2"),
        aggregator="any",
    )


def test_nesting_beyond_reason_is_an_error_not_a_crash():
    # given
    text = "(" * 500 + "cart.qty > 1" + ")" * 500

    # when
    with pytest.raises(QuerySyntaxError) as error:
        parse(text)

    # then
    assert (error.value.column, error.value.detail) == (
        101,
        "the conditions are nested too deeply",
    )


# --- The reference page -------------------------------------------------------------------------


def generated_docs() -> str:
    output = StringIO()
    call_command("segment_query_docs", output="-", stdout=output)
    return output.getvalue()


def test_the_committed_reference_matches_the_registry():
    # given
    committed_path = Path(settings.BASE_DIR) / DOCS_PATH
    committed = committed_path.read_text(encoding="utf-8") if committed_path.exists() else ""

    # when
    generated = generated_docs()

    # then
    assert committed == generated, (
        f"{DOCS_PATH} is out of date with the condition registry: "
        "run `python -m patron segment_query_docs` and commit the result."
    )


def test_every_registered_condition_type_has_a_written_form_in_the_reference():
    # given
    registered = {condition.code for condition in segment_conditions()}

    # when
    generated = generated_docs()

    # then
    assert set(FORMS) == registered
    undocumented = [code for code in registered - {"combine"} if f"(`{code}`)" not in generated]
    assert undocumented == []
