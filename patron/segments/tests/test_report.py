"""Reports > Customers > Segments over HTTP (spec c §7, checks 38-41): the grid's counts, the
detail report of one segment, View Combined Report (union and intersection, kept in the
session), the website and group filters, the CSV and Excel XML exports and the staff action
log, Refresh Segment Data, the report's own permission, and its absence while segments are
disabled."""

import csv
import io
import xml.etree.ElementTree as ET

import pytest

from patron.core.actors import SYSTEM
from patron.core.models import Job, JobState
from patron.core.writers import neutralize_formula
from patron.customers.models import NOT_LOGGED_IN_ID, CustomerGroup
from patron.customers.tests.factories import make_address, make_customer, share_accounts
from patron.segments import services
from patron.segments.models import SegmentMembership
from patron.segments.tests.conftest import emails_tree
from patron.segments.tests.conftest import segment_of_emails as make_segment
from patron.staff.models import StaffAction, StaffActionKind, StaffProfile
from patron.testing.fixtures import make_staff_user, set_config

PERMISSION = "segments.view_segment_report"
GRID_URL = "/admin/reports/segments/"
COMBINED_URL = "/admin/reports/segments/combined/"
COMBINED_EXPORT_URL = "/admin/reports/segments/combined/export/"
HEADER = [
    "ID", "Name", "Email", "Group", "Phone", "ZIP", "Country", "State/Province", "Customer Since",
]  # fmt: skip
SS = "urn:schemas-microsoft-com:office:spreadsheet"
WHOLESALE = 2


def detail_url(segment) -> str:
    return f"/admin/reports/segments/{segment.pk}/"


def export_url(segment) -> str:
    return f"/admin/reports/segments/{segment.pk}/export/"


@pytest.fixture
def people(website_a):
    """Ada and Linus (General); Grace (Wholesale) with a Boston billing address. Accounts are
    shared globally, so each segment looks at all three on every website it is assigned to."""
    share_accounts("global")
    ada = make_customer("ada@example.com", website=website_a)
    grace = make_customer(
        "grace@example.com", website=website_a, firstname="Grace", lastname="Hopper",
        group=CustomerGroup.objects.get(pk=WHOLESALE),
    )  # fmt: skip
    make_address(grace, firstname="Grace", lastname="Hopper", default_billing=True)
    linus = make_customer(
        "linus@example.com", website=website_a, firstname="Linus", lastname="Torvalds"
    )
    return {"ada": ada, "grace": grace, "linus": linus}


@pytest.fixture
def segments(people, website_a, website_b):
    """S1 (Ada, Grace) on both websites, S2 (Grace, Linus) on the first, S3 (Ada) on the
    second."""
    return {
        "s1": make_segment(
            "Ada and Grace", ["ada@example.com", "grace@example.com"], [website_a, website_b]
        ),
        "s2": make_segment(
            "Grace and Linus", ["grace@example.com", "linus@example.com"], [website_a]
        ),
        "s3": make_segment("Ada", ["ada@example.com"], [website_b]),
    }


@pytest.fixture
def staff_client(client, db):
    client.force_login(make_staff_user("root", superuser=True))
    return client


def reporter(client, *permissions: str, username: str = "reporter"):
    user = make_staff_user(username, permissions=permissions)
    client.force_login(user)
    return user


def grid_rows(response) -> list[tuple[int, str, int]]:
    return [(s.pk, s.name, s.customers) for s in response.context["page"].object_list]


def shown_emails(response) -> list[str]:
    return [row[2] for row in response.context["rows"]]


def combine(client, segments, *codes: str, set_operation: str):
    return client.post(COMBINED_URL, {"ids": [segments[c].pk for c in codes], "set": set_operation})


def read_csv(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))


def read_xml(response) -> list[list[str]]:
    root = ET.fromstring(b"".join(response.streaming_content))  # noqa: S314 - our own export
    return [
        [data.text or "" for data in row.iter(f"{{{SS}}}Data")] for row in root.iter(f"{{{SS}}}Row")
    ]


# --- The segments grid (check 38) -------------------------------------------------------------


def test_grid_lists_each_segment_with_its_stored_member_count(staff_client, segments):
    # given: S1's two customers are members on two websites (four rows)
    assert SegmentMembership.objects.filter(segment=segments["s1"]).count() == 4

    # when
    response = staff_client.get(GRID_URL)

    # then
    assert response.status_code == 200
    assert grid_rows(response) == [
        (segments["s1"].pk, "Ada and Grace", 2),
        (segments["s2"].pk, "Grace and Linus", 2),
        (segments["s3"].pk, "Ada", 1),
    ]
    html = response.content.decode()
    for label in ("Select All", "Deselect All", "Select Visible", "Unselect Visible"):
        assert f">{label}</button>" in html
    assert '<option value="combined">View Combined Report</option>' in html


def test_grid_status_filter_lists_only_inactive_segments(staff_client, segments):
    # given
    services.update_segment(segment=segments["s2"], is_active=False, actor=SYSTEM)

    # when
    response = staff_client.get(GRID_URL, {"status": "0"})

    # then
    assert grid_rows(response) == [(segments["s2"].pk, "Grace and Linus", 2)]
    assert '<option value="0" selected>Inactive</option>' in response.content.decode()


# --- One segment's detail report (checks 40, 41) ----------------------------------------------


def test_detail_report_lists_the_members_with_billing_columns(staff_client, segments, people):
    # when
    response = staff_client.get(detail_url(segments["s1"]))

    # then
    assert response.status_code == 200
    assert response.context["title"] == "Customer Segment Report 'Ada and Grace'"
    assert [str(label) for label in response.context["columns"]] == HEADER
    grace = people["grace"]
    assert [row[:8] for row in response.context["rows"]] == [
        [people["ada"].pk, "Ada Lovelace", "ada@example.com", "General", "", "", "", ""],
        [
            grace.pk, "Grace Hopper", "grace@example.com", "Wholesale", "+1 617-555-0100",
            "02108", "United States", "Massachusetts",
        ],
    ]  # fmt: skip
    html = response.content.decode()
    assert ">Back</a>" in html
    assert ">Refresh Segment Data</button>" in html


def test_website_switcher_restricts_members_to_that_website(
    staff_client, segments, people, website_a, website_b
):
    # given: Ada has left S1 on the second website; Grace is a member on both
    SegmentMembership.objects.filter(
        segment=segments["s1"], customer=people["ada"], website=website_b
    ).update(left_at="2024-01-01T00:00:00Z")

    # when
    on_a = staff_client.get(detail_url(segments["s1"]), {"website": website_a.pk})
    on_b = staff_client.get(detail_url(segments["s1"]), {"website": website_b.pk})
    everywhere = staff_client.get(detail_url(segments["s1"]))

    # then
    assert shown_emails(on_a) == ["ada@example.com", "grace@example.com"]
    assert shown_emails(on_b) == ["grace@example.com"]
    assert shown_emails(everywhere) == ["ada@example.com", "grace@example.com"]
    assert [w.pk for w in on_b.context["filters"]["websites"]] == [website_a.pk, website_b.pk]
    assert f'<option value="{website_b.pk}" selected>Second Website</option>' in (
        on_b.content.decode()
    )


def test_group_filter_keeps_that_group_and_never_offers_not_logged_in(staff_client, segments):
    # when
    response = staff_client.get(detail_url(segments["s1"]), {"group": WHOLESALE})

    # then
    assert shown_emails(response) == ["grace@example.com"]
    offered = [group.pk for group in response.context["filters"]["groups"]]
    assert NOT_LOGGED_IN_ID not in offered
    assert WHOLESALE in offered
    html = response.content.decode()
    assert "NOT LOGGED IN" not in html
    assert f'<option value="{WHOLESALE}" selected>Wholesale</option>' in html


def test_group_not_logged_in_asked_for_is_ignored(staff_client, segments):
    # when
    response = staff_client.get(detail_url(segments["s1"]), {"group": NOT_LOGGED_IN_ID})

    # then
    assert response.context["filters"]["group"] is None
    assert shown_emails(response) == ["ada@example.com", "grace@example.com"]


def test_detail_report_pages_the_members(staff_client, segments, website_a):
    # given: 25 more members of S2 (page size 20)
    for number in range(25):
        make_customer(f"extra{number:02}@example.com", website=website_a)
    changed = services.update_segment(
        segment=segments["s2"],
        conditions={
            "type": "combine", "aggregator": "any", "value": True,
            "conditions": [
                {"type": "customer_attribute", "attribute": "email", "operator": "contains",
                 "value": "extra"},
                emails_tree("grace@example.com", "linus@example.com"),
            ],
        },
        actor=SYSTEM,
    )  # fmt: skip
    services.refresh_segment(segment=changed)

    # when
    first = staff_client.get(detail_url(segments["s2"]))
    second = staff_client.get(detail_url(segments["s2"]), {"page": 2})

    # then
    assert first.context["page"].paginator.count == 27
    assert len(first.context["rows"]) == 20
    assert len(second.context["rows"]) == 7
    assert not set(shown_emails(first)) & set(shown_emails(second))


# --- View Combined Report (check 39) ----------------------------------------------------------


def test_intersection_lists_only_customers_in_both_segments(staff_client, segments):
    # when
    chosen = combine(staff_client, segments, "s1", "s2", set_operation="intersection")
    response = staff_client.get(COMBINED_URL)

    # then
    assert chosen.status_code == 302
    assert chosen["Location"] == COMBINED_URL
    assert shown_emails(response) == ["grace@example.com"]
    assert response.context["title"] == "Customer Segment Report 'Ada and Grace, Grace and Linus'"


def test_union_lists_customers_of_either_segment_once(staff_client, segments):
    # when
    combine(staff_client, segments, "s1", "s2", set_operation="union")
    response = staff_client.get(COMBINED_URL)

    # then: Grace is in both segments and has three membership rows, yet is listed once
    assert shown_emails(response) == ["ada@example.com", "grace@example.com", "linus@example.com"]
    assert response.context["page"].paginator.count == 3


def test_intersection_is_per_website(staff_client, segments):
    # given: Grace and Linus are in S2 on the first website only; Ada is in S3 on the second

    # when
    combine(staff_client, segments, "s2", "s3", set_operation="intersection")
    response = staff_client.get(COMBINED_URL)

    # then
    assert shown_emails(response) == []


def test_selection_and_set_are_kept_in_the_session_while_filtering(
    staff_client, segments, website_b
):
    # given
    combine(staff_client, segments, "s1", "s2", set_operation="union")

    # when: the detail grid's website switcher and paging send only their own parameters
    response = staff_client.get(COMBINED_URL, {"website": website_b.pk, "page_size": 50})

    # then
    assert shown_emails(response) == ["ada@example.com", "grace@example.com"]
    assert response.context["set_operation"] == "union"
    assert staff_client.session["patron_segments_report_combined"] == {
        "ids": [segments["s1"].pk, segments["s2"].pk], "set": "union",
    }  # fmt: skip


def test_select_all_takes_every_segment_the_grid_filter_matches(staff_client, segments):
    # given: S3 is inactive, so "active" matches S1 and S2
    services.update_segment(segment=segments["s3"], is_active=False, actor=SYSTEM)

    # when
    staff_client.post(COMBINED_URL, {"select_all": "1", "status": "1", "set": "intersection"})
    response = staff_client.get(COMBINED_URL)

    # then
    assert [s.pk for s in response.context["segments"]] == [segments["s1"].pk, segments["s2"].pk]
    assert shown_emails(response) == ["grace@example.com"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"set": "union"}, "Select at least one segment."),
        ({"set": "difference", "ids": ["1"]}, "Choose Union or Intersection."),
    ],
    ids=["no_segment_case", "unknown_set_case"],
)
def test_combined_report_without_a_valid_choice_goes_back_to_the_grid(
    staff_client, segments, data, message
):
    # when
    response = staff_client.post(COMBINED_URL, data, follow=True)

    # then
    assert response.redirect_chain == [(GRID_URL, 302)]
    assert [str(m) for m in response.context["messages"]] == [message]
    assert "patron_segments_report_combined" not in staff_client.session


def test_combined_report_without_a_selection_goes_back_to_the_grid(staff_client, segments):
    # when
    response = staff_client.get(COMBINED_URL)

    # then
    assert response.status_code == 302
    assert response["Location"] == GRID_URL


# --- Export (check 40) ------------------------------------------------------------------------


def test_csv_export_has_the_grid_columns_and_its_filtered_rows(staff_client, segments, people):
    # given
    shown = staff_client.get(detail_url(segments["s1"]), {"group": WHOLESALE})

    # when
    response = staff_client.post(export_url(segments["s1"]), {"format": "csv", "group": WHOLESALE})

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="segment-{segments["s1"].pk}-customers.csv"'
    )
    rows = read_csv(response)
    assert rows[0] == HEADER
    assert len(rows) - 1 == shown.context["page"].paginator.count == 1
    grace = people["grace"]
    assert rows[1][:8] == [
        str(grace.pk), "Grace Hopper", "grace@example.com", "Wholesale", "+1 617-555-0100",
        "02108", "United States", "Massachusetts",
    ]  # fmt: skip
    assert rows[1][8].startswith(grace.created_at.strftime("%Y-%m-%d %H:%M:%S"))


def test_excel_xml_export_has_the_same_rows_with_formulas_neutralized(staff_client, segments):
    # given
    as_csv = read_csv(staff_client.post(export_url(segments["s1"]), {"format": "csv"}))

    # when
    response = staff_client.post(export_url(segments["s1"]), {"format": "xml"})

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.ms-excel"
    rows = read_xml(response)
    # "+1 617 ..." would run as a formula in a spreadsheet.
    assert rows == [[neutralize_formula(cell) for cell in row] for row in as_csv]
    assert rows[0] == HEADER
    assert "'+1 617-555-0100" in rows[2]
    assert len(rows) - 1 == 2


def test_combined_export_follows_the_session_and_the_website_filter(
    staff_client, segments, website_b
):
    # given
    combine(staff_client, segments, "s1", "s2", set_operation="union")
    shown = staff_client.get(COMBINED_URL, {"website": website_b.pk})

    # when
    response = staff_client.post(COMBINED_EXPORT_URL, {"format": "csv", "website": website_b.pk})

    # then
    rows = read_csv(response)
    assert [row[2] for row in rows[1:]] == shown_emails(shown)
    assert [row[2] for row in rows[1:]] == ["ada@example.com", "grace@example.com"]
    assert response["Content-Disposition"] == 'attachment; filename="segments-union-customers.csv"'


def test_export_is_recorded_in_the_staff_action_log(staff_client, segments):
    # given
    combine(staff_client, segments, "s1", "s2", set_operation="intersection")

    # when
    response = staff_client.post(COMBINED_EXPORT_URL, {"format": "xml"})
    b"".join(response.streaming_content)

    # then
    entry = StaffAction.objects.get()
    assert (entry.action, entry.target, entry.count, entry.actor_label) == (
        StaffActionKind.EXPORT, "segments-intersection-customers.xml", 1, "root",
    )  # fmt: skip
    assert entry.details == {
        "format": "xml", "report": "segments", "segments": [segments["s1"].pk, segments["s2"].pk],
        "set": "intersection", "filters": {"website": None, "group": None},
    }  # fmt: skip


def test_export_in_an_unknown_format_is_refused_and_not_logged(staff_client, segments):
    # when
    response = staff_client.post(export_url(segments["s1"]), {"format": "pdf"})

    # then
    assert response.status_code == 302
    assert response["Location"] == detail_url(segments["s1"])
    assert not StaffAction.objects.exists()


# --- Refresh Segment Data ---------------------------------------------------------------------


def test_refresh_rebuilds_the_membership_as_a_job(
    staff_client, segments, website_a, django_capture_on_commit_callbacks
):
    # given: a new matching customer, not yet stored (real-time work waits for a commit)
    services.update_segment(
        segment=segments["s3"], conditions=emails_tree("ada@example.com", "new@example.com"),
        actor=SYSTEM,
    )  # fmt: skip
    make_customer("new@example.com", website=website_a)
    assert staff_client.get(GRID_URL).context["page"].object_list[2].customers == 1

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(f"{detail_url(segments['s3'])}refresh/")

    # then
    job = Job.objects.get(kind="segments.refresh")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED
    assert grid_rows(staff_client.get(GRID_URL))[2] == (segments["s3"].pk, "Ada", 2)


def test_refresh_is_a_post(staff_client, segments):
    response = staff_client.get(f"{detail_url(segments['s3'])}refresh/")

    assert response.status_code == 405
    assert not Job.objects.exists()


# --- Permission and configuration -------------------------------------------------------------


@pytest.mark.parametrize(
    ("permissions", "status"),
    [
        ((), 403),
        (("segments.view_segment", "segments.change_segment", "segments.add_segment"), 403),
        ((PERMISSION,), 200),
    ],
    ids=["no_permission_case", "segment_permissions_only_case", "report_permission_case"],
)
def test_the_report_has_its_own_permission(client, segments, permissions, status):
    # given
    reporter(client, *permissions)

    # when
    responses = [
        client.get(GRID_URL),
        client.get(detail_url(segments["s1"])),
        client.post(export_url(segments["s1"]), {"format": "csv"}),
    ]

    # then
    assert [r.status_code for r in responses] == [status] * 3


def test_anonymous_visitors_are_sent_to_the_login(client, segments):
    response = client.get(GRID_URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_refresh_needs_the_report_permission(client, segments):
    # given
    reporter(client, "segments.view_segment")

    # when
    response = client.post(f"{detail_url(segments['s1'])}refresh/")

    # then
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_the_report_is_absent_while_segments_are_disabled(staff_client, segments):
    # given
    set_config({"customer/segments/enabled": False})
    combine(staff_client, segments, "s1", set_operation="union")

    # when
    responses = [
        staff_client.get(GRID_URL),
        staff_client.get(detail_url(segments["s1"])),
        staff_client.get(COMBINED_URL),
        staff_client.post(export_url(segments["s1"]), {"format": "csv"}),
        staff_client.post(f"{detail_url(segments['s1'])}refresh/"),
    ]

    # then
    assert [r.status_code for r in responses] == [404] * 5
    assert not StaffAction.objects.exists()
    assert not Job.objects.exists()


def test_website_limited_staff_sees_only_its_websites(client, segments, website_b):
    # given
    user = reporter(client, PERMISSION)
    StaffProfile.objects.create(user=user).websites.set([website_b])

    # when
    grid = client.get(GRID_URL)
    hidden = client.get(detail_url(segments["s2"]))
    combine(client, segments, "s1", "s2", set_operation="union")
    combined = client.get(COMBINED_URL)

    # then: S2 is on the first website only; Linus is a member there only
    assert grid_rows(grid) == [
        (segments["s1"].pk, "Ada and Grace", 2), (segments["s3"].pk, "Ada", 1),
    ]  # fmt: skip
    assert hidden.status_code == 404
    assert shown_emails(combined) == ["ada@example.com", "grace@example.com"]
