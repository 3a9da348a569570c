"""Browser-test harness: one Chromium per session, a fresh context per test, axe-core checks.

Every test module in this folder sets ``pytestmark = pytest.mark.browser`` (``scripts/test.sh``
runs browser tests in their own phase). Every test runs against pytest-django's ``live_server``,
which makes it transactional (the server thread must see committed rows) and serves static files
through ``django.contrib.staticfiles``' handler, so CSS and scripts load without collectstatic.
"""

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

# Playwright's sync API drives an asyncio event loop in this thread, so Django's guard against
# database calls from async code would fire in every fixture that touches the ORM.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from django.core.cache import cache
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
# Without the networking flags Chromium keeps trying to reach hosts the test machine cannot.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
BLOCKING_IMPACTS = ("serious", "critical")
ASSET_TYPES = ("stylesheet", "script", "image", "font")
STAFF_PASSWORD = "correct-horse-battery-staple-42"
# Playwright waits 5 s by default; a loaded CI machine running axe on admin pages needs longer.
TIMEOUT_MS = 15_000
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing; scripts/system-deps.sh installs it")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Browser, live_server) -> Iterator[BrowserContext]:
    browser_context = browser.new_context(base_url=live_server.url, locale="en-US")
    browser_context.set_default_timeout(TIMEOUT_MS)
    yield browser_context
    browser_context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def broken_assets(page: Page) -> list[str]:
    """Return a list that fills with every stylesheet, script, image or font that failed."""
    return record_broken_assets(page)


def record_broken_assets(page: Page) -> list[str]:
    """A list that fills with every stylesheet, script, image or font ``page`` fails to load
    (the ``broken_assets`` fixture, for a page of another browser context)."""
    broken: list[str] = []

    def record(response) -> None:
        if response.status >= 400 and response.request.resource_type in ASSET_TYPES:
            broken.append(f"{response.status} {response.url}")

    page.on("response", record)
    page.on("requestfailed", lambda request: broken.append(f"failed {request.url}"))
    return broken


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # The live server shares this process's local-memory cache. Each transactional test ends
    # with a flush, so a cached configuration snapshot or routing table would point at rows
    # that no longer exist.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def default_store_view():
    """Return the store view the initial migration creates."""
    from patron.scopes import selectors

    view = selectors.default_store_view()
    assert view is not None, "the default store view is missing"
    return view


@pytest.fixture
def superuser(transactional_db):
    from django.contrib.auth.models import User

    return User.objects.create_superuser(
        username="admin", email="admin@example.com", password=STAFF_PASSWORD
    )


def log_in_to_admin(page: Page, *, username: str, password: str = STAFF_PASSWORD) -> None:
    """Sign in through Django's admin login form and wait for the back-office index."""
    page.goto("/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")


@pytest.fixture
def admin_page(page: Page, superuser) -> Page:
    """Return a page signed in to the back office as a superuser."""
    log_in_to_admin(page, username=superuser.username)
    return page


def axe_violations(
    page: Page,
    *,
    exclude: Sequence[str] = (),
    disable_rules: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """Run axe-core on the current page; return its violations of serious or critical impact."""
    # Injected through the DevTools protocol, which the page's Content-Security-Policy does not
    # restrict, so the shopper pages keep their strict policy during the check.
    page.evaluate(AXE_SCRIPT)
    context: dict[str, Any] = {"include": [["html"]]}
    if exclude:
        context["exclude"] = [[selector] for selector in exclude]
    options: dict[str, Any] = {"resultTypes": ["violations"]}
    if disable_rules:
        options["rules"] = {rule: {"enabled": False} for rule in disable_rules}
    results = page.evaluate("([context, options]) => axe.run(context, options)", [context, options])
    return [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]


def format_violations(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{len(violations)} serious or critical accessibility violations on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:160]}")
    return "\n".join(lines)


@pytest.fixture
def assert_accessible() -> Callable[..., None]:
    """Return ``check(page, *, exclude=(), disable_rules=())``, failing on serious violations.

    ``exclude`` takes CSS selectors and ``disable_rules`` axe rule ids; use them only for markup
    Patron does not own, with a comment at the call site naming the element and why.
    """

    def check(
        page: Page, *, exclude: Sequence[str] = (), disable_rules: Sequence[str] = ()
    ) -> None:
        violations = axe_violations(page, exclude=exclude, disable_rules=disable_rules)
        if violations:
            pytest.fail(format_violations(page.url, violations))

    return check


# Walk-throughs run once in English on the default store view and once in German on a "de"
# store view: @pytest.mark.parametrize("store", [...], indirect=True) selects the fixture below.


@pytest.fixture
def store(request, default_store_view, live_server, settings):
    """Return (store view, URL prefix, language) for the run; links in emails point at the
    live server."""
    from patron.scopes import services as scope_services

    settings.PATRON_PUBLIC_URL = live_server.url
    if request.param == "en":
        return default_store_view, "", "en"
    german = scope_services.save_store_view(
        store=default_store_view.store, code="de", name="Deutsch", locale="de"
    )
    scope_services.invalidate_caches()
    return german, "/de", "de"
