"""The customer data export (issue 17): one JSON document with every kind of data Patron holds
about a customer and a ZIP with it and the uploaded files; requested by staff, integrations or
the customer, built by a task, downloadable once through an expiring link, logged."""

import base64
import datetime as dt
import io
import json
import re
import zipfile
from decimal import Decimal

import pytest
from django.core import mail

from patron.accounts.tests.factories import query_of
from patron.assistance import services as assistance
from patron.assistance import settings_fields as assistance_fields
from patron.core.actors import SYSTEM, Actor, ActorKind
from patron.core.errors import Conflict, Forbidden
from patron.core.scheduler import periodic_jobs
from patron.credit import services as credit
from patron.customers import attributes
from patron.customers import services as customers
from patron.customers.models import TimelineEntry
from patron.customers.services import issue_customer_token
from patron.customers.tests.factories import make_customer, shopper_headers
from patron.dashboard.tests.factories import PASSWORD, nav_links, signed_in
from patron.mail.models import OutboxMessage
from patron.privacy import consent, exports
from patron.privacy.exports import document
from patron.privacy.models import DataExport, ExportState
from patron.sales import services as sales
from patron.segments import services as segments
from patron.testing.fixtures import bearer, make_integration_token, make_staff_user, set_config

NOW = dt.datetime(2026, 5, 4, 12, 0, tzinfo=dt.UTC)
REQUEST = "privacy.add_dataexport"
VIEW = "privacy.view_dataexport"
LINK = "/privacy/data-export/"
PAGE = "/customer/privacy/"
PASSPORT = b"%PDF-1.4 passport scan"
DOORBELL = b"doorbell photo bytes"


@pytest.fixture(autouse=True)
def export_files(tmp_path, settings):
    """The private storage of exports, in a temporary folder for the test."""
    location = tmp_path / "exports"
    settings.STORAGES = {
        **settings.STORAGES,
        "data_exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location), "base_url": None},
        },
    }
    return location


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the block's on-commit work (the build task, mail delivery) as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def officer(db):
    return make_staff_user("officer", permissions=["customers.view_customer", VIEW, REQUEST])


@pytest.fixture
def shopper(view_a):
    return make_customer("ada@example.com", store_view=view_a, password=PASSWORD)


def upload(name: str, content: bytes) -> dict:
    return {"name": name, "content_base64": base64.b64encode(content).decode()}


@pytest.fixture
def everything(view_a, website_a, officer, customer_files):
    """A customer with every kind of data Patron keeps, each built through its app's service."""
    customer = make_customer("ada@example.com", store_view=view_a, password=PASSWORD)
    own = Actor.customer(customer)
    attributes.create_attribute(
        entity="customer", code="loyalty_code", input_type="text", label="Loyalty Code",
        actor=SYSTEM,
    )  # fmt: skip
    attributes.create_attribute(
        entity="customer", code="passport", input_type="file", label="Passport", actor=SYSTEM
    )
    attributes.create_attribute(
        entity="address", code="door_code", input_type="text", label="Door Code", actor=SYSTEM
    )
    attributes.create_attribute(
        entity="address", code="doorbell", input_type="file", label="Doorbell", actor=SYSTEM
    )
    customers.update_customer(
        customer=customer, actor=SYSTEM,
        custom_attributes={"loyalty_code": "GOLD-7", "passport": upload("scan.pdf", PASSPORT)},
    )  # fmt: skip
    address = customers.add_address(
        customer=customer, actor=SYSTEM, default_billing=True, firstname="Ada",
        lastname="Lovelace", street=["12 Analytical Row"], city="Boston", country_id="US",
        region="Massachusetts", region_code="MA", postcode="02108",
        telephone="+1 617 555 0100",
        custom_attributes={"door_code": "4711", "doorbell": upload("bell.jpg", DOORBELL)},
    )  # fmt: skip
    customers.subscribe_newsletter(
        store_view=view_a, actor=own, source="registration", customer=customer
    )
    set_config({assistance_fields.ENABLED: True})
    customers.set_assistance_consent(customer=customer, allowed=True, actor=own)
    for kind in ("newsletter", "remote_assistance"):
        consent.record_consent(
            customer=customer, kind=kind, granted=True, channel="storefront",
            method="account", store_view=view_a, actor=own,
        )  # fmt: skip
    sales.save_product(sku="MUG-1", name="Mug", price=Decimal("12"), actor=SYSTEM)
    sales.record_order(
        store_view=view_a, number="100001", customer_id=customer.pk, actor=SYSTEM,
        items=[{"sku": "MUG-1", "name": "Mug", "qty": 2, "price": "12", "row_total": "24"}],
        status="complete", currency=website_a.base_currency, subtotal=Decimal("24"),
        grand_total=Decimal("24"), total_qty=Decimal("2"), placed_at=NOW,
        customer_email=customer.email, customer_name="Ada Lovelace",
    )  # fmt: skip
    sales.record_refund(
        store_view=view_a, order_number="100001", number="CM-1", actor=SYSTEM,
        items=[{"sku": "MUG-1", "qty": 1, "row_total": "12"}], grand_total=Decimal("12"),
        refunded_at=NOW,
    )  # fmt: skip
    sales.replace_cart(
        store_view=view_a, customer_id=customer.pk, actor=own,
        currency=website_a.base_currency, items=[{"sku": "MUG-1", "qty": 3, "price": "12"}],
        subtotal=Decimal("36"), grand_total=Decimal("36"),
    )  # fmt: skip
    sales.replace_wishlist(customer=customer, items=[{"sku": "MUG-1"}], actor=own)
    sales.record_review(
        store_view=view_a, external_id="R1", sku="MUG-1", rating=5, title="Lovely mug",
        nickname="Ada", written_at=NOW, actor=SYSTEM, customer_id=customer.pk,
    )  # fmt: skip
    sales.record_product_view(
        store_view=view_a, external_id="V1", sku="MUG-1", viewed_at=NOW, actor=SYSTEM,
        customer_id=customer.pk,
    )  # fmt: skip
    credit.update_balance(
        customer=customer, website=website_a, delta=Decimal("15"), actor=SYSTEM,
        comment="Welcome gift",
    )  # fmt: skip
    segment = segments.create_segment(name="Everyone", websites=[website_a], actor=SYSTEM)
    segments.refresh_segment(segment=segment)
    customers.add_timeline_note(customer=customer, text="Called back", actor=SYSTEM)
    helper = make_staff_user("helper", permissions=["assistance.login_as_customer"])
    session, secret = assistance.start_assistance(
        customer=customer, actor=Actor.staff(helper), may=True, staff_user=helper
    )
    assistance.redeem_secret(secret)
    assistance.record_action(session, method="POST", path="/customer/account/edit/", status=302)
    customer.refresh_from_db()
    customer.test_address = address
    return customer


def build(customer, actor: Actor, committed, **options) -> DataExport:
    """Request an export and run its build as the commit would."""
    with committed():
        export = exports.request_export(customer=customer, actor=actor, **options)
    export.refresh_from_db()
    return export


def unzip(content: bytes) -> tuple[dict, zipfile.ZipFile]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return json.loads(archive.read("data.json")), archive


def staff_copy(customer, officer, committed) -> tuple[dict, zipfile.ZipFile]:
    """Build an export as staff and read its archive through a download."""
    export = build(customer, Actor.staff(officer), committed)
    download = exports.take_download(export=export, actor=Actor.staff(officer))
    with download.file:
        content = download.file.read()
    return unzip(content)


def link_of(message) -> dict[str, str]:
    url = re.search(r"https?://\S+/privacy/data-export/\S+", message.body).group(0)
    return query_of(url)


# --- What the export holds ----------------------------------------------------------------------


def test_the_export_holds_every_kind_of_data_of_a_customer_who_has_them_all(
    everything, officer, committed
):
    # when
    data, _archive = staff_copy(everything, officer, committed)

    # then
    assert data["format"] == "patron.customer-data/1"
    account = data["account"]
    assert (account["id"], account["email"], account["firstname"]) == (
        everything.pk, "ada@example.com", "Ada",
    )  # fmt: skip
    assert {a["label"]: a["display"] for a in account["custom_attributes"]} == {
        "Loyalty Code": "GOLD-7",
        "Passport": "scan.pdf",
    }
    [address] = data["addresses"]
    assert (address["city"], address["is_default_billing"]) == ("Boston", True)
    assert {a["label"]: a["display"] for a in address["custom_attributes"]} == {
        "Door Code": "4711",
        "Doorbell": "bell.jpg",
    }
    assert [s["status"] for s in data["newsletter_subscriptions"]] == ["subscribed"]
    assert sorted(r["kind"] for r in data["consent_records"]) == ["newsletter", "remote_assistance"]
    [order] = data["orders"]
    assert (order["number"], order["grand_total"]) == ("100001", "24.0000")
    assert [(i["sku"], i["qty"]) for i in order["items"]] == [("MUG-1", "2.0000")]
    assert [(r["number"], r["items"][0]["sku"]) for r in order["refunds"]] == [("CM-1", "MUG-1")]
    assert [[i["sku"] for i in c["items"]] for c in data["carts"]] == [["MUG-1"]]
    assert [w["product"]["sku"] for w in data["wishlist"]] == ["MUG-1"]
    assert [r["title"] for r in data["reviews"]] == ["Lovely mug"]
    assert [v["external_id"] for v in data["product_views"]] == ["V1"]
    assert [(b["amount"], b["website"]) for b in data["store_credit_balances"]] == [
        ("15.0000", "base")
    ]
    assert [(e["delta"], e["comment"]) for e in data["store_credit_history"]] == [
        ("15.0000", "Welcome gift")
    ]
    [membership] = data["segment_memberships"]
    assert (membership["segment"], membership["left_at"]) == ("Everyone", None)
    assert membership["joined_at"]
    kinds = {entry["kind"] for entry in data["timeline"]}
    assert {"account_created", "note", "store_credit_changed", "data_export_requested"} <= kinds
    [session] = data["assisted_sessions"]
    assert [(a["method"], a["path"]) for a in session["actions"]] == [
        ("POST", "/customer/account/edit/")
    ]
    assert sorted(f["path"] for f in data["files"]) == [
        f"files/addresses/{everything.test_address.pk}/doorbell/bell.jpg",
        "files/customer/passport/scan.pdf",
    ]


def test_the_zip_holds_the_uploaded_files(everything, officer, committed):
    # when
    data, archive = staff_copy(everything, officer, committed)

    # then
    passport = next(a for a in data["account"]["custom_attributes"] if a["code"] == "passport")
    assert archive.read(passport["value"]["file"]) == PASSPORT
    assert archive.read(f"files/addresses/{everything.test_address.pk}/doorbell/bell.jpg") == (
        DOORBELL
    )
    assert "path" not in passport["value"]  # the storage path stays private


def test_nothing_of_another_customer_is_exported(everything, view_a, website_a, officer, committed):
    # given
    other = make_customer("grace@example.com", store_view=view_a, firstname="Grace")
    sales.record_order(
        store_view=view_a, number="OTHER-9", customer_id=other.pk, actor=SYSTEM,
        items=[{"sku": "MUG-1", "name": "Mug", "qty": 1, "price": "12", "row_total": "12"}],
        status="complete", currency=website_a.base_currency, subtotal=Decimal("12"),
        grand_total=Decimal("12"), total_qty=Decimal("1"), placed_at=NOW,
        customer_email=other.email,
    )  # fmt: skip
    customers.add_timeline_note(customer=other, text="Grace's secret note", actor=SYSTEM)
    credit.update_balance(
        customer=other, website=website_a, delta=Decimal("99"), actor=SYSTEM, comment="Graces"
    )

    # when
    data, _archive = staff_copy(everything, officer, committed)

    # then
    text = json.dumps(data)
    for value in ("grace@example.com", "OTHER-9", "Grace's secret note", "Graces", "99.0000"):
        assert value not in text
    assert [order["number"] for order in data["orders"]] == ["100001"]


def test_no_password_hash_or_secret_digest_is_exported(everything, officer, committed):
    # given
    issue_customer_token(customer=everything)
    secrets = [everything.password, *everything.tokens.values_list("secret_digest", flat=True)]

    # when
    data, _archive = staff_copy(everything, officer, committed)

    # then
    text = json.dumps(data)
    assert everything.password
    assert not [secret for secret in secrets if secret in text]
    assert "password" not in data["account"]
    assert [sorted(token) for token in data["api_tokens"]] == [
        ["created_at", "expires_at", "id", "last_used_at", "prefix"]
    ]


def test_long_lists_are_read_in_chunks_and_exported_whole(
    shopper, view_a, website_a, officer, committed, monkeypatch
):
    # given: more orders than a chunk
    monkeypatch.setattr(document, "CHUNK", 2)
    sales.save_product(sku="MUG-1", name="Mug", price=Decimal("12"), actor=SYSTEM)
    for number in range(5):
        sales.record_order(
            store_view=view_a, number=f"A{number}", customer_id=shopper.pk, actor=SYSTEM,
            items=[{"sku": "MUG-1", "name": "Mug", "qty": 1, "price": "12", "row_total": "12"}],
            status="complete", currency=website_a.base_currency, subtotal=Decimal("12"),
            grand_total=Decimal("12"), total_qty=Decimal("1"),
            placed_at=NOW + dt.timedelta(minutes=number), customer_email=shopper.email,
        )  # fmt: skip

    # when
    data, _archive = staff_copy(shopper, officer, committed)

    # then
    assert [o["number"] for o in data["orders"]] == ["A0", "A1", "A2", "A3", "A4"]
    assert [len(o["items"]) for o in data["orders"]] == [1] * 5


# --- Requests and their log ---------------------------------------------------------------------


def test_a_request_is_logged_with_its_actor_and_on_the_timeline(shopper, officer, committed):
    # when
    export = build(shopper, Actor.staff(officer), committed)

    # then
    assert (export.actor_kind, export.actor_label, export.customer_ref) == (
        "staff", "officer", str(shopper.pk),
    )  # fmt: skip
    assert export.state == ExportState.READY
    entry = TimelineEntry.objects.get(customer=shopper, kind="data_export_requested")
    assert (entry.actor_kind, entry.actor_label, entry.params) == (
        "staff", "officer", {"export_id": str(export.pk)},
    )  # fmt: skip


def test_a_second_request_while_one_is_prepared_is_refused(shopper, officer):
    # given: the first build has not run (its task waits for the commit)
    exports.request_export(customer=shopper, actor=Actor.staff(officer))

    # when
    with pytest.raises(Conflict) as error:
        exports.request_export(customer=shopper, actor=Actor.staff(officer))

    # then
    assert error.value.code == "export_pending"
    assert DataExport.objects.filter(customer=shopper).count() == 1


def test_staff_logged_in_as_the_customer_cannot_export_their_data(shopper, officer, committed):
    # given
    assisted = Actor(ActorKind.CUSTOMER, shopper.pk, "ada", on_behalf_of_staff_id=officer.pk)
    ready = build(shopper, Actor.customer(shopper), committed)

    # when / then
    with pytest.raises(Forbidden) as requesting:
        exports.request_export(customer=shopper, actor=assisted)
    with pytest.raises(Forbidden) as downloading:
        exports.take_download(export=ready, actor=assisted)
    assert requesting.value.code == downloading.value.code == "not_while_assisting"
    assert DataExport.objects.get(pk=ready.pk).state == ExportState.READY


def test_a_build_for_a_deleted_customer_is_recorded_as_failed(shopper, officer):
    # given
    export = exports.request_export(customer=shopper, actor=Actor.staff(officer))
    customers.delete_customer(customer=shopper, actor=SYSTEM)

    # when
    export = exports.build_export(export_id=str(export.pk))

    # then
    assert (export.state, export.error) == (ExportState.FAILED, "The customer no longer exists.")


# --- The single-use link ------------------------------------------------------------------------


def test_a_customers_request_is_emailed_as_a_link_that_is_redacted_in_the_outbox(
    shopper, view_a, committed
):
    # when
    export = build(shopper, Actor.customer(shopper), committed, store_view=view_a)

    # then
    [message] = mail.outbox
    assert message.to == ["ada@example.com"]
    link = link_of(message)
    assert link["id"] == str(export.pk)
    stored = OutboxMessage.objects.get(template_code="customer_data_export_ready")
    assert link["token"] not in stored.body_text
    assert "[redacted]" in stored.body_text


def test_a_staff_request_sends_no_email(shopper, officer, committed):
    # when
    build(shopper, Actor.staff(officer), committed)

    # then
    assert mail.outbox == []


def test_the_link_downloads_once_and_then_answers_410(
    client, shopper, view_a, committed, export_files
):
    # given
    export = build(shopper, Actor.customer(shopper), committed, store_view=view_a)
    link = link_of(mail.outbox[0])

    # when
    page = client.get(LINK, link)
    download = client.post(LINK, link)
    content = b"".join(download.streaming_content)
    again = client.post(LINK, link)
    page_again = client.get(LINK, link)

    # then
    assert page.status_code == 200
    assert 'name="token"' in page.content.decode()
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    data, _archive = unzip(content)
    assert data["account"]["email"] == "ada@example.com"
    assert (again.status_code, page_again.status_code) == (410, 410)
    assert "already downloaded" in again.content.decode()
    assert DataExport.objects.get(pk=export.pk).state == ExportState.DOWNLOADED
    assert list(export_files.iterdir()) == []  # deleted once the response was sent
    assert TimelineEntry.objects.filter(customer=shopper, kind="data_export_downloaded").exists()


def test_a_link_with_a_wrong_token_is_not_found(client, shopper, view_a, committed):
    # given
    export = build(shopper, Actor.customer(shopper), committed, store_view=view_a)

    # when
    response = client.post(LINK, {"id": str(export.pk), "token": "guessed"})

    # then
    assert response.status_code == 404
    assert DataExport.objects.get(pk=export.pk).state == ExportState.READY


def test_the_link_lives_as_long_as_the_setting_says(shopper, view_a, committed):
    # given
    set_config({"customer/privacy/export_link_hours": 5})

    # when
    export = build(shopper, Actor.customer(shopper), committed, store_view=view_a)

    # then
    assert export.expires_at - export.ready_at == dt.timedelta(hours=5)
    assert "expires in 5 hours" in mail.outbox[0].body


def test_an_expired_link_answers_410(client, shopper, view_a, committed, monkeypatch):
    # given
    export = build(shopper, Actor.customer(shopper), committed, store_view=view_a)
    link = link_of(mail.outbox[0])
    later = export.expires_at + dt.timedelta(seconds=1)
    monkeypatch.setattr(exports, "_now", lambda: later)

    # when
    response = client.post(LINK, link)

    # then
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert DataExport.objects.get(pk=export.pk).state == ExportState.READY


def test_the_cleanup_expires_links_and_deletes_their_files(
    shopper, officer, view_a, committed, export_files
):
    # given
    ready = build(shopper, Actor.customer(shopper), committed, store_view=view_a)
    assert [p.name for p in export_files.iterdir()] == [ready.file_name]

    # when
    early = exports.expire_exports(now=ready.expires_at - dt.timedelta(minutes=1))
    due = exports.expire_exports(now=ready.expires_at)

    # then
    assert (early, due) == (0, 1)
    assert DataExport.objects.get(pk=ready.pk).state == ExportState.EXPIRED
    assert list(export_files.iterdir()) == []
    assert "privacy.expire_data_exports" in [job.code for job in periodic_jobs()]


# --- The customer's Privacy page ----------------------------------------------------------------


def test_privacy_is_in_the_account_navigation(client, shopper):
    # when
    response = signed_in(client, shopper).get(PAGE)

    # then
    assert response.status_code == 200
    assert ("Privacy", PAGE, True) in nav_links(response)


def test_the_customer_requests_and_downloads_their_data_from_the_page(client, shopper, committed):
    # given
    signed_in(client, shopper)

    # when
    with committed():
        requested = client.post(PAGE, {"action": "request_export"})
    export = DataExport.objects.get(customer=shopper)
    page = client.get(PAGE)
    url = f"/customer/privacy/exports/{export.pk}/download/"
    download = client.post(url)
    content = b"".join(download.streaming_content)
    again = client.post(url)

    # then
    assert requested.status_code == 302
    assert (export.actor_kind, export.actor_id) == ("customer", shopper.pk)
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]
    assert url in page.content.decode()
    assert unzip(content)[0]["account"]["id"] == shopper.pk
    assert again.status_code == 410


def test_a_customer_cannot_download_another_customers_export(client, shopper, view_a, committed):
    # given
    other = make_customer("grace@example.com", store_view=view_a)
    theirs = build(other, Actor.customer(other), committed, store_view=view_a)

    # when
    response = signed_in(client, shopper).post(f"/customer/privacy/exports/{theirs.pk}/download/")

    # then
    assert response.status_code == 404
    assert DataExport.objects.get(pk=theirs.pk).state == ExportState.READY


# --- The customer page's Privacy section --------------------------------------------------------


def section_url(customer) -> str:
    return f"/admin/customers/customer/{customer.pk}/change/?section=privacy"


@pytest.mark.parametrize(
    ("permissions", "sees_section", "may_request"),
    [
        pytest.param([], False, False, id="without-permission"),
        pytest.param([VIEW], True, False, id="view-only"),
        pytest.param([VIEW, REQUEST], True, True, id="view-and-request"),
    ],
)
def test_staff_need_the_permission_to_see_and_request_exports(
    client, shopper, committed, permissions, sees_section, may_request
):
    # given
    client.force_login(
        make_staff_user("clerk", permissions=["customers.view_customer", *permissions])
    )

    # when
    page = client.get(section_url(shopper))
    with committed():
        posted = client.post(section_url(shopper), {"action": "request_export"})

    # then
    assert (page.status_code == 200) is sees_section
    assert ("Request Data Export" in page.content.decode()) is may_request
    assert posted.status_code == (302 if may_request else 404 if not sees_section else 403)
    assert DataExport.objects.filter(customer=shopper).count() == (1 if may_request else 0)


def test_staff_download_their_export_once_from_the_section(client, shopper, officer, committed):
    # given
    client.force_login(officer)
    with committed():
        client.post(section_url(shopper), {"action": "request_export"})
    export = DataExport.objects.get(customer=shopper)

    # when
    page = client.get(section_url(shopper))
    form = {"action": "download_export", "export": str(export.pk)}
    download = client.post(section_url(shopper), form)
    content = b"".join(download.streaming_content)
    again = client.post(section_url(shopper), form, follow=True)

    # then
    assert 'value="download_export"' in page.content.decode()
    assert unzip(content)[0]["account"]["id"] == shopper.pk
    assert "already downloaded" in again.content.decode()
    assert DataExport.objects.get(pk=export.pk).downloaded_at is not None


def test_a_customers_own_export_is_not_downloadable_by_staff(
    client, shopper, officer, view_a, committed
):
    # given
    export = build(shopper, Actor.customer(shopper), committed, store_view=view_a)
    client.force_login(officer)

    # when
    page = client.get(section_url(shopper))
    posted = client.post(
        section_url(shopper), {"action": "download_export", "export": str(export.pk)}, follow=True
    )

    # then
    assert 'value="download_export"' not in page.content.decode()
    assert "Sent to the customer" in page.content.decode()
    assert "goes to the customer" in posted.content.decode()
    assert DataExport.objects.get(pk=export.pk).state == ExportState.READY


# --- API ----------------------------------------------------------------------------------------


def api_url(customer, *parts: str) -> str:
    return "/".join([f"/api/v1/customers/{customer.pk}/data-exports", *parts])


@pytest.mark.parametrize(
    ("permissions", "status"),
    [
        pytest.param(None, 401, id="anonymous"),
        pytest.param([VIEW], 403, id="without-the-permission"),
        pytest.param([REQUEST], 202, id="with-the-permission"),
    ],
)
def test_integrations_need_the_permission_to_request_an_export(
    client, shopper, committed, permissions, status
):
    # given
    headers = {}
    if permissions is not None:
        _token, secret = make_integration_token("Helpdesk", permissions=permissions)
        headers = bearer(secret)

    # when
    with committed():
        response = client.post(api_url(shopper), **headers)

    # then
    assert response.status_code == status
    assert DataExport.objects.filter(customer=shopper).count() == (1 if status == 202 else 0)


def test_an_integration_requests_watches_and_downloads_an_export_once(client, shopper, committed):
    # given
    _token, secret = make_integration_token("Helpdesk", permissions=[REQUEST, VIEW])

    # when
    with committed():
        requested = client.post(api_url(shopper), **bearer(secret))
    export_id = requested.json()["id"]
    status = client.get(api_url(shopper, export_id), **bearer(secret))
    download = client.get(status.json()["download_url"], **bearer(secret))
    content = b"".join(download.streaming_content)
    again = client.get(api_url(shopper, export_id, "file"), **bearer(secret))
    after = client.get(api_url(shopper, export_id), **bearer(secret))

    # then
    assert requested.status_code == 202
    assert (requested.json()["state"], requested.json()["requested_by"]) == (
        "pending", "integration",
    )  # fmt: skip
    assert status.json()["state"] == "ready"
    assert unzip(content)[0]["account"]["id"] == shopper.pk
    assert (again.status_code, again.json()["code"]) == (410, "export_gone")
    assert (after.json()["state"], after.json()["download_url"]) == ("downloaded", None)


def test_the_customer_requests_their_own_export_with_their_token(client, shopper, committed):
    # given
    headers = shopper_headers(issue_customer_token(customer=shopper), "default")

    # when
    with committed():
        requested = client.post("/api/v1/me/data-exports", **headers)
    export_id = requested.json()["id"]
    status = client.get(f"/api/v1/me/data-exports/{export_id}", **headers)
    staff_route = client.post(api_url(shopper), **headers)

    # then
    assert requested.status_code == 202
    assert requested.json()["requested_by"] == "customer"
    assert (status.json()["state"], status.json()["download_url"]) == ("ready", None)
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]
    assert staff_route.status_code == 401
