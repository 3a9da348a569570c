"""Custom attributes in the Customers grid over HTTP and through the services: the column
chooser (check 17), a filter per input type with the text filters' condition type (check 18),
cell values, sorting, exports, the keyword search, saved views outliving an attribute, the
rows' search words after a flag change or a deletion, and the attributes' grid indexes (created,
dropped, rebuilt by ``patron rebuild_attribute_indexes``, and used by an equality filter)."""

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from patron.core.actors import SYSTEM
from patron.core.errors import InvalidInput
from patron.core.models import JobState
from patron.customers import attribute_grid, attributes, grid, services
from patron.customers.models import (
    AttributeEntity,
    Customer,
    CustomerAttribute,
    CustomerGridRow,
    GridFilterCondition,
    InputType,
)
from patron.customers.tests.factories import make_address, make_customer

GRID_URL = "/admin/customers/customer/"
EXPORT_URL = "/admin/customers/customer/grid/export/"
VIEWS_URL = "/admin/customers/customer/grid/views/"
SS = "urn:schemas-microsoft-com:office:spreadsheet"
GENERAL = 1


# --- Helpers ------------------------------------------------------------------------------------


def define(
    code: str,
    input_type: str = InputType.TEXT,
    *,
    entity: str = AttributeEntity.CUSTOMER,
    options: tuple[str, ...] = (),
    **flags,
) -> CustomerAttribute:
    """Create an attribute through the service; a column and a filter unless told otherwise."""
    properties = {"in_grid": True, "filterable_in_grid": True} | flags
    return attributes.create_attribute(
        entity=entity,
        code=code,
        actor=SYSTEM,
        label=code.replace("_", " ").title(),
        input_type=input_type,
        options=[{"label": label} for label in options],
        **properties,
    )


def option_id(attribute: CustomerAttribute, label: str) -> int:
    return attribute.options.get(label=label).pk


def customer_with(email: str, view, **values) -> Customer:
    return make_customer(email, store_view=view, custom_attributes=values)


def column(response, code: str) -> list:
    """The values of one column in the page's row order."""
    return [dict((c.code, v) for c, v in row["cells"])[code] for row in response.context["table"]]


def emails(response) -> list[str]:
    return column(response, "email")


def codes(columns) -> list[str]:
    return [c.code for c in columns]


def html(response) -> str:
    return response.content.decode()


def read_csv(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))


def read_xml(response) -> list[list[str]]:
    root = ET.fromstring(b"".join(response.streaming_content))  # noqa: S314 - our own export
    return [
        [data.text or "" for data in row.iter(f"{{{SS}}}Data")] for row in root.iter(f"{{{SS}}}Row")
    ]


def attribute_indexes() -> set[str]:
    """The attribute indexes on the grid table, as the database lists them."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'customers_customergridrow'"
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = 'customers_customergridrow'"
            )
        return {name for (name,) in cursor.fetchall() if name.startswith("cust_grid_attr_")}


def search_text(customer: Customer) -> str:
    return CustomerGridRow.objects.get(pk=customer.pk).search_text


@pytest.fixture(autouse=True)
def checks_as_between_requests(db):
    """Check foreign keys at once, as the commit between two requests would have.

    A test is one transaction: on PostgreSQL the customers it creates leave deferred key checks
    pending on the grid table, and a table with pending trigger events refuses the CREATE INDEX
    or DROP INDEX of an attribute defined, changed or deleted afterwards."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.fixture
def staff_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def nicknames(view_a):
    """A Prefix Match nickname, searchable: John, Mojo and Jolene."""
    nickname = define(
        "nickname", grid_filter_condition=GridFilterCondition.PREFIX, searchable_in_grid=True
    )
    people = [
        customer_with(f"{name.lower()}@example.com", view_a, nickname=name)
        for name in ("John", "Mojo", "Jolene")
    ]
    return nickname, people


@pytest.fixture
def tiers(view_a):
    """A dropdown Tier (Gold, Silver, Bronze) held by Ada (Silver) and Grace (Gold); Linus has
    none."""
    tier = define("tier", InputType.SELECT, options=("Gold", "Silver", "Bronze"))
    ada = customer_with("ada@example.com", view_a, tier=option_id(tier, "Silver"))
    grace = customer_with("grace@example.com", view_a, tier=option_id(tier, "Gold"))
    linus = customer_with("linus@example.com", view_a)
    return tier, (ada, grace, linus)


# --- Column chooser (check 17) ------------------------------------------------------------------


def test_only_attributes_added_to_column_options_are_offered_as_columns(staff_client, view_a):
    # given (check 17)
    define("shoe_size", in_grid=True, filterable_in_grid=False)
    define("hat_size", in_grid=False, filterable_in_grid=False)

    # when
    response = staff_client.get(GRID_URL)

    # then
    offered = codes(response.context["chooser"])
    assert offered[-1] == "attr_shoe_size"
    assert "attr_hat_size" not in offered
    assert 'id="column-attr_shoe_size"' in html(response)
    assert "hat_size" not in html(response)
    assert codes(response.context["columns"]) == list(grid.DEFAULT_COLUMNS)


def test_a_filter_only_attribute_is_in_the_filters_panel_but_not_a_column(staff_client, view_a):
    # given
    define("region_code", in_grid=False, filterable_in_grid=True)

    # when
    response = staff_client.get(GRID_URL)

    # then
    assert "attr_region_code" not in codes(response.context["chooser"])
    assert "attr_region_code" in codes(response.context["all_filters"])
    assert 'name="f_attr_region_code"' in html(response)
    assert 'id="column-attr_region_code"' not in html(response)


def test_a_column_without_use_in_filter_options_has_no_filter(staff_client, view_a):
    # given
    define("shoe_size", in_grid=True, filterable_in_grid=False)
    customer_with("ada@example.com", view_a, shoe_size="42")

    # when
    response = staff_client.get(GRID_URL, {"f_attr_shoe_size": "42"})

    # then
    assert "attr_shoe_size" not in codes(response.context["all_filters"])
    assert response.context["state"]["filters"] == {}  # dropped like a filter gone from a view
    assert response.context["state_errors"] == []
    with pytest.raises(InvalidInput) as error:
        grid.search_grid(filters={"attr_shoe_size": "42"})
    assert (error.value.code, error.value.field) == ("unknown_filter", "attr_shoe_size")


# --- Text filters and their condition type (check 18) -------------------------------------------


def test_prefix_match_finds_john_but_not_mojo_and_the_keyword_search_is_unaffected(
    staff_client, nicknames
):
    # when (check 18)
    filtered = staff_client.get(GRID_URL, {"f_attr_nickname": "Jo", "columns": "email"})
    searched = staff_client.get(GRID_URL, {"keyword": "jo", "columns": "email"})

    # then
    assert emails(filtered) == ["john@example.com", "jolene@example.com"]
    assert filtered.context["active_filters"] == [("Nickname", "Jo")]
    assert "(starts with)" in html(filtered)
    assert emails(searched) == ["john@example.com", "mojo@example.com", "jolene@example.com"]


@pytest.mark.parametrize(
    ("condition", "typed", "expected"),
    [
        (GridFilterCondition.PARTIAL, "OJ", ["mojo@example.com"]),
        (GridFilterCondition.PARTIAL, "jo", ["john", "mojo", "jolene"]),
        (GridFilterCondition.PREFIX, "jo", ["john", "jolene"]),
        (GridFilterCondition.PREFIX, "oj", []),
        (GridFilterCondition.FULL, "JOHN", ["john"]),
        (GridFilterCondition.FULL, "Jo", []),
        (GridFilterCondition.FULL, "Jo%", []),
    ],
    ids=[
        "partial_inside_case",
        "partial_everywhere_case",
        "prefix_case",
        "prefix_not_inside_case",
        "full_ignores_case_case",
        "full_not_a_prefix_case",
        "full_wildcards_are_literal_case",
    ],
)
def test_text_filter_matches_by_the_attributes_condition_type_ignoring_case(
    staff_client, nicknames, condition, typed, expected
):
    # given
    nickname, _people = nicknames
    attributes.update_attribute(attribute=nickname, actor=SYSTEM, grid_filter_condition=condition)

    # when
    response = staff_client.get(GRID_URL, {"f_attr_nickname": typed, "columns": "email"})

    # then
    assert emails(response) == [
        email if "@" in email else f"{email}@example.com" for email in expected
    ]


def test_a_multiple_line_value_matches_when_one_of_its_lines_does(staff_client, view_a):
    # given
    define(
        "directions",
        InputType.MULTILINE,
        multiline_count=3,
        grid_filter_condition=GridFilterCondition.PREFIX,
    )
    customer_with("ada@example.com", view_a, directions=["Back door", "Second floor"])
    customer_with("grace@example.com", view_a, directions=["Ring the Second bell"])

    # when
    second = staff_client.get(GRID_URL, {"f_attr_directions": "second", "columns": "email"})
    floor = staff_client.get(GRID_URL, {"f_attr_directions": "floor", "columns": "email"})

    # then
    assert emails(second) == ["ada@example.com"]
    assert emails(floor) == []


# --- Filters of the other input types -----------------------------------------------------------


def test_dropdown_filter_offers_the_options_and_keeps_the_chosen_one(staff_client, tiers):
    # given
    tier, _customers = tiers
    gold = option_id(tier, "Gold")

    # when
    response = staff_client.get(GRID_URL, {"f_attr_tier": str(gold), "columns": "email,attr_tier"})

    # then
    assert emails(response) == ["grace@example.com"]
    assert column(response, "attr_tier") == ["Gold"]
    assert response.context["filter_choices"]["attr_tier"] == [
        (str(gold), "Gold"),
        (str(option_id(tier, "Silver")), "Silver"),
        (str(option_id(tier, "Bronze")), "Bronze"),
    ]
    assert response.context["active_filters"] == [("Tier", "Gold")]
    assert f'<option value="{gold}" selected>Gold</option>' in html(response)


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [("1", ["ada@example.com"]), ("0", ["grace@example.com"])],
    ids=["yes_case", "no_case"],
)
def test_yes_no_filter_matches_the_stored_answer(staff_client, view_a, chosen, expected):
    # given
    define("vip", InputType.BOOLEAN)
    customer_with("ada@example.com", view_a, vip=True)
    customer_with("grace@example.com", view_a, vip=False)
    customer_with("linus@example.com", view_a)

    # when
    response = staff_client.get(GRID_URL, {"f_attr_vip": chosen, "columns": "email,attr_vip"})

    # then
    assert emails(response) == expected
    assert column(response, "attr_vip") == ["Yes" if chosen == "1" else "No"]
    assert response.context["filter_choices"]["attr_vip"] == [("1", "Yes"), ("0", "No")]


def test_multiple_select_filter_keeps_the_customers_holding_the_option(staff_client, view_a):
    # given
    colours = define("colours", InputType.MULTISELECT, options=("Red", "Green", "Blue"))
    red, green, blue = (option_id(colours, c) for c in ("Red", "Green", "Blue"))
    customer_with("ada@example.com", view_a, colours=[red, green])
    customer_with("grace@example.com", view_a, colours=[green])
    customer_with("linus@example.com", view_a, colours=[blue])

    # when
    response = staff_client.get(GRID_URL, {"f_attr_colours": str(green), "columns": "email"})
    nobody = staff_client.get(GRID_URL, {"f_attr_colours": "999999", "columns": "email"})

    # then
    assert emails(response) == ["ada@example.com", "grace@example.com"]
    assert "(contains option)" in html(response)
    assert emails(nobody) == []
    assert nobody.context["state_errors"] == []


def test_date_filter_keeps_the_days_between_its_bounds(staff_client, view_a):
    # given
    define("member_since", InputType.DATE)
    customer_with("ada@example.com", view_a, member_since="2025-12-31")
    customer_with("grace@example.com", view_a, member_since="2026-01-01")
    customer_with("linus@example.com", view_a, member_since="2026-01-31")
    customer_with("edsger@example.com", view_a, member_since="2026-02-01")

    # when
    response = staff_client.get(
        GRID_URL,
        {
            "f_attr_member_since__from": "2026-01-01",
            "f_attr_member_since__to": "2026-01-31",
            "columns": "email,attr_member_since",
        },
    )

    # then
    assert emails(response) == ["grace@example.com", "linus@example.com"]
    assert column(response, "attr_member_since") == [dt.date(2026, 1, 1), dt.date(2026, 1, 31)]
    assert response.context["active_filters"] == [
        ("Member Since (from)", "2026-01-01"),
        ("Member Since (to)", "2026-01-31"),
    ]
    assert 'name="f_attr_member_since__from" type="date" value="2026-01-01"' in html(response)


@pytest.mark.parametrize(
    ("filters", "field", "code"),
    [
        ({"attr_member_since__from": "2026-02-30"}, "attr_member_since__from", "invalid_date"),
        ({"attr_member_since": "2026-01-01"}, "attr_member_since", "unknown_filter"),
        ({"attr_tier": "gold"}, "attr_tier", "invalid_value"),
        ({"attr_vip": "maybe"}, "attr_vip", "invalid_value"),
        ({"attr_tier__from": "1"}, "attr_tier__from", "unknown_filter"),
    ],
)
def test_attribute_filter_values_of_the_wrong_kind_are_refused(view_a, filters, field, code):
    # given
    define("member_since", InputType.DATE)
    define("tier", InputType.SELECT, options=("Gold",))
    define("vip", InputType.BOOLEAN)

    # when
    with pytest.raises(InvalidInput) as error:
        grid.clean_state({"filters": filters})

    # then
    assert [(p.field, p.code) for p in error.value.problems] == [(field, code)]


def test_address_attribute_of_the_default_billing_address_is_a_column_and_a_filter(
    staff_client, view_a
):
    # given
    define("building", entity=AttributeEntity.ADDRESS, grid_filter_condition="full")
    ada = make_customer("ada@example.com", store_view=view_a)
    make_address(ada, custom_attributes={"building": "Tower B"})
    grace = make_customer("grace@example.com", store_view=view_a)
    make_address(grace, custom_attributes={"building": "Tower A"})

    # when
    response = staff_client.get(
        GRID_URL, {"f_attr_billing_building": "tower b", "columns": "email,attr_billing_building"}
    )

    # then
    assert emails(response) == ["ada@example.com"]
    assert column(response, "attr_billing_building") == ["Tower B"]
    assert [str(c.label) for c in response.context["columns"]] == ["Email", "Billing Building"]


# --- Cells and sort -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("input_type", "options", "stored", "shown"),
    [
        (InputType.TEXT, (), "Left-handed", "Left-handed"),
        (InputType.TEXTAREA, (), "Prefers email", "Prefers email"),
        (InputType.MULTILINE, (), ["Back door", "Ring twice"], "Back door\nRing twice"),
        (InputType.DATE, (), "2026-03-01", dt.date(2026, 3, 1)),
        (InputType.BOOLEAN, (), True, "Yes"),
        (InputType.BOOLEAN, (), False, "No"),
        (InputType.SELECT, ("Gold", "Silver"), ["Silver"], "Silver"),
        (InputType.MULTISELECT, ("Red", "Green", "Blue"), ["Red", "Blue"], "Red, Blue"),
    ],
    ids=[
        "text_case",
        "textarea_case",
        "multiline_case",
        "date_case",
        "yes_case",
        "no_case",
        "dropdown_case",
        "multiselect_case",
    ],
)
def test_each_input_type_is_shown_as_people_read_it(
    staff_client, view_a, input_type, options, stored, shown
):
    # given: option labels stand for their ids
    extra = {"multiline_count": 2} if input_type == InputType.MULTILINE else {}
    attribute = define("detail", input_type, options=options, **extra)
    if options:
        ids = [option_id(attribute, label) for label in stored]
        stored = ids if input_type == InputType.MULTISELECT else ids[0]
    customer_with("ada@example.com", view_a, detail=stored)
    customer_with("grace@example.com", view_a)

    # when
    response = staff_client.get(GRID_URL, {"columns": "email,attr_detail"})

    # then
    assert column(response, "attr_detail") == [shown, ""]


def test_file_attribute_shows_the_file_name(staff_client, view_a, customer_files):
    # given
    define("contract", InputType.FILE, filterable_in_grid=False)
    customer_with(
        "ada@example.com", view_a, contract=attributes.FileUpload("contract.pdf", b"%PDF-1.4")
    )

    # when
    response = staff_client.get(GRID_URL, {"columns": "email,attr_contract"})

    # then
    assert column(response, "attr_contract") == ["contract.pdf"]


@pytest.mark.parametrize(
    ("direction", "expected"),
    [("asc", ["Bronze", "Gold", "Silver"]), ("desc", ["Silver", "Gold", "Bronze"])],
    ids=["ascending_case", "descending_case"],
)
def test_sorting_by_a_dropdown_column_orders_by_option_label(
    staff_client, tiers, view_a, direction, expected
):
    # given
    tier, _customers = tiers
    customer_with("edsger@example.com", view_a, tier=option_id(tier, "Bronze"))

    # when
    response = staff_client.get(
        GRID_URL, {"columns": "attr_tier", "sort": "attr_tier", "direction": direction}
    )

    # then: Linus, who has no tier, comes first or last depending on the database
    assert [value for value in column(response, "attr_tier") if value] == expected
    aria = "ascending" if direction == "asc" else "descending"
    assert f'<th scope="col" aria-sort="{aria}">' in html(response)


def test_sorting_by_a_text_column_orders_by_the_value(staff_client, nicknames):
    # when
    ascending = staff_client.get(GRID_URL, {"columns": "email", "sort": "attr_nickname"})
    descending = staff_client.get(
        GRID_URL, {"columns": "email", "sort": "attr_nickname", "direction": "desc"}
    )

    # then
    assert emails(ascending) == ["john@example.com", "jolene@example.com", "mojo@example.com"]
    assert emails(descending) == ["mojo@example.com", "jolene@example.com", "john@example.com"]


def test_a_page_with_attribute_columns_reads_the_same_number_of_queries_for_2_or_20_rows(
    staff_client, view_a, tiers
):
    # given: a page of the tiers' 3 rows, measured, then a page of 20
    tier, _customers = tiers
    define("colours", InputType.MULTISELECT, options=("Red", "Green"))
    query = {"columns": "email,attr_tier,attr_colours", "sort": "attr_tier"}
    staff_client.get(GRID_URL, query)  # warms the configuration and permission caches
    with CaptureQueriesContext(connection) as few:
        staff_client.get(GRID_URL, query)
    more = Customer.objects.bulk_create(
        Customer(
            website=view_a.store.website,
            created_in=view_a,
            group_id=GENERAL,
            email=f"c{n:02d}@example.com",
            firstname="C",
            lastname=f"{n:02d}",
            custom_attributes={"tier": option_id(tier, "Gold")},
        )
        for n in range(17)
    )
    grid.refresh_rows([c.pk for c in more])

    # when
    with CaptureQueriesContext(connection) as many:
        response = staff_client.get(GRID_URL, query)

    # then
    assert len(response.context["table"]) == 20
    assert len(many) == len(few)


# --- Export -------------------------------------------------------------------------------------


def test_export_writes_the_readable_values_of_attribute_columns(staff_client, view_a):
    # given
    tier = define("tier", InputType.SELECT, options=("Gold", "Silver"))
    define("vip", InputType.BOOLEAN)
    define("member_since", InputType.DATE)
    colours = define("colours", InputType.MULTISELECT, options=("Red", "Green"))
    customer_with(
        "ada@example.com",
        view_a,
        tier=option_id(tier, "Silver"),
        vip=True,
        member_since="2026-03-01",
        colours=[option_id(colours, "Red"), option_id(colours, "Green")],
    )
    customer_with("grace@example.com", view_a, vip=False)
    data = {"columns": "email,attr_tier,attr_vip,attr_member_since,attr_colours"}

    # when
    as_csv = staff_client.post(EXPORT_URL, data | {"format": "csv"})
    as_xml = staff_client.post(EXPORT_URL, data | {"format": "xml"})

    # then
    expected = [
        ["Email", "Tier", "Vip", "Member Since", "Colours"],
        ["ada@example.com", "Silver", "Yes", "2026-03-01", "Red, Green"],
        ["grace@example.com", "", "No", "", ""],
    ]
    assert read_csv(as_csv) == expected
    assert read_xml(as_xml) == expected


def test_export_of_a_filtered_attribute_keeps_only_the_matching_rows(staff_client, tiers):
    # given
    tier, _customers = tiers

    # when
    response = staff_client.post(
        EXPORT_URL,
        {"format": "csv", "columns": "email,attr_tier", "f_attr_tier": option_id(tier, "Silver")},
    )

    # then
    assert read_csv(response) == [["Email", "Tier"], ["ada@example.com", "Silver"]]


def test_export_of_every_column_ends_with_the_attribute_columns(tiers):
    # given
    define("hidden_note", in_grid=False)
    rows = grid.search_grid(sort="id")

    # when
    chunks, _type, _name = grid.export_chunks(rows, "csv")

    # then
    table = list(csv.reader(io.StringIO(b"".join(chunks).decode().removeprefix("\ufeff"))))
    assert table[0] == [str(c.label) for c in grid.COLUMNS] + ["Tier"]
    assert [row[-1] for row in table[1:]] == ["Silver", "Gold", ""]


# --- Keyword search -----------------------------------------------------------------------------


def test_keyword_finds_searchable_attribute_values_but_not_the_others(staff_client, view_a):
    # given
    tier = define("tier", InputType.SELECT, options=("Platinum",), searchable_in_grid=True)
    define("secret_word", searchable_in_grid=False)
    customer_with("ada@example.com", view_a, tier=option_id(tier, "Platinum"), secret_word="Zebra")
    customer_with("grace@example.com", view_a)

    # when
    by_label = staff_client.get(GRID_URL, {"keyword": "platinum"})
    by_hidden = staff_client.get(GRID_URL, {"keyword": "zebra"})

    # then
    assert emails(by_label) == ["ada@example.com"]
    assert emails(by_hidden) == []


def test_turning_use_in_search_options_on_and_off_rewrites_the_rows_search_words(
    view_a, django_capture_on_commit_callbacks
):
    # given
    word = define("secret_word", searchable_in_grid=False)
    ada = customer_with("ada@example.com", view_a, secret_word="Zebra")
    grace = customer_with("grace@example.com", view_a)
    untouched = search_text(grace)

    # when: the service's flag change followed by the refresh it queues
    with django_capture_on_commit_callbacks(execute=True):
        word = attributes.update_attribute(attribute=word, actor=SYSTEM, searchable_in_grid=True)
        job = attribute_grid.start_attribute_rows_refresh(attribute=word, actor=SYSTEM)

    # then
    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.result) == (JobState.SUCCEEDED, 1, 1, {"done": 1})
    assert "zebra" in search_text(ada).split()
    assert list(grid.search_grid(keyword="zebra").values_list("email", flat=True)) == [
        "ada@example.com"
    ]
    assert search_text(grace) == untouched

    # when: off again
    with django_capture_on_commit_callbacks(execute=True):
        word = attributes.update_attribute(attribute=word, actor=SYSTEM, searchable_in_grid=False)
        attribute_grid.start_attribute_rows_refresh(attribute=word, actor=SYSTEM)

    # then
    assert "zebra" not in search_text(ada).split()


def test_rows_are_rewritten_in_batches_of_the_customers_holding_a_value(view_a):
    # given
    word = define("secret_word", searchable_in_grid=False)
    holders = [customer_with(f"c{n}@example.com", view_a, secret_word=f"w{n}") for n in range(3)]
    customer_with("none@example.com", view_a)
    CustomerAttribute.objects.filter(pk=word.pk).update(searchable_in_grid=True)
    batches = []

    # when
    written = attribute_grid.refresh_attribute_rows(
        entity=word.entity, code=word.code, batch_size=2, progress=batches.append
    )

    # then
    assert (written, batches) == (3, [2, 3])
    assert [search_text(c).split()[-1] for c in holders] == ["w0", "w1", "w2"]


def test_deleting_a_searchable_attribute_takes_its_words_out_of_the_search(view_a):
    # given
    word = define("secret_word", searchable_in_grid=True)
    ada = customer_with("ada@example.com", view_a, secret_word="Zebra")
    assert "zebra" in search_text(ada).split()

    # when
    attributes.delete_attribute(attribute=word, actor=SYSTEM)

    # then
    assert "zebra" not in search_text(ada).split()
    assert "secret_word" not in CustomerGridRow.objects.get(pk=ada.pk).custom_attributes
    assert attribute_grid.refresh_attribute_rows(entity="customer", code="secret_word") == 0


def test_the_refresh_also_repairs_rows_still_holding_a_deleted_attributes_copy(view_a):
    # given: rows left with the copy and the words of an attribute deleted without a rewrite
    word = define("secret_word", searchable_in_grid=True)
    ada = customer_with("ada@example.com", view_a, secret_word="Zebra")
    Customer.objects.filter(pk=ada.pk).update(custom_attributes={})
    CustomerAttribute.objects.filter(pk=word.pk).delete()

    # when
    written = attribute_grid.refresh_attribute_rows(entity="customer", code="secret_word")

    # then
    assert written == 1
    assert "zebra" not in search_text(ada).split()


# --- Saved views --------------------------------------------------------------------------------


@pytest.mark.parametrize("change", ["deleted", "unflagged"])
def test_a_saved_view_outlives_an_attribute_deleted_or_unflagged(
    staff_client, superuser, tiers, nicknames, change
):
    # given
    tier, _customers = tiers
    state = grid.clean_state(
        {
            "columns": ["email", "attr_tier", "attr_nickname"],
            "filters": {"attr_tier": "1", "attr_nickname": "Jo", "email": "example"},
            "sort": "attr_tier",
            "direction": "desc",
        }
    )
    view = services.save_grid_view(user=superuser, name="Tiers", state=state)
    if change == "deleted":
        attributes.delete_attribute(attribute=tier, actor=SYSTEM)
    else:
        attributes.update_attribute(
            attribute=tier, actor=SYSTEM, in_grid=False, filterable_in_grid=False
        )

    # when
    opened = staff_client.get(GRID_URL, {"view": view.pk})
    page = staff_client.get(opened.url)

    # then
    assert opened.status_code == 302
    assert page.status_code == 200
    assert page.context["state_errors"] == []
    assert page.context["state"] == {
        **grid.default_state(),
        "columns": ["email", "attr_nickname"],
        "filters": {"attr_nickname": "Jo", "email": "example"},
        "direction": "desc",
    }
    assert emails(page) == ["jolene@example.com", "john@example.com"]
    assert parse_qs(urlsplit(opened.url).query)["active_view"] == [str(view.pk)]


def test_a_view_of_only_vanished_attribute_columns_shows_the_default_columns(superuser, tiers):
    # given
    tier, _customers = tiers
    state = grid.clean_state({"columns": ["attr_tier"]})
    attributes.delete_attribute(attribute=tier, actor=SYSTEM)

    # when
    cleaned = grid.clean_state(state)

    # then
    assert cleaned["columns"] == list(grid.DEFAULT_COLUMNS)


def test_unknown_built_in_columns_are_still_reported(db):
    # when
    with pytest.raises(InvalidInput) as error:
        grid.clean_state({"columns": ["email", "shoe_size", "attr_gone"]})

    # then
    assert [(p.field, p.code) for p in error.value.problems] == [("columns", "unknown_column")]
    assert "shoe_size" in str(error.value.problems[0].message)
    assert "attr_gone" not in str(error.value.problems[0].message)


# --- Indexes ------------------------------------------------------------------------------------


def test_an_index_is_created_when_filterable_and_dropped_when_not(view_a):
    # when
    tier = define("tier", InputType.SELECT, options=("Gold",), filterable_in_grid=True)
    plain = define("plain", filterable_in_grid=False)
    building = define("building", entity=AttributeEntity.ADDRESS)

    # then
    assert attribute_indexes() == {"cust_grid_attr_tier", "cust_grid_attr_billing_building"}

    # when
    attributes.update_attribute(attribute=tier, actor=SYSTEM, filterable_in_grid=False)
    attributes.update_attribute(attribute=plain, actor=SYSTEM, filterable_in_grid=True)
    attributes.delete_attribute(attribute=building, actor=SYSTEM)

    # then
    assert attribute_indexes() == {"cust_grid_attr_plain"}


def test_the_command_rebuilds_missing_indexes_and_drops_orphans(view_a):
    # given: one index lost, one left behind by an attribute that no longer exists
    define("tier", InputType.SELECT, options=("Gold",))
    define("vip", InputType.BOOLEAN)
    with connection.cursor() as cursor:
        cursor.execute('DROP INDEX "cust_grid_attr_tier"')
        cursor.execute(
            'CREATE INDEX "cust_grid_attr_gone" ON customers_customergridrow (customer_id)'
        )
    out = io.StringIO()

    # when
    call_command("rebuild_attribute_indexes", stdout=out)

    # then
    assert attribute_indexes() == {"cust_grid_attr_tier", "cust_grid_attr_vip"}
    assert out.getvalue().splitlines() == [
        "Created cust_grid_attr_tier",
        "Kept cust_grid_attr_vip",
        "Dropped cust_grid_attr_gone",
        "2 attribute indexes in place (1 created), 1 dropped.",
    ]


def test_an_equality_filter_is_planned_on_the_attributes_index(tiers):
    # given: the statement the page's capped count runs (the filter without the page's order)
    tier, _customers = tiers
    rows = grid.search_grid(filters={"attr_tier": str(option_id(tier, "Gold"))})
    if connection.vendor == "postgresql":
        # A table of three rows is read whole whatever the indexes; forbid that to see whether
        # the index can serve the filter at all.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")

    # when
    plan = rows.order_by().explain()

    # then
    assert "cust_grid_attr_tier" in plan
    assert [row.email for row in rows] == ["grace@example.com"]
