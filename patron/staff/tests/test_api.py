import datetime as dt

import pytest
from django.utils import timezone

from patron.core.actors import SYSTEM
from patron.staff.services import revoke_integration_token, rotate_integration_token
from patron.testing.fixtures import bearer, make_integration_token, make_staff_user


def test_token_describes_itself(client, website_b):
    # given
    _token, secret = make_integration_token(
        "Shop sync", permissions=["scopes.view_website"], websites=[website_b]
    )

    # when
    response = client.get("/api/v1/whoami", **bearer(secret))

    # then
    assert response.status_code == 200
    assert response.json() == {
        "kind": "integration",
        "name": "Shop sync",
        "permissions": ["scopes.view_website"],
        "website_ids": [website_b.pk],
    }


def test_staff_session_describes_itself(client, db):
    # given
    client.force_login(make_staff_user("clerk", permissions=["scopes.view_website"]))

    # when
    response = client.get("/api/v1/whoami")

    # then
    assert response.json() == {
        "kind": "staff",
        "name": "clerk",
        "permissions": ["scopes.view_website"],
        "website_ids": None,
    }


def test_rotated_token_stops_working_and_its_replacement_works(client, db):
    # given
    old, old_secret = make_integration_token()
    _new, new_secret = rotate_integration_token(token=old, actor=SYSTEM)

    # when
    with_old = client.get("/api/v1/whoami", **bearer(old_secret))
    with_new = client.get("/api/v1/whoami", **bearer(new_secret))

    # then
    assert with_old.status_code == 401
    assert with_old.json() == {
        "code": "token_inactive",
        "message": "The API token is revoked or expired.",
    }
    assert with_new.status_code == 200


def test_revoked_token_is_refused(client, db):
    # given
    token, secret = make_integration_token()
    revoke_integration_token(token=token, actor=SYSTEM)

    # when
    response = client.get("/api/v1/whoami", **bearer(secret))

    # then
    assert response.status_code == 401
    assert response.json()["code"] == "token_inactive"


def test_expired_token_is_refused(client, db):
    # given
    _token, secret = make_integration_token(expires_at=timezone.now() - dt.timedelta(minutes=1))

    # when
    response = client.get("/api/v1/whoami", **bearer(secret))

    # then
    assert response.status_code == 401
    assert response.json()["code"] == "token_inactive"


@pytest.mark.parametrize(
    ("secret", "code"),
    [
        pytest.param("ptn_0123456789ab_wrong", "invalid_token", id="unknown_token_case"),
        pytest.param("someone-elses-token", "not_authenticated", id="foreign_token_case"),
    ],
)
def test_unknown_bearer_token_is_refused(client, db, secret, code):
    # when
    response = client.get("/api/v1/whoami", **bearer(secret))

    # then
    assert response.status_code == 401
    assert response.json()["code"] == code


def test_token_over_its_rate_limit_gets_429_with_retry_after(client, db, fixed_clock):
    # given
    _token, secret = make_integration_token(rate_limit_per_minute=2)
    first = client.get("/api/v1/whoami", **bearer(secret))
    second = client.get("/api/v1/whoami", **bearer(secret))

    # when
    third = client.get("/api/v1/whoami", **bearer(secret))

    # then
    assert (first.status_code, second.status_code) == (200, 200)
    assert third.status_code == 429
    assert third["Retry-After"] == "20"
    assert third.json() == {
        "code": "rate_limited",
        "message": "This token may make 2 requests a minute; try again in 20 seconds.",
    }


def test_rate_limits_are_counted_per_token(client, db, fixed_clock):
    # given
    _busy, busy_secret = make_integration_token("Busy", rate_limit_per_minute=1)
    _quiet, quiet_secret = make_integration_token("Quiet", rate_limit_per_minute=1)
    client.get("/api/v1/whoami", **bearer(busy_secret))

    # when
    busy = client.get("/api/v1/whoami", **bearer(busy_secret))
    quiet = client.get("/api/v1/whoami", **bearer(quiet_secret))

    # then
    assert busy.status_code == 429
    assert quiet.status_code == 200
