"""Back office: the Customers > All Customers grid page over HTTP (search, filters, sort, pages,
columns, saved views, quick edit, mass actions with their confirmation and progress page,
export, permissions and website-limited staff)."""

import csv
import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from patron.core.models import Job, JobState
from patron.core.writers import neutralize_formula
from patron.customers import grid, services
from patron.customers.models import Customer, CustomerGroup, GridView
from patron.customers.tests.factories import make_address, make_customer, share_accounts
from patron.staff.models import StaffProfile
from patron.testing.fixtures import make_staff_user

GRID_URL = "/admin/customers/customer/"
VIEWS_URL = "/admin/customers/customer/grid/views/"
ACTION_URL = "/admin/customers/customer/grid/action/"
EXPORT_URL = "/admin/customers/customer/grid/export/"
GENERAL, WHOLESALE, RETAILER = 1, 2, 3
SS = "urn:schemas-microsoft-com:office:spreadsheet"


def quick_edit_url(customer) -> str:
    return f"/admin/customers/customer/grid/{customer.pk}/quick-edit/"


def column(response, code: str) -> list:
    """The values of one column in the page's row order."""
    return [dict((c.code, v) for c, v in row["cells"])[code] for row in response.context["table"]]


def emails(response) -> list[str]:
    return column(response, "email")


def codes(columns) -> list[str]:
    return [c.code for c in columns]


def html(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def header_sorts(response) -> dict[str, tuple[str, str]]:
    """Each column header's label -> (aria-sort, the href of its sort link)."""
    found = re.findall(
        r'<th scope="col" aria-sort="(\w+)">\s*<a href="([^"]*)">([^<]+?)\s*(?:<|$)',
        html(response),
    )
    return {label: (sort, unescape(href)) for sort, href, label in found}


def set_created_at(customer: Customer, moment: dt.datetime) -> None:
    """Back-date a sign-up (the field is auto_now_add) and rewrite the customer's grid row."""
    Customer.objects.filter(pk=customer.pk).update(created_at=moment)
    grid.refresh_rows([customer.pk])


def groups_of(*customers) -> list[int]:
    return [Customer.objects.get(pk=c.pk).group_id for c in customers]


def read_csv(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))


def read_xml(response) -> list[list[str]]:
    root = ET.fromstring(b"".join(response.streaming_content))  # noqa: S314 - our own export
    return [
        [data.text or "" for data in row.iter(f"{{{SS}}}Data")] for row in root.iter(f"{{{SS}}}Row")
    ]


@pytest.fixture
def staff_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def trio(view_a):
    """Ada (General), Grace (Wholesale, with a Boston billing address) and Linus (Wholesale)."""
    wholesale = CustomerGroup.objects.get(pk=WHOLESALE)
    ada = make_customer("ada@example.com", store_view=view_a)
    grace = make_customer(
        "grace@example.com", store_view=view_a, firstname="Grace", lastname="Hopper",
        group=wholesale,
    )  # fmt: skip
    make_address(grace, firstname="Grace", lastname="Hopper")
    linus = make_customer(
        "linus@example.com", store_view=view_a, firstname="Linus", lastname="Torvalds",
        group=wholesale,
    )  # fmt: skip
    return ada, grace, linus


@pytest.fixture
def viewer(client, db):
    """A staff member who may only look at customers."""
    user = make_staff_user("viewer", permissions=["customers.view_customer"])
    client.force_login(user)
    return user


# --- Search, filters, sort ----------------------------------------------------------------------


def test_keyword_search_shows_the_matching_rows_and_the_keyword(staff_client, trio):
    # when
    response = staff_client.get(GRID_URL, {"keyword": "hopper"})

    # then
    assert response.status_code == 200
    assert emails(response) == ["grace@example.com"]
    assert (response.context["count"], response.context["capped"]) == (1, False)
    assert response.context["state"]["keyword"] == "hopper"
    assert "Keyword: hopper" in html(response)
    assert "1 record found" in html(response)


def test_text_filter_matches_part_of_the_value(staff_client, trio):
    # when
    response = staff_client.get(GRID_URL, {"f_email": "LINUS@"})

    # then
    assert emails(response) == ["linus@example.com"]
    assert response.context["state"]["filters"] == {"email": "LINUS@"}
    assert response.context["active_filters"] == [("Email", "LINUS@")]


def test_select_filter_shows_the_group_and_its_name(staff_client, trio):
    # when
    response = staff_client.get(GRID_URL, {"f_group": str(WHOLESALE)})

    # then
    assert emails(response) == ["grace@example.com", "linus@example.com"]
    assert column(response, "group") == ["Wholesale", "Wholesale"]
    assert response.context["active_filters"] == [("Group", "Wholesale")]
    assert f'<option value="{WHOLESALE}" selected>Wholesale</option>' in html(response)


def test_date_range_filter_keeps_the_days_between_its_bounds(staff_client, trio):
    # given
    ada, grace, linus = trio
    set_created_at(ada, dt.datetime(2025, 12, 31, 12, tzinfo=dt.UTC))
    set_created_at(grace, dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC))
    set_created_at(linus, dt.datetime(2026, 2, 1, 12, tzinfo=dt.UTC))

    # when
    response = staff_client.get(
        GRID_URL, {"f_created_at__from": "2026-01-01", "f_created_at__to": "2026-01-31"}
    )

    # then
    assert emails(response) == ["grace@example.com"]
    assert response.context["active_filters"] == [
        ("Customer Since (from)", "2026-01-01"),
        ("Customer Since (to)", "2026-01-31"),
    ]
    assert 'name="f_created_at__from" type="date" value="2026-01-01"' in html(response)


def test_number_range_filter_starts_at_its_lower_bound(staff_client, trio):
    # given
    _ada, grace, _linus = trio

    # when
    response = staff_client.get(GRID_URL, {"f_id__from": str(grace.pk)})

    # then
    assert emails(response) == ["grace@example.com", "linus@example.com"]
    assert response.context["state"]["filters"] == {"id__from": str(grace.pk)}


@pytest.mark.parametrize(
    ("direction", "aria", "expected", "next_direction"),
    [
        ("asc", "ascending", ["ada@example.com", "grace@example.com", "linus@example.com"], "desc"),
        (
            "desc",
            "descending",
            ["linus@example.com", "grace@example.com", "ada@example.com"],
            "asc",
        ),
    ],
    ids=["ascending_case", "descending_case"],
)
def test_sorting_by_a_column_orders_the_rows_and_marks_its_header(
    staff_client, trio, direction, aria, expected, next_direction
):
    # when
    response = staff_client.get(GRID_URL, {"sort": "email", "direction": direction})

    # then
    assert emails(response) == expected
    sorts = header_sorts(response)
    assert sorts["Email"][0] == aria
    assert query_of(sorts["Email"][1])["direction"] == [next_direction]
    assert {label: sort for label, (sort, _href) in sorts.items() if label != "Email"} == {
        str(c.label): "none" for c in grid.COLUMNS if c.default and c.code != "email"
    }


# --- Pages ----------------------------------------------------------------------------------------


@pytest.fixture
def twenty_one(view_a):
    """21 plain accounts with their grid rows, made in bulk: paging needs many rows, not the
    account rules (each create_customer re-reads the configuration inside a test's transaction,
    which makes 21 of them take seconds)."""
    customers = Customer.objects.bulk_create(
        Customer(
            website=view_a.store.website,
            created_in=view_a,
            group_id=GENERAL,
            email=f"c{n:02d}@example.com",
            firstname="C",
            lastname=f"{n:02d}",
        )
        for n in range(21)
    )
    grid.refresh_rows(Customer.objects.values_list("pk", flat=True))
    return customers


@pytest.mark.parametrize("page_size", grid.PAGE_SIZES)
def test_each_offered_page_size_is_applied(staff_client, twenty_one, page_size):
    # when
    response = staff_client.get(GRID_URL, {"page_size": page_size})

    # then
    assert response.context["state"]["page_size"] == page_size
    assert len(response.context["table"]) == min(page_size, 21)
    assert response.context["last_page"] == (2 if page_size == 20 else 1)
    assert f'<option value="{page_size}" selected>{page_size}</option>' in html(response)
    assert response.context["state_errors"] == []


def test_page_number_entry_opens_that_page(staff_client, twenty_one):
    # when
    response = staff_client.get(GRID_URL, {"page_size": "20", "page": "2"})

    # then
    assert (response.context["page"], response.context["last_page"]) == (2, 2)
    assert emails(response) == ["c20@example.com"]
    assert 'rel="prev"' in html(response)
    assert 'rel="next"' not in html(response)


def test_page_beyond_the_last_shows_the_last_page(staff_client, twenty_one):
    # when
    response = staff_client.get(GRID_URL, {"page": "99"})

    # then
    assert response.context["page"] == 2
    assert emails(response) == ["c20@example.com"]
    assert 'name="page" type="number" min="1" max="2" value="2"' in html(response)


def test_invalid_state_falls_back_to_the_default_view_and_says_why(staff_client, trio):
    # when
    response = staff_client.get(
        GRID_URL, {"columns": "email,bogus", "sort": "nope", "page_size": "7", "f_email": "ada"}
    )

    # then
    assert response.status_code == 200
    assert response.context["state"] == grid.default_state()
    assert response.context["state_errors"] == [
        "Unknown column bogus.",
        "Unknown sort column nope.",
        "Show 20, 30, 50, 100, 200 rows a page.",
    ]
    assert "The grid was reset to its default view because of:" in html(response)
    assert emails(response) == ["ada@example.com", "grace@example.com", "linus@example.com"]


# --- Columns ------------------------------------------------------------------------------------


def test_columns_parameter_shows_those_columns_in_its_order(staff_client, trio):
    # when
    response = staff_client.get(GRID_URL, {"columns": "email,company,id"})

    # then
    assert codes(response.context["columns"]) == ["email", "company", "id"]
    assert codes(response.context["chooser"])[:3] == ["email", "company", "id"]
    assert list(header_sorts(response)) == ["Email", "Company", "ID"]
    assert column(response, "company") == ["", "", ""]


def test_ticked_column_boxes_are_shown_in_the_order_sent(staff_client, trio):
    # when
    response = staff_client.get(GRID_URL + "?columns=city&columns=email&columns=name")

    # then
    assert codes(response.context["columns"]) == ["city", "email", "name"]
    assert column(response, "city") == ["", "Boston", ""]
    page = html(response)
    assert 'id="column-city" name="columns" value="city" checked' in page
    assert 'id="column-id" name="columns" value="id">' in page


def test_reset_link_gives_the_default_columns(staff_client, trio):
    # given
    chosen = staff_client.get(GRID_URL, {"columns": "email", "f_group": str(WHOLESALE)})
    reset = re.search(r'<a class="button" href="([^"]*)">Reset</a>', html(chosen)).group(1)

    # when
    response = staff_client.get(unescape(reset))

    # then
    assert codes(response.context["columns"]) == list(grid.DEFAULT_COLUMNS)
    assert response.context["state"]["filters"] == {"group": str(WHOLESALE)}


# --- Saved views --------------------------------------------------------------------------------


def test_saving_a_view_stores_the_state_and_opens_it(staff_client, superuser, trio):
    # when
    response = staff_client.post(
        VIEWS_URL,
        {"operation": "save", "name": "Wholesale", "f_group": str(WHOLESALE), "sort": "email"},
    )

    # then
    view = GridView.objects.get()
    assert (view.user, view.name) == (superuser, "Wholesale")
    assert (view.state["filters"], view.state["sort"]) == ({"group": str(WHOLESALE)}, "email")
    assert response.status_code == 302
    assert query_of(response.url)["active_view"] == [str(view.pk)]
    assert messages_of(response) == [("success", "The view Wholesale was saved.")]
    page = staff_client.get(response.url)
    assert emails(page) == ["grace@example.com", "linus@example.com"]
    assert [v.name for v in page.context["views"]] == ["Wholesale"]
    assert "View: Wholesale" in html(page)


def test_switching_to_a_view_redirects_to_its_state(staff_client, superuser, trio):
    # given
    state = grid.clean_state({"filters": {"group": str(WHOLESALE)}, "columns": "email,name"})
    view = services.save_grid_view(user=superuser, name="Wholesale", state=state)

    # when
    response = staff_client.get(GRID_URL, {"view": view.pk})

    # then
    assert response.status_code == 302
    query = query_of(response.url)
    assert (query["f_group"], query["columns"], query["active_view"]) == (
        [str(WHOLESALE)],
        ["email,name"],
        [str(view.pk)],
    )
    page = staff_client.get(response.url)
    assert page.context["active_view"] == view.pk
    assert codes(page.context["columns"]) == ["email", "name"]
    assert f'href="{GRID_URL}?view={view.pk}" aria-current="true"' in html(page)


def test_renaming_a_view(staff_client, superuser):
    # given
    view = services.save_grid_view(user=superuser, name="Old", state=grid.default_state())

    # when
    response = staff_client.post(
        VIEWS_URL, {"operation": "rename", "view_id": view.pk, "name": "New"}
    )

    # then
    view.refresh_from_db()
    assert view.name == "New"
    assert messages_of(response) == [("success", "The view was renamed to New.")]
    assert query_of(response.url)["active_view"] == [str(view.pk)]


def test_deleting_a_view(staff_client, superuser):
    # given
    view = services.save_grid_view(user=superuser, name="Old", state=grid.default_state())

    # when
    response = staff_client.post(VIEWS_URL, {"operation": "delete", "view_id": view.pk})

    # then
    assert response.status_code == 302
    assert not GridView.objects.exists()
    assert messages_of(response) == [("success", "The view was deleted.")]


def test_a_second_view_with_the_same_name_is_refused(staff_client, superuser):
    # given
    services.save_grid_view(user=superuser, name="Wholesale", state=grid.default_state())

    # when
    response = staff_client.post(
        VIEWS_URL, {"operation": "save", "name": "wholesale", "keyword": "ada"}, follow=True
    )

    # then
    assert GridView.objects.count() == 1
    assert messages_of(response) == [("error", "You already have a view named wholesale.")]
    assert "You already have a view named wholesale." in html(response)


@pytest.fixture
def someone_elses_view(db):
    other = make_staff_user("other", permissions=["customers.view_customer"])
    state = grid.clean_state({"filters": {"group": str(WHOLESALE)}})
    return services.save_grid_view(user=other, name="Theirs", state=state)


def test_another_staff_members_view_cannot_be_opened(staff_client, trio, someone_elses_view):
    # when
    response = staff_client.get(GRID_URL, {"view": someone_elses_view.pk})

    # then
    assert response.status_code == 200
    assert response.context["state"] == grid.default_state()
    assert list(response.context["views"]) == []
    assert len(emails(response)) == 3


@pytest.mark.parametrize("operation", ["rename", "delete"])
def test_another_staff_members_view_cannot_be_renamed_or_deleted(
    staff_client, someone_elses_view, operation
):
    # when
    response = staff_client.post(
        VIEWS_URL, {"operation": operation, "view_id": someone_elses_view.pk, "name": "Mine"}
    )

    # then
    assert messages_of(response) == [("error", "There is no such view.")]
    assert list(GridView.objects.values_list("name", flat=True)) == ["Theirs"]


def test_a_malformed_view_id_is_ignored(staff_client, trio):
    # when
    response = staff_client.get(GRID_URL, {"view": "abc"})

    # then
    assert response.status_code == 200
    assert response.context["state"] == grid.default_state()


# --- Quick edit ---------------------------------------------------------------------------------


def test_quick_edit_link_opens_inputs_for_that_row_only(staff_client, trio):
    # given
    _ada, grace, _linus = trio

    # when
    response = staff_client.get(GRID_URL, {"edit": grace.pk})

    # then
    assert [row["editing"] for row in response.context["table"]] == [False, True, False]
    page = html(response)
    assert f'action="/admin/customers/customer/grid/{grace.pk}/quick-edit/"' in page
    assert re.findall(r'<(?:input|select) form="quick-edit" name="(\w+)"', page) == [
        "email", "group", "telephone", "postcode", "website", "taxvat", "gender",
    ]  # fmt: skip
    assert 'form="quick-edit" name="email" value="grace@example.com"' in page
    assert 'form="quick-edit" name="telephone" value="+1 617-555-0100"' in page


def test_quick_edit_needs_its_permission_to_open(client, trio):
    # given
    _ada, grace, _linus = trio
    user = make_staff_user("viewer", permissions=["customers.view_customer"])
    client.force_login(user)

    # when
    response = client.get(GRID_URL, {"edit": grace.pk})

    # then
    assert [row["editing"] for row in response.context["table"]] == [False, False, False]
    assert 'form="quick-edit"' not in html(response)
    assert "Quick edit" not in html(response)


def test_quick_edit_saves_every_editable_column(staff_client, trio, website_b, view_b):
    # given
    _ada, grace, _linus = trio

    # when
    response = staff_client.post(
        quick_edit_url(grace),
        {
            "email": "grace.hopper@example.com",
            "group": str(RETAILER),
            "telephone": "+1 512-555-0142",
            "postcode": "73301",
            "website": str(website_b.pk),
            "taxvat": "US-42",
            "gender": "2",
            "f_group": str(WHOLESALE),
            "page": "1",
        },
    )

    # then
    assert response.status_code == 302
    assert query_of(response.url)["f_group"] == [str(WHOLESALE)]
    grace = Customer.objects.select_related("default_billing").get(pk=grace.pk)
    assert (grace.email, grace.group_id, grace.website_id, grace.taxvat, grace.gender) == (
        "grace.hopper@example.com",
        RETAILER,
        website_b.pk,
        "US-42",
        2,
    )
    assert (grace.default_billing.telephone, grace.default_billing.postcode) == (
        "+1 512-555-0142",
        "73301",
    )
    row = grid.search_grid(keyword="grace.hopper").get()
    assert (row.group_id, row.website_id, row.telephone, row.postcode) == (
        RETAILER,
        website_b.pk,
        "+1 512-555-0142",
        "73301",
    )
    assert messages_of(response)[0][0] == "success"


def test_quick_edit_with_a_taken_email_shows_the_error_and_saves_nothing(staff_client, trio):
    # given (check 36)
    _ada, grace, _linus = trio

    # when
    response = staff_client.post(
        quick_edit_url(grace),
        {"email": "ada@example.com", "taxvat": "US-42", "group": str(RETAILER), "page": "1"},
    )

    # then
    assert response.status_code == 400
    message = "A customer with the email ada@example.com already exists."
    assert response.context["quick_edit"]["errors"] == {"email": [message]}
    page = html(response)
    assert "The row was not saved:" in page
    assert f'<span class="patron-field-error">{message}</span>' in page
    assert 'name="email" value="ada@example.com" aria-label="Email" aria-invalid="true"' in page
    grace = Customer.objects.get(pk=grace.pk)
    assert (grace.email, grace.taxvat, grace.group_id) == ("grace@example.com", "", WHOLESALE)


@pytest.mark.parametrize(
    ("sharing", "status", "saved"),
    [("website", 302, True), ("global", 400, False)],
    ids=["per_website_case", "global_case"],
)
def test_quick_edit_email_uniqueness_follows_the_sharing_scope(
    staff_client, trio, view_b, sharing, status, saved
):
    # given
    make_customer("bob@example.org", store_view=view_b, firstname="Bob")
    share_accounts(sharing)
    ada = trio[0]

    # when
    response = staff_client.post(quick_edit_url(ada), {"email": "bob@example.org"})

    # then
    assert response.status_code == status
    expected = "bob@example.org" if saved else "ada@example.com"
    assert Customer.objects.get(pk=ada.pk).email == expected


def test_quick_edit_of_phone_without_a_billing_address_is_refused(staff_client, trio):
    # given
    ada = trio[0]

    # when
    response = staff_client.post(
        quick_edit_url(ada), {"telephone": "+1 617-555-0199", "taxvat": "US-1"}
    )

    # then
    assert response.status_code == 400
    assert response.context["quick_edit"]["errors"] == {
        "telephone": ["This customer has no default billing address to hold a phone number."]
    }
    assert Customer.objects.get(pk=ada.pk).taxvat == ""


# --- Mass actions -------------------------------------------------------------------------------


def assign_wholesale(ids, **extra):
    return {"action": "assign_group", "group_id": str(WHOLESALE), "ids": ids, **extra}


def test_mass_action_asks_for_confirmation_and_changes_nothing(staff_client, trio):
    # given (check 34, cancelled)
    ids = [c.pk for c in trio]

    # when
    response = staff_client.post(ACTION_URL, assign_wholesale(ids, f_email="example"))

    # then
    assert response.status_code == 200
    assert response.templates[0].name == "admin/customers/customer/mass_action_confirm.html"
    assert "Move 3 customers to the group Wholesale?" in html(response)
    assert response.context["ids"] == ids
    cancel = staff_client.get(response.context["cancel_url"])
    assert cancel.status_code == 200
    assert cancel.context["state"]["filters"] == {"email": "example"}
    assert groups_of(*trio) == [GENERAL, WHOLESALE, WHOLESALE]


def test_confirmed_assign_group_moves_every_selected_customer(staff_client, trio):
    # given (check 34)
    ids = [c.pk for c in trio]
    Customer.objects.filter(pk__in=ids).update(group_id=RETAILER)
    grid.refresh_rows(ids)

    # when
    response = staff_client.post(ACTION_URL, assign_wholesale(ids, confirmed="1"))

    # then
    assert response.status_code == 302
    assert groups_of(*trio) == [WHOLESALE, WHOLESALE, WHOLESALE]
    assert messages_of(response) == [("success", "Assign a Customer Group: 3 customers done.")]
    assert column(staff_client.get(response.url), "group") == ["Wholesale"] * 3


def test_confirmed_delete_removes_the_selected_customers(staff_client, trio):
    # given (check 35)
    ada, _grace, linus = trio

    # when
    response = staff_client.post(
        ACTION_URL, {"action": "delete", "ids": [ada.pk, linus.pk], "confirmed": "1"}
    )

    # then
    assert response.status_code == 302
    assert list(Customer.objects.values_list("email", flat=True)) == ["grace@example.com"]
    assert emails(staff_client.get(response.url)) == ["grace@example.com"]


def test_select_all_acts_on_every_row_matching_the_filters(staff_client, trio):
    # given
    _ada, grace, linus = trio
    data = {"action": "deactivate", "select_all": "1", "f_group": str(WHOLESALE), "page_size": "20"}

    # when
    confirmation = staff_client.post(ACTION_URL, data)
    response = staff_client.post(ACTION_URL, data | {"confirmed": "1"})

    # then
    assert confirmation.context["ids"] == [grace.pk, linus.pk]
    assert 'name="select_all" value="1"' in html(confirmation)
    assert response.status_code == 302
    assert dict(Customer.objects.values_list("email", "is_active")) == {
        "ada@example.com": True,
        "grace@example.com": False,
        "linus@example.com": False,
    }


def test_mass_action_without_a_selection_is_refused(staff_client, trio):
    # when
    response = staff_client.post(ACTION_URL, assign_wholesale([], confirmed="1"))

    # then
    assert response.status_code == 302
    assert messages_of(response) == [("error", "Select at least one customer.")]
    assert groups_of(*trio) == [GENERAL, WHOLESALE, WHOLESALE]


def test_large_mass_action_runs_as_a_job_whose_page_shows_the_result(
    staff_client, superuser, trio, monkeypatch, django_capture_on_commit_callbacks
):
    # given
    monkeypatch.setattr(services, "MASS_ACTION_TASK_THRESHOLD", 2)
    ids = [c.pk for c in trio]

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            ACTION_URL, {"action": "assign_group", "group_id": RETAILER, "ids": ids, "confirmed": 1}
        )

    # then
    job = Job.objects.get()
    assert response.status_code == 302
    assert response.url == f"/admin/jobs/{job.pk}/"
    assert (job.state, job.actor_id, job.result["done"]) == (JobState.SUCCEEDED, superuser.pk, 3)
    assert groups_of(*trio) == [RETAILER] * 3
    page = staff_client.get(response.url)
    assert page.status_code == 200
    assert "3 records done." in html(page)
    assert 'href="/admin/customers/customer/"' in html(page)


def test_job_page_is_refused_to_another_staff_member_without_view_job(
    client, superuser, trio, monkeypatch, django_capture_on_commit_callbacks
):
    # given
    monkeypatch.setattr(services, "MASS_ACTION_TASK_THRESHOLD", 2)
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(ACTION_URL, assign_wholesale([c.pk for c in trio], confirmed="1"))
    other = make_staff_user("other", permissions=["customers.view_customer"])
    client.force_login(other)

    # when
    response = client.get(started.url)

    # then
    assert response.status_code == 403


def test_job_page_is_shown_to_holders_of_view_job(
    client, superuser, trio, monkeypatch, django_capture_on_commit_callbacks
):
    # given
    monkeypatch.setattr(services, "MASS_ACTION_TASK_THRESHOLD", 2)
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(ACTION_URL, assign_wholesale([c.pk for c in trio], confirmed="1"))
    watcher = make_staff_user("watcher", permissions=["core.view_job"])
    client.force_login(watcher)

    # when
    response = client.get(started.url)

    # then
    assert response.status_code == 200
    assert response.context["job"] == Job.objects.get()


# --- Export -------------------------------------------------------------------------------------


def test_export_without_selection_gives_the_filtered_rows(staff_client, trio):
    # given (check 33)
    _ada, grace, linus = trio

    # when
    response = staff_client.post(EXPORT_URL, {"format": "csv", "f_group": str(WHOLESALE)})

    # then
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="customers.csv"'
    rows = read_csv(response)
    assert rows[0][:4] == ["ID", "Name", "Email", "Group"]
    assert [(row[0], row[2], row[3]) for row in rows[1:]] == [
        (str(grace.pk), "grace@example.com", "Wholesale"),
        (str(linus.pk), "linus@example.com", "Wholesale"),
    ]


def test_export_with_two_ids_gives_exactly_those_rows(staff_client, trio):
    # given (check 33)
    ada, _grace, linus = trio

    # when
    response = staff_client.post(EXPORT_URL, {"format": "csv", "ids": [linus.pk, ada.pk]})

    # then
    assert [row[2] for row in read_csv(response)[1:]] == ["ada@example.com", "linus@example.com"]


def test_excel_xml_export_gives_the_same_rows_as_csv(staff_client, trio):
    # given (check 33)
    data = {"f_group": str(WHOLESALE)}
    as_csv = read_csv(staff_client.post(EXPORT_URL, data | {"format": "csv"}))

    # when
    response = staff_client.post(EXPORT_URL, data | {"format": "xml"})

    # then
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="customers.xml"'
    # Excel XML neutralizes values a spreadsheet would run as formulas ("+1 617…" phones).
    assert read_xml(response) == [[neutralize_formula(cell) for cell in row] for row in as_csv]
    assert [row[2] for row in as_csv[1:]] == ["grace@example.com", "linus@example.com"]


# --- Permissions --------------------------------------------------------------------------------


def test_view_only_staff_sees_no_actions_exports_quick_edit_or_add(client, viewer, trio):
    # when
    response = client.get(GRID_URL)

    # then
    assert response.status_code == 200
    context = response.context
    assert (context["mass_actions"], context["can_export"], context["can_quick_edit"]) == (
        [],
        False,
        False,
    )
    assert context["can_add"] is False
    page = html(response)
    for absent in (
        "Add New Customer",
        'id="mass-action"',
        "Export CSV",
        "Quick edit",
        'name="ids"',
    ):
        assert absent not in page
    assert len(emails(response)) == 3


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("quick_edit", {"email": "new@example.com"}),
        (ACTION_URL, {"action": "assign_group", "group_id": "3", "confirmed": "1"}),
        (ACTION_URL, {"action": "delete", "confirmed": "1"}),
        (EXPORT_URL, {"format": "csv"}),
    ],
    ids=["quick_edit_case", "assign_group_case", "delete_case", "export_case"],
)
def test_view_only_staff_is_refused_the_grid_actions(client, viewer, trio, url, data):
    # given
    ada = trio[0]
    url = quick_edit_url(ada) if url == "quick_edit" else url

    # when
    response = client.post(url, {**data, "ids": [ada.pk]})

    # then
    assert response.status_code == 403
    ada = Customer.objects.get(pk=ada.pk)
    assert (ada.email, ada.group_id) == ("ada@example.com", GENERAL)


@pytest.fixture
def website_clerk(client, website_a):
    user = make_staff_user(
        "clerk",
        permissions=[
            "customers.view_customer",
            "customers.quick_edit_customer",
            "customers.assign_customer_group",
            "customers.export_customers",
        ],
    )
    StaffProfile.objects.create(user=user).websites.set([website_a])
    client.force_login(user)
    return user


@pytest.fixture
def on_b(view_b):
    return make_customer("bob@example.org", store_view=view_b, firstname="Bob")


def test_website_limited_staff_sees_only_its_websites_rows(client, website_clerk, trio, on_b):
    # when
    response = client.get(GRID_URL)

    # then
    assert emails(response) == ["ada@example.com", "grace@example.com", "linus@example.com"]
    assert response.context["count"] == 3
    assert [name for _value, name in response.context["filter_choices"]["website"]] == [
        "Main Website"
    ]


def test_website_limited_staff_cannot_quick_edit_another_websites_customer(
    client, website_clerk, trio, on_b
):
    # when
    response = client.post(quick_edit_url(on_b), {"email": "robert@example.org"})

    # then: another website's customer does not exist for them
    assert response.status_code == 404
    assert Customer.objects.get(pk=on_b.pk).email == "bob@example.org"


def test_website_limited_staff_mass_action_skips_another_websites_customer(
    client, website_clerk, trio, on_b
):
    # given
    ada = trio[0]

    # when
    response = client.post(ACTION_URL, assign_wholesale([ada.pk, on_b.pk], confirmed="1"))

    # then
    assert response.status_code == 302
    assert groups_of(ada, on_b) == [WHOLESALE, GENERAL]
    assert messages_of(response) == [
        ("success", "Assign a Customer Group: 1 customer done."),
        ("error", f"Customer {on_b.pk}: There is no such customer."),
    ]


def test_website_limited_staff_exports_only_its_websites_rows(client, website_clerk, trio, on_b):
    # when
    response = client.post(EXPORT_URL, {"format": "csv", "ids": [trio[0].pk, on_b.pk]})

    # then
    assert [row[2] for row in read_csv(response)[1:]] == ["ada@example.com"]


def test_locked_filter_and_column_show_the_lock(staff_client, trio):
    # given
    ada = trio[0]
    Customer.objects.filter(pk=ada.pk).update(
        lock_expires_at=timezone.now() + dt.timedelta(minutes=5)
    )
    grid.refresh_rows([ada.pk])

    # when
    response = staff_client.get(GRID_URL, {"f_lock": "1", "columns": "email,lock"})

    # then
    assert emails(response) == ["ada@example.com"]
    assert column(response, "lock") == ["Locked"]
    assert response.context["active_filters"] == [("Account Lock", "Locked")]


def test_the_grid_page_reads_the_same_number_of_queries_for_2_or_20_rows(
    staff_client, view_a, django_assert_max_num_queries
):
    # given: a page of 2 rows, measured
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for index in range(2):
        make_customer(f"first{index}@example.com", store_view=view_a)
    staff_client.get(GRID_URL)  # warms the configuration snapshot and permission caches
    with CaptureQueriesContext(connection) as two_rows:
        staff_client.get(GRID_URL)
    for index in range(18):
        make_customer(f"more{index}@example.com", store_view=view_a)

    # when / then: a page of 20 rows costs no more queries (nothing is read row by row)
    with django_assert_max_num_queries(len(two_rows)):
        response = staff_client.get(GRID_URL)
    assert len(response.context["table"]) == 20
