import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from patron.core.actors import SYSTEM
from patron.core.errors import Conflict, InvalidInput, LimitReached, NotAuthenticated
from patron.staff.models import IntegrationToken, StaffProfile
from patron.staff.services import (
    authenticate_integration_token,
    check_token_rate,
    create_integration_token,
    revoke_integration_token,
    rotate_integration_token,
    staff_website_ids,
    token_website_ids,
)
from patron.testing.fixtures import make_integration_token, make_staff_user


def test_created_token_returns_its_secret_once_and_stores_only_a_digest(website_b):
    # when
    token, secret = create_integration_token(
        name="  Shop sync ",
        permissions=["scopes.view_website", "scopes.view_website", "scopes.view_storeview"],
        websites=[website_b],
        rate_limit_per_minute=30,
        actor=SYSTEM,
    )

    # then
    assert secret.startswith(f"ptn_{token.prefix}_")
    stored = IntegrationToken.objects.get(pk=token.pk)
    assert stored.secret_digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in [str(value) for value in stored.__dict__.values()]
    assert stored.name == "Shop sync"
    assert stored.permissions == ["scopes.view_storeview", "scopes.view_website"]
    assert stored.rate_limit_per_minute == 30
    assert list(stored.websites.all()) == [website_b]
    assert authenticate_integration_token(secret) == token


def test_token_with_bad_fields_is_refused_with_every_problem(db):
    # when
    with pytest.raises(InvalidInput) as error:
        create_integration_token(
            name=" ",
            permissions=["scopes.view_website", "nope.fly"],
            rate_limit_per_minute=0,
            actor=SYSTEM,
        )

    # then
    assert error.value.code == "invalid"
    assert [(p.code, p.field) for p in error.value.problems] == [
        ("required", "name"),
        ("unknown_permission", "permissions"),
        ("min_value", "rate_limit"),
    ]
    assert IntegrationToken.objects.count() == 0


def test_rotation_revokes_the_old_secret_and_keeps_the_settings(website_b):
    # given
    old, old_secret = make_integration_token(
        permissions=["scopes.view_website"], websites=[website_b], rate_limit_per_minute=7
    )

    # when
    new, new_secret = rotate_integration_token(token=old, actor=SYSTEM)

    # then
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert old.replaced_by == new
    assert (new.name, new.permissions, new.rate_limit_per_minute) == (
        "Shop",
        ["scopes.view_website"],
        7,
    )
    assert list(new.websites.all()) == [website_b]
    assert new_secret != old_secret
    assert authenticate_integration_token(new_secret) == new
    with pytest.raises(NotAuthenticated) as error:
        authenticate_integration_token(old_secret)
    assert error.value.code == "token_inactive"


def test_revoked_token_cannot_be_rotated(db):
    # given
    token, _secret = make_integration_token()
    revoke_integration_token(token=token, actor=SYSTEM)

    # when
    with pytest.raises(Conflict) as error:
        rotate_integration_token(token=token, actor=SYSTEM)

    # then
    assert error.value.code == "token_inactive"
    assert IntegrationToken.objects.count() == 1


def test_revoking_twice_keeps_the_first_revocation_time(db):
    # given
    token, _secret = make_integration_token()
    revoke_integration_token(token=token, actor=SYSTEM)
    first = IntegrationToken.objects.get(pk=token.pk).revoked_at

    # when
    revoke_integration_token(token=token, actor=SYSTEM)

    # then
    assert IntegrationToken.objects.get(pk=token.pk).revoked_at == first


@pytest.mark.parametrize(
    "plaintext",
    ["ptn_unknownprefix_secret", "ptn_", "abc", "xyz_abc_def"],
    ids=["unknown_prefix_case", "empty_case", "no_parts_case", "wrong_scheme_case"],
)
def test_malformed_or_unknown_secret_is_not_authenticated(db, plaintext):
    # when
    with pytest.raises(NotAuthenticated) as error:
        authenticate_integration_token(plaintext)

    # then
    assert error.value.code == "invalid_token"


def test_wrong_secret_with_a_known_prefix_is_not_authenticated(db):
    # given
    token, _secret = make_integration_token()

    # when
    with pytest.raises(NotAuthenticated) as error:
        authenticate_integration_token(f"ptn_{token.prefix}_guessed")

    # then
    assert error.value.code == "invalid_token"


def test_expired_token_is_not_authenticated(db):
    # given
    _token, secret = make_integration_token(expires_at=timezone.now() - dt.timedelta(seconds=1))

    # when
    with pytest.raises(NotAuthenticated) as error:
        authenticate_integration_token(secret)

    # then
    assert error.value.code == "token_inactive"


def test_use_is_recorded_at_most_once_a_minute(db):
    # given
    token, secret = make_integration_token()

    # when
    authenticate_integration_token(secret)
    first = IntegrationToken.objects.get(pk=token.pk).last_used_at
    authenticate_integration_token(secret)

    # then
    assert first is not None
    assert IntegrationToken.objects.get(pk=token.pk).last_used_at == first


def test_token_rate_limit_refuses_the_request_over_the_limit(db, fixed_clock):
    # given
    token, _secret = make_integration_token(rate_limit_per_minute=2)
    check_token_rate(token)
    check_token_rate(token)

    # when
    with pytest.raises(LimitReached) as error:
        check_token_rate(token)

    # then
    assert error.value.code == "rate_limited"
    assert error.value.retry_after == 20  # the clock stands at 19.5 s before the next minute


def test_website_limits_of_tokens_and_staff(website_a, website_b):
    # given
    unlimited, _ = make_integration_token("All")
    limited, _ = make_integration_token("B only", websites=[website_b])
    superuser = make_staff_user("root", superuser=True)
    clerk = make_staff_user("clerk")
    limited_clerk = make_staff_user("limited")
    StaffProfile.objects.create(user=limited_clerk).websites.set([website_a])

    # when / then
    assert token_website_ids(unlimited) is None
    assert token_website_ids(limited) == [website_b.pk]
    assert staff_website_ids(superuser) is None
    assert staff_website_ids(clerk) is None
    assert staff_website_ids(limited_clerk) == [website_a.pk]
