"""Creating, changing and deleting customers (services), customer numbers and the deletion
policy written in ``patron.customers.services``."""

import datetime as dt

import pytest
from django.utils import timezone

from patron.core.actors import SYSTEM, Actor
from patron.core.errors import InvalidInput
from patron.customers import attributes, services
from patron.customers.history import TimelineKind
from patron.customers.models import (
    Address,
    ConsentSource,
    Customer,
    CustomerGroup,
    CustomerToken,
    Gender,
    NewsletterSubscriber,
    TimelineEntry,
)
from patron.customers.tests.factories import make_address, make_customer
from patron.mail.models import OutboxMessage
from patron.mail.services import send_templated_email
from patron.testing.fixtures import make_staff_user, make_store_view, set_config

DEFAULT_GROUP = "customer/create_account/default_group"
HUMAN_FRIENDLY_ID = "customer/create_account/generate_human_friendly_id"


def test_customer_keeps_every_system_attribute(view_a):
    # given
    set_config(
        {
            "customer/address/prefix_show": "opt",
            "customer/address/middlename_show": True,
            "customer/address/suffix_show": "opt",
            "customer/address/dob_show": "opt",
            "customer/address/taxvat_show": "opt",
            "customer/address/gender_show": "opt",
        }
    )

    attributes.create_attribute(
        entity="customer",
        code="loyalty_tier",
        label="Loyalty Tier",
        input_type="text",
        actor=SYSTEM,
    )

    # when
    customer = services.create_customer(
        website=view_a.store.website,
        store_view=view_a,
        group=CustomerGroup.objects.get(pk=2),
        email="ada@example.com",
        firstname=" Ada ",
        lastname="Lovelace",
        prefix="Lady",
        middlename="Augusta",
        suffix="PhD",
        dob=dt.date(1815, 12, 10),
        taxvat="GB123456789",
        gender=Gender.FEMALE,
        is_active=True,
        disable_auto_group_change=True,
        allow_remote_assistance=True,
        custom_attributes={"loyalty_tier": "gold"},
        password="Secret-password-1",
        actor=SYSTEM,
    )

    # then
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.website_id, stored.group_id, stored.created_in_id) == (
        view_a.store.website_id,
        2,
        view_a.pk,
    )
    assert (stored.prefix, stored.firstname, stored.middlename, stored.lastname, stored.suffix) == (
        "Lady",
        "Ada",
        "Augusta",
        "Lovelace",
        "PhD",
    )
    assert stored.full_name == "Lady Ada Augusta Lovelace PhD"
    assert stored.name == "Ada Lovelace"
    assert (stored.dob, stored.taxvat, stored.gender) == (
        dt.date(1815, 12, 10),
        "GB123456789",
        Gender.FEMALE,
    )
    assert (stored.disable_auto_group_change, stored.allow_remote_assistance) == (True, True)
    assert stored.custom_attributes == {"loyalty_tier": "gold"}
    assert stored.number is None
    assert stored.has_password is True
    assert services.check_customer_password(stored, "Secret-password-1") is True
    assert stored.password_changed_at is not None


def test_new_account_gets_its_store_views_default_group_and_a_timeline_entry(
    view_a, view_b, django_capture_on_commit_callbacks, emitted
):
    # given
    set_config({DEFAULT_GROUP: 3}, store_view=view_b)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        on_a = make_customer("ada@example.com", store_view=view_a)
        on_b = make_customer("grace@example.com", store_view=view_b)

    # then
    assert (on_a.group_id, on_a.created_in.code) == (1, "default")
    assert (on_b.group_id, on_b.created_in.code) == (3, "second_en")
    assert list(on_b.timeline.values_list("kind", "params", "actor_kind")) == [
        (TimelineKind.ACCOUNT_CREATED, {"store_view": "second_en"}, "system")
    ]
    assert emitted == [
        (
            "accountCreated",
            {"customer_id": on_a.pk, "website_id": on_a.website_id, "actor": SYSTEM.as_fields()},
        ),
        (
            "accountCreated",
            {"customer_id": on_b.pk, "website_id": on_b.website_id, "actor": SYSTEM.as_fields()},
        ),
    ]


def test_account_without_a_store_view_is_created_in_the_websites_default_view(view_a):
    # when
    customer = services.create_customer(
        website=view_a.store.website,
        email="ada@example.com",
        firstname="Ada",
        lastname="Lovelace",
        actor=SYSTEM,
    )

    # then
    assert customer.created_in_id == view_a.pk


def test_store_view_of_another_website_is_refused(view_a, view_b):
    # when
    with pytest.raises(InvalidInput) as error:
        services.create_customer(
            website=view_a.store.website,
            store_view=view_b,
            email="ada@example.com",
            firstname="Ada",
            lastname="Lovelace",
            actor=SYSTEM,
        )

    # then
    assert (error.value.code, error.value.field) == ("store_view_website_mismatch", "store_view")
    assert Customer.objects.count() == 0


def test_missing_names_and_bad_email_are_reported_together(view_a):
    # when
    with pytest.raises(InvalidInput) as error:
        make_customer("not-an-email", store_view=view_a, firstname=" ", lastname="")

    # then
    assert error.value.code == "invalid"
    assert [(p.code, p.field) for p in error.value.problems] == [
        ("required", "firstname"),
        ("required", "lastname"),
        ("invalid_email", "email"),
    ]
    assert Customer.objects.count() == 0


@pytest.mark.parametrize("use", ["create", "change"], ids=["create_case", "change_group_case"])
def test_not_logged_in_group_is_never_given_to_an_account(view_a, use):
    # given
    guests = CustomerGroup.objects.get(pk=0)
    customer = None if use == "create" else make_customer(store_view=view_a)

    # when
    with pytest.raises(InvalidInput) as error:
        if customer is None:
            make_customer(store_view=view_a, group=guests)
        else:
            services.change_group(customer=customer, group=guests, actor=SYSTEM)

    # then
    assert (error.value.code, error.value.field) == ("guest_group", "group")
    assert list(Customer.objects.values_list("group_id", flat=True)) == (
        [] if customer is None else [1]
    )


def test_update_records_the_changed_fields_once(
    customer, django_capture_on_commit_callbacks, emitted
):
    # given
    clerk = make_staff_user("clerk")

    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.update_customer(
            customer=customer, firstname="Augusta", lastname="Lovelace", actor=Actor.staff(clerk)
        )
        services.update_customer(customer=customer, firstname="Augusta", actor=SYSTEM)

    # then
    customer.refresh_from_db()
    assert customer.firstname == "Augusta"
    assert list(
        customer.timeline.filter(kind=TimelineKind.ACCOUNT_UPDATED).values_list(
            "params", "actor_kind", "actor_id", "actor_label"
        )
    ) == [({"changed": ["firstname"]}, "staff", clerk.pk, "clerk")]
    assert emitted == [
        (
            "accountUpdated",
            {
                "customer_id": customer.pk,
                "changed": ["firstname"],
                "actor": Actor.staff(clerk).as_fields(),
            },
        )
    ]


def test_change_group_is_recorded_with_old_and_new_group(
    customer, django_capture_on_commit_callbacks, emitted
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.change_group(
            customer=customer, group=CustomerGroup.objects.get(pk=2), actor=SYSTEM
        )

    # then
    customer.refresh_from_db()
    assert customer.group_id == 2
    assert list(
        customer.timeline.filter(kind=TimelineKind.GROUP_CHANGED).values_list("params", flat=True)
    ) == [{"old": "General", "new": "Wholesale", "reason": ""}]
    assert emitted == [
        (
            "groupChanged",
            {"customer_id": customer.pk, "group_id": 2, "reason": "", "actor": SYSTEM.as_fields()},
        )
    ]


def test_assign_group_counts_only_customers_that_moved(view_a):
    # given
    wholesale = CustomerGroup.objects.get(pk=2)
    first = make_customer("a@example.com", store_view=view_a)
    second = make_customer("b@example.com", store_view=view_a, group=wholesale)
    third = make_customer("c@example.com", store_view=view_a)

    # when
    changed = services.assign_group(customers=[first, second, third], group=wholesale, actor=SYSTEM)

    # then
    assert changed == 2
    assert set(Customer.objects.values_list("group_id", flat=True)) == {2}


def test_customer_numbers_are_sequential_per_website(view_a, view_b):
    # given
    set_config({HUMAN_FRIENDLY_ID: True})

    # when
    numbers = [
        make_customer("a@example.com", store_view=view_a).number,
        make_customer("b@example.com", store_view=view_b).number,
        make_customer("c@example.com", store_view=view_a).number,
    ]

    # then
    assert numbers == ["BASE-000001", "SECOND-000001", "BASE-000002"]


def test_customers_have_no_number_while_numbers_are_off(view_a):
    # when
    customer = make_customer(store_view=view_a)

    # then
    assert customer.number is None


def test_deleting_a_customer_removes_their_data_and_keeps_other_records(
    customer, view_a, django_capture_on_commit_callbacks, emitted
):
    # given
    other = make_customer("grace@example.com", store_view=view_a, firstname="Grace")
    make_address(customer)
    make_address(customer, street=["1 Second Street"])
    make_address(other)
    services.subscribe_newsletter(
        store_view=view_a, customer=customer, actor=SYSTEM, source=ConsentSource.ACCOUNT
    )
    services.issue_customer_token(customer=customer)
    services.issue_customer_token(customer=other)
    services.add_timeline_note(customer=customer, text="Called about an order.", actor=SYSTEM)
    send_templated_email(
        template="customer_create_account_email_template",
        to=customer.email,
        store_view=view_a,
        context={"customer_name": customer.name, "customer_email": customer.email},
        customer_id=customer.pk,
    )
    customer_id, website_id = customer.pk, customer.website_id

    # when
    with django_capture_on_commit_callbacks(execute=True):
        snapshot = services.delete_customer(customer=customer, actor=SYSTEM)

    # then
    expected = {
        "customer_id": customer_id,
        "email": "ada@example.com",
        "customer_name": "Ada Lovelace",
        "website_id": website_id,
    }
    assert snapshot == expected
    assert list(Customer.objects.values_list("pk", flat=True)) == [other.pk]
    assert list(Address.objects.values_list("customer_id", flat=True)) == [other.pk]
    assert NewsletterSubscriber.objects.count() == 0
    assert list(CustomerToken.objects.values_list("customer_id", flat=True)) == [other.pk]
    assert not TimelineEntry.objects.filter(customer_id=customer_id).exists()
    assert sorted(TimelineEntry.objects.values_list("customer_id", "kind")) == [
        (other.pk, TimelineKind.ACCOUNT_CREATED),
        (other.pk, TimelineKind.ADDRESS_ADDED),
        (other.pk, TimelineKind.DEFAULT_ADDRESS_CHANGED),
    ]
    assert list(OutboxMessage.objects.values_list("customer_id", "recipients")) == [
        (customer_id, ["ada@example.com"])
    ]
    assert [e for e in emitted if e[0] == "accountDeleted"] == [
        ("accountDeleted", {**expected, "actor": SYSTEM.as_fields()})
    ]


def test_deleted_customers_email_can_register_again(customer, view_a):
    # given
    services.delete_customer(customer=customer, actor=SYSTEM)

    # when
    again = make_customer("ada@example.com", store_view=view_a)

    # then
    assert list(Customer.objects.values_list("pk", "email")) == [(again.pk, "ada@example.com")]


def test_customer_tokens_expire_and_end_with_revocation(customer):
    # given
    live = services.issue_customer_token(customer=customer)
    expired = services.issue_customer_token(customer=customer, lifetime=dt.timedelta(seconds=-1))

    # when
    before = (
        services.authenticate_customer_token(live),
        services.authenticate_customer_token(expired),
        services.authenticate_customer_token(live[:-1] + "x"),
    )
    revoked = services.revoke_customer_tokens(customer=customer, actor=SYSTEM)

    # then
    assert before == (customer, None, None)
    assert revoked == 2
    assert services.authenticate_customer_token(live) is None
    assert list(
        customer.timeline.filter(kind=TimelineKind.TOKENS_REVOKED).values_list("params", flat=True)
    ) == [{"count": 2}]


def test_timeline_note_is_required_and_limited(customer):
    # when
    with pytest.raises(InvalidInput) as empty:
        services.add_timeline_note(customer=customer, text="  ", actor=SYSTEM)
    with pytest.raises(InvalidInput) as long:
        services.add_timeline_note(customer=customer, text="x" * 5001, actor=SYSTEM)
    note = services.add_timeline_note(customer=customer, text=" Prefers email. ", actor=SYSTEM)

    # then
    assert (empty.value.code, empty.value.field) == ("required", "text")
    assert (long.value.code, long.value.field) == ("too_long", "text")
    assert list(customer.timeline.filter(kind=TimelineKind.NOTE).values_list("pk", "note")) == [
        (note.pk, "Prefers email.")
    ]


def test_timestamps_are_set_on_create(customer):
    # then
    assert timezone.now() - customer.created_at < dt.timedelta(minutes=1)
    assert customer.updated_at >= customer.created_at


def test_store_view_of_the_same_website_decides_the_group(view_a, website_a):
    # given
    second_view = make_store_view(website_a, "default_fr", "fr")
    set_config({DEFAULT_GROUP: 2}, store_view=second_view)

    # when
    customer = make_customer(store_view=second_view)

    # then
    assert (customer.group_id, customer.website_id) == (2, website_a.pk)


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"prefix": "x" * 41}, "max_length", "prefix"),
        ({"gender": 7}, "invalid_choice", "gender"),
        ({"is_active": None}, "invalid", "is_active"),
    ],
    ids=["too_long_case", "unknown_gender_case", "null_flag_case"],
)
def test_values_the_database_would_refuse_are_reported_by_field(view_a, fields, code, field):
    # when
    with pytest.raises(InvalidInput) as error:
        make_customer(store_view=view_a, **fields)

    # then
    assert (error.value.code, error.value.field) == (code, field)
    assert Customer.objects.count() == 0


def test_none_clears_optional_text_and_custom_attributes(customer):
    # given
    attributes.create_attribute(
        entity="customer", code="tier", label="Tier", input_type="text", actor=SYSTEM
    )
    services.update_customer(
        customer=customer, taxvat="GB1", custom_attributes={"tier": "gold"}, actor=SYSTEM
    )

    # when
    services.update_customer(customer=customer, taxvat=None, custom_attributes=None, actor=SYSTEM)

    # then
    customer.refresh_from_db()
    assert (customer.taxvat, customer.custom_attributes) == ("", {})


def test_update_with_only_surrounding_spaces_changes_nothing(
    customer, django_capture_on_commit_callbacks, emitted
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.update_customer(customer=customer, firstname=" Ada ", actor=SYSTEM)

    # then
    assert not customer.timeline.filter(kind=TimelineKind.ACCOUNT_UPDATED).exists()
    assert emitted == []
