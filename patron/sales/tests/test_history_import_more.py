"""``patron import_facts``, kind by kind: products, orders, refunds of imported orders, reviews
and product views; every problem named by line and field; batches committed or rolled back
whole, with their events; gzip, ``--format``, ``--check`` and the report."""

import datetime as dt
import gzip
import json
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from patron.core import events
from patron.core.actors import SYSTEM
from patron.customers.models import TimelineEntry
from patron.sales import services
from patron.sales.models import (
    Category,
    Order,
    Product,
    ProductView,
    Refund,
    Review,
)
from patron.scopes.models import Website

PLACED = "2025-01-02T10:00:00Z"
ORDER_HEADER = (
    "store_view,number,customer_id,customer_email,status,currency,subtotal,grand_total,"
    "placed_at,applied_rule_ids,shipping_address.city,shipping_address.postcode,"
    "items.sku,items.qty,items.price\n"
)
REFUND_HEADER = (
    "order_number,number,grand_total,to_store_credit,refunded_at,items.sku,items.qty,"
    "items.row_total\n"
)
REVIEW_HEADER = "review_id,sku,customer_id,nickname,title,detail,rating,status,written_at\n"


@pytest.fixture
def emitted():
    """The commerce events dispatched during a test, as (name, payload) pairs."""
    received: list[tuple[str, dict]] = []

    @events.subscribe("*", dispatch_uid="sales-import-tests-recorder")
    def record(event):
        received.append((event.name, event.payload))

    yield received
    events.unsubscribe("*", dispatch_uid="sales-import-tests-recorder")


@pytest.fixture
def products(db):
    for sku, name, price in (("MUG", "Mug", "8.50"), ("TEA", "Green Tea", "4.00")):
        services.save_product(sku=sku, name=name, price=Decimal(price), actor=SYSTEM)


@pytest.fixture
def imported_orders(tmp_path, products, view_a, customer):
    """Orders 100 (of the customer: 2 MUG, 1 TEA) and 101 (a guest's: 1 TEA), imported."""
    path = write(
        tmp_path,
        "orders.csv",
        ORDER_HEADER
        + f",100,{customer.pk},ada@example.com,complete,EUR,21,21,{PLACED},,,,MUG,2,8.50\n"
        + ",,,,,,,,,,,,TEA,1,4.00\n"
        + f",101,,guest@example.com,complete,EUR,4,4,{PLACED},,,,TEA,1,4.00\n",
    )
    run("orders", path, "--store-view", view_a.code)


def write(tmp_path, name, text):
    path = tmp_path / name
    if name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode("utf-8")))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def jsonl(*records):
    return "".join(f"{json.dumps(record)}\n" for record in records)


def run(*args):
    call_command("import_facts", *map(str, args))


def run_refused(*args):
    with pytest.raises(CommandError) as error:
        run(*args)
    return str(error.value)


def problems(capsys):
    """The problem lines the command printed ("line N[, field]: message"), in order."""
    return [line for line in capsys.readouterr().err.splitlines() if re.match(r"line \d", line)]


def order_line(number, *, sku="MUG", currency="EUR", status="complete", customer_id="", view=""):
    return (
        f"{view},{number},{customer_id},a@example.com,{status},{currency},8.5,8.5,{PLACED},,,,"
        f"{sku},1,8.5\n"
    )


# --- Every kind ---------------------------------------------------------------------------------


def test_products_csv_reads_categories_typed_attributes_and_flags(tmp_path, db, capsys):
    # given
    Category.objects.create(code="kitchen", name="Kitchen")
    Category.objects.create(code="tea", name="Tea")
    services.save_product_attribute(
        code="colors", label="Colors", type="multiselect", options=["red", "blue"], actor=SYSTEM
    )
    services.save_product_attribute(
        code="dishwasher_safe", label="Dishwasher safe", type="boolean", actor=SYSTEM
    )
    services.save_product_attribute(code="material", label="Material", type="text", actor=SYSTEM)
    path = write(
        tmp_path,
        "products.csv",
        "sku,name,price,weight,categories,is_active,attributes.colors,"
        "attributes.dishwasher_safe,attributes.material\n"
        "MUG,Mug,8.50,0.3, kitchen | tea ,true,red|blue,true,stoneware\n"
        "POT,Tea Pot,30,,tea,false,,,\n",
    )

    # when
    run("products", path)

    # then
    mug, pot = Product.objects.order_by("sku")
    assert (mug.sku, mug.name, mug.price, mug.weight, mug.is_active) == (
        "MUG", "Mug", Decimal("8.50"), Decimal("0.3"), True,
    )  # fmt: skip
    assert mug.attributes == {
        "colors": ["red", "blue"],
        "dishwasher_safe": True,
        "material": "stoneware",
    }
    assert sorted(mug.categories.values_list("code", flat=True)) == ["kitchen", "tea"]
    assert (pot.sku, pot.weight, pot.is_active, pot.attributes) == ("POT", None, False, {})
    assert list(pot.categories.values_list("code", flat=True)) == ["tea"]
    assert "2 record(s) read; 1 batch(es) committed (saved 2)" in capsys.readouterr().out


def test_products_jsonl_are_saved_by_sku(tmp_path, db):
    # given
    services.save_product(sku="MUG", name="Old Mug", price=Decimal(1), actor=SYSTEM)
    path = write(
        tmp_path,
        "products.jsonl",
        jsonl(
            {"sku": "MUG", "name": "Mug", "price": "8.50"},
            {"sku": "TEA", "name": "Tea", "price": 4},
        ),
    )

    # when
    run("products", path)

    # then
    assert list(Product.objects.order_by("sku").values_list("sku", "name", "price")) == [
        ("MUG", "Mug", Decimal("8.50")),
        ("TEA", "Tea", Decimal("4.00")),
    ]


def test_an_unknown_category_is_named_by_line(tmp_path, db, capsys):
    # given
    Category.objects.create(code="tea", name="Tea")
    path = write(
        tmp_path, "products.csv", "sku,name,price,categories\nMUG,Mug,1,tea\nPOT,Pot,1,tea|ghost\n"
    )

    # when
    run_refused("products", path)

    # then
    assert problems(capsys) == ["line 3, categories: Unknown categories: ghost."]
    assert not Product.objects.exists()


def test_orders_csv_nest_columns_split_rule_ids_and_link_the_customer(
    tmp_path, products, view_a, customer
):
    # given: three rows for order 100, the last two continuing it
    path = write(
        tmp_path,
        "orders.csv",
        ORDER_HEADER
        + f",100,{customer.pk},Ada@Example.com,complete,EUR,25,25,{PLACED},3|7,Berlin,10115,"
        "MUG,2,8.50\n" + ",100,,,,,,,,,,,TEA,1,4.00\n" + ",,,,,,,,,,,,TEA,1,4.00\n",
    )

    # when
    run("orders", path, "--store-view", view_a.code)

    # then
    order = Order.objects.get()
    assert (order.number, order.customer, order.customer_email) == (
        "100",
        customer,
        "ada@example.com",
    )
    assert order.applied_rule_ids == [3, 7]
    assert order.shipping_address == {"city": "Berlin", "postcode": "10115"}
    assert order.placed_at == dt.datetime(2025, 1, 2, 10, tzinfo=dt.UTC)
    assert list(order.items.values_list("sku", "qty")) == [
        ("MUG", Decimal(2)),
        ("TEA", Decimal(1)),
        ("TEA", Decimal(1)),
    ]
    assert order.total_qty == Decimal(4)


def test_each_order_goes_to_the_store_view_of_its_row_or_the_default(
    tmp_path, products, view_a, view_b
):
    # given
    path = write(
        tmp_path,
        "orders.csv",
        ORDER_HEADER + order_line("100", view=view_b.code) + order_line("101"),
    )

    # when
    run("orders", path, "--store-view", view_a.code)

    # then
    assert dict(Order.objects.values_list("number", "store_view__code")) == {
        "100": view_b.code,
        "101": view_a.code,
    }


def test_refunds_of_imported_orders_are_recorded_with_their_items(
    tmp_path, imported_orders, view_a, customer, capsys
):
    # given: euro orders on a euro website (store credit is kept in the base currency)
    Website.objects.update(base_currency="EUR")
    path = write(
        tmp_path,
        "refunds.csv",
        REFUND_HEADER
        + "100,R-1,12.50,4.00,2025-01-09T08:30:00+01:00,MUG,1,8.50\n"
        + "100,R-1,,,,TEA,1,4.00\n"
        + "101,R-2,4.00,,2025-01-10T08:30:00Z,TEA,1,4.00\n",
    )

    # when
    run("refunds", path, "--store-view", view_a.code)

    # then
    first, second = Refund.objects.order_by("number")
    assert (first.order.number, first.grand_total, first.to_store_credit, first.currency) == (
        "100", Decimal("12.50"), Decimal("4.00"), "EUR",
    )  # fmt: skip
    assert first.refunded_at == dt.datetime(2025, 1, 9, 7, 30, tzinfo=dt.UTC)
    assert list(first.items.values_list("sku", "qty", "row_total")) == [
        ("MUG", Decimal(1), Decimal("8.50")),
        ("TEA", Decimal(1), Decimal("4.00")),
    ]
    assert (second.order.number, second.to_store_credit) == ("101", Decimal(0))
    assert list(
        TimelineEntry.objects.filter(customer=customer, kind="refund_recorded").values_list(
            "params__refund", flat=True
        )
    ) == ["R-1"]
    assert "committed (created 2)" in capsys.readouterr().out


def test_a_refund_of_an_order_that_was_not_imported_is_named_by_line(
    tmp_path, imported_orders, view_a, capsys
):
    # given
    path = write(
        tmp_path,
        "refunds.csv",
        REFUND_HEADER
        + "100,R-1,4.00,,2025-01-09T08:30:00Z,TEA,1,4.00\n"
        + "999,R-9,4.00,,2025-01-09T08:30:00Z,TEA,1,4.00\n"
        + "101,R-2,4.00,,2025-01-09T08:30:00Z,MUG,1,8.50\n",
    )

    # when
    run_refused("refunds", path, "--store-view", view_a.code)

    # then
    assert problems(capsys) == [
        "line 3, order: There is no order 999 on this website.",
        "line 4, items[0].sku: MUG is not an item of this order.",
    ]
    assert not Refund.objects.exists()


def test_reviews_csv_are_recorded_and_a_rerun_is_unchanged(
    tmp_path, products, view_a, customer, capsys
):
    # given
    path = write(
        tmp_path,
        "reviews.csv",
        REVIEW_HEADER
        + f'r-1,MUG,{customer.pk},Ada,Lovely,"Holds tea, and more",5,approved,2025-02-01T09:00:00Z\n'
        + "r-2,TEA,,Guest,Meh,,2,,2025-02-02T09:00:00Z\n",
    )
    run("reviews", path, "--store-view", view_a.code)
    capsys.readouterr()

    # when
    run("reviews", path, "--store-view", view_a.code)

    # then
    first, second = Review.objects.order_by("external_id")
    assert (first.product.sku, first.customer, first.rating, first.status, first.detail) == (
        "MUG", customer, 5, "approved", "Holds tea, and more",
    )  # fmt: skip
    assert first.written_at == dt.datetime(2025, 2, 1, 9, tzinfo=dt.UTC)
    assert (second.product.sku, second.customer, second.status, second.detail) == (
        "TEA", None, "pending", "",
    )  # fmt: skip
    assert "committed (unchanged 2)" in capsys.readouterr().out
    assert Review.objects.count() == 2


def test_product_views_jsonl_keep_visitor_ids_and_customers(
    tmp_path, products, view_a, view_b, customer
):
    # given: a blank line and a line of spaces before the last record
    on_b = {"view_id": "v-1", "sku": "TEA", "visitor_id": "visitor-8", "viewed_at": PLACED}
    path = write(
        tmp_path,
        "views.jsonl",
        jsonl(
            {"view_id": "v-1", "sku": "MUG", "visitor_id": " visitor-7 ", "viewed_at": PLACED},
            {"view_id": "v-2", "sku": "TEA", "customer_id": customer.pk, "viewed_at": PLACED},
        )
        + "\n   \n"
        + jsonl({**on_b, "store_view": view_b.code}),
    )

    # when
    run("product_views", path, "--store-view", view_a.code)

    # then
    rows = ProductView.objects.order_by("pk").values_list(
        "external_id", "website_id", "product__sku", "visitor_id", "customer_id"
    )
    assert list(rows) == [
        ("v-1", view_a.store.website_id, "MUG", "visitor-7", None),
        ("v-2", view_a.store.website_id, "TEA", "", customer.pk),
        ("v-1", view_b.store.website_id, "TEA", "visitor-8", None),
    ]


def test_a_product_view_needs_exactly_one_viewer(tmp_path, products, view_a, customer, capsys):
    # given
    nobody = {"view_id": "v-1", "sku": "MUG", "viewed_at": PLACED}
    both = {"view_id": "v-2", "sku": "MUG", "viewed_at": PLACED, "visitor_id": "x"}
    path = write(tmp_path, "views.jsonl", jsonl(nobody, {**both, "customer_id": customer.pk}))

    # when
    run_refused("product_views", path, "--store-view", view_a.code)

    # then
    message = "Name the viewer: a customer_id or a visitor_id, not both."
    assert problems(capsys) == [
        f"line 1, customer_id: {message}",
        f"line 2, customer_id: {message}",
    ]
    assert not ProductView.objects.exists()


# --- Problems by line and field -----------------------------------------------------------------


def test_an_unknown_store_view_is_named_by_line(tmp_path, products, view_a, capsys):
    # given
    path = write(
        tmp_path, "orders.csv", ORDER_HEADER + order_line("100") + order_line("101", view="nowhere")
    )

    # when
    run_refused("orders", path, "--store-view", view_a.code)

    # then
    assert problems(capsys) == ["line 3, store_view: There is no store view nowhere."]
    assert not Order.objects.exists()


def test_a_record_without_a_store_view_is_refused_without_the_option(
    tmp_path, products, view_a, capsys
):
    # given: the first order names its store view, the second does not
    path = write(
        tmp_path,
        "orders.csv",
        ORDER_HEADER + order_line("100", view=view_a.code) + order_line("101"),
    )

    # when
    run_refused("orders", path)

    # then
    assert problems(capsys) == [
        "line 3, store_view: Give the store view code in a store_view column or with --store-view."
    ]
    assert not Order.objects.exists()


def test_an_unknown_store_view_option_stops_the_command(tmp_path, products):
    # given
    path = write(tmp_path, "orders.csv", ORDER_HEADER + order_line("100"))

    # when
    message = run_refused("orders", path, "--store-view", "nowhere")

    # then
    assert message == "There is no store view nowhere."
    assert not Order.objects.exists()


def test_an_unknown_product_on_the_second_item_points_at_that_items_line(
    tmp_path, products, view_a, capsys
):
    # given: order 100 spans lines 2-4; its second item (line 3) names no product
    path = write(
        tmp_path,
        "orders.csv",
        ORDER_HEADER + order_line("100") + ",100,,,,,,,,,,,NOPE,1,1\n" + ",100,,,,,,,,,,,TEA,1,4\n",
    )

    # when
    run_refused("orders", path, "--store-view", view_a.code)

    # then
    assert problems(capsys) == ["line 3, items[1].sku: There is no product with SKU NOPE."]
    assert not Order.objects.exists()


def test_an_invalid_item_value_points_at_that_items_line(tmp_path, products, view_a, capsys):
    # given
    path = write(
        tmp_path,
        "orders.csv",
        ORDER_HEADER + order_line("100") + ",,,,,,,,,,,,TEA,0,4\n",
    )

    # when
    run_refused("orders", path, "--store-view", view_a.code)

    # then
    [problem] = problems(capsys)
    assert problem.startswith("line 3, items[1].qty: Input should be greater than 0")


def test_unknown_currency_status_and_customer_are_all_named_on_the_orders_line(
    tmp_path, products, view_a, capsys
):
    # given
    path = write(
        tmp_path,
        "orders.csv",
        ORDER_HEADER
        + order_line("100")
        + order_line("101", currency="XYZ", status="lost", customer_id=999999),
    )

    # when
    run_refused("orders", path, "--store-view", view_a.code)

    # then
    assert sorted(problems(capsys)) == [
        "line 3, currency: XYZ is not an ISO 4217 currency code.",
        "line 3, customer_id: There is no customer 999999 on this website.",
        "line 3, status: lost is not an order status of this store (known: pending, "
        "pending_payment, payment_review, processing, holded, complete, closed, canceled, fraud).",
    ]
    assert not Order.objects.exists()


def test_a_row_with_more_cells_than_the_header_is_named_by_line(tmp_path, products, view_a, capsys):
    # given
    path = write(
        tmp_path,
        "orders.csv",
        ORDER_HEADER + order_line("100") + order_line("101").rstrip("\n") + ",extra\n",
    )

    # when
    message = run_refused("orders", path, "--store-view", view_a.code)

    # then
    assert problems(capsys) == ["line 3: The row has more cells than the header."]
    assert message == "1 problem(s); see above."
    assert not Order.objects.filter(number="101").exists()


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_an_unreadable_row_rolls_back_its_batch(tmp_path, products, view_a, fmt):
    # given: one batch holding a good record and an unreadable one
    if fmt == "csv":
        text = ORDER_HEADER + order_line("100") + order_line("101").rstrip("\n") + ",extra\n"
    else:
        good = {
            "number": "100", "customer_email": "a@example.com", "status": "complete",
            "currency": "EUR", "subtotal": 8.5, "grand_total": 8.5, "placed_at": PLACED,
            "items": [{"sku": "MUG", "qty": 1, "price": 8.5}],
        }  # fmt: skip
        text = jsonl(good) + "[1, 2]\n"
    path = write(tmp_path, f"orders.{fmt}", text)

    # when
    run_refused("orders", path, "--store-view", view_a.code)

    # then
    assert not Order.objects.exists()


def test_a_file_without_a_key_column_is_refused_before_reading(tmp_path, products, view_a):
    # given
    path = write(
        tmp_path,
        "orders.csv",
        "customer_email,status,currency,subtotal,grand_total,placed_at,items.sku,items.qty,"
        f"items.price\na@example.com,complete,EUR,1,1,{PLACED},MUG,1,1\n",
    )

    # when
    message = run_refused("orders", path, "--store-view", view_a.code)

    # then
    assert message == f"{path}: The file has no number column."
    assert not Order.objects.exists()


def test_a_refunds_file_names_every_missing_key_column(tmp_path, imported_orders, view_a):
    # given
    path = write(tmp_path, "refunds.csv", "grand_total,refunded_at\n1,2025-01-09T08:30:00Z\n")

    # when
    message = run_refused("refunds", path, "--store-view", view_a.code)

    # then
    assert message == f"{path}: The file has no order_number, number column."


@pytest.mark.parametrize(
    "line", ['["not", "an", "object"]', '"100"', "42"], ids=["array", "string", "number"]
)
def test_a_jsonl_line_that_is_not_an_object_is_named_by_line(
    tmp_path, products, view_a, line, capsys
):
    # given
    path = write(tmp_path, "orders.jsonl", f"\n{line}\n")

    # when
    run_refused("orders", path, "--store-view", view_a.code)

    # then
    assert problems(capsys) == ["line 2: Each line must be a JSON object."]


def test_a_naive_datetime_is_refused_rather_than_guessed(tmp_path, products, view_a, capsys):
    # given
    path = write(
        tmp_path,
        "orders.csv",
        ORDER_HEADER + order_line("100").replace(PLACED, "2025-01-02T10:00:00"),
    )

    # when
    run_refused("orders", path, "--store-view", view_a.code)

    # then
    assert problems(capsys) == ["line 2, placed_at: Input should have timezone info"]
    assert not Order.objects.exists()


def test_a_naive_review_time_is_refused_too(tmp_path, products, view_a, capsys):
    # given
    path = write(
        tmp_path, "reviews.csv", REVIEW_HEADER + "r-1,MUG,,Ada,Nice,,5,,2025-02-01 09:00\n"
    )

    # when
    run_refused("reviews", path, "--store-view", view_a.code)

    # then
    assert problems(capsys) == ["line 2, written_at: Input should have timezone info"]
    assert not Review.objects.exists()


def test_a_product_row_without_a_sku_is_reported(tmp_path, db, capsys):
    # given
    path = write(tmp_path, "products.csv", "sku,name,price\nMUG,Mug,8.50\n,Tea Pot,30\n")

    # when
    with pytest.raises(CommandError):
        run("products", path)

    # then
    assert [p.split(",")[0] for p in problems(capsys)] == ["line 3"]


def test_a_product_with_an_empty_sku_is_refused(tmp_path, db):
    # given
    path = write(tmp_path, "products.jsonl", jsonl({"sku": " ", "name": "Pot", "price": 30}))

    # when
    with pytest.raises(CommandError):
        run("products", path)

    # then
    assert not Product.objects.exists()


def test_a_select_option_made_of_digits_is_read_as_text_from_csv(tmp_path, db):
    # given
    services.save_product_attribute(
        code="shoe_size", label="Shoe size", type="select", options=["38", "40"], actor=SYSTEM
    )
    path = write(tmp_path, "products.csv", "sku,name,price,attributes.shoe_size\nBOOT,Boot,80,40\n")

    # when
    run("products", path)

    # then
    assert Product.objects.get().attributes == {"shoe_size": "40"}


# --- Batches and their events -------------------------------------------------------------------


def test_events_are_sent_for_committed_batches_only(
    tmp_path, products, view_a, django_capture_on_commit_callbacks, emitted
):
    # given: batches of two; order 201 (line 3) is bad, so 200 is undone with it
    path = write(
        tmp_path,
        "orders.csv",
        ORDER_HEADER + order_line("200") + order_line("201", sku="NOPE") + order_line("202"),
    )

    # when
    with django_capture_on_commit_callbacks(execute=True):
        run_refused("orders", path, "--store-view", view_a.code, "--batch-size", 2)

    # then
    assert [(name, payload["number"]) for name, payload in emitted] == [("orderRecorded", "202")]
    assert list(Order.objects.values_list("number", flat=True)) == ["202"]


def test_a_check_sends_no_event_and_writes_no_timeline(
    tmp_path, products, view_a, customer, django_capture_on_commit_callbacks, emitted
):
    # given
    path = write(tmp_path, "orders.csv", ORDER_HEADER + order_line("300", customer_id=customer.pk))
    entries_before = TimelineEntry.objects.count()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        run("orders", path, "--store-view", view_a.code, "--check")

    # then
    assert emitted == []
    assert not Order.objects.exists()
    assert TimelineEntry.objects.count() == entries_before


def test_a_check_reports_the_problems_it_finds(tmp_path, products, view_a, capsys):
    # given
    path = write(tmp_path, "orders.csv", ORDER_HEADER + order_line("300", sku="NOPE"))

    # when
    run_refused("orders", path, "--store-view", view_a.code, "--check")

    # then
    assert problems(capsys) == ["line 2, items[0].sku: There is no product with SKU NOPE."]


def test_the_report_counts_records_results_and_batches(tmp_path, products, view_a, capsys):
    # given: order 100 exists already; batches of two
    run(
        "orders",
        write(tmp_path, "first.csv", ORDER_HEADER + order_line("100")),
        "--store-view",
        view_a.code,
    )
    capsys.readouterr()
    path = write(
        tmp_path,
        "orders.csv",
        ORDER_HEADER
        + order_line("100")
        + order_line("101")
        + order_line("102", status="lost")
        + order_line("103")
        + order_line("104"),
    )

    # when
    run_refused("orders", path, "--store-view", view_a.code, "--batch-size", 2)

    # then
    out, err = capsys.readouterr()
    assert out.strip() == (
        "5 record(s) read; 2 batch(es) committed (created 2, unchanged 1), "
        "1 rolled back (2 record(s))."
    )
    assert err.splitlines()[:3] == [
        "lines 2–3: 2 record(s) committed",
        "lines 4–5: 2 record(s) rolled back",
        "lines 6–6: 1 record(s) committed",
    ]
    assert sorted(Order.objects.values_list("number", flat=True)) == ["100", "101", "104"]


def test_a_check_reports_what_it_read_and_that_nothing_was_written(
    tmp_path, products, view_a, capsys
):
    # given
    path = write(tmp_path, "orders.csv", ORDER_HEADER + order_line("100") + order_line("101"))

    # when
    run("orders", path, "--store-view", view_a.code, "--check")

    # then
    assert capsys.readouterr().out.strip() == (
        "2 record(s) read; checked only, nothing written; 0 batch(es) committed (nothing), "
        "1 rolled back (2 record(s))."
    )


def test_running_a_fixed_file_again_adds_only_what_is_missing(tmp_path, products, view_a, capsys):
    # given: the first run commits order 100 and refuses order 101
    path = write(
        tmp_path, "orders.csv", ORDER_HEADER + order_line("100") + order_line("101", sku="NOPE")
    )
    run_refused("orders", path, "--store-view", view_a.code, "--batch-size", 1)
    path.write_text(ORDER_HEADER + order_line("100") + order_line("101"), encoding="utf-8")
    capsys.readouterr()

    # when
    run("orders", path, "--store-view", view_a.code, "--batch-size", 1)

    # then
    assert "2 batch(es) committed (created 1, unchanged 1)" in capsys.readouterr().out
    assert sorted(Order.objects.values_list("number", flat=True)) == ["100", "101"]


# --- Files --------------------------------------------------------------------------------------


def test_a_gzipped_csv_is_read(tmp_path, products, view_a):
    # given
    path = write(tmp_path, "orders.csv.gz", ORDER_HEADER + order_line("100"))

    # when
    run("orders", path, "--store-view", view_a.code)

    # then
    assert list(Order.objects.values_list("number", flat=True)) == ["100"]


def test_a_gzipped_jsonl_with_a_byte_order_mark_is_read(tmp_path, db):
    # given
    path = write(
        tmp_path, "products.jsonl.gz", "\ufeff" + jsonl({"sku": "MUG", "name": "Mug", "price": 1})
    )

    # when
    run("products", path)

    # then
    assert list(Product.objects.values_list("sku", flat=True)) == ["MUG"]


def test_the_format_option_overrides_the_files_name(tmp_path, db):
    # given
    path = write(tmp_path, "export.txt", jsonl({"sku": "MUG", "name": "Mug", "price": 1}))

    # when
    run("products", path, "--format", "jsonl")

    # then
    assert list(Product.objects.values_list("sku", flat=True)) == ["MUG"]


def test_the_format_option_reads_a_csv_named_jsonl_as_csv(tmp_path, db):
    # given
    path = write(tmp_path, "products.jsonl", "sku,name,price\nMUG,Mug,1\n")

    # when
    run("products", path, "--format", "csv")

    # then
    assert list(Product.objects.values_list("sku", flat=True)) == ["MUG"]


def test_a_file_of_unknown_format_needs_the_option(tmp_path, db):
    # given
    path = write(tmp_path, "export.txt", jsonl({"sku": "MUG", "name": "Mug", "price": 1}))

    # when
    message = run_refused("products", path)

    # then
    assert message == f"{path}: Name the file .csv or .jsonl (optionally .gz), or give the format."
    assert not Product.objects.exists()


def test_a_missing_file_and_a_batch_size_below_one_are_refused(tmp_path, db):
    # given
    path = write(tmp_path, "products.csv", "sku,name,price\nMUG,Mug,1\n")

    # when
    missing = run_refused("products", tmp_path / "nope.csv")
    zero = run_refused("products", path, "--batch-size", 0)

    # then
    assert missing == f"{tmp_path / 'nope.csv'}: no such file."
    assert zero == "--batch-size must be at least 1."
    assert not Product.objects.exists()
