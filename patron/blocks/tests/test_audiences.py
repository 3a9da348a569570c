"""Dynamic blocks targeted at audiences from a customer data platform (spec c §11.5 "Audiences",
check 45 restated for the API): stored members, the signed header and cookie, inactive
audiences, Audience Activation switched off, and the API's audience ids."""

import json
import time

import pytest

from patron.audiences import services as audiences
from patron.blocks import services
from patron.blocks.models import BlockType
from patron.blocks.tests.conftest import make_block, names
from patron.core.actors import SYSTEM
from patron.testing.fixtures import (
    bearer,
    default_website,
    make_integration_token,
    set_config,
)

SECRET = "block-secret"


@pytest.fixture
def activated(db):
    set_config({"audiences/general/enabled": True, "audiences/request/secret": SECRET})


def audience(external_id: str, **fields):
    fields.setdefault("websites", [default_website()])
    return audiences.save_audience(
        actor=SYSTEM, external_id=external_id, name=external_id, **fields
    )


def signed(*ids: str, expires_in: int = 300) -> str:
    return audiences.sign(ids, expires=int(time.time()) + expires_in, secret=SECRET)


def header(view, **shopper):
    return names(services.blocks_for(placement=BlockType.HEADER, store_view=view, **shopper))


def test_a_stored_member_of_an_audience_sees_its_block_and_others_do_not(
    activated, view_a, ada, bob
):
    # given
    loyal = audience("loyal")
    audiences.push_members(audience=loyal, actor=SYSTEM, add=[ada.pk])
    make_block("For loyal", audiences=[loyal])

    # when / then
    assert header(view_a, customer=ada) == ["For loyal"]
    assert header(view_a, customer=bob) == []
    assert header(view_a) == []


def test_a_guest_sees_the_block_of_an_audience_their_verified_request_carries(activated, view_a):
    # given: blocks for X and for Y; the request carries X only
    make_block("For X", audiences=[audience("X")])
    make_block("For Y", audiences=[audience("Y")])
    carried = audiences.request_audience_ids(signed("X"))

    # when / then
    assert header(view_a, audience_ids=carried) == ["For X"]


def test_an_inactive_audience_counts_for_nobody(activated, view_a, ada):
    # given
    paused = audience("paused", is_active=False)
    audiences.push_members(audience=paused, actor=SYSTEM, add=[ada.pk])
    make_block("For paused", audiences=[paused])

    # when / then
    assert header(view_a, customer=ada) == []
    assert header(view_a, audience_ids=["paused"]) == []


def test_with_audience_activation_off_audience_blocks_are_hidden_and_others_shown(view_a, ada):
    # given: activation is off by default
    loyal = audience("loyal")
    audiences.push_members(audience=loyal, actor=SYSTEM, add=[ada.pk])
    make_block("For loyal", audiences=[loyal])
    make_block("For everyone")

    # when / then
    assert header(view_a, customer=ada, audience_ids=["loyal"]) == ["For everyone"]


def test_a_block_with_a_segment_and_an_audience_shows_to_members_of_either(
    activated, view_a, ada, bob
):
    # given: Ada is in the audience only, Bob in neither
    from patron.blocks.tests.conftest import members_segment

    segment = members_segment(bob, name="Only Bob")
    loyal = audience("loyal")
    audiences.push_members(audience=loyal, actor=SYSTEM, add=[ada.pk])
    make_block("Either", audiences=[loyal], segments=[segment])

    # when / then
    assert header(view_a, customer=ada) == ["Either"]
    assert header(view_a, customer=bob) == ["Either"]
    assert header(view_a) == []


def test_the_shopper_api_reads_the_signed_header_and_lists_each_blocks_audiences(
    activated, client, view_a
):
    # given: check 45 restated: a header naming X and Y gets the blocks of X or Y, with their ids
    make_block("For X", audiences=[audience("X")])
    make_block("For Y", audiences=[audience("Y")])
    make_block("For Z", audiences=[audience("Z")])

    # when
    answer = client.get(
        "/api/v1/blocks", {"placement": "header"}, HTTP_X_PATRON_STORE=view_a.code,
        HTTP_AEP_SEGMENTS_MEMBERSHIP=signed("X", "Y"),
    )  # fmt: skip
    unsigned = client.get(
        "/api/v1/blocks", {"placement": "header"}, HTTP_X_PATRON_STORE=view_a.code,
        HTTP_AEP_SEGMENTS_MEMBERSHIP="X%2CY",
    )  # fmt: skip

    # then
    assert answer.status_code == 200
    assert [(b["name"], b["audiences"]) for b in answer.json()] == [
        ("For X", ["X"]), ("For Y", ["Y"]),
    ]  # fmt: skip
    assert unsigned.json() == []


def test_staff_api_targets_blocks_by_audience_id_and_filters_by_it(activated, client, view_a):
    # given
    audience("loyal")
    _token, secret = make_integration_token(
        permissions=["blocks.add_contentblock", "blocks.view_contentblock"]
    )

    # when
    created = client.post(
        "/api/v1/content-blocks", json.dumps({
            "name": "Loyal", "type": "header", "all_store_views": True, "audiences": ["loyal"],
        }), content_type="application/json", **bearer(secret),
    )  # fmt: skip
    unknown = client.post(
        "/api/v1/content-blocks", json.dumps({
            "name": "Nobody", "type": "header", "all_store_views": True, "audiences": ["nope"],
        }), content_type="application/json", **bearer(secret),
    )  # fmt: skip
    listed = client.get("/api/v1/content-blocks", {"audience": "loyal"}, **bearer(secret))

    # then
    assert created.status_code == 201
    assert created.json()["audiences"] == ["loyal"]
    assert unknown.status_code == 400
    assert unknown.json()["field"] == "audiences"
    assert [b["name"] for b in listed.json()["items"]] == ["Loyal"]


def test_the_audience_cookie_shows_its_blocks_on_a_shopper_page(activated, client, view_a):
    # given
    make_block("Cookie block", audiences=[audience("X")], html="<p>Cookie block</p>")

    # when
    client.cookies["patron_audiences"] = signed("X")
    with_cookie = client.get("/customer/account/login/")
    client.cookies["patron_audiences"] = signed("X", expires_in=-10)
    expired = client.get("/customer/account/login/")

    # then
    assert "Cookie block" in with_cookie.content.decode()
    assert "Cookie block" not in expired.content.decode()
