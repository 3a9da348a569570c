import base64
import datetime as dt
import json
import re

import pytest
from django.test import RequestFactory

from patron.core import progress
from patron.core.api import encode_cursor, keyset_page, store_view_of
from patron.core.errors import InvalidInput, NotFound
from patron.core.models import Job
from patron.scopes import services as scope_services
from patron.scopes.models import ConfigValue

BASE = dt.datetime(2020, 1, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def jobs(db):
    """Eleven jobs whose updated_at values tie in groups of three."""
    made = [progress.start_job(kind="export", label=f"Job {i}") for i in range(11)]
    for i, job in enumerate(made):
        Job.objects.filter(pk=job.pk).update(updated_at=BASE + dt.timedelta(seconds=i // 3))
    return sorted(Job.objects.all(), key=lambda job: (job.updated_at, job.pk))


def all_pages(queryset, *, limit, cursor=None, **options):
    """Follow next_cursor to the end; return every page's ids."""
    pages = []
    while True:
        rows, cursor = keyset_page(queryset, cursor=cursor, limit=limit, **options)
        pages.append([row.pk for row in rows])
        if cursor is None:
            return pages


def raw_cursor(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def test_pages_neither_repeat_nor_skip_rows(jobs):
    # when
    pages = all_pages(Job.objects.all(), limit=4)

    # then
    assert [len(page) for page in pages] == [4, 4, 3]
    assert [pk for page in pages for pk in page] == [job.pk for job in jobs]


def test_last_full_page_has_no_next_cursor(jobs):
    # when
    rows, cursor = keyset_page(Job.objects.all(), limit=11)

    # then
    assert [row.pk for row in rows] == [job.pk for job in jobs]
    assert cursor is None


def test_row_changed_while_paging_appears_once_at_the_end(jobs):
    # given
    first_page, cursor = keyset_page(Job.objects.all(), limit=4)
    unseen = jobs[6]
    progress.advance(unseen, by=1)  # touches updated_at

    # when
    rest = all_pages(Job.objects.all(), limit=4, cursor=cursor)

    # then
    seen = [row.pk for row in first_page] + [pk for page in rest for pk in page]
    assert len(seen) == len(set(seen)) == 11
    assert seen[-1] == unseen.pk


def test_updated_since_keeps_rows_changed_at_or_after_the_moment(jobs):
    # when
    pages = all_pages(Job.objects.all(), limit=2, updated_since=BASE + dt.timedelta(seconds=2))

    # then
    assert [pk for page in pages for pk in page] == [job.pk for job in jobs[6:]]


def test_integer_keys_page_too(db):
    # given
    for i in range(5):
        ConfigValue.objects.create(path=f"test/page/{i}", scope="website", scope_id=i + 1, value=i)
    ConfigValue.objects.update(updated_at=BASE)
    expected = list(ConfigValue.objects.order_by("pk").values_list("pk", flat=True))

    # when
    pages = all_pages(ConfigValue.objects.all(), limit=2)

    # then
    assert [pk for page in pages for pk in page] == expected


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor!",
        base64.urlsafe_b64encode(b"not json").decode(),
        raw_cursor(["yesterday", "0b5f0b4e-6c4e-4c86-8f0b-1d1c2f3a4b5c"]),
        raw_cursor(["2020-01-01T12:00:00+00:00"]),
        raw_cursor(["2020-01-01T12:00:00+00:00", True]),
        raw_cursor(["2020-01-01T12:00:00+00:00", "not-a-uuid"]),
        raw_cursor({"at": "2020-01-01T12:00:00+00:00"}),
    ],
    ids=[
        "not_base64_case", "not_json_case", "bad_time_case", "missing_key_case", "bool_key_case",
        "key_of_the_wrong_type_case", "object_case",
    ],
)  # fmt: skip
def test_bad_cursor_is_refused(jobs, cursor):
    # when
    with pytest.raises(InvalidInput) as error:
        keyset_page(Job.objects.all(), cursor=cursor, limit=4)

    # then
    assert (error.value.code, error.value.field) == ("invalid_cursor", "cursor")


def test_cursor_with_text_key_for_an_integer_model_is_refused(db):
    # given
    cursor = encode_cursor(BASE, "abc")

    # when
    with pytest.raises(InvalidInput) as error:
        keyset_page(ConfigValue.objects.all(), cursor=cursor)

    # then
    assert error.value.code == "invalid_cursor"


@pytest.mark.parametrize("limit", [0, 201], ids=["zero_case", "over_maximum_case"])
def test_page_size_outside_the_bounds_is_refused(db, limit):
    # when
    with pytest.raises(InvalidInput) as error:
        keyset_page(Job.objects.all(), limit=limit)

    # then
    assert (error.value.code, error.value.field) == ("invalid_limit", "limit")


# --- X-Patron-Store -----------------------------------------------------------------------------


def test_store_header_selects_the_store_view(view_b_de):
    # given
    request = RequestFactory().get("/api/v1/customers/me", HTTP_X_PATRON_STORE="second_de")

    # when
    view = store_view_of(request)

    # then
    assert view == view_b_de
    assert store_view_of(request) is view


def test_missing_store_header_is_refused(db):
    # given
    request = RequestFactory().get("/api/v1/customers/me", HTTP_X_PATRON_STORE="  ")

    # when
    with pytest.raises(InvalidInput) as error:
        store_view_of(request)

    # then
    assert (error.value.code, error.value.field) == ("store_required", "X-Patron-Store")
    assert error.value.message == "Send the store view code in the X-Patron-Store header."


@pytest.mark.parametrize("code", ["nowhere", "second_de"], ids=["unknown_case", "inactive_case"])
def test_unknown_or_inactive_store_is_refused(view_b_de, code):
    # given
    scope_services.save_store_view(store_view=view_b_de, is_active=False)
    request = RequestFactory().get("/api/v1/customers/me", HTTP_X_PATRON_STORE=code)

    # when
    with pytest.raises(NotFound) as error:
        store_view_of(request)

    # then
    assert (error.value.code, error.value.field) == ("unknown_store", "X-Patron-Store")
    assert error.value.status == 404


# --- OpenAPI and docs ---------------------------------------------------------------------------


def test_openapi_document_is_served(client, db):
    # when
    response = client.get("/api/v1/openapi.json")

    # then
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    assert document["info"]["title"] == "Patron API"
    assert {"/api/v1/websites", "/api/v1/store-views", "/api/v1/config"} <= set(document["paths"])


def test_docs_page_uses_only_local_assets(client, db):
    # when
    response = client.get("/api/v1/docs")

    # then
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/ninja/swagger-ui-bundle.js" in assets
    assert "/static/ninja/swagger-ui.css" in assets
    assert all(asset.startswith("/static/") for asset in assets)
    assert re.search(r"https?://", html) is None
