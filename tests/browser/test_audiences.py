"""Audiences in Chromium (issue 14 "Dashboard"): with Audience Activation on, a staff member opens
Customers > Audiences from the back-office index, adds an audience, finds it in the grid, and
runs Check Connection against a local customer data platform endpoint (a test HTTP server on
127.0.0.1). axe-core runs on every page visited."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from patron.audiences.models import Audience, AudiencePull, PullState
from patron.audiences.tests.conftest import CdpServer, start_cdp_server
from patron.testing.fixtures import set_config

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

GRID = "/admin/audiences/audience/"


@pytest.fixture
def cdp_server() -> Iterator[CdpServer]:
    cdp, server = start_cdp_server()
    yield cdp
    cdp.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def activated(transactional_db, cdp_server) -> CdpServer:
    set_config({
        "audiences/general/enabled": True,
        "audiences/request/secret": "s3cret",
        "audiences/pull/endpoint": cdp_server.url,
        "audiences/pull/timeout_seconds": 5,
    })  # fmt: skip
    return cdp_server


def test_add_an_audience_see_it_in_the_grid_and_check_the_connection(
    admin_page: Page, activated, assert_accessible, broken_assets
):
    page = admin_page

    # when: Audiences, from the back-office index
    page.goto("/admin/")
    with page.expect_navigation():
        page.locator(f'a[href="{GRID}"]').first.click()

    # then: the dashboard, with no pull yet and an empty grid
    expect(page.get_by_role("heading", name="Synchronization")).to_be_visible()
    expect(page.locator(".audience-status")).to_contain_text("Never")
    assert_accessible(page)

    # when: Add Audience
    with page.expect_navigation():
        page.get_by_role("link", name="Add Audience").click()
    assert_accessible(page)
    page.get_by_label("Audience ID").fill("b2f1-loyal")
    page.get_by_label("Name").fill("Loyal shoppers")
    page.get_by_label("Origin").fill("Experience Platform")
    page.get_by_label("Main Website").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()

    # then: saved through the service, listed in the grid
    audience = Audience.objects.get()
    assert (audience.external_id, audience.name, audience.source) == (
        "b2f1-loyal", "Loyal shoppers", "Experience Platform",
    )  # fmt: skip
    assert [w.code for w in audience.websites.all()] == ["base"]
    expect(page).to_have_url(f"{page.url.split(GRID)[0]}{GRID}")
    row = page.locator("#result_list tbody tr")
    expect(row).to_have_count(1)
    expect(row.first).to_contain_text("Loyal shoppers")
    expect(row.first).to_contain_text("b2f1-loyal")
    assert_accessible(page)

    # when: Check Connection, the endpoint answering two audiences
    activated.answers({"audiences": [{"id": "b2f1-loyal", "members": []}, {"id": "vip"}]})
    with page.expect_navigation():
        page.get_by_role("button", name="Check Connection").click()

    # then: the connection works; nothing was changed
    expect(page.locator(".messagelist")).to_contain_text(
        "The connection works: the endpoint answered 2 audiences."
    )
    assert list(AudiencePull.objects.values_list("state", "check_only")) == [
        (PullState.SUCCEEDED, True)
    ]
    assert list(Audience.objects.values_list("external_id", flat=True)) == ["b2f1-loyal"]
    assert len(activated.requests) == 1
    assert_accessible(page)
    assert broken_assets == []
