"""Shared fixtures and texts of the Login as Customer tests."""

import pytest

from patron.assistance import settings_fields as fields
from patron.customers.tests.factories import make_customer
from patron.testing.fixtures import set_config

BAD_LINK = "This Login as Customer link is not valid, was already used or has expired."

NO_CONSENT = (
    "This customer has not allowed remote shopping assistance. Ask them to tick the box on "
    "their Account Information page."
)

PASSWORD = "Secret-password-1"


@pytest.fixture
def enabled(db):
    set_config({fields.ENABLED: True})


@pytest.fixture
def grace(view_a):
    return make_customer("grace@example.com", store_view=view_a, firstname="Grace")
