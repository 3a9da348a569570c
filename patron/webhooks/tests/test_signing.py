"""Signatures checked as a receiver checks them: with the snippet docs/webhooks.md gives
receivers (copied here) and with ``signing.verify``, on requests a real receiver recorded."""

import ast
import datetime as dt
import hashlib
import hmac
import inspect
import re
import time
from pathlib import Path

import pytest
from django.utils import timezone

from patron.webhooks import services, signing
from patron.webhooks.models import Delivery
from patron.webhooks.tests.factories import make_customer, make_subscription

DOCS = Path(__file__).resolve().parents[3] / "docs" / "webhooks.md"


# Copied from docs/webhooks.md, "Verifying a delivery", as a receiver would paste it.
def is_from_patron(
    secret: str, signature_header: str, raw_body: bytes, tolerance: int = 300
) -> bool:
    try:
        fields = dict(part.split("=", 1) for part in signature_header.split(","))
        timestamp, received = int(fields["t"]), fields["v1"]
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + raw_body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(received, expected)


@pytest.fixture
def subscription(receiver, db):
    return make_subscription(receiver.url)


@pytest.fixture
def delivered(receiver, subscription, website, django_capture_on_commit_callbacks):
    """The request the receiver got for a new customer."""
    with django_capture_on_commit_callbacks(execute=True):
        make_customer(website=website)
    [request] = receiver.requests
    return request


def test_a_delivery_verifies_with_the_documented_snippet(subscription, delivered):
    # when
    valid = is_from_patron(
        subscription.secret, delivered.headers["Patron-Signature"], delivered.body
    )

    # then
    assert valid is True


def test_a_delivery_verifies_with_signing_verify(subscription, delivered):
    # when
    valid = signing.verify(
        subscription.secret, delivered.headers["Patron-Signature"], delivered.body
    )

    # then
    assert valid is True


def test_the_signature_is_the_hmac_of_the_timestamp_and_the_raw_body(subscription, delivered):
    # given
    header = delivered.headers["Patron-Signature"]
    timestamp = int(re.fullmatch(r"t=(\d+),v1=[0-9a-f]{64}", header).group(1))

    # when
    expected = hmac.new(
        subscription.secret.encode(), f"{timestamp}.".encode() + delivered.body, hashlib.sha256
    ).hexdigest()

    # then
    assert header == f"t={timestamp},v1={expected}"
    assert abs(time.time() - timestamp) <= 5


def test_a_wrong_secret_fails(delivered):
    # given
    header, body = delivered.headers["Patron-Signature"], delivered.body

    # when
    results = (
        is_from_patron("not-the-secret", header, body),
        signing.verify("not-the-secret", header, body),
    )

    # then
    assert results == (False, False)


def test_a_modified_body_fails(subscription, delivered):
    # given
    header = delivered.headers["Patron-Signature"]
    tampered = delivered.body.replace(b'"firstname":"Ada"', b'"firstname":"Eve"')
    assert tampered != delivered.body

    # when
    results = (
        is_from_patron(subscription.secret, header, tampered),
        signing.verify(subscription.secret, header, tampered),
    )

    # then
    assert results == (False, False)


@pytest.mark.parametrize(
    "shift", [dt.timedelta(minutes=-6), dt.timedelta(minutes=6)], ids=["old_case", "future_case"]
)
def test_a_timestamp_outside_the_replay_window_fails(
    receiver, subscription, website, shift, django_capture_on_commit_callbacks
):
    # given: the first attempt fails, the retry is signed on a clock six minutes off
    receiver.answer(500)
    with django_capture_on_commit_callbacks(execute=True):
        make_customer(website=website)
    delivery = Delivery.objects.get()
    skewed = timezone.now() + shift
    services.attempt_delivery(delivery.pk, now=skewed)
    header, body = receiver.requests[1].headers["Patron-Signature"], receiver.requests[1].body

    # when
    results = (
        is_from_patron(subscription.secret, header, body),
        signing.verify(subscription.secret, header, body),
        signing.verify(subscription.secret, header, body, now=skewed.timestamp()),
    )

    # then: refused as a replay, though the signature itself is right
    assert results == (False, False, True)


def test_verify_accepts_up_to_five_minutes_of_clock_difference():
    # given
    body = b'{"id":"1"}'
    header = signing.signature_header("s3cret", body, 1_800_000_000)

    # when
    results = [
        signing.verify("s3cret", header, body, now=1_800_000_000 + offset)
        for offset in (-301, -300, 0, 300, 301)
    ]

    # then
    assert results == [False, True, True, True, False]


@pytest.mark.parametrize(
    "header",
    ["", "t=1800000000", "v1=00", "t=soon,v1=00", "t=1800000000;v1=00"],
    ids=["empty_case", "no_v1_case", "no_t_case", "bad_t_case", "bad_separator_case"],
)
def test_a_malformed_header_fails(header):
    # when
    results = (
        is_from_patron("s3cret", header, b"{}"),
        signing.verify("s3cret", header, b"{}", now=1_800_000_000),
    )

    # then
    assert results == (False, False)


def test_the_copy_in_this_module_is_the_documented_snippet():
    # given
    text = DOCS.read_text()
    section = text[text.index("## Verifying a delivery") :]
    snippet = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)

    # when
    documented = next(node for node in ast.parse(snippet).body if isinstance(node, ast.FunctionDef))
    copied = ast.parse(inspect.getsource(is_from_patron)).body[0]

    # then
    assert ast.dump(documented) == ast.dump(copied)
    assert [ast.unparse(node) for node in ast.parse(snippet).body[:3]] == [
        "import hashlib",
        "import hmac",
        "import time",
    ]
