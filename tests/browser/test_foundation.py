"""The foundation's pages in a real browser: shopper home per store view, the configuration
page with its scope switcher, and the offline API docs, each checked with axe-core."""

import pytest
from playwright.sync_api import expect

from patron.scopes import config, services
from patron.scopes.models import ConfigValue

# Serialized rollback like every other browser module: a flush without it re-syncs the staff
# roles, and the next serialized test would then restore groups that already exist.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_home_page_speaks_the_store_view_language(
    page, default_store_view, assert_accessible, broken_assets
):
    # given
    german = services.save_store_view(
        store=default_store_view.store, code="de", name="Deutsch", locale="de"
    )

    # when
    page.goto("/")

    # then
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("footer")).to_contain_text(default_store_view.name)
    # shop.css hides the skip link off-screen until it is focused.
    expect(page.locator(".skip-link")).to_have_css("position", "absolute")
    assert_accessible(page)

    # when
    page.goto(f"/{german.code}/")

    # then
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("footer")).to_contain_text("Deutsch")
    expect(page.locator(".site-name")).to_have_attribute("href", "/de/")
    assert_accessible(page)
    assert broken_assets == []


def test_street_lines_can_be_set_for_one_website(admin_page, default_store_view, assert_accessible):
    # given
    page = admin_page
    website = default_store_view.store.website
    path = "customer/address/street_lines"
    assert_accessible(page)

    # when
    response = page.goto("/admin/configuration/customer/")

    # then
    assert response.status == 200
    expect(page.get_by_role("heading", name="Name and Address Options")).to_be_visible()
    assert_accessible(page)

    # when
    page.get_by_label("Scope").select_option(f"website:{website.pk}")
    page.get_by_role("button", name="Switch scope").click()

    # then
    page.wait_for_url(f"**/admin/configuration/customer/?scope=website%3A{website.pk}")
    street_lines = page.get_by_label("Number of Lines in a Street Address")
    row = page.locator(".form-row").filter(has=street_lines)
    use_default = row.get_by_role("checkbox", name="Use Default Value")
    expect(use_default).to_be_checked()
    expect(street_lines).to_have_value("2")
    assert_accessible(page)

    # when
    use_default.uncheck()
    street_lines.fill("5")
    page.get_by_role("button", name="Save Config").click()

    # then
    expect(page.locator(".errornote")).to_have_text("Please correct the errors below.")
    expect(row.locator(".errorlist")).to_have_text(
        "Number of Lines in a Street Address: Enter a number no greater than 4."
    )
    expect(use_default).not_to_be_checked()
    assert_accessible(page)
    assert config.get_config(path, website=website) == 2
    assert not ConfigValue.objects.filter(path=path).exists()

    # when
    street_lines.fill("3")
    page.get_by_role("button", name="Save Config").click()

    # then
    expect(page.locator(".messagelist")).to_have_text("You saved the configuration.")
    expect(street_lines).to_have_value("3")
    expect(use_default).not_to_be_checked()
    assert_accessible(page)
    assert config.get_config(path, website=website) == 3
    assert config.get_config(path) == 2
    assert ConfigValue.objects.filter(path=path).count() == 1


# No axe run here: the page is django-ninja's Swagger UI template and bundle, which Patron does
# not render. axe-core 4.12 reports html-has-lang (ninja's <html> has no lang),
# nested-interactive (Swagger's operation summary buttons) and color-contrast (Swagger's
# version badge, method labels and buttons) on it.
def test_api_docs_render_from_patron_alone(page, live_server, broken_assets):
    # given
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    # when
    page.goto("/api/v1/docs")

    # then
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Patron API")
    # Operations appear only once openapi.json has been fetched and parsed.
    expect(page.locator(".opblock-tag-section").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    outside = [url for url in requested if not url.startswith(live_server.url + "/")]
    assert outside == []
    assert f"{live_server.url}/api/v1/openapi.json" in requested
    assert broken_assets == []
