"""Back office: Customers > Segments over HTTP (spec c §3, checks 8, 9, 10, 11, 12, 35): the
grid, the segment page with its defaults, the fixed Apply To, the service's problems next to
their field or condition, Delete, Refresh Segment Data, Matched Customers and permissions."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.contrib.messages import get_messages

from patron.core.actors import SYSTEM
from patron.core.models import Job, JobState
from patron.customers.models import Customer
from patron.customers.tests.factories import make_address, make_customer
from patron.segments import admin as segments_admin
from patron.segments import services
from patron.segments.models import ApplyTo, Segment, SegmentMembership
from patron.staff.models import StaffProfile
from patron.testing.fixtures import make_staff_user, make_website, set_config

GRID = "/admin/segments/segment/"
ADD = "/admin/segments/segment/add/"
WOMEN = {
    "type": "combine", "aggregator": "all", "value": True,
    "conditions": [
        {"type": "customer_attribute", "attribute": "gender", "operator": "is", "value": 2}
    ],
}  # fmt: skip


def change_url(segment) -> str:
    return f"/admin/segments/segment/{segment.pk}/change/"


def make_segment(name="Women", *, websites, conditions=WOMEN, **fields) -> Segment:
    return services.create_segment(
        name=name, websites=websites, actor=SYSTEM, conditions=conditions, **fields
    )


@pytest.fixture
def staff_client(client, db):
    client.force_login(make_staff_user("root", superuser=True))
    return client


@pytest.fixture
def ada(website_a):
    customer = make_customer("ada@example.com", website=website_a, gender=2)
    make_address(
        customer, default_billing=True, telephone="+1 213 555 0100", postcode="90012",
        city="Los Angeles", region="California", region_code="CA",
    )  # fmt: skip
    return Customer.objects.get(pk=customer.pk)


@pytest.fixture
def grace(website_a):
    return make_customer("grace@example.com", website=website_a, firstname="Grace", gender=2)


@pytest.fixture
def alan(website_a):
    return make_customer("alan@example.com", website=website_a, firstname="Alan", gender=1)


@pytest.fixture
def women(website_a, ada, grace, alan):
    segment = make_segment(websites=[website_a])
    services.refresh_segment(segment=segment)
    return segment


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def form_fields(response) -> list[str]:
    return list(response.context["form"].fields)


class _Table(HTMLParser):
    """The text of each cell of each row of the table with ``id``, header row included."""

    def __init__(self, table_id: str):
        super().__init__()
        self.table_id, self.rows, self._inside, self._cell = table_id, [], False, None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self._inside = True
        elif self._inside and tag == "tr":
            self.rows.append([])
        elif self._inside and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._inside = False
        elif tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table(response, table_id: str) -> list[list[str]]:
    parser = _Table(table_id)
    parser.feed(response.content.decode())
    return parser.rows


# --- Grid -------------------------------------------------------------------------------------


def test_the_grid_lists_each_segment_with_its_status_and_current_customers(
    staff_client, website_a, women, ada
):
    # given: a second, inactive segment, and Ada left Women
    make_segment("Nobody yet", websites=[website_a], is_active=False)
    SegmentMembership.objects.filter(segment=women, customer=ada).update(left_at=women.refreshed_at)

    # when
    response = staff_client.get(GRID)

    # then: ID, Segment, Status, Customers (one website: no Website column); Add Segment
    assert response.status_code == 200
    assert table(response, "result_list") == [
        ["ID", "Segment", "Status", "Customers"],
        [str(women.pk), "Women", "Active", "1"],
        [str(women.pk + 1), "Nobody yet", "Inactive", "0"],
    ]
    assert 'href="/admin/segments/segment/add/"' in response.content.decode()
    assert "Add Segment" in response.content.decode()
    assert f'href="{change_url(women)}"' in response.content.decode()


def test_the_grid_shows_the_websites_when_there_are_several(staff_client, website_a, women):
    # given: a second website
    make_website("second", name="Second Website")

    # when
    response = staff_client.get(GRID)

    # then
    assert table(response, "result_list") == [
        ["ID", "Segment", "Status", "Website", "Customers"],
        [str(women.pk), "Women", "Active", "Main Website", "2"],
    ]


# --- General Properties -----------------------------------------------------------------------


def test_a_new_segment_is_active_for_visitors_and_registered_customers_without_conditions(
    staff_client,
):
    # when
    response = staff_client.get(ADD)

    # then: defaults, no website field with one website, conditions only after the first save
    assert response.status_code == 200
    form = response.context["form"]
    assert form_fields(response) == ["name", "description", "is_active", "apply_to"]
    assert form["is_active"].value() == "1"
    assert form["apply_to"].value() == ApplyTo.BOTH
    html = response.content.decode()
    assert "Please save this information to specify segmentation conditions." in html
    assert 'id="conditions"' not in html
    assert 'id="matched"' not in html


def test_saving_a_new_segment_assigns_the_only_website_and_continues_to_its_page(
    staff_client, website_a
):
    # when
    response = staff_client.post(
        ADD, {"name": " Big spenders ", "description": "VIP", "is_active": "0",
              "apply_to": "registered", "_continue": "1"},
    )  # fmt: skip

    # then
    segment = Segment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == change_url(segment)
    assert (segment.name, segment.description, segment.is_active, segment.apply_to) == (
        "Big spenders", "VIP", False, ApplyTo.REGISTERED
    )  # fmt: skip
    assert list(segment.websites.all()) == [website_a]
    assert messages_of(response) == [("success", "You saved the segment.")]


def test_save_returns_to_the_grid(staff_client, women):
    # when
    response = staff_client.post(
        change_url(women), {"name": "Women only", "is_active": "1", "_save": "1",
                            "conditions": json.dumps(WOMEN)},
    )  # fmt: skip

    # then
    assert (response.status_code, response["Location"]) == (302, GRID)
    assert Segment.objects.get().name == "Women only"


def test_apply_to_cannot_change_after_the_first_save_even_if_posted(staff_client, women):
    # when: Apply To sent as Visitors with the rest of the form
    response = staff_client.post(
        change_url(women), {"name": "Women", "is_active": "1", "apply_to": "visitors",
                            "conditions": json.dumps(WOMEN), "_continue": "1"},
    )  # fmt: skip

    # then: saved, Apply To kept; the page shows it read-only
    assert response.status_code == 302
    assert Segment.objects.get().apply_to == ApplyTo.BOTH
    page = staff_client.get(change_url(women))
    assert page.context["form"].fields["apply_to"].disabled is True
    assert re.search(r'<select name="apply_to"[^>]* disabled', page.content.decode())


def test_the_service_problems_are_shown_on_their_fields(staff_client, website_a):
    # given: two websites, so the website field is shown
    make_website("second", name="Second Website")

    # when: no name, no website
    response = staff_client.post(ADD, {"name": "  ", "is_active": "1", "apply_to": "both"})

    # then: the service's words, each next to its field; nothing saved
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors == {
        "name": ["Enter the segment name."],
        "websites": ["Choose at least one website."],
    }
    html = response.content.decode()
    assert re.search(r'<input[^>]+name="name"[^>]+aria-invalid="true"', html)
    assert re.search(r'<select[^>]+name="websites"[^>]+aria-invalid="true"', html)
    assert not Segment.objects.exists()


def test_condition_problems_are_shown_next_to_their_condition(staff_client, women):
    # given: a tree whose second condition has no number, inside a nested address condition
    tree = {
        "type": "combine", "aggregator": "all", "value": True,
        "conditions": [
            {"type": "customer_attribute", "attribute": "gender", "operator": "is", "value": 2},
            {"type": "customer_address", "aggregator": "all", "conditions": [
                {"type": "address_attribute", "attribute": "city", "operator": "contains",
                 "value": ""},
            ]},
            {"type": "store_credit", "operator": "gt", "value": "lots"},
        ],
    }  # fmt: skip

    # when
    response = staff_client.post(
        change_url(women),
        {"name": "Women", "is_active": "1", "conditions": json.dumps(tree), "_continue": "1"},
    )

    # then: each problem at its path for the builder, and in words without JavaScript
    assert response.status_code == 400
    assert response.context["builder_config"]["errors"] == {
        "conditions.conditions[1].conditions[0].value": ["Enter a value."],
        "conditions.conditions[2].value": ["Enter a number."],
    }
    html = response.content.decode()
    assert 'data-path="conditions.conditions[1].conditions[0].value">Condition 2.1: value' in html
    assert 'data-path="conditions.conditions[2].value">Condition 3: value — Enter a number.' in html
    assert response.context["form"].errors["conditions"] == [
        "Correct the conditions marked below, then save again."
    ]
    # the posted tree is kept for correction, the stored one untouched
    assert json.loads(response.context["form"]["conditions"].value()) == tree
    assert Segment.objects.get().conditions == WOMEN


def test_conditions_that_are_not_json_are_refused(staff_client, women):
    # when
    response = staff_client.post(
        change_url(women),
        {"name": "Renamed", "is_active": "1", "conditions": "{not json", "_continue": "1"},
    )

    # then
    assert response.status_code == 400
    (error,) = response.context["form"].errors["conditions"]
    assert error.startswith("Enter the conditions as JSON (")
    assert Segment.objects.get().name == "Women"


def test_saved_conditions_are_stored_as_the_service_cleans_them(staff_client, women):
    # given: values as a form sends them (a number as text, a choice as a string)
    tree = {
        "type": "combine", "aggregator": "ANY", "value": "false",
        "conditions": [
            {"type": "customer_attribute", "attribute": "gender", "operator": "is", "value": "2"},
            {"type": "cart_total", "field": "subtotal", "operator": "gte", "value": "100"},
        ],
    }  # fmt: skip

    # when
    response = staff_client.post(
        change_url(women),
        {"name": "Women", "is_active": "1", "conditions": json.dumps(tree), "_continue": "1"},
    )

    # then
    assert response.status_code == 302
    assert Segment.objects.get().conditions == {
        "type": "combine", "aggregator": "any", "value": False,
        "conditions": [
            {"type": "customer_attribute", "attribute": "gender", "operator": "is", "value": 2},
            {"type": "cart_total", "field": "subtotal", "operator": "gte", "value": "100"},
        ],
    }  # fmt: skip


# --- Conditions: the builder's catalogue -------------------------------------------------------


def catalogue_of(response) -> list[dict]:
    return response.context["catalogue"]


def test_a_visitors_segment_is_offered_only_visitor_conditions(staff_client, website_a):
    # given
    segment = make_segment("Guests", websites=[website_a], apply_to="visitors", conditions=None)

    # when
    response = staff_client.get(change_url(segment))

    # then: no Customer, Customer Address, Sales, Wish List, ordered or Store Credit options
    catalogue = catalogue_of(response)
    assert sorted({entry["type"] for entry in catalogue}) == [
        "cart_line_items", "cart_qty", "cart_total", "combine", "date_range",
        "product_attribute", "product_history", "product_list", "up_to_date",
    ]  # fmt: skip
    fields = {(e["type"], f["name"]): f for e in catalogue for f in e["fields"]}
    assert [c[0] for c in fields[("product_list", "source")]["choices"]] == ["cart"]
    assert [c[0] for c in fields[("product_history", "source")]["choices"]] == ["viewed"]
    assert "store_credit" not in [c[0] for c in fields[("cart_total", "field")]["choices"]]
    base = f"/admin/segments/segment/{segment.pk}"
    assert response.context["builder_config"] == {
        "applyTo": "visitors", "errors": {}, "markVisitors": False, "editor": "json",
        "textMatches": True,
        "urls": {"preview": f"{base}/preview/", "parse": f"{base}/parse/",
                 "print": f"{base}/print/"},
    }  # fmt: skip


def test_a_mixed_segment_marks_the_visitor_conditions(staff_client, women):
    # when
    response = staff_client.get(change_url(women))

    # then: the script marks with * the entries flagged "visitor"
    catalogue = catalogue_of(response)
    flags = {entry["type"]: entry["visitor"] for entry in catalogue}
    assert flags["cart_total"] is flags["product_list"] is flags["combine"] is True
    assert flags["customer_attribute"] is flags["customer_address"] is flags["sales_amount"]
    assert flags["customer_attribute"] is False
    assert response.context["builder_config"]["markVisitors"] is True
    html = response.content.decode()
    assert 'id="segment-catalogue"' in html and "patron/segment-builder.js" in html


# --- Delete -----------------------------------------------------------------------------------


def test_delete_asks_first_then_removes_the_memberships_and_keeps_the_customers(
    staff_client, women
):
    # when: Delete
    delete = f"/admin/segments/segment/{women.pk}/delete/"
    page = staff_client.get(delete)

    # then: the confirmation says how many memberships go
    assert page.status_code == 200
    assert "2 customers are members of this segment." in page.content.decode()
    assert Segment.objects.exists()

    # when: OK
    response = staff_client.post(delete)

    # then
    assert (response.status_code, response["Location"]) == (302, GRID)
    assert messages_of(response) == [("success", "You deleted the segment.")]
    assert not Segment.objects.exists()
    assert not SegmentMembership.objects.exists()
    assert Customer.objects.count() == 3


# --- Refresh Segment Data ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_refresh_runs_a_job_and_then_opens_the_matched_customers(client, website_a, ada, alan):
    # given: a segment whose stored members are out of date (Ada is not stored yet)
    client.force_login(make_staff_user("root", superuser=True))
    segment = make_segment(websites=[website_a])
    SegmentMembership.objects.all().delete()

    # when: Refresh Segment Data (tasks run at once in tests)
    response = client.post(f"/admin/segments/segment/{segment.pk}/refresh/")

    # then: a finished job, the members recomputed, the Matched Customers opened
    job = Job.objects.get(kind="segments.refresh")
    assert (job.state, job.actor_label) == (JobState.SUCCEEDED, "root")
    assert response.status_code == 302
    assert response["Location"] == f"{change_url(segment)}#matched"
    assert messages_of(response) == [("success", "The Customer Segment data has been refreshed.")]
    assert list(SegmentMembership.objects.values_list("customer_id", "left_at")) == [(ada.pk, None)]


def test_refresh_that_runs_in_the_background_shows_the_job_progress(
    staff_client, women, django_capture_on_commit_callbacks
):
    # when: the refresh is queued (the worker has not taken it yet)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = staff_client.post(f"/admin/segments/segment/{women.pk}/refresh/")

    # then: the job's progress page
    job = Job.objects.get(kind="segments.refresh")
    assert job.state == JobState.PENDING
    assert (response.status_code, response["Location"]) == (302, f"/admin/jobs/{job.pk}/")
    assert messages_of(response) == [
        ("info", "The refresh runs in the background; its progress is below.")
    ]
    assert len(queued) == 1


def test_refresh_job_page_leads_back_to_the_segment(
    staff_client, women, django_capture_on_commit_callbacks
):
    # given a refresh queued as a job
    with django_capture_on_commit_callbacks(execute=False):
        staff_client.post(f"/admin/segments/segment/{women.pk}/refresh/")
    job = Job.objects.get(kind="segments.refresh")

    # when its progress page is shown
    page = staff_client.get(f"/admin/jobs/{job.pk}/")

    # then its Back button leads to the segment
    assert f'href="{change_url(women)}"' in page.content.decode()


def test_refresh_does_nothing_for_a_visitors_segment(staff_client, website_a, ada):
    # given
    segment = make_segment("Guests", websites=[website_a], apply_to="visitors", conditions=None)

    # when
    response = staff_client.post(f"/admin/segments/segment/{segment.pk}/refresh/")

    # then: no job, no stored member
    assert (response.status_code, response["Location"]) == (302, change_url(segment))
    assert messages_of(response) == [
        ("info", "Segments for visitors only keep no stored members: there is nothing to refresh.")
    ]
    assert not Job.objects.exists()
    assert not SegmentMembership.objects.exists()


def test_refresh_needs_a_post(staff_client, women):
    assert staff_client.get(f"/admin/segments/segment/{women.pk}/refresh/").status_code == 405


# --- Matched Customers ------------------------------------------------------------------------


def test_matched_customers_lists_the_members_with_their_default_billing_address(
    staff_client, women, ada, grace
):
    # when
    response = staff_client.get(change_url(women))

    # then: the tab's count and columns; phone, ZIP, country and state from the billing address
    html = response.content.decode()
    assert '<a href="#matched">Matched Customers (2)</a>' in html
    rows = table(response, "matched-customers")
    assert rows[0] == [
        "ID", "Name", "Email", "Group", "Phone", "ZIP", "Country", "State/Province",
        "Customer Since", "Explanation",
    ]  # fmt: skip
    assert [row[:8] for row in rows[1:]] == [
        [str(ada.pk), "Ada Lovelace", "ada@example.com", "General", "+1 213-555-0100", "90012",
         "United States", "California"],
        [str(grace.pk), "Grace Lovelace", "grace@example.com", "General", "", "", "", ""],
    ]  # fmt: skip
    assert all(re.search(r"\d{4}", row[8]) for row in rows[1:])


def test_a_segment_nobody_matches_shows_an_empty_matched_customers_tab(staff_client, women):
    # given: nobody is a member any more
    SegmentMembership.objects.update(left_at=women.refreshed_at)

    # when
    response = staff_client.get(change_url(women))

    # then
    html = response.content.decode()
    assert '<a href="#matched">Matched Customers (0)</a>' in html
    assert "No registered customer is a member of this segment." in html
    assert 'id="matched-customers"' not in html


def test_matched_customers_are_paged(staff_client, women, ada, grace, monkeypatch):
    # given: one customer a page
    monkeypatch.setattr(segments_admin, "MATCHED_PAGE", 1)

    # when
    response = staff_client.get(change_url(women) + "?page=2")

    # then
    rows = table(response, "matched-customers")
    assert [row[0] for row in rows[1:]] == [str(grace.pk)]
    assert "Page 2 of 2" in response.content.decode()


def test_a_visitors_segment_has_no_matched_customers_tab(staff_client, website_a):
    # given
    segment = make_segment("Guests", websites=[website_a], apply_to="visitors", conditions=None)

    # when
    response = staff_client.get(change_url(segment))

    # then
    html = response.content.decode()
    assert response.context["matched"] is None
    assert "Matched Customers" not in html
    assert 'id="conditions"' in html


# --- Access -----------------------------------------------------------------------------------


def _login(client, *permissions):
    client.force_login(make_staff_user("clerk", permissions=permissions))


@pytest.mark.parametrize(
    ("method", "path", "needed", "allowed_status"),
    [
        ("get", GRID, "segments.view_segment", 200),
        ("get", ADD, "segments.add_segment", 200),
        ("get", "{change}", "segments.view_segment", 200),
        ("post", "{change}", "segments.change_segment", 302),
        ("get", "{delete}", "segments.delete_segment", 200),
        ("post", "{refresh}", "segments.change_segment", 302),
    ],
    ids=["grid", "add", "view", "change", "delete", "refresh"],
)
def test_each_page_needs_its_permission(client, women, method, path, needed, allowed_status):
    url = path.format(
        change=change_url(women),
        delete=f"/admin/segments/segment/{women.pk}/delete/",
        refresh=f"/admin/segments/segment/{women.pk}/refresh/",
    )
    data = {"name": "Renamed", "is_active": "1", "conditions": json.dumps(WOMEN)}
    send = getattr(client, method)

    # when: a staff member with other segment permissions (change implies view in Django)
    if needed == "segments.view_segment":
        _login(client, "segments.add_segment", "segments.delete_segment")
    else:
        _login(client, "segments.view_segment")
    refused = send(url, data) if method == "post" else send(url)

    # then: refused, nothing changed, no job
    assert refused.status_code == 403
    assert Segment.objects.get().name == "Women"
    assert not Job.objects.exists()

    # when: with that permission (and view, which every segment page shows)
    client.logout()
    client.force_login(make_staff_user("owner", permissions={needed, "segments.view_segment"}))
    allowed = send(url, data) if method == "post" else send(url)

    # then
    assert allowed.status_code == allowed_status


def test_a_staff_member_without_change_permission_sees_a_read_only_page(client, women):
    # given
    _login(client, "segments.view_segment")

    # when
    response = client.get(change_url(women))

    # then: every field disabled, no save, reset, refresh or delete button
    assert response.status_code == 200
    assert all(field.disabled for field in response.context["form"].fields.values())
    html = response.content.decode()
    for label in ("Save and Continue Edit", "Refresh Segment Data", ">Reset<", ">Delete<"):
        assert label not in html


def test_the_menu_and_pages_disappear_when_segments_are_disabled(staff_client, women):
    # given
    set_config({services.ENABLED_PATH: False})

    # when
    index = staff_client.get("/admin/")

    # then: no Segments menu, the pages refused
    assert index.status_code == 200
    assert "/admin/segments/segment/" not in index.content.decode()
    assert staff_client.get(GRID).status_code == 403
    assert staff_client.get(change_url(women)).status_code == 403


def test_the_menu_is_shown_when_segments_are_enabled(staff_client):
    index = staff_client.get("/admin/")
    assert 'href="/admin/segments/segment/"' in index.content.decode()


def test_staff_limited_to_another_website_do_not_find_the_segment(client, women):
    # given: a staff member limited to a second website
    second = make_website("second", name="Second Website")
    user = make_staff_user("clerk", permissions=["segments.view_segment"])
    profile, _created = StaffProfile.objects.get_or_create(user=user)
    profile.websites.set([second])
    client.force_login(user)

    # when / then
    assert client.get(change_url(women)).status_code == 404
    assert table(client.get(GRID), "result_list") == []
