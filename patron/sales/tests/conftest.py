"""What the commerce-facts tests share: a customer, a second website's store view, and the
customer page's section helpers."""

import pytest

from patron.customers.tests.factories import make_customer
from patron.staff.models import StaffProfile
from patron.testing.fixtures import make_staff_user, make_store_view


@pytest.fixture
def customer(view_a):
    return make_customer("ada@example.com", store_view=view_a)


@pytest.fixture
def view_b(website_b):
    return make_store_view(website_b, "second_en", "en", name="Second English", is_default=True)


def section_url(customer, section):
    return f"/admin/customers/customer/{customer.pk}/change/?section={section}"


def section_codes(response):
    return [section.code for section in response.context["sections"]]


def staff_client(client, *permissions, username="clerk", websites=()):
    """Sign ``client`` in as a staff member who may view customers and has ``permissions``,
    limited to ``websites`` when given."""
    user = make_staff_user(username, permissions=["customers.view_customer", *permissions])
    if websites:
        StaffProfile.objects.create(user=user).websites.set(websites)
    client.force_login(user)
    return user
