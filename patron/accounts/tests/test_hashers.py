"""Magento password hashes imported as ``magento$<Magento's value>``: verified with Magento's
algorithm and re-hashed with Argon2id on the first successful sign-in."""

import functools
import hashlib

import pytest
from argon2.low_level import Type, hash_secret_raw
from django.contrib.auth.hashers import check_password, make_password

from patron.accounts.hashers import MagentoPasswordHasher, stored_magento_hash
from patron.accounts.tests.factories import (
    CREATE_URL,
    PASSWORD,
    make_shopper,
    registration_data,
    sign_in,
)
from patron.customers.models import Customer

# The distinct hashes of /work/shared/data/magento-import/customers_to_import.csv, whose
# customers all have the password "123123q": two-part values, SHA-256 of salt + password.
CSV_PASSWORD = "123123q"
CSV_HASHES = [
    "6a9c9bfb2ba88a6ad2a64e7402df44a763e0c48cd21d7af9e7e796cd4677ee28:RF",
    "7ad6dbdc83d3e9f598825dc58b84678c7351e4281f6bc2b277a32dcd88b9756b:pz",
    "145d12bfff8a6a279eb61e277e3d727c0ba95acc1131237f1594ddbb7687a564:l1",
]
LONG_SALT = "Zr8vXq2LmN5pT7wYb3Kd9Hf4Gs6Jc1Ae"  # 32 characters, as Magento generates


# Magento's Encryptor, written again from its description: each version hashes the previous
# result; MD5 (0) and SHA-256 (1) hash salt + previous, Argon2id v1.3 (2) hashes the previous
# result with libsodium's interactive limits and the first 16 bytes of the salt (a shorter
# salt is repeated up to 16 bytes, as PHP's str_pad does).
def _md5(data: str, salt: str) -> str:
    return hashlib.md5((salt + data).encode(), usedforsecurity=False).hexdigest()


def _sha256(data: str, salt: str) -> str:
    return hashlib.sha256((salt + data).encode()).hexdigest()


def _argon2id(data: str, salt: str) -> str:
    salt_bytes = salt.encode()[:16]
    while len(salt_bytes) < 16:
        salt_bytes += salt.encode()[: 16 - len(salt_bytes)]
    raw = hash_secret_raw(
        data.encode(),
        salt_bytes,
        time_cost=2,
        memory_cost=65536,
        parallelism=1,
        hash_len=32,
        type=Type.ID,
    )
    return raw.hex()


STEPS = {0: _md5, 1: _sha256, 2: _argon2id}


@functools.cache
def magento_value(password: str, salt: str, versions: tuple[int, ...]) -> str:
    """Return Magento's stored value for ``password`` (cached: Argon2 takes a third of a
    second)."""
    result = password
    for version in versions:
        result = STEPS[version](result, salt)
    return ":".join([result, salt, *map(str, versions)])


GENERATED = {
    "md5_case": lambda: magento_value("Old-password-1", LONG_SALT, (0,)),
    "sha256_case": lambda: magento_value("Old-password-1", LONG_SALT, (1,)),
    "argon2id13_case": lambda: magento_value("Old-password-1", LONG_SALT, (2,)),
    "md5_then_sha256_case": lambda: magento_value("Old-password-1", LONG_SALT, (0, 1)),
    "sha256_then_argon2_short_salt_case": lambda: magento_value("Old-password-1", "RF", (1, 2)),
    "two_part_md5_case": lambda: _md5("Old-password-1", "ab") + ":ab",
}


@pytest.fixture
def hasher(production_hashers):
    return MagentoPasswordHasher()


def imported_customer(view_a, value: str, email: str = "anthonyanealy@magento.com") -> Customer:
    return make_shopper(
        email, store_view=view_a, password=None, password_hash=stored_magento_hash(value)
    )


@pytest.mark.parametrize("value", CSV_HASHES, ids=["rf_case", "pz_case", "l1_case"])
def test_csv_sample_hashes_verify_with_their_password(hasher, value):
    # when
    right = hasher.verify(CSV_PASSWORD, f"magento${value}")
    wrong = hasher.verify("123123Q", f"magento${value}")

    # then
    assert (right, wrong) == (True, False)


@pytest.mark.parametrize("value", CSV_HASHES[:2], ids=["rf_case", "pz_case"])
def test_csv_sample_hash_is_upgraded_to_argon2id_on_sign_in(client, view_a, hasher, value):
    # given
    customer = imported_customer(view_a, value)
    assert customer.password == f"magento${value}"

    # when
    response = sign_in(client, "AnthonyANealy@magento.com", CSV_PASSWORD)

    # then
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.password.startswith("argon2$argon2id$")
    assert check_password(CSV_PASSWORD, customer.password) is True


def test_upgraded_hash_keeps_working_for_the_next_sign_in(client, view_a, hasher):
    # given
    customer = imported_customer(view_a, CSV_HASHES[0])
    sign_in(client, customer.email, CSV_PASSWORD)
    customer.refresh_from_db()
    upgraded = customer.password
    client.post("/customer/account/logout/")

    # when
    response = sign_in(client, customer.email, CSV_PASSWORD)

    # then
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.password == upgraded


@pytest.mark.parametrize("build", GENERATED.values(), ids=GENERATED.keys())
def test_generated_magento_hash_verifies_and_is_upgraded_on_sign_in(client, view_a, hasher, build):
    # given
    value = build()
    customer = imported_customer(view_a, value, email="old@example.com")

    # when
    response = sign_in(client, "old@example.com", "Old-password-1")

    # then
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.password.startswith("argon2$argon2id$")
    assert customer.failures_num == 0


@pytest.mark.parametrize("build", GENERATED.values(), ids=GENERATED.keys())
def test_wrong_password_fails_and_nothing_is_upgraded(client, view_a, hasher, build):
    # given
    value = build()
    customer = imported_customer(view_a, value, email="old@example.com")

    # when
    response = sign_in(client, "old@example.com", "Old-password-2")

    # then
    assert response.status_code == 400
    customer.refresh_from_db()
    assert customer.password == f"magento${value}"
    assert customer.failures_num == 1


def test_argon2_sample_matches_magento_layout(hasher):
    # given
    value = magento_value("Old-password-1", LONG_SALT, (2,))

    # when
    digest, salt, version = value.split(":")

    # then
    assert (len(digest), salt, version) == (64, LONG_SALT, "2")
    assert hasher.decode(f"magento${value}") == {
        "algorithm": "magento",
        "hash": digest,
        "salt": LONG_SALT,
        "versions": [2],
    }


@pytest.mark.parametrize(
    "value",
    ["abc:salt", "0123456789abcdef0123456789abcdef:salt:7", ":salt:1", "nohashatall"],
    ids=["short_two_part_case", "unknown_version_case", "empty_hash_case", "no_salt_case"],
)
def test_malformed_magento_hashes_are_refused_on_import_and_never_verify(hasher, value):
    # when
    with pytest.raises(ValueError):
        stored_magento_hash(value)

    # then
    assert hasher.verify("anything", f"magento${value}") is False


def test_magento_hasher_never_makes_new_hashes(hasher):
    # when
    with pytest.raises(NotImplementedError):
        hasher.encode("Secret-password-1", "salt")

    # then
    assert make_password("Secret-password-1").startswith("argon2$argon2id$")


def test_registration_stores_an_argon2id_hash(client, view_a, production_hashers):
    # when
    response = client.post(CREATE_URL, registration_data())

    # then
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert customer.password.startswith("argon2$argon2id$")
    assert check_password(PASSWORD, customer.password) is True
