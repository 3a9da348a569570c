"""``patron import_facts``: a shop's history from CSV or JSON Lines, validated row by row and
committed in all-or-nothing batches."""

import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from patron.core.actors import SYSTEM
from patron.customers.models import TimelineEntry
from patron.sales import services
from patron.sales.models import Order, Product

ORDER_HEADER = (
    "number,customer_email,status,currency,subtotal,grand_total,placed_at,"
    "billing_address.city,items.sku,items.qty,items.price\n"
)


@pytest.fixture
def products(db):
    for sku, price in (("MUG", "8.50"), ("TEA", "4.00")):
        services.save_product(sku=sku, name=sku.title(), price=Decimal(price), actor=SYSTEM)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(*args):
    call_command("import_facts", *map(str, args))


def test_csv_orders_continue_on_rows_with_the_same_number(tmp_path, products, view_a):
    # given
    path = write(
        tmp_path,
        "orders.csv",
        ORDER_HEADER
        + "100,a@example.com,complete,EUR,12.50,12.50,2025-01-02T10:00:00Z,Berlin,MUG,1,8.50\n"
        + "100,,,,,,,,TEA,1,4.00\n"
        + "101,b@example.com,pending,EUR,4,4,2025-01-03T10:00:00+01:00,,TEA,1,4\n",
    )

    # when
    run("orders", path, "--store-view", view_a.code)

    # then
    first = Order.objects.get(number="100")
    assert sorted(first.items.values_list("sku", flat=True)) == ["MUG", "TEA"]
    assert (first.total_qty, first.billing_address) == (Decimal(2), {"city": "Berlin"})
    assert Order.objects.count() == 2


def test_a_bad_row_rolls_back_its_whole_batch_and_is_named_by_line(tmp_path, products, view_a):
    # given: batches of two; line 3 names an unknown product, so lines 2-3 are undone
    path = write(
        tmp_path,
        "orders.csv",
        ORDER_HEADER
        + "200,a@example.com,complete,EUR,8.5,8.5,2025-01-02T10:00:00Z,,MUG,1,8.5\n"
        + "201,a@example.com,complete,EUR,8.5,8.5,2025-01-02T10:00:00Z,,NOPE,1,8.5\n"
        + "202,a@example.com,complete,EUR,8.5,8.5,2025-01-02T10:00:00Z,,MUG,1,8.5\n",
    )

    # when
    with pytest.raises(CommandError):
        run("orders", path, "--store-view", view_a.code, "--batch-size", 2)

    # then
    assert list(Order.objects.values_list("number", flat=True)) == ["202"]


def test_jsonl_errors_name_line_and_field(tmp_path, products, view_a, capsys):
    # given
    good = {
        "number": "300", "customer_email": "a@example.com", "status": "complete",
        "currency": "EUR", "subtotal": 4, "grand_total": 4, "placed_at": "2025-01-02T10:00:00Z",
        "items": [{"sku": "TEA", "qty": 1, "price": 4}], "store_view": view_a.code,
    }  # fmt: skip
    bad = {**good, "number": "301", "currency": "XXX", "placed_at": "2025-01-02T10:00:00"}
    path = write(tmp_path, "orders.jsonl", f"{json.dumps(good)}\n\n{json.dumps(bad)}\nnot json\n")

    # when
    with pytest.raises(CommandError):
        run("orders", path)

    # then
    err = capsys.readouterr().err
    assert "line 3, placed_at" in err
    assert "line 4: Not valid JSON" in err
    assert not Order.objects.exists()


def test_importing_the_same_file_twice_changes_nothing(tmp_path, products, view_a, capsys):
    path = write(
        tmp_path,
        "orders.csv",
        ORDER_HEADER + "400,a@example.com,complete,EUR,8.5,8.5,2025-01-02T10:00:00Z,,MUG,1,8.5\n",
    )
    run("orders", path, "--store-view", view_a.code)

    run("orders", path, "--store-view", view_a.code)

    assert "unchanged 1" in capsys.readouterr().out
    assert Order.objects.count() == 1


def test_products_csv_splits_categories_and_reads_typed_attributes(tmp_path, db):
    services.save_product_attribute(code="size", label="Size", type="number", actor=SYSTEM)
    path = write(tmp_path, "products.csv", "sku,name,price,attributes.size\nCUP,Cup,3,42\n")

    run("products", path)

    assert Product.objects.get(sku="CUP").attributes == {"size": 42}


def test_check_writes_nothing(tmp_path, products, view_a):
    path = write(
        tmp_path,
        "orders.csv",
        ORDER_HEADER + "500,a@example.com,complete,EUR,8.5,8.5,2025-01-02T10:00:00Z,,MUG,1,8.5\n",
    )

    run("orders", path, "--store-view", view_a.code, "--check")

    assert not Order.objects.exists()
    assert not TimelineEntry.objects.exists()
