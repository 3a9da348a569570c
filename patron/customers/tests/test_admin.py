"""Back office: customers list and add form, customer groups, website-limited staff."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages

from patron.customers.history import TimelineKind
from patron.customers.models import Customer, CustomerGroup, TaxClass
from patron.customers.tests.factories import make_customer
from patron.staff.models import StaffProfile
from patron.testing.fixtures import make_staff_user, set_config

LIST_URL = "/admin/customers/customer/"
ADD_URL = "/admin/customers/customer/add/"


def add_form(website, group_id=1, **overrides):
    data = {
        "website": website.pk,
        "created_in": "",
        "group": group_id,
        "prefix": "",
        "firstname": "Nora",
        "middlename": "",
        "lastname": "West",
        "suffix": "",
        "email": "nora@example.com",
        "dob": "",
        "taxvat": "",
        "gender": "",
        "is_active": "on",
        "addresses-TOTAL_FORMS": "0",
        "addresses-INITIAL_FORMS": "0",
        "addresses-MIN_NUM_FORMS": "0",
        "addresses-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    data.update(overrides)
    return data


def listed(response):
    rows = response.context["table"]
    return sorted(dict((c.code, v) for c, v in row["cells"])["email"] for row in rows)


def messages_of(response):
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def staff_client(client, superuser):
    client.force_login(superuser)
    return client


def test_superuser_lists_and_searches_customers(staff_client, view_a, view_b):
    # given
    make_customer("ada@example.com", store_view=view_a, lastname="Lovelace")
    make_customer("grace@example.com", store_view=view_a, firstname="Grace", lastname="Hopper")
    make_customer("hopper@example.com", store_view=view_b, firstname="Bob", lastname="Smith")

    # when
    everyone = staff_client.get(LIST_URL)
    searched = staff_client.get(LIST_URL, {"keyword": "hopper"})

    # then
    assert everyone.status_code == 200
    assert listed(everyone) == ["ada@example.com", "grace@example.com", "hopper@example.com"]
    assert listed(searched) == ["grace@example.com", "hopper@example.com"]


def test_superuser_adds_a_customer_through_the_service(staff_client, website_a, superuser):
    # when
    response = staff_client.post(ADD_URL, add_form(website_a))

    # then
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert (customer.email, customer.firstname, customer.group_id, customer.created_in.code) == (
        "nora@example.com",
        "Nora",
        1,
        "default",
    )
    assert list(customer.timeline.values_list("kind", "actor_kind", "actor_id")) == [
        (TimelineKind.ACCOUNT_CREATED, "staff", superuser.pk)
    ]


def test_email_typed_in_capitals_is_stored_in_lower_case(staff_client, website_a):
    # when
    response = staff_client.post(ADD_URL, add_form(website_a, email="Nora.West@Example.COM"))

    # then
    assert response.status_code == 302
    assert list(Customer.objects.values_list("email", flat=True)) == ["nora.west@example.com"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"email": "ada@example.com"},
            "email",
            "A customer with the email ada@example.com already exists.",
        ),
        (
            {"group": 0},
            "group",
            "NOT LOGGED IN is the group of guests and cannot be given to an account.",
        ),
    ],
    ids=["taken_email_case", "guest_group_case"],
)
def test_invalid_customer_shows_the_error_on_its_field(
    staff_client, customer, website_a, overrides, field, message
):
    # when
    response = staff_client.post(ADD_URL, add_form(website_a, **overrides))

    # then
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {field: [message]}
    assert list(Customer.objects.values_list("email", flat=True)) == ["ada@example.com"]


def test_required_option_shows_the_error_on_its_field(staff_client, website_a):
    # given
    set_config({"customer/address/dob_show": "req"})

    # when
    response = staff_client.post(ADD_URL, add_form(website_a))

    # then
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "dob": ["Date of Birth is a required field."]
    }
    assert Customer.objects.count() == 0


def test_staff_limited_to_website_a_sees_only_its_customers(client, view_a, view_b, website_a):
    # given
    make_customer("ada@example.com", store_view=view_a)
    on_b = make_customer("bob@example.com", store_view=view_b)
    clerk = make_staff_user("clerk", permissions=["customers.view_customer"])
    StaffProfile.objects.create(user=clerk).websites.set([website_a])
    client.force_login(clerk)

    # when
    response = client.get(LIST_URL)
    searched = client.get(LIST_URL, {"keyword": "bob"})
    detail = client.get(f"/admin/customers/customer/{on_b.pk}/change/")

    # then
    assert listed(response) == ["ada@example.com"]
    assert listed(searched) == []
    assert detail.status_code == 404
    assert Customer.objects.filter(pk=on_b.pk).exists()


@pytest.mark.parametrize("group_id", [0, 1], ids=["not_logged_in_case", "default_group_case"])
def test_deleting_a_protected_group_shows_an_error_and_keeps_it(staff_client, customer, group_id):
    # when
    response = staff_client.post(
        f"/admin/customers/customergroup/{group_id}/delete/", {"post": "yes"}, follow=True
    )

    # then
    code = CustomerGroup.objects.get(pk=group_id).code
    assert messages_of(response) == [
        (
            "error",
            f"You can't delete group {code}: it is the guest group or a store's default group.",
        )
    ]
    assert list(CustomerGroup.objects.values_list("pk", flat=True)) == [0, 1, 2, 3]
    assert LogEntry.objects.count() == 0
    customer.refresh_from_db()
    assert customer.group_id == 1


def test_deleting_a_group_reports_how_many_customers_moved(staff_client, view_a):
    # given
    make_customer("a@example.com", store_view=view_a, group=CustomerGroup.objects.get(pk=2))
    make_customer("b@example.com", store_view=view_a, group=CustomerGroup.objects.get(pk=2))
    confirmation = staff_client.get("/admin/customers/customergroup/2/delete/")

    # when
    response = staff_client.post(
        "/admin/customers/customergroup/2/delete/", {"post": "yes"}, follow=True
    )

    # then
    assert (confirmation.context["title"], confirmation.context["protected"]) == ("Delete", [])
    assert messages_of(response) == [
        ("info", "2 customers were moved to their store's default group."),
        ("success", "The customer group “Wholesale” was deleted successfully."),
    ]
    assert list(CustomerGroup.objects.values_list("pk", flat=True)) == [0, 1, 3]
    assert set(Customer.objects.values_list("group_id", flat=True)) == {1}


def test_website_limited_staff_cannot_delete_groups(client, website_a):
    # given
    clerk = make_staff_user(
        "clerk",
        permissions=["customers.view_customergroup", "customers.delete_customergroup"],
    )
    StaffProfile.objects.create(user=clerk).websites.set([website_a])
    client.force_login(clerk)

    # when
    response = client.post("/admin/customers/customergroup/2/delete/", {"post": "yes"})

    # then
    assert response.status_code == 403
    assert CustomerGroup.objects.filter(pk=2).exists()


def test_tax_class_in_use_cannot_be_deleted(staff_client):
    # given
    retail = TaxClass.objects.get(kind="customer")

    # when
    response = staff_client.post(f"/admin/customers/taxclass/{retail.pk}/delete/", {"post": "yes"})

    # then
    assert response.status_code == 200
    assert response.context["title"] == "Cannot delete tax class"
    assert len(response.context["protected"]) == 4
    assert TaxClass.objects.filter(pk=retail.pk).exists()


def test_superuser_changes_a_customer_through_the_services(staff_client, customer, website_a):
    # given
    data = add_form(website_a, group=2, firstname="Ada", lastname="King", email="ada@example.com")

    # when
    response = staff_client.post(
        f"/admin/customers/customer/{customer.pk}/change/?section=account", data
    )

    # then
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.lastname, customer.group_id) == ("King", 2)
    assert sorted(customer.timeline.values_list("kind", flat=True)) == [
        TimelineKind.ACCOUNT_CREATED,
        TimelineKind.ACCOUNT_UPDATED,
        TimelineKind.GROUP_CHANGED,
    ]
