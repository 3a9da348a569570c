import pytest

from patron.scopes.models import ConfigValue
from patron.testing.fixtures import bearer, make_integration_token, make_staff_user, set_config

STREET_LINES = "customer/address/street_lines"
VIEW_ALL = ["scopes.view_website", "scopes.view_storeview"]


def stored_rows():
    return sorted(ConfigValue.objects.values_list("path", "scope", "scope_id", "value"))


def test_token_without_permission_is_refused(client, website_a):
    # given
    _token, secret = make_integration_token(permissions=["scopes.view_storeview"])

    # when
    response = client.get("/api/v1/websites", **bearer(secret))

    # then
    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "message": "You need the permission scopes.view_website for this.",
        "params": {"permission": "scopes.view_website"},
    }


def test_call_without_credentials_is_refused(client, website_a):
    # when
    response = client.get("/api/v1/websites")

    # then
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json() == {
        "code": "not_authenticated",
        "message": "Sign in or send a valid API token.",
    }


def test_unlimited_token_sees_every_website_and_store_view(client, view_a, view_b_de):
    # given
    _token, secret = make_integration_token(permissions=VIEW_ALL)

    # when
    websites = client.get("/api/v1/websites", **bearer(secret))
    views = client.get("/api/v1/store-views", **bearer(secret))

    # then
    assert [w["code"] for w in websites.json()] == ["base", "second"]
    assert [v["code"] for v in views.json()] == ["default", "second_de"]


@pytest.mark.parametrize("limited_to", ["a", "b"], ids=["website_a_case", "website_b_case"])
def test_token_limited_to_a_website_sees_only_that_website(
    client, website_a, website_b, view_a, view_b_de, view_b_fr, limited_to
):
    # given
    website = website_a if limited_to == "a" else website_b
    _token, secret = make_integration_token(permissions=VIEW_ALL, websites=[website])

    # when
    websites = client.get("/api/v1/websites", **bearer(secret))
    views = client.get("/api/v1/store-views", **bearer(secret))

    # then
    assert websites.status_code == 200
    assert [w["id"] for w in websites.json()] == [website.pk]
    expected_views = ["default"] if limited_to == "a" else ["second_de", "second_fr"]
    assert [v["code"] for v in views.json()] == expected_views
    assert {v["website_id"] for v in views.json()} == {website.pk}


def test_store_view_fields_are_returned(client, view_b_de):
    # given
    _token, secret = make_integration_token(permissions=VIEW_ALL)

    # when
    response = client.get("/api/v1/store-views", **bearer(secret))

    # then
    second = next(v for v in response.json() if v["code"] == "second_de")
    assert second == {
        "id": view_b_de.pk,
        "code": "second_de",
        "name": "Second German",
        "locale": "de",
        "time_zone": "UTC",
        "is_default": True,
        "is_active": True,
        "website_id": view_b_de.store.website_id,
        "store_id": view_b_de.store_id,
    }


def test_staff_session_can_call_the_api(client, website_a):
    # given
    client.force_login(make_staff_user("root", superuser=True))

    # when
    response = client.get("/api/v1/websites")

    # then
    assert response.status_code == 200
    assert [w["code"] for w in response.json()] == ["base"]


def test_config_value_is_read_for_a_website_and_a_store_view(client, website_b, view_b_de):
    # given
    set_config({STREET_LINES: 3}, website=website_b)
    _token, secret = make_integration_token(permissions=["scopes.view_configvalue"])

    # when
    by_website = client.get(f"/api/v1/config/{STREET_LINES}?website=second", **bearer(secret))
    by_view = client.get(f"/api/v1/config/{STREET_LINES}?store_view=second_de", **bearer(secret))
    by_default = client.get(f"/api/v1/config/{STREET_LINES}", **bearer(secret))

    # then
    assert by_website.json() == {
        "path": STREET_LINES,
        "value": 3,
        "scope": "website",
        "scope_id": website_b.pk,
    }
    assert by_view.json() == {
        "path": STREET_LINES,
        "value": 3,
        "scope": "store_view",
        "scope_id": view_b_de.pk,
    }
    assert by_default.json() == {
        "path": STREET_LINES,
        "value": 2,
        "scope": "default",
        "scope_id": 0,
    }


def test_reading_an_unknown_config_path_is_not_found(client, website_a):
    # given
    _token, secret = make_integration_token(permissions=["scopes.view_configvalue"])

    # when
    response = client.get("/api/v1/config/nope/nope/nope", **bearer(secret))

    # then
    assert response.status_code == 404
    assert response.json() == {
        "code": "unknown_setting",
        "message": "There is no such setting.",
        "field": "path",
    }


def test_config_values_are_written(client, website_b):
    # given
    _token, secret = make_integration_token(permissions=["scopes.change_configvalue"])

    # when
    response = client.put(
        "/api/v1/config",
        {"scope": "website", "scope_id": website_b.pk, "values": {STREET_LINES: "4"}},
        content_type="application/json",
        **bearer(secret),
    )

    # then
    assert response.status_code == 200
    assert response.json() == {STREET_LINES: 4}
    assert stored_rows() == [(STREET_LINES, "website", website_b.pk, 4)]


def test_invalid_config_value_answers_400_naming_the_field(client, website_b):
    # given
    _token, secret = make_integration_token(permissions=["scopes.change_configvalue"])

    # when
    response = client.put(
        "/api/v1/config",
        {
            "scope": "website",
            "scope_id": website_b.pk,
            "values": {STREET_LINES: 5, "general/store_information/name": "Fine"},
        },
        content_type="application/json",
        **bearer(secret),
    )

    # then
    assert response.status_code == 400
    message = "Number of Lines in a Street Address: Enter a number no greater than 4."
    assert response.json() == {
        "code": "max_value",
        "message": message,
        "field": STREET_LINES,
        "errors": [{"code": "max_value", "message": message, "field": STREET_LINES}],
    }
    assert stored_rows() == []


def test_unknown_config_path_in_a_write_answers_400(client, website_a):
    # given
    _token, secret = make_integration_token(permissions=["scopes.change_configvalue"])

    # when
    response = client.put(
        "/api/v1/config",
        {"values": {"nope/nope/nope": 1, STREET_LINES: 0}},
        content_type="application/json",
        **bearer(secret),
    )

    # then
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"] == "2 values are not valid."
    assert [(e["code"], e["field"]) for e in body["errors"]] == [
        ("unknown_setting", "nope/nope/nope"),
        ("min_value", STREET_LINES),
    ]
    assert stored_rows() == []


def test_malformed_payload_answers_422_listing_each_field(client, website_a):
    # given
    _token, secret = make_integration_token(permissions=["scopes.change_configvalue"])

    # when
    response = client.put(
        "/api/v1/config",
        {"scope_id": "first", "values": ["not", "a", "mapping"]},
        content_type="application/json",
        **bearer(secret),
    )

    # then
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"] == "2 values are not valid."
    assert body["field"] == "scope_id"
    assert [(e["code"], e["field"]) for e in body["errors"]] == [
        ("int_parsing", "scope_id"),
        ("dict_type", "values"),
    ]
    assert stored_rows() == []


def test_writing_config_needs_the_change_permission(client, website_b):
    # given
    _token, secret = make_integration_token(permissions=["scopes.view_configvalue"])

    # when
    response = client.put(
        "/api/v1/config",
        {"scope": "website", "scope_id": website_b.pk, "values": {STREET_LINES: 3}},
        content_type="application/json",
        **bearer(secret),
    )

    # then
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert stored_rows() == []
