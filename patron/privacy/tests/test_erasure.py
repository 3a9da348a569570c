"""Erasing a customer (issue 17): the cancel window, the store-credit rule, and an erased account
that keeps no personal value anywhere while its orders and ledger stay as they were."""

import base64
import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models
from django.db.models import Q, Sum

from patron.core.actors import SYSTEM, Actor, ActorKind
from patron.core.errors import Conflict, NotFound
from patron.credit import services as credit
from patron.credit.models import StoreCreditHistory
from patron.customers import services as customers
from patron.customers.models import Address, Customer, NewsletterSubscriber, TimelineEntry
from patron.privacy import erasure
from patron.privacy.models import ErasureRequest, ErasureState
from patron.sales import services as sales
from patron.sales.models import Order, Refund
from patron.segments import services as segments
from patron.segments.models import SegmentMembership
from patron.testing.fixtures import make_staff_user, set_config

EMAIL = "quillon.vexmoor@example.org"
FIRSTNAME, LASTNAME = "Quillon", "Vexmoor"
PHONE = "+49 30 90182736"
NOW = dt.datetime(2026, 5, 4, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def staff_actor(db):
    user = make_staff_user("privacy-officer")
    return Actor(ActorKind.STAFF, user.pk, user.username)


@pytest.fixture
def person(website_a, view_a):
    customer = customers.create_customer(
        website=website_a, email=EMAIL, firstname=FIRSTNAME, lastname=LASTNAME,
        actor=SYSTEM, taxvat="DE999999999", dob=dt.date(1990, 5, 1),
    )  # fmt: skip
    customers.add_address(
        customer=customer, actor=SYSTEM, default_billing=True, default_shipping=True,
        firstname=FIRSTNAME, lastname=LASTNAME, street=["Vexmoorweg 7"], city="Berlin",
        country_id="DE", postcode="10115", telephone=PHONE,
    )  # fmt: skip
    return Customer.objects.get(pk=customer.pk)


@pytest.fixture
def person_with_everything(person, view_a, website_a):
    """A customer with every kind of data Patron keeps about a person."""
    own = Actor(ActorKind.CUSTOMER, person.pk, EMAIL)
    customers.subscribe_newsletter(store_view=view_a, actor=own, source="registration",
                                   customer=person)  # fmt: skip
    customers.add_timeline_note(customer=person, text=f"Called {FIRSTNAME} back", actor=SYSTEM)
    sales.save_product(sku="MUG-1", name="Mug", price=Decimal("12"), actor=SYSTEM)
    address = {"firstname": FIRSTNAME, "lastname": LASTNAME, "street": ["Vexmoorweg 7"],
               "city": "Berlin", "country_id": "DE", "telephone": PHONE}  # fmt: skip
    sales.record_order(
        store_view=view_a, number="100001", customer_id=person.pk, actor=SYSTEM,
        items=[{"sku": "MUG-1", "name": "Mug", "qty": 2, "price": "12", "row_total": "24"}],
        status="complete", currency=website_a.base_currency, subtotal=Decimal("24"),
        grand_total=Decimal("24"), total_qty=Decimal("2"), placed_at=NOW,
        customer_email=EMAIL, customer_name=f"{FIRSTNAME} {LASTNAME}",
        billing_address=address, shipping_address=address,
    )  # fmt: skip
    sales.record_refund(
        store_view=view_a, order_number="100001", number="CM-1", actor=SYSTEM,
        items=[{"sku": "MUG-1", "qty": 1, "row_total": "12"}], grand_total=Decimal("12"),
        refunded_at=NOW,
    )  # fmt: skip
    sales.replace_cart(
        store_view=view_a, customer_id=person.pk, actor=own, currency=website_a.base_currency,
        items=[{"sku": "MUG-1", "name": "Mug", "qty": 1, "price": "12"}],
        subtotal=Decimal("12"), grand_total=Decimal("12"), billing_address=address,
    )  # fmt: skip
    sales.replace_wishlist(customer=person, items=[{"sku": "MUG-1"}], actor=own)
    sales.record_review(
        store_view=view_a, external_id="R1", sku="MUG-1", rating=5, title="Lovely",
        nickname=FIRSTNAME, written_at=NOW, actor=SYSTEM, customer_id=person.pk,
        detail=f"Signed, {FIRSTNAME} {LASTNAME}",
    )  # fmt: skip
    sales.record_product_view(store_view=view_a, external_id="V1", sku="MUG-1", viewed_at=NOW,
                              actor=SYSTEM, customer_id=person.pk)  # fmt: skip
    segment = segments.create_segment(name="Everyone", websites=[website_a], actor=SYSTEM)
    segments.refresh_segment(segment=segment)
    return person


def personal_values_left(values) -> list[str]:
    """Every (model, column) whose text still contains one of ``values``, scanning all text and
    JSON columns of every table."""
    found = []
    text_fields = (models.CharField, models.TextField, models.JSONField)
    for model in apps.get_models():
        columns = [f.name for f in model._meta.concrete_fields if isinstance(f, text_fields)]
        for column in columns:
            query = Q()
            for value in values:
                query |= Q(**{f"{column}__icontains": value})
            if model._default_manager.filter(query).exists():
                found.append(f"{model._meta.label}.{column}")
    return found


def test_a_request_waits_for_the_cancel_window(person, staff_actor):
    # given
    set_config({"customer/privacy/erasure_cancel_days": 10})

    # when
    request = erasure.request_erasure(customer=person, actor=staff_actor, now=NOW)

    # then
    assert request.state == ErasureState.PENDING
    assert request.due_at == NOW + dt.timedelta(days=10)
    assert erasure.erase_due(now=NOW + dt.timedelta(days=9, hours=23)) == []
    assert Customer.objects.get(pk=person.pk).email == EMAIL


def test_a_due_request_is_carried_out(person, staff_actor):
    # given
    request = erasure.request_erasure(customer=person, actor=staff_actor, now=NOW)

    # when
    done = erasure.erase_due(now=request.due_at)

    # then
    request.refresh_from_db()
    assert done == [request.pk]
    assert request.state == ErasureState.COMPLETED
    assert Customer.objects.get(pk=person.pk).email == (
        f"{request.customer_ref.lower()}@erased.invalid"
    )


def test_a_cancelled_request_is_never_carried_out(person, staff_actor):
    # given
    request = erasure.request_erasure(customer=person, actor=staff_actor, now=NOW)

    # when
    erasure.cancel_erasure(customer=person, actor=staff_actor)
    done = erasure.erase_due(now=request.due_at + dt.timedelta(days=1))

    # then
    assert done == []
    assert ErasureRequest.objects.get(pk=request.pk).state == ErasureState.CANCELLED
    assert Customer.objects.get(pk=person.pk).email == EMAIL


def test_cancelling_without_a_request_says_so(person, staff_actor):
    # when / then
    with pytest.raises(NotFound):
        erasure.cancel_erasure(customer=person, actor=staff_actor)


def test_a_second_request_while_one_waits_is_refused(person, staff_actor):
    # given
    erasure.request_erasure(customer=person, actor=staff_actor, now=NOW)

    # when / then
    with pytest.raises(Conflict) as raised:
        erasure.request_erasure(customer=person, actor=staff_actor, now=NOW)
    assert raised.value.code == "erasure_pending"


def test_remaining_store_credit_refuses_the_request_with_the_amount(person, website_a, staff_actor):
    # given
    credit.update_balance(customer=person, website=website_a, delta="25", actor=SYSTEM)

    # when / then
    with pytest.raises(Conflict) as raised:
        erasure.request_erasure(customer=person, actor=staff_actor, now=NOW)
    assert raised.value.code == "store_credit_remains"
    assert "25" in str(raised.value.message)


def test_a_customer_cannot_forfeit_their_own_credit(person, website_a):
    # given
    credit.update_balance(customer=person, website=website_a, delta="25", actor=SYSTEM)
    own = Actor(ActorKind.CUSTOMER, person.pk, EMAIL)

    # when / then
    with pytest.raises(Conflict):
        erasure.request_erasure(customer=person, actor=own, forfeit_credit=True, now=NOW)


def test_staff_confirming_the_forfeit_erase_and_zero_the_balance(person, website_a, staff_actor):
    # given
    credit.update_balance(customer=person, website=website_a, delta="25", actor=SYSTEM)
    request = erasure.request_erasure(
        customer=person, actor=staff_actor, forfeit_credit=True, now=NOW
    )

    # when
    erasure.erase_due(now=request.due_at)

    # then
    last = StoreCreditHistory.objects.filter(balance__customer=person).latest("pk")
    assert (last.action, last.delta, last.balance_after) == ("forfeited", Decimal("-25"), 0)


def test_credit_added_after_the_request_holds_the_erasure_back(person, website_a, staff_actor):
    # given
    request = erasure.request_erasure(customer=person, actor=staff_actor, now=NOW)
    credit.update_balance(customer=person, website=website_a, delta="5", actor=SYSTEM)

    # when
    done = erasure.erase_due(now=request.due_at)

    # then
    assert done == []
    assert ErasureRequest.objects.get(pk=request.pk).state == ErasureState.PENDING


def test_erasure_leaves_no_personal_value_in_any_table(person_with_everything, staff_actor):
    # given
    request = erasure.request_erasure(customer=person_with_everything, actor=staff_actor, now=NOW)
    assert personal_values_left([EMAIL, FIRSTNAME, LASTNAME, PHONE])  # the scan sees them

    # when
    erasure.erase_due(now=request.due_at)

    # then
    assert personal_values_left([EMAIL, FIRSTNAME, LASTNAME, PHONE]) == []


def test_erasure_keeps_orders_refunds_and_the_ledger(person_with_everything, website_a):
    # given
    credit.update_balance(customer=person_with_everything, website=website_a, delta="8",
                          actor=SYSTEM)  # fmt: skip
    staff = Actor(ActorKind.STAFF, None, "officer")
    request = erasure.request_erasure(
        customer=person_with_everything, actor=staff, forfeit_credit=True, now=NOW
    )
    orders_before = Order.objects.filter(customer=person_with_everything).aggregate(
        total=Sum("grand_total")
    )
    ledger_before = list(
        StoreCreditHistory.objects.filter(balance__customer=person_with_everything).values_list(
            "delta", "balance_after"
        )
    )

    # when
    erasure.erase_due(now=request.due_at)

    # then
    orders = Order.objects.filter(customer=person_with_everything)
    assert orders.aggregate(total=Sum("grand_total")) == orders_before
    assert Refund.objects.filter(order__in=orders).count() == 1
    ledger = list(
        StoreCreditHistory.objects.filter(balance__customer=person_with_everything)
        .order_by("pk")
        .values_list("delta", "balance_after")
    )
    assert ledger[: len(ledger_before)] == ledger_before
    assert orders.get().customer_name == request.customer_ref


def test_erasure_removes_addresses_subscriptions_memberships_and_ends_sessions(
    person_with_everything, staff_actor
):
    # given
    version = person_with_everything.session_version
    request = erasure.request_erasure(customer=person_with_everything, actor=staff_actor, now=NOW)

    # when
    erasure.erase_due(now=request.due_at)

    # then
    customer = Customer.objects.get(pk=person_with_everything.pk)
    assert not Address.objects.filter(customer=customer).exists()
    assert not NewsletterSubscriber.objects.filter(customer=customer).exists()
    assert not SegmentMembership.objects.filter(customer=customer).exists()
    assert customer.session_version == version + 1
    assert (customer.is_active, customer.password) == (False, "")


def test_the_timeline_keeps_one_neutral_entry(person_with_everything, staff_actor):
    # given
    request = erasure.request_erasure(customer=person_with_everything, actor=staff_actor, now=NOW)

    # when
    erasure.erase_due(now=request.due_at)

    # then
    entries = TimelineEntry.objects.filter(customer=person_with_everything)
    assert list(entries.values_list("kind", "params", "note", "actor_label")) == [
        ("account_erased", {}, "", "")
    ]


def test_erasure_announces_account_deleted_with_the_reference_only(
    person, staff_actor, django_capture_on_commit_callbacks
):
    # given
    from patron.core import events

    seen = []
    events.subscribe("accountDeleted", dispatch_uid="test-erasure")(seen.append)
    request = erasure.request_erasure(customer=person, actor=staff_actor, now=NOW)

    # when
    try:
        with django_capture_on_commit_callbacks(execute=True):
            erasure.erase_due(now=request.due_at)
    finally:
        events.unsubscribe("accountDeleted", dispatch_uid="test-erasure")

    # then
    (event,) = seen
    assert event.payload["erased"] is True
    assert event.payload["customer_name"] == request.customer_ref
    assert EMAIL not in str(event.payload)


def test_an_erased_account_cannot_be_erased_again(person, staff_actor):
    # given
    request = erasure.request_erasure(customer=person, actor=staff_actor, now=NOW)
    erasure.erase_due(now=request.due_at)

    # when / then
    with pytest.raises(Conflict) as raised:
        erasure.request_erasure(customer=person, actor=staff_actor, now=NOW)
    assert raised.value.code == "already_erased"


def test_no_cancel_window_erases_at_once(person, staff_actor, django_capture_on_commit_callbacks):
    # given
    set_config({"customer/privacy/erasure_cancel_days": 0})

    # when
    with django_capture_on_commit_callbacks(execute=True):
        request = erasure.request_erasure(customer=person, actor=staff_actor)

    # then
    assert ErasureRequest.objects.get(pk=request.pk).state == ErasureState.COMPLETED


def test_the_uploaded_files_are_deleted(person, staff_actor, customer_files,
                                        django_capture_on_commit_callbacks):  # fmt: skip
    # given

    from patron.customers import attributes

    attributes.create_attribute(entity="customer", code="passport", input_type="file",
                                label="Passport", actor=SYSTEM, forms=["customer_account_edit"])  # fmt: skip
    upload = {"name": "passport.pdf", "content_base64": base64.b64encode(b"%PDF-1.4").decode()}
    customers.update_customer(customer=person, actor=SYSTEM, custom_attributes={"passport": upload})
    path = Customer.objects.get(pk=person.pk).custom_attributes["passport"]["path"]
    assert (customer_files / path).exists()
    request = erasure.request_erasure(customer=person, actor=staff_actor, now=NOW)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        erasure.erase_due(now=request.due_at)

    # then
    assert not (customer_files / path).exists()
