"""The store credit ledger (patron.credit.services): per-website balances changed only by
history rows, staff updates and their email, spending and reverting once per order, refunds to
store credit (chosen, or automatic), expiring credit, timeline entries and storeCreditChanged
events. Checkout calls through the API are in test_api.py."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.db.models import Sum
from django.utils import timezone

from patron.core import events
from patron.core.actors import SYSTEM, Actor
from patron.core.errors import Conflict, InvalidInput, NotFound
from patron.credit import services
from patron.credit.models import CreditAction, StoreCreditBalance, StoreCreditHistory
from patron.customers.models import TimelineEntry
from patron.customers.tests.factories import share_accounts
from patron.mail.models import OutboxMessage
from patron.sales import services as sales
from patron.sales.models import Cart
from patron.testing.fixtures import make_staff_user, set_config

TEMPLATE = "customer_store_credit_update_email_template"
PLACED = dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)
REFUNDED = dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC)


# --- Fixtures and helpers shared with test_api.py -----------------------------------------------


@pytest.fixture
def global_accounts(db):
    """Accounts shared by all websites, so one customer can hold a balance on each."""
    share_accounts("global")


@pytest.fixture
def credit_events():
    """The storeCreditChanged events dispatched during a test, as payloads."""
    received: list[dict] = []

    @events.subscribe("storeCreditChanged", dispatch_uid="credit-tests-recorder")
    def record(event):
        received.append(event.payload)

    yield received
    events.unsubscribe("storeCreditChanged", dispatch_uid="credit-tests-recorder")


@pytest.fixture
def mug(db):
    return sales.save_product(sku="MUG", name="Mug", price=Decimal("100.00"), actor=SYSTEM)


def credit(customer, amount, website=None, **options):
    """Staff add ``amount`` to the customer's balance on ``website`` (theirs by default)."""
    return services.update_balance(
        customer=customer, website=website or customer.website, delta=Decimal(amount),
        actor=options.pop("actor", SYSTEM), **options,
    )  # fmt: skip


def balance(customer, website=None) -> Decimal:
    return services.balance_of(customer, website or customer.website)


def rows(customer) -> list[tuple[str, Decimal, Decimal, str]]:
    """(action, delta, balance after, reference) of every history row, oldest first."""
    entries = StoreCreditHistory.objects.filter(balance__customer=customer).order_by("pk")
    return [(e.action, e.delta, e.balance_after, e.reference) for e in entries]


def lots(customer, website=None) -> list[Decimal]:
    """What is left of each lot, oldest first."""
    found = StoreCreditBalance.objects.get(customer=customer, website=website or customer.website)
    return [lot.remaining for lot in found.lots.order_by("pk")]


def place_order(view, number, customer=None, total="100.00", mug_qty=1, currency="USD"):
    """Record an order of ``total`` (one mug per 100) placed by ``customer`` (None: a guest)."""
    order, _result = sales.record_order(
        store_view=view, number=number, actor=SYSTEM,
        items=[{"sku": "MUG", "name": "Mug", "qty": Decimal(mug_qty), "price": Decimal(total)}],
        customer_id=getattr(customer, "pk", None),
        customer_email=customer.email if customer else "guest@example.com",
        status="complete", currency=currency, subtotal=Decimal(total),
        grand_total=Decimal(total),
        placed_at=PLACED,
    )  # fmt: skip
    return order


def report_refund(view, order_number, number, total, to_store_credit="0"):
    refund, _result = sales.record_refund(
        store_view=view, order_number=order_number, number=number, actor=SYSTEM,
        items=[], grand_total=Decimal(total), to_store_credit=Decimal(to_store_credit),
        refunded_at=REFUNDED,
    )  # fmt: skip
    return refund


def make_cart(view, customer, grand_total="100.00", currency="USD"):
    return sales.replace_cart(
        store_view=view, actor=SYSTEM, customer_id=customer.pk, currency=currency,
        subtotal=Decimal(grand_total), grand_total=Decimal(grand_total),
        items=[{"sku": "MUG", "qty": Decimal(1), "price": Decimal(grand_total)}],
    )  # fmt: skip


# --- Per-website balances and staff updates -----------------------------------------------------


def test_an_update_on_one_website_leaves_the_others_unchanged(
    customer, website_a, website_b, global_accounts
):
    # given: balance 0 on website A after earlier changes (check 29)
    credit(customer, "20", website_a)
    credit(customer, "-20", website_a)
    before = StoreCreditHistory.objects.count()

    # when
    entry = credit(customer, "50", website_a, comment="  Goodwill for the late parcel ")

    # then
    assert balance(customer, website_a) == Decimal(50)
    assert balance(customer, website_b) == Decimal(0)
    assert not StoreCreditBalance.objects.filter(customer=customer, website=website_b).exists()
    assert StoreCreditHistory.objects.count() == before + 1
    assert (entry.action, entry.delta, entry.balance_after) == (
        CreditAction.UPDATED, Decimal(50), Decimal(50)
    )  # fmt: skip
    assert entry.comment == "Goodwill for the late parcel"
    assert entry.balance.website == website_a
    assert entry.balance.currency == website_a.base_currency


def test_the_first_change_of_a_website_balance_is_created(customer, website_a, website_b):
    # given
    share_accounts("global")
    credit(customer, "5", website_a)

    # when
    first_on_b = credit(customer, "7", website_b)
    second_on_b = credit(customer, "1", website_b)

    # then
    assert first_on_b.action == CreditAction.CREATED
    assert second_on_b.action == CreditAction.UPDATED
    assert (balance(customer, website_a), balance(customer, website_b)) == (5, 8)


def test_an_update_below_zero_is_refused_with_the_current_balance(
    customer, django_capture_on_commit_callbacks, credit_events
):
    # given
    credit(customer, "30")
    timeline = TimelineEntry.objects.count()

    # when
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidInput) as error:
        credit(customer, "-30.01", notify_from=customer.created_in)

    # then
    assert error.value.code == "insufficient_store_credit"
    assert error.value.field == "delta"
    assert str(error.value) == ("The store credit balance is $30.00; it cannot go below zero.")
    assert error.value.params == {"balance": "30.0000", "currency": "USD"}
    assert balance(customer) == Decimal(30)
    assert len(rows(customer)) == 1
    assert TimelineEntry.objects.count() == timeline
    assert credit_events == []
    assert OutboxMessage.objects.count() == 0


def test_taking_the_whole_balance_leaves_zero(customer):
    # given
    credit(customer, "30")

    # when
    entry = credit(customer, "-30")

    # then
    assert (entry.action, entry.delta, entry.balance_after) == ("updated", -30, 0)
    assert lots(customer) == [Decimal(0)]


@pytest.mark.parametrize("delta", ["0", "0.00001", "-0.00004"])
def test_a_zero_change_is_refused(customer, delta):
    # when
    with pytest.raises(InvalidInput) as error:
        credit(customer, delta)

    # then
    assert (error.value.code, error.value.field) == ("zero", "delta")
    assert not StoreCreditBalance.objects.exists()


def test_a_balance_on_another_website_than_the_account_is_refused(customer, website_b):
    # when: accounts are per website (the default)
    with pytest.raises(InvalidInput) as error:
        credit(customer, "10", website_b)

    # then
    assert error.value.code == "website_mismatch"
    assert not StoreCreditBalance.objects.exists()


def test_the_actor_and_the_references_are_kept(customer):
    # given
    clerk = make_staff_user("clerk")

    # when
    entry = credit(customer, "10", actor=Actor.staff(clerk), comment="Sorry")

    # then
    assert (entry.actor_kind, entry.actor_id, entry.actor_label) == ("staff", clerk.pk, "clerk")
    assert entry.notified is False


# --- Turned off ----------------------------------------------------------------------------------


def test_nothing_moves_while_store_credit_is_turned_off(customer, view_a, mug):
    # given
    credit(customer, "50")
    make_cart(view_a, customer)
    set_config({services.ENABLED: False})

    # when
    calls = [
        lambda: credit(customer, "10"),
        lambda: services.spend(
            customer=customer, website=customer.website, amount=5, order_number="1", actor=SYSTEM
        ),
        lambda: services.refund(
            customer=customer, website=customer.website, amount=5, refund_number="1/1",
            actor=SYSTEM,
        ),
        lambda: services.apply_to_cart(customer=customer, website=customer.website, actor=SYSTEM),
        lambda: services.checkout_balance(customer=customer, website=customer.website),
    ]  # fmt: skip
    codes = []
    for call in calls:
        with pytest.raises(InvalidInput) as error:
            call()
        codes.append(error.value.code)

    # then
    assert codes == ["store_credit_disabled"] * len(calls)
    assert balance(customer) == Decimal(50)
    assert len(rows(customer)) == 1
    assert Cart.objects.get().store_credit_applied == 0


def test_a_refund_fact_credits_nothing_while_turned_off(customer, view_a, mug):
    # given
    place_order(view_a, "100001", customer)
    set_config({services.ENABLED: False})

    # when
    report_refund(view_a, "100001", "900001", "40", to_store_credit="40")

    # then
    assert not StoreCreditHistory.objects.exists()


# --- Email notification --------------------------------------------------------------------------


def test_a_notified_update_sends_one_email_from_the_chosen_store_view(
    customer, website_b, view_b, django_capture_on_commit_callbacks
):
    # given: the second website's store view has its own sender and template (check 30)
    share_accounts("global")
    set_config(
        {
            services.EMAIL_IDENTITY: "support",
            services.EMAIL_TEMPLATE: "customer_password_reset_password_template",
            "trans_email/ident_support/name": "Kundendienst",
            "trans_email/ident_support/email": "hilfe@example.de",
        },
        store_view=view_b,
    )

    # when
    with django_capture_on_commit_callbacks(execute=True):
        entry = credit(customer, "25", website_b, notify_from=view_b)

    # then
    message = OutboxMessage.objects.get()
    assert message.template_code == "customer_password_reset_password_template"
    assert message.sender == "Kundendienst <hilfe@example.de>"
    assert (message.store_view, message.language) == (view_b, "de")
    assert (message.recipients, message.customer_id) == (["ada@example.com"], customer.pk)
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]
    assert entry.notified is True


def test_the_default_email_names_the_change_and_the_balance(
    customer, view_a, django_capture_on_commit_callbacks
):
    # given
    credit(customer, "10")

    # when
    with django_capture_on_commit_callbacks(execute=True):
        credit(customer, "15.5", notify_from=view_a, comment="Voucher 42")

    # then
    message = OutboxMessage.objects.get()
    assert message.template_code == TEMPLATE
    assert message.sender == services_sender(view_a)
    assert "changed by $15.50. Your balance is now $25.50." in message.body_text
    assert "Voucher 42" in message.body_text
    assert len(mail.outbox) == 1


def services_sender(view):
    from patron.mail.services import sender_of

    return sender_of("general", view)


def test_an_update_without_notification_sends_nothing(customer, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        entry = credit(customer, "25")

    # then
    assert entry.notified is False
    assert OutboxMessage.objects.count() == 0
    assert mail.outbox == []


def test_the_email_must_come_from_a_store_view_of_the_same_website(
    customer, view_b, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidInput) as error:
        credit(customer, "25", notify_from=view_b)

    # then
    assert (error.value.code, error.value.field) == ("store_view_website_mismatch", "notify_from")
    assert not StoreCreditHistory.objects.exists()
    assert mail.outbox == []


# --- Spend and revert ----------------------------------------------------------------------------


def spend(customer, amount, order_number="100001"):
    return services.spend(
        customer=customer, website=customer.website, amount=Decimal(amount),
        order_number=order_number, actor=SYSTEM,
    )  # fmt: skip


def revert(customer, order_number="100001"):
    return services.revert(
        customer=customer, website=customer.website, order_number=order_number, actor=SYSTEM
    )


def test_spending_for_an_order_twice_takes_the_credit_once(customer):
    # given
    credit(customer, "150")

    # when
    first = spend(customer, "100")
    again = spend(customer, "100.0000")

    # then
    assert again.pk == first.pk
    assert balance(customer) == Decimal(50)
    assert rows(customer)[1:] == [("used", Decimal(-100), Decimal(50), "100001")]


def test_spending_again_with_another_amount_is_refused(customer):
    # given
    credit(customer, "150")
    spend(customer, "100")

    # when
    with pytest.raises(Conflict) as error:
        spend(customer, "90")

    # then
    assert (error.value.code, error.value.field) == ("reference_differs", "amount")
    assert balance(customer) == Decimal(50)


def test_spending_more_than_the_balance_is_refused(customer, credit_events):
    # given
    credit(customer, "30")

    # when
    with pytest.raises(InvalidInput) as error:
        spend(customer, "30.01")

    # then
    assert error.value.code == "insufficient_store_credit"
    assert error.value.params == {"balance": "30.0000", "currency": "USD"}
    assert balance(customer) == Decimal(30)
    assert len(rows(customer)) == 1


@pytest.mark.parametrize("amount", ["0", "-5"])
def test_spending_nothing_or_less_is_refused(customer, amount):
    # given
    credit(customer, "30")

    # when
    with pytest.raises(InvalidInput) as error:
        spend(customer, amount)

    # then
    assert error.value.code == "not_positive"
    assert balance(customer) == Decimal(30)


def test_a_cancelled_order_gets_its_credit_back_once(customer):
    # given
    credit(customer, "50")
    spend(customer, "20")

    # when
    first = revert(customer)
    again = revert(customer)

    # then
    assert again.pk == first.pk
    assert balance(customer) == Decimal(50)
    assert rows(customer)[1:] == [
        ("used", Decimal(-20), Decimal(30), "100001"),
        ("reverted", Decimal(20), Decimal(50), "100001"),
    ]


def test_reverting_an_order_that_used_no_credit_is_refused(customer):
    # given
    credit(customer, "50")

    # when
    with pytest.raises(NotFound) as error:
        revert(customer, "999")

    # then
    assert error.value.code == "nothing_to_revert"
    assert balance(customer) == Decimal(50)
    assert len(rows(customer)) == 1


def test_spending_again_for_a_reverted_order_does_not_pass_silently(customer):
    # given
    credit(customer, "50")
    spend(customer, "20")
    revert(customer)

    # when
    try:
        spend(customer, "20")
    except (Conflict, InvalidInput):
        refused = True
    else:
        refused = False

    # then: either refused, or charged again
    assert refused or balance(customer) == Decimal(30)


# --- Refunds to store credit --------------------------------------------------------------------


def test_a_refund_fact_with_store_credit_credits_the_order_website(customer, view_a, mug):
    # given (check 35)
    place_order(view_a, "100001", customer)

    # when
    report_refund(view_a, "100001", "900001", "40", to_store_credit="25")

    # then
    assert balance(customer) == Decimal(25)
    assert rows(customer) == [("refunded", Decimal(25), Decimal(25), "100001/900001")]


def test_a_refund_fact_without_store_credit_credits_nothing(customer, view_a, mug):
    # given
    place_order(view_a, "100001", customer)

    # when
    report_refund(view_a, "100001", "900001", "40")

    # then
    assert not StoreCreditHistory.objects.exists()


def test_a_guest_order_refund_credits_nobody(customer, view_a, mug):
    # given
    place_order(view_a, "100001", None)

    # when
    report_refund(view_a, "100001", "900001", "40", to_store_credit="40")

    # then
    assert not StoreCreditHistory.objects.exists()


def test_credit_used_on_an_order_returns_automatically_when_configured(customer, view_a, mug):
    # given (check 36): 30 of a 100 order paid with store credit
    set_config({services.REFUND_AUTOMATICALLY: True})
    credit(customer, "30")
    spend(customer, "30", "100001")
    place_order(view_a, "100001", customer)

    # when: the shop reports the refund without ticking anything
    report_refund(view_a, "100001", "900001", "100")

    # then
    assert balance(customer) == Decimal(30)
    assert rows(customer)[-1] == ("refunded", Decimal(30), Decimal(30), "100001/900001")


def test_credit_used_on_an_order_stays_spent_without_automatic_refunds(customer, view_a, mug):
    # given
    credit(customer, "30")
    spend(customer, "30", "100001")
    place_order(view_a, "100001", customer)

    # when
    report_refund(view_a, "100001", "900001", "100")

    # then
    assert balance(customer) == Decimal(0)
    assert [row[0] for row in rows(customer)] == ["created", "used"]


def test_an_automatic_refund_is_not_more_than_the_refund(customer, view_a, mug):
    # given
    set_config({services.REFUND_AUTOMATICALLY: True})
    credit(customer, "30")
    spend(customer, "30", "100001")
    place_order(view_a, "100001", customer)

    # when: a partial refund of 10, 5 of them chosen for store credit
    report_refund(view_a, "100001", "900001", "10", to_store_credit="5")

    # then
    assert rows(customer)[-1] == ("refunded", Decimal(10), Decimal(10), "100001/900001")


def test_automatic_refunds_return_the_used_credit_only_once(customer, view_a, mug):
    # given
    set_config({services.REFUND_AUTOMATICALLY: True})
    credit(customer, "30")
    spend(customer, "30", "100001")
    place_order(view_a, "100001", customer)

    # when: two partial refunds of 50
    report_refund(view_a, "100001", "900001", "50")
    report_refund(view_a, "100001", "900002", "50")

    # then
    assert balance(customer) == Decimal(30)


def test_long_order_and_credit_memo_numbers_are_credited(customer, view_a, mug):
    # given
    order_number, refund_number = "O" * 64, "R" * 64
    place_order(view_a, order_number, customer)

    # when
    report_refund(view_a, order_number, refund_number, "40", to_store_credit="40")

    # then
    entry = StoreCreditHistory.objects.get()
    assert entry.delta == Decimal(40)
    assert len(entry.reference) <= StoreCreditHistory._meta.get_field("reference").max_length


def test_a_refund_is_credited_once_per_credit_memo(customer):
    # when
    first = services.refund(
        customer=customer, website=customer.website, amount=12, refund_number="1/2", actor=SYSTEM
    )
    again = services.refund(
        customer=customer, website=customer.website, amount=12, refund_number="1/2", actor=SYSTEM
    )

    # then
    assert again.pk == first.pk
    assert balance(customer) == Decimal(12)


# --- Expiry -------------------------------------------------------------------------------------


def test_spending_takes_the_soonest_expiring_credit_first(customer):
    # given
    now = timezone.now()
    credit(customer, "10")  # never expires
    credit(customer, "10", expires_at=now + dt.timedelta(days=10))
    credit(customer, "10", expires_at=now + dt.timedelta(days=5))

    # when
    spend(customer, "12")

    # then: the 5-day lot is used up, then 2 of the 10-day lot; the open-ended lot is untouched
    assert lots(customer) == [Decimal(10), Decimal(8), Decimal(0)]
    assert balance(customer) == Decimal(18)


def test_expiry_removes_only_what_is_left_of_the_expired_lot(customer, credit_events):
    # given
    now = timezone.now()
    credit(customer, "10")
    credit(customer, "10", expires_at=now + dt.timedelta(days=10))
    credit(customer, "10", expires_at=now + dt.timedelta(days=5))
    spend(customer, "4")

    # when
    expired = services.expire_due(now + dt.timedelta(days=6))
    again = services.expire_due(now + dt.timedelta(days=6))

    # then
    assert (expired, again) == (1, 0)
    assert lots(customer) == [Decimal(10), Decimal(10), Decimal(0)]
    assert balance(customer) == Decimal(20)
    last = StoreCreditHistory.objects.filter(balance__customer=customer).order_by("pk").last()
    assert (last.action, last.delta, last.balance_after) == ("expired", Decimal(-6), Decimal(20))
    assert (last.actor_kind, last.reference) == ("system", "")


def test_nothing_expires_before_its_date(customer):
    # given
    now = timezone.now()
    credit(customer, "10", expires_at=now + dt.timedelta(days=5))

    # when
    expired = services.expire_due(now + dt.timedelta(days=4))

    # then
    assert expired == 0
    assert balance(customer) == Decimal(10)


@pytest.mark.parametrize("days, delta", [(-1, "10"), (5, "-10")])
def test_only_an_added_amount_can_expire_and_only_later(customer, days, delta):
    # given
    credit(customer, "20")

    # when
    with pytest.raises(InvalidInput) as error:
        credit(customer, delta, expires_at=timezone.now() + dt.timedelta(days=days))

    # then
    assert (error.value.code, error.value.field) == ("invalid_expiry", "expires_at")
    assert balance(customer) == Decimal(20)


def test_the_lots_always_add_up_to_the_balance(customer):
    # given
    now = timezone.now()
    credit(customer, "10", expires_at=now + dt.timedelta(days=1))
    credit(customer, "7")
    spend(customer, "12", "A")
    credit(customer, "-2")
    services.refund(
        customer=customer, website=customer.website, amount=3, refund_number="A/1", actor=SYSTEM
    )

    # when
    services.expire_due(now + dt.timedelta(days=2))

    # then
    found = StoreCreditBalance.objects.get(customer=customer)
    assert found.lots.aggregate(total=Sum("remaining"))["total"] == found.amount == Decimal(6)


# --- Timeline and events -------------------------------------------------------------------------


def test_every_movement_is_a_timeline_entry(customer):
    # given
    credit(customer, "50", comment="Welcome")

    # when
    spend(customer, "20")

    # then
    entries = list(
        TimelineEntry.objects.filter(customer=customer, kind="store_credit_changed").order_by("pk")
    )
    assert [(e.params["action"], e.params["delta"], e.params["balance"]) for e in entries] == [
        ("created", "50.0000", "50.0000"),
        ("used", "-20.0000", "30.0000"),
    ]
    assert entries[0].note == "Welcome"
    assert entries[1].params["reference"] == "100001"
    assert entries[1].params["currency"] == "USD"
    assert entries[1].params["website_id"] == customer.website_id


def test_every_movement_emits_store_credit_changed_after_commit(
    customer, credit_events, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        credit(customer, "50")
        spend(customer, "20")
        assert credit_events == []  # not before the transaction commits

    # then
    assert len(callbacks) == 2
    assert [(e["action"], e["delta"], e["balance"], e["reference"]) for e in credit_events] == [
        ("created", "50.0000", "50.0000", ""),
        ("used", "-20.0000", "30.0000", "100001"),
    ]
    assert {(e["customer_id"], e["website_id"]) for e in credit_events} == {
        (customer.pk, customer.website_id)
    }
    assert credit_events[0]["actor"] == SYSTEM.as_fields()


def test_a_refused_movement_emits_nothing(
    customer, credit_events, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidInput):
        spend(customer, "1")

    # then
    assert credit_events == []
    assert not TimelineEntry.objects.filter(kind="store_credit_changed").exists()


def test_applying_credit_to_a_cart_is_a_cart_change_only_when_it_changes(
    customer, view_a, mug, django_capture_on_commit_callbacks
):
    # given
    credit(customer, "30")
    make_cart(view_a, customer, "100")
    changed: list[dict] = []
    events.subscribe("cartChanged", dispatch_uid="credit-tests-cart")(changed.append)

    # when
    try:
        with django_capture_on_commit_callbacks(execute=True):
            first = services.apply_to_cart(
                customer=customer, website=customer.website, actor=SYSTEM
            )
            again = services.apply_to_cart(
                customer=customer, website=customer.website, actor=SYSTEM
            )
    finally:
        events.unsubscribe("cartChanged", dispatch_uid="credit-tests-cart")

    # then
    assert (first.applied, first.remaining, again.applied) == (30, 70, 30)
    assert len(changed) == 1
    assert (changed[0].payload["customer_id"], changed[0].payload["items"]) == (customer.pk, 1)
    assert balance(customer) == Decimal(30)


# --- Setting a balance (finance files) ----------------------------------------------------------


def test_setting_a_balance_writes_the_difference_once(customer):
    # given
    credit(customer, "50")

    # when
    first = services.set_balance(
        customer=customer, website=customer.website, amount="80", actor=SYSTEM
    )
    again = services.set_balance(
        customer=customer, website=customer.website, amount="80", actor=SYSTEM
    )

    # then
    assert (first.action, first.delta, first.balance_after) == (
        "updated", Decimal(30), Decimal(80),
    )  # fmt: skip
    assert again is None
    assert balance(customer) == Decimal(80)


def test_a_balance_cannot_be_set_below_zero(customer):
    with pytest.raises(InvalidInput) as error:
        services.set_balance(customer=customer, website=customer.website, amount="-1", actor=SYSTEM)

    assert error.value.code == "negative_balance"
