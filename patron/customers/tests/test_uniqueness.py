"""Email uniqueness under both account sharing modes (spec a §8, checks 6-8, 36-37)."""

import pytest
from django.db import IntegrityError, transaction

from patron.core.actors import SYSTEM
from patron.core.errors import Conflict, InvalidInput
from patron.customers import services
from patron.customers.history import TimelineKind
from patron.customers.models import Customer, TimelineEntry
from patron.customers.tests.factories import SHARE_SCOPE, make_customer, share_accounts
from patron.scopes import services as scope_services
from patron.scopes.models import ConfigValue, Scope


def emails_by_website():
    return sorted(Customer.objects.values_list("website__code", "email"))


def test_same_email_may_register_on_two_websites_per_website(view_a, view_b):
    # given
    make_customer("ada@example.com", store_view=view_a)

    # when
    second = make_customer("ada@example.com", store_view=view_b)

    # then
    assert second.website.code == "second"
    assert emails_by_website() == [("base", "ada@example.com"), ("second", "ada@example.com")]


def test_duplicate_email_on_one_website_is_refused_per_website(
    view_a, django_capture_on_commit_callbacks, emitted
):
    # given
    first = make_customer("ada@example.com", store_view=view_a)

    # when
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(Conflict) as error,
    ):
        make_customer("ada@example.com", store_view=view_a, firstname="Other")

    # then
    assert (error.value.code, error.value.field) == ("email_taken", "email")
    assert error.value.message == "A customer with the email ada@example.com already exists."
    assert list(Customer.objects.values_list("pk", "firstname")) == [(first.pk, "Ada")]
    assert TimelineEntry.objects.count() == 1
    assert emitted == []


@pytest.mark.parametrize("mode", ["website", "global"], ids=["per_website_case", "global_case"])
def test_emails_are_compared_without_regard_to_case(view_a, mode):
    # given
    share_accounts(mode)
    make_customer("ada@example.com", store_view=view_a)

    # when
    with pytest.raises(Conflict) as error:
        make_customer("  ADA@Example.COM ", store_view=view_a)

    # then
    assert (error.value.code, error.value.field) == ("email_taken", "email")
    assert emails_by_website() == [("base", "ada@example.com")]


def test_emails_are_stored_in_lower_case(view_a):
    # when
    customer = make_customer(" Grace.Hopper@Example.COM", store_view=view_a)

    # then
    customer.refresh_from_db()
    assert customer.email == "grace.hopper@example.com"


def test_duplicate_email_across_websites_is_refused_globally(view_a, view_b):
    # given
    share_accounts("global")
    make_customer("ada@example.com", store_view=view_a)

    # when
    with pytest.raises(Conflict) as error:
        make_customer("ada@example.com", store_view=view_b)

    # then
    assert (error.value.code, error.value.field) == ("email_taken", "email")
    assert emails_by_website() == [("base", "ada@example.com")]


@pytest.mark.parametrize(
    ("mode", "other_on"),
    [("website", "a"), ("global", "a"), ("global", "b")],
    ids=["per_website_same_website_case", "global_same_website_case", "global_other_website_case"],
)
def test_changing_email_to_a_taken_one_is_refused(view_a, view_b, mode, other_on):
    # given
    share_accounts(mode)
    customer = make_customer("ada@example.com", store_view=view_a)
    make_customer("grace@example.com", store_view=view_a if other_on == "a" else view_b)

    # when
    with pytest.raises(Conflict) as error:
        services.update_customer(customer=customer, email="Grace@example.com", actor=SYSTEM)

    # then
    assert (error.value.code, error.value.field) == ("email_taken", "email")
    customer.refresh_from_db()
    assert customer.email == "ada@example.com"
    assert not customer.timeline.filter(kind=TimelineKind.ACCOUNT_UPDATED).exists()


def test_changing_email_to_one_used_on_another_website_is_allowed_per_website(view_a, view_b):
    # given
    customer = make_customer("ada@example.com", store_view=view_a)
    make_customer("grace@example.com", store_view=view_b)

    # when
    services.update_customer(customer=customer, email="grace@example.com", actor=SYSTEM)

    # then
    assert emails_by_website() == [("base", "grace@example.com"), ("second", "grace@example.com")]


def test_moving_a_customer_onto_a_website_using_their_email_is_refused_per_website(
    view_a, view_b, website_b
):
    # given
    customer = make_customer("ada@example.com", store_view=view_a)
    make_customer("ada@example.com", store_view=view_b)

    # when
    with pytest.raises(Conflict) as error:
        services.move_customer_to_website(customer=customer, website=website_b, actor=SYSTEM)

    # then
    assert (error.value.code, error.value.field) == ("email_taken", "email")
    customer.refresh_from_db()
    assert customer.website.code == "base"


def test_database_refuses_a_duplicate_email_on_one_website(customer):
    # when
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.create(
            website=customer.website,
            group=customer.group,
            email="ada@example.com",
            firstname="Copy",
            lastname="Cat",
        )

    # then
    assert Customer.objects.count() == 1


def test_switching_to_global_is_refused_while_an_email_is_on_two_websites(
    view_a, view_b, django_capture_on_commit_callbacks, emitted
):
    # given
    make_customer("ada@example.com", store_view=view_a)
    make_customer("ada@example.com", store_view=view_b)
    make_customer("grace@example.com", store_view=view_a)

    # when
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(InvalidInput) as error,
    ):
        scope_services.save_config(
            scope=Scope.DEFAULT, scope_id=0, values={SHARE_SCOPE: "global"}, actor=SYSTEM
        )

    # then
    assert error.value.code == "duplicate_emails_across_websites"
    assert error.value.field == SHARE_SCOPE
    assert error.value.message == (
        "Accounts cannot be shared globally while 1 email address belongs to accounts on more "
        "than one website (for example ada@example.com). Merge or change those accounts first."
    )
    assert [(p.code, p.field) for p in error.value.problems] == [
        ("duplicate_emails_across_websites", SHARE_SCOPE)
    ]
    assert not ConfigValue.objects.filter(path=SHARE_SCOPE).exists()
    assert services.accounts_are_global() is False
    assert emitted == []


def test_switching_to_global_is_accepted_once_duplicates_are_resolved(view_a, view_b):
    # given
    make_customer("ada@example.com", store_view=view_a)
    duplicate = make_customer("ada@example.com", store_view=view_b)
    services.update_customer(customer=duplicate, email="ada.b@example.com", actor=SYSTEM)

    # when
    share_accounts("global")

    # then
    assert list(ConfigValue.objects.filter(path=SHARE_SCOPE).values_list("value", flat=True)) == [
        "global"
    ]
    assert services.accounts_are_global() is True
