"""Exports in Magento's layouts (issue 15): what the files hold, column by column, how filters
narrow them, raw CSV against Excel XML with formulas neutralized, and bounded reading."""

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patron.accounts.hashers import stored_magento_hash
from patron.core.actors import SYSTEM
from patron.core.errors import InvalidInput
from patron.core.writers import csv_chunks
from patron.credit import services as credit
from patron.customers import attributes
from patron.customers import services as customers
from patron.customers.models import AttributeEntity, CustomerGroup, Gender
from patron.customers.tests.factories import make_address, make_customer
from patron.transfer import layouts
from patron.transfer.exports import services
from patron.transfer.exports.rows import password_hash

SS = "{urn:schemas-microsoft-com:office:spreadsheet}"


def export(entity: str, file_format: str = "csv", conditions=(), **options) -> bytes:
    out = io.BytesIO()
    services.write_export(
        out, entity=entity, file_format=file_format, conditions=conditions, **options
    )
    return out.getvalue()


def csv_rows(entity: str, conditions=(), **options) -> list[dict[str, str]]:
    text = export(entity, "csv", conditions, **options).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def xml_cells(data: bytes) -> list[list[str]]:
    # The file is the test's own export, not untrusted input.
    root = ET.fromstring(data)  # noqa: S314
    table = root.find(f"{SS}Worksheet/{SS}Table")
    return [
        [cell.find(f"{SS}Data").text or "" for cell in row.findall(f"{SS}Cell")]
        for row in table.findall(f"{SS}Row")
    ]


@pytest.fixture
def ada(view_a):
    customer = make_customer(
        "ada@example.com", store_view=view_a, prefix="Lady", middlename="A.", suffix="",
        dob=dt.date(1815, 12, 10), gender=Gender.FEMALE, taxvat="GB123",
        disable_auto_group_change=True,
    )  # fmt: skip
    return customer


# --- Customers Main File ------------------------------------------------------------------------


def test_main_file_has_the_layout_columns_in_order(ada):
    # given one customer
    # when the main file is exported
    text = export("customer").decode("utf-8")
    # then the header is Magento's layout and Patron's own columns, in order
    assert text.splitlines()[0].split(",") == list(layouts.export_columns("customer"))


def test_main_file_row_holds_the_customer_as_magento_writes_it(ada, view_a):
    # given a customer with every field set
    # when the main file is exported
    [row] = csv_rows("customer")
    # then each column holds the value the importer reads back
    assert row == {
        **{column: "" for column in layouts.export_columns("customer")},
        "email": "ada@example.com",
        "_website": view_a.store.website.code,
        "_store": view_a.code,
        "created_at": ada.created_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "created_in": view_a.name,
        "disable_auto_group_change": "1",
        "dob": "1815-12-10",
        "firstname": "Ada",
        "gender": "Female",
        "group_id": str(ada.group_id),
        "lastname": "Lovelace",
        "middlename": "A.",
        "prefix": "Lady",
        "store_id": str(view_a.pk),
        "taxvat": "GB123",
        "updated_at": ada.updated_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "website_id": str(ada.website_id),
        "is_active": "1",
    }


def test_main_file_writes_default_address_ids(ada):
    # given a customer with a default billing and a default shipping address
    billing = make_address(ada, default_billing=True)
    shipping = make_address(ada, default_shipping=True, city="Cambridge")
    # when the main file is exported
    [row] = csv_rows("customer")
    # then the columns name the addresses by id
    assert (row["default_billing"], row["default_shipping"]) == (str(billing.pk), str(shipping.pk))


def test_an_imported_magento_hash_is_exported_in_magentos_form(view_a):
    # given a customer whose password hash came from Magento
    magento = "6a9c9bfb2ba88a6ad2a64e7402df44a763e0c48cd21d7af9e7e796cd4677ee28:RF"
    make_customer(
        "anthony@example.com", store_view=view_a, password_hash=stored_magento_hash(magento)
    )
    # when the main file is exported
    [row] = csv_rows("customer")
    # then the hash is written as Magento wrote it
    assert row["password_hash"] == magento


def test_patrons_own_hash_is_exported_as_stored():
    assert password_hash("argon2$argon2id$v=19$abc") == "argon2$argon2id$v=19$abc"


def test_unconfirmed_customer_has_a_confirmation_marker(view_a):
    # given a customer who must still confirm their email and one who needs not
    make_customer("new@example.com", store_view=view_a, confirmation_required=True)
    make_customer("old@example.com", store_view=view_a)
    # when the main file is exported
    rows = {row["email"]: row["confirmation"] for row in csv_rows("customer")}
    # then only the unconfirmed one has a confirmation value
    assert rows["old@example.com"] == ""
    assert rows["new@example.com"] != ""


def test_custom_attributes_follow_by_code(ada):
    # given a dropdown, a multiple select and a yes/no customer attribute with values
    colour = attributes.create_attribute(
        entity=AttributeEntity.CUSTOMER, code="colour", label="Colour", input_type="select",
        actor=SYSTEM, options=[{"label": "Red"}, {"label": "Blue"}],
    )  # fmt: skip
    hobbies = attributes.create_attribute(
        entity=AttributeEntity.CUSTOMER, code="hobbies", label="Hobbies",
        input_type="multiselect", actor=SYSTEM, options=[{"label": "Chess"}, {"label": "Go"}],
    )  # fmt: skip
    attributes.create_attribute(
        entity=AttributeEntity.CUSTOMER, code="vip", label="VIP", input_type="boolean",
        actor=SYSTEM,
    )  # fmt: skip
    blue = colour.options.get(label="Blue").pk
    both = list(hobbies.options.values_list("pk", flat=True))
    customers.update_customer(
        customer=ada, actor=SYSTEM, custom_attributes={"colour": blue, "hobbies": both, "vip": True}
    )
    # when the main file is exported
    text = export("customer").decode("utf-8")
    [row] = list(csv.DictReader(io.StringIO(text)))
    # then the attributes are columns after the layout's, holding labels and flags
    assert text.splitlines()[0].split(",")[-3:] == ["colour", "hobbies", "vip"]
    assert (row["colour"], row["hobbies"], row["vip"]) == ("Blue", "Chess,Go", "1")


# --- Customer Addresses -------------------------------------------------------------------------


def test_address_file_row_holds_the_address(ada, view_a):
    # given a customer with two addresses, the second the default for both
    first = make_address(ada, street=["12 Analytical Row", "Floor 2"], company="Engines Ltd")
    second = make_address(ada, default_billing=True, default_shipping=True, city="Cambridge")
    # when the addresses are exported
    rows = csv_rows("customer_address")
    # then each address is one row keyed by website, email and id, with the default flags
    assert [list(row)[:3] for row in rows] == [["_website", "_email", "_entity_id"]] * 2
    assert rows[0] == {
        **{column: "" for column in layouts.export_columns("customer_address")},
        "_website": view_a.store.website.code,
        "_email": "ada@example.com",
        "_entity_id": str(first.pk),
        "city": "Boston",
        "company": "Engines Ltd",
        "country_id": "US",
        "firstname": "Ada",
        "lastname": "Lovelace",
        "postcode": "02108",
        "region": "Massachusetts",
        "region_id": rows[0]["region_id"],
        "street": "12 Analytical Row\nFloor 2",
        "telephone": first.telephone,
        "_address_default_billing_": "0",
        "_address_default_shipping_": "0",
    }
    assert (rows[1]["_entity_id"], rows[1]["_address_default_billing_"]) == (str(second.pk), "1")
    assert rows[1]["_address_default_shipping_"] == "1"


# --- Customer Finances --------------------------------------------------------------------------


def test_finance_file_has_one_row_per_balance(ada, website_a):
    # given a customer with store credit on their website
    credit.update_balance(customer=ada, website=website_a, delta=Decimal("12.5"), actor=SYSTEM)
    make_customer("nocredit@example.com")
    # when the finances are exported
    rows = csv_rows("customer_finance")
    # then the balance is one row; customers without credit have none
    assert rows == [
        {
            "_email": "ada@example.com", "_website": website_a.code,
            "_finance_website": website_a.code, "store_credit": "12.5000", "reward_points": "",
        }
    ]  # fmt: skip


# --- Filters -----------------------------------------------------------------------------------


@pytest.fixture
def three(view_a, website_b):
    from patron.testing.fixtures import make_store_view

    wholesale = CustomerGroup.objects.get(code="Wholesale")
    make_customer("one@example.com", store_view=view_a, group=wholesale)
    make_customer("two@example.com", store_view=view_a, lastname="Babbage")
    make_customer(
        "three@example.com", store_view=make_store_view(website_b, "second_en"), group=wholesale
    )


def emails(entity="customer", conditions=(), **options) -> list[str]:
    key = "email" if entity == "customer" else "_email"
    return [row[key] for row in csv_rows(entity, conditions, **options)]


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        pytest.param([{"code": "website", "value": "second"}], ["three@example.com"], id="website"),
        pytest.param(
            [{"code": "group", "value": "Wholesale"}],
            ["one@example.com", "three@example.com"],
            id="group_by_name",
        ),
        pytest.param(
            [
                {"code": "group", "value": "Wholesale"},
                {"code": "website", "operator": "neq", "value": "second"},
            ],
            ["one@example.com"],
            id="all_conditions_hold",
        ),
        pytest.param(
            [{"code": "lastname", "operator": "starts_with", "value": "bab"}],
            ["two@example.com"],
            id="text_operator",
        ),
        pytest.param(
            [{"code": "email", "operator": "in", "value": "one@example.com, two@example.com"}],
            ["one@example.com", "two@example.com"],
            id="in_list",
        ),
    ],
)
def test_filters_narrow_the_customers(three, conditions, expected):
    assert emails("customer", conditions) == expected


def test_created_date_range_covers_whole_days(three):
    # given customers created on three days
    from patron.customers.models import Customer

    days = {"one@example.com": 1, "two@example.com": 2, "three@example.com": 3}
    for email, day in days.items():
        moment = dt.datetime(2025, 3, day, 23, 30, tzinfo=dt.UTC)
        Customer.objects.filter(email=email).update(created_at=moment)
    # when the export is filtered from the 2nd to the 3rd
    found = emails(
        "customer",
        [
            {"code": "created_at", "operator": "gte", "value": "2025-03-02"},
            {"code": "created_at", "operator": "lte", "value": "2025-03-02"},
        ],
    )
    # then the customer created late on the 2nd is in, those of the 1st and 3rd are not
    assert found == ["two@example.com"]


def test_customer_filters_apply_to_addresses_and_finances(three, website_b):
    # given addresses and a balance on both websites
    from patron.customers.models import Customer

    for customer in Customer.objects.all():
        make_address(customer)
        credit.update_balance(customer=customer, website=customer.website, delta=5, actor=SYSTEM)
    only_second = [{"code": "website", "value": website_b.code}]
    # when addresses and finances are exported for the second website
    # then only its customer's records are in the files
    assert emails("customer_address", only_second) == ["three@example.com"]
    assert emails("customer_finance", only_second) == ["three@example.com"]


def test_address_attributes_filter_addresses(ada):
    # given addresses in two countries
    make_address(ada)
    make_address(ada, country_id="DE", region="", region_code="", postcode="10115", city="Berlin")
    # when the addresses are filtered by country
    rows = csv_rows("customer_address", [{"code": "address.country_id", "value": "DE"}])
    # then only the German one is exported
    assert [row["city"] for row in rows] == ["Berlin"]


def test_custom_attribute_filter(ada, view_a):
    # given a multiple select attribute, one customer holding an option
    hobbies = attributes.create_attribute(
        entity=AttributeEntity.CUSTOMER, code="hobbies", label="Hobbies",
        input_type="multiselect", actor=SYSTEM, options=[{"label": "Chess"}, {"label": "Go"}],
    )  # fmt: skip
    chess = hobbies.options.get(label="Chess").pk
    customers.update_customer(customer=ada, actor=SYSTEM, custom_attributes={"hobbies": [chess]})
    make_customer("bob@example.com", store_view=view_a)
    # when the export keeps customers whose hobbies contain Chess
    found = emails("customer", [{"code": "hobbies", "operator": "contains", "value": "Chess"}])
    # then only that customer is exported
    assert found == ["ada@example.com"]


@pytest.mark.parametrize(
    ("condition", "code"),
    [
        pytest.param({"code": "shoe_size", "value": "9"}, "unknown_filter", id="unknown_attribute"),
        pytest.param(
            {"code": "website", "operator": "contains", "value": "b"},
            "invalid_operator",
            id="operator_not_for_attribute",
        ),
        pytest.param(
            {"code": "dob", "operator": "gte", "value": "soon"}, "invalid_date", id="bad_date"
        ),
        pytest.param(
            {"code": "website", "value": "nowhere"}, "invalid_value", id="unknown_website"
        ),
        pytest.param({"code": "email", "operator": "eq", "value": ""}, "required", id="no_value"),
    ],
)
def test_bad_filters_are_refused_with_their_position(condition, code, db):
    with pytest.raises(InvalidInput) as raised:
        export("customer", conditions=[condition])
    assert (raised.value.code, raised.value.field) == (code, "filters[0]")


def test_unknown_entity_and_format_are_refused(db):
    with pytest.raises(InvalidInput) as entity:
        export("orders")
    with pytest.raises(InvalidInput) as file_format:
        export("customer", "xlsx")
    assert (entity.value.code, file_format.value.code) == ("invalid_entity", "invalid_format")


def test_website_scope_limits_the_export(three, website_a):
    # given a caller limited to the default website
    # when they export
    # then the other website's customer is not in the file
    assert emails("customer", website_ids=[website_a.pk]) == ["one@example.com", "two@example.com"]


# --- Raw CSV, neutralized Excel XML --------------------------------------------------------------

FORMULA = '=HYPERLINK("http://evil.example","x")'


def test_csv_stays_raw_and_excel_xml_neutralizes_formulas(view_a):
    # given a customer whose name is a formula
    make_customer("formula@example.com", store_view=view_a, firstname=FORMULA, lastname="+1-2")
    # when both formats are exported
    [row] = csv_rows("customer")
    cells = xml_cells(export("customer", "xml"))
    names = dict(zip(cells[0], cells[1], strict=True))
    # then the CSV holds the name as stored, the Excel XML as text a spreadsheet will not run
    assert (row["firstname"], row["lastname"]) == (FORMULA, "+1-2")
    assert (names["firstname"], names["lastname"]) == ("'" + FORMULA, "'+1-2")


@given(
    text=st.text(
        alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00\r"),
        max_size=30,
    ).filter(lambda value: value.strip() and value == value.strip())
)
def test_csv_holds_any_name_unchanged(text, view_a):
    # given a customer with any first name (the service strips spaces around it)
    from patron.customers.models import Customer

    customer = make_customer(f"any{Customer.objects.count()}@example.com", store_view=view_a)
    Customer.objects.filter(pk=customer.pk).update(firstname=text)
    # when exported as CSV
    rows = {row["email"]: row["firstname"] for row in csv_rows("customer")}
    # then the cell reads back exactly as stored
    assert rows[customer.email] == text


@given(
    cells=st.lists(
        st.lists(st.one_of(st.text(max_size=12), st.integers()), min_size=3, max_size=3),
        max_size=1200,
    )
)
def test_text_csv_writer_writes_what_the_core_writer_writes(cells):
    # given rows of text and integer cells (what the exports' cells produce)
    header = ["a", "b", "c"]
    # when written by the export's writer and by patron.core.writers.csv_chunks
    # then the bytes are the same
    assert b"".join(services.text_csv_chunks(header, cells)) == b"".join(csv_chunks(header, cells))


def test_rows_are_read_in_chunks(view_a, django_assert_max_num_queries):
    # given more customers than one chunk holds
    for number in range(7):
        make_customer(f"c{number}@example.com", store_view=view_a)
    # when exported three at a time
    calls = []
    rows = export("customer", chunk_size=3, progress=calls.append).decode().splitlines()
    # then every customer is written and progress is reported per chunk
    assert (len(rows), calls) == (8, [3, 3, 1])
