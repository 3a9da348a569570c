"""Back office: Customers > Audiences over HTTP as staff with permissions (issue 14
"Dashboard"): the grid with member counts and cart-rule usage, the last pull and its error,
Sync Now and Check Connection, the members export, the add form going through the service; and
the customer page's Audiences section, shown only with Audience Activation on."""

import csv
import io
import re

import pytest
from django.contrib.messages import get_messages

from patron.audiences import services
from patron.audiences.models import Audience, AudiencePull, PullState
from patron.audiences.tests.conftest import ENABLED, VIEW, make_audience, member_emails
from patron.core.actors import SYSTEM
from patron.customers.tests.factories import make_customer
from patron.promotions import services as rules
from patron.testing.fixtures import default_website, make_staff_user, set_config

GRID = "/admin/audiences/audience/"
ADD = "/admin/audiences/audience/add/"
PULL = "/admin/audiences/audience/pull/"
STAFF_PERMISSIONS = [
    "audiences.view_audience", "audiences.add_audience", "audiences.change_audience",
    "audiences.delete_audience", "customers.view_customer", "customers.change_customer",
]  # fmt: skip
CELL = re.compile(r"<t[dh][^>]*>(.*?)</t[dh]>", re.S)


def audience_rule(*ids: str, name: str = "Rule"):
    return rules.save_rule(
        actor=SYSTEM, name=name, websites=[default_website()], customer_groups=[0, 1],
        discount_amount="10",
        conditions={"type": "cart_rule.combine", "aggregator": "all", "value": True,
                    "conditions": [{"type": "cart_rule.audience", "operator": "matches",
                                    "value": list(ids)}]},
    )  # fmt: skip


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def grid_rows(response) -> list[list[str]]:
    """The grid's rows, each cell's text, without the checkbox column."""
    body = response.content.decode().split('id="result_list"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.split("<tbody>", 1)[1], re.S)
    return [[text(cell) for cell in CELL.findall(row)][1:] for row in rows]


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def staff_client(client, db):
    client.force_login(make_staff_user("manager", permissions=STAFF_PERMISSIONS))
    return client


@pytest.fixture
def viewer_client(client, db):
    client.force_login(make_staff_user("viewer", permissions=[VIEW, "customers.view_customer"]))
    return client


@pytest.fixture
def loyal(enabled, website_a):
    audience = make_audience("loyal", name="Loyal", source="Experience Platform")
    customers = [make_customer(f"c{n}@example.com") for n in range(2)]
    services.push_members(audience=audience, actor=SYSTEM, add=[c.pk for c in customers])
    return audience


# --- The grid -------------------------------------------------------------------------------------


def test_the_grid_shows_member_counts_and_cart_rule_usage(staff_client, loyal, website_b):
    # given: "vip" on two websites and used by two rules, "loyal" by one
    make_audience("vip", name="VIP", websites=["base", "second"])
    audience_rule("loyal", "vip", name="Both")
    audience_rule("vip", name="VIP only")

    # when
    response = staff_client.get(GRID)

    # then: Name, Audience ID, Origin, Websites, Members, Dynamic Blocks, Cart Price Rules,
    # Active, Last updated
    assert response.status_code == 200
    rows = grid_rows(response)
    assert [row[:7] for row in rows] == [
        ["Loyal", "loyal", "Experience Platform", "Main Website", "2", "0", "1"],
        ["VIP", "vip", "-", "Main Website, Second Website", "0", "0", "2"],
    ]


def test_the_grid_shows_the_last_pull_and_its_error(staff_client, loyal):
    # given: a failed pull (no endpoint configured)
    services.pull()

    # when
    response = staff_client.get(GRID)

    # then
    html = response.content.decode()
    assert "No pull endpoint is configured." in text(html.split('class="errornote"', 1)[1])
    assert "Failed" in text(html.split("audience-status-heading", 1)[1].split("</dl>", 1)[0])


def test_the_grid_shows_todays_accepted_and_refused_request_values(staff_client, loyal):
    # given
    services.request_audience_ids("loyal")
    services.request_audience_ids(services.sign(["loyal"], expires=1, secret="x"))

    # when
    response = staff_client.get(GRID)

    # then
    assert "0 accepted; refused: 1 unsigned, 1 bad signature, 0 expired, 0 malformed" in text(
        response.content.decode()
    )


def test_the_grid_offers_sync_now_and_check_connection_only_with_change_permission(client, loyal):
    # given
    client.force_login(make_staff_user("manager", permissions=STAFF_PERMISSIONS))
    with_change = text(client.get(GRID).content.decode())
    client.force_login(make_staff_user("viewer", permissions=[VIEW]))

    # when
    view_only = text(client.get(GRID).content.decode())

    # then
    assert ("Sync Now" in with_change, "Check Connection" in with_change) == (True, True)
    assert ("Sync Now" in view_only, "Check Connection" in view_only) == (False, False)


def test_the_grid_warns_when_audience_activation_is_off(staff_client, loyal):
    # given
    set_config({ENABLED: False})

    # when
    response = staff_client.get(GRID)

    # then
    assert messages_of(response) == [(
        "warning",
        "Audience Activation is off: rules and blocks ignore audiences until it is turned on in "
        "the configuration.",
    )]  # fmt: skip


def test_export_members_writes_a_csv_of_the_selected_audiences(staff_client, loyal):
    # given: a second audience that is not selected
    other = make_audience("vip", name="VIP")
    services.push_members(audience=other, actor=SYSTEM, add=["c0@example.com"])

    # when
    response = staff_client.post(GRID, {"action": "export_members", "_selected_action": [loyal.pk]})

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Audience ID", "Audience", "Customer ID", "Email", "Added"]
    assert [row[:4] for row in rows[1:]] == [
        ["loyal", "Loyal", str(m.customer_id), m.customer.email]
        for m in loyal.members.select_related("customer").order_by("customer_id")
    ]
    assert len(rows) == 3


# --- Sync Now and Check Connection ----------------------------------------------------------------


def test_sync_now_runs_the_pull_and_reports_the_counts(staff_client, loyal, pull_configured):
    # given: the platform lists only c1 in "loyal", and someone unknown
    pull_configured.answers({"audiences": [
        {"id": "loyal", "members": ["c1@example.com", "ghost@example.com"]},
    ]})  # fmt: skip

    # when
    response = staff_client.post(PULL)

    # then
    assert (response.status_code, response["Location"]) == (302, GRID)
    assert messages_of(response) == [
        ("success", "Synced 1 audiences: 0 members added, 1 removed, 1 unknown identifiers.")
    ]
    assert member_emails(loyal) == ["c1@example.com"]
    assert list(AudiencePull.objects.values_list("state", "check_only")) == [
        (PullState.SUCCEEDED, False)
    ]


def test_check_connection_reports_what_the_endpoint_answered_and_changes_nothing(
    staff_client, loyal, pull_configured
):
    # given
    pull_configured.answers({"audiences": [{"id": "loyal", "members": []}, {"id": "vip"}]})

    # when
    response = staff_client.post(PULL, {"check": "1"})

    # then
    assert (response.status_code, response["Location"]) == (302, GRID)
    assert messages_of(response) == [
        ("success", "The connection works: the endpoint answered 2 audiences.")
    ]
    assert member_emails(loyal) == ["c0@example.com", "c1@example.com"]
    assert list(Audience.objects.values_list("external_id", flat=True)) == ["loyal"]
    assert list(AudiencePull.objects.values_list("state", "check_only")) == [
        (PullState.SUCCEEDED, True)
    ]


def test_a_failed_sync_is_reported_with_its_error(staff_client, loyal, pull_configured):
    # given
    pull_configured.answers({}, status=500)

    # when
    response = staff_client.post(PULL)

    # then
    assert messages_of(response) == [("error", "The pull failed: The endpoint answered HTTP 500.")]
    assert member_emails(loyal) == ["c0@example.com", "c1@example.com"]


def test_sync_now_answers_only_post(staff_client, loyal):
    # when
    response = staff_client.get(PULL)

    # then
    assert response.status_code == 405
    assert AudiencePull.objects.count() == 0


def test_sync_now_needs_the_change_permission(viewer_client, loyal, pull_configured):
    # when
    response = viewer_client.post(PULL)

    # then
    assert response.status_code == 403
    assert AudiencePull.objects.count() == 0
    assert pull_configured.requests == []


# --- The add form goes through the service ------------------------------------------------------


def test_an_audience_added_in_the_back_office_is_saved(staff_client, enabled, website_a):
    # when
    response = staff_client.post(ADD, {
        "external_id": " vip ", "name": "VIP", "description": "", "source": "CRM",
        "websites": [website_a.pk], "is_active": "on", "_save": "Save",
    })  # fmt: skip

    # then
    assert (response.status_code, response["Location"]) == (302, GRID)
    audience = Audience.objects.get()
    assert (audience.external_id, audience.name, audience.source) == ("vip", "VIP", "CRM")
    assert list(audience.websites.all()) == [website_a]


def test_an_audience_id_with_a_comma_is_refused_at_its_field(staff_client, enabled, website_a):
    # when
    response = staff_client.post(ADD, {
        "external_id": "loyal,vip", "name": "VIP", "websites": [website_a.pk], "_save": "Save",
    })  # fmt: skip

    # then
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "external_id": ["An audience ID has at most 255 characters and no commas or spaces."]
    }
    assert Audience.objects.count() == 0


# --- The customer page's Audiences section ------------------------------------------------------


def section_url(customer) -> str:
    return f"/admin/customers/customer/{customer.pk}/change/?section=audiences"


def section_codes(response) -> list[str]:
    return [section.code for section in response.context["sections"]]


def test_the_customer_page_lists_the_customers_audiences(staff_client, loyal):
    # given: c0 in "loyal" and in an inactive "lapsed"; "vip" without c0
    c0 = loyal.members.order_by("customer_id").first().customer
    lapsed = make_audience("lapsed", name="Lapsed", is_active=False)
    services.push_members(audience=lapsed, actor=SYSTEM, add=[c0.pk])
    make_audience("vip", name="VIP")

    # when
    response = staff_client.get(section_url(c0))

    # then
    assert response.status_code == 200
    html = response.content.decode()
    table = html.split('id="customer-audiences"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S)
    assert [[text(c) for c in CELL.findall(row)] for row in rows] == [
        ["Lapsed", "lapsed", "", "Inactive"],
        ["Loyal", "loyal", "Experience Platform", "Active"],
    ]


def test_the_customer_page_says_when_the_customer_is_in_no_audience(staff_client, loyal):
    # given
    ada = make_customer("ada@example.com")

    # when
    response = staff_client.get(section_url(ada))

    # then
    assert "The customer is in no audience." in response.content.decode()


def test_the_section_appears_only_with_audience_activation_on(staff_client, loyal):
    # given
    ada = make_customer("ada@example.com")
    shown = section_codes(staff_client.get(f"/admin/customers/customer/{ada.pk}/change/"))
    set_config({ENABLED: False})

    # when
    response = staff_client.get(f"/admin/customers/customer/{ada.pk}/change/")

    # then
    assert "audiences" in shown
    assert "audiences" not in section_codes(response)
    assert staff_client.get(section_url(ada)).status_code == 404


def test_the_section_needs_the_view_audience_permission(client, loyal):
    # given
    ada = make_customer("ada@example.com")
    client.force_login(make_staff_user("clerk", permissions=["customers.view_customer"]))

    # when
    response = client.get(f"/admin/customers/customer/{ada.pk}/change/")

    # then
    assert "audiences" not in section_codes(response)
    assert client.get(section_url(ada)).status_code == 404
