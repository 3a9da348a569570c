"""Back office: the customer page's Segments section over HTTP: the customer's current segments
per website with the date they joined, each linking to its segment; hidden without the
permission or when segments are switched off."""

import re

import pytest
from django.utils import timezone

from patron.core.actors import SYSTEM
from patron.customers.tests.factories import make_customer, share_accounts
from patron.segments import services
from patron.segments.models import SegmentMembership
from patron.staff.models import StaffProfile
from patron.testing.fixtures import make_staff_user, make_website, set_config

CELL = re.compile(r"<td>(.*?)</td>", re.S)
EVERYONE = {"type": "combine", "aggregator": "all", "value": True, "conditions": []}


def section_url(customer) -> str:
    return f"/admin/customers/customer/{customer.pk}/change/?section=segments"


def section_codes(response) -> list[str]:
    return [section.code for section in response.context["sections"]]


def rows_of(html: str) -> list[list[str]]:
    body = html.split('id="customer-segments"', 1)[1].split("</table>", 1)[0]
    return [
        [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in CELL.findall(row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[1], re.S)
    ]


@pytest.fixture
def staff_client(client, db):
    client.force_login(make_staff_user("root", superuser=True))
    return client


@pytest.fixture
def ada(website_a):
    return make_customer("ada@example.com", website=website_a)


def segment_with_members(name, websites, **fields):
    segment = services.create_segment(
        name=name, websites=websites, actor=SYSTEM, conditions=EVERYONE, **fields
    )
    services.refresh_segment(segment=segment)
    return segment


def test_the_section_lists_the_current_segments_per_website(staff_client, website_a, ada):
    # given: accounts shared globally, Ada in two segments on the first website and one on
    # the second, and a segment she left
    share_accounts("global")
    second = make_website("second", name="Second Website", sort_order=5)
    everyone = segment_with_members("Everyone", [website_a, second])
    inactive = segment_with_members("Archived", [website_a], is_active=False)
    left = segment_with_members("Left", [website_a])
    SegmentMembership.objects.filter(segment=left).update(left_at=timezone.now())

    # when
    response = staff_client.get(section_url(ada))

    # then: one row per website and segment, each linking to its segment, with the join date;
    # the active segment she left is listed as "Not a member" (issue 10: with a "Why?" link)
    assert response.status_code == 200
    assert "segments" in section_codes(response)
    html = response.content.decode()
    rows = rows_of(html)
    assert [row[:3] for row in rows] == [
        ["Main Website", "Archived", "Inactive"],
        ["Main Website", "Everyone", "Active"],
        ["Main Website", "Left", "Active"],
        ["Second Website", "Everyone", "Active"],
    ]
    assert [bool(re.search(r"\d{4}", row[3])) for row in rows] == [True, True, False, True]
    assert rows[2][3] == "Not a member"
    assert f'href="/admin/segments/segment/{everyone.pk}/change/"' in html
    assert f'href="/admin/segments/segment/{inactive.pk}/change/"' in html
    assert "The customer is not a member of any segment." not in html


def test_a_customer_in_no_segment_is_told_so(staff_client, ada):
    response = staff_client.get(section_url(ada))
    assert "The customer is not a member of any segment." in response.content.decode()


def test_staff_limited_to_a_website_see_only_its_segments(client, website_a, ada):
    # given: memberships on two websites, a staff member limited to Ada's own
    share_accounts("global")
    second = make_website("second", name="Second Website")
    segment_with_members("Everyone", [website_a, second])
    user = make_staff_user(
        "clerk", permissions=["customers.view_customer", "segments.view_segment"]
    )
    profile, _created = StaffProfile.objects.get_or_create(user=user)
    profile.websites.set([website_a])
    client.force_login(user)

    # when
    response = client.get(section_url(ada))

    # then
    assert [row[:2] for row in rows_of(response.content.decode())] == [["Main Website", "Everyone"]]


def test_the_section_needs_the_segment_view_permission(client, ada):
    # given
    client.force_login(make_staff_user("clerk", permissions=["customers.view_customer"]))

    # when
    response = client.get(f"/admin/customers/customer/{ada.pk}/change/")

    # then
    assert response.status_code == 200
    assert "segments" not in section_codes(response)
    assert client.get(section_url(ada)).status_code == 404


def test_the_section_disappears_when_segments_are_disabled(staff_client, ada):
    # given
    set_config({services.ENABLED_PATH: False})

    # when
    response = staff_client.get(f"/admin/customers/customer/{ada.pk}/change/")

    # then
    assert "segments" not in section_codes(response)
    assert staff_client.get(section_url(ada)).status_code == 404
