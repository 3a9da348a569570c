"""Staff API (integration tokens): customers, addresses, newsletter, groups, tax classes."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from patron.core.actors import SYSTEM
from patron.customers import services
from patron.customers.history import TimelineKind
from patron.customers.models import Address, Customer, CustomerGroup, TaxClass
from patron.customers.tests.factories import address_data, make_address, make_customer
from patron.staff.models import StaffProfile
from patron.staff.services import revoke_integration_token
from patron.testing.fixtures import bearer, make_integration_token, make_staff_user, set_config

CUSTOMER_PERMISSIONS = [
    "customers.view_customer",
    "customers.add_customer",
    "customers.change_customer",
    "customers.delete_customer",
    "customers.view_address",
    "customers.add_address",
    "customers.change_address",
    "customers.delete_address",
    "customers.view_newslettersubscriber",
    "customers.change_newslettersubscriber",
]
GROUP_PERMISSIONS = [
    "customers.view_customergroup",
    "customers.add_customergroup",
    "customers.change_customergroup",
    "customers.delete_customergroup",
    "customers.view_taxclass",
    "customers.add_taxclass",
    "customers.change_taxclass",
    "customers.delete_taxclass",
]


def send(client, method, url, secret=None, payload=None, **extra):
    kwargs = bearer(secret) if secret else {}
    if payload is not None:
        kwargs.update(data=json.dumps(payload), content_type="application/json")
    return getattr(client, method)(url, **kwargs, **extra)


@pytest.fixture
def full_token(db):
    _token, secret = make_integration_token(
        "Full", permissions=CUSTOMER_PERMISSIONS + GROUP_PERMISSIONS
    )
    return secret


@pytest.fixture
def token_for_a(website_a):
    _token, secret = make_integration_token(
        "Website A", permissions=CUSTOMER_PERMISSIONS + GROUP_PERMISSIONS, websites=[website_a]
    )
    return secret


# --- Who may call -------------------------------------------------------------------------------

OPERATIONS = [
    ("get", "/api/v1/customers", None, "customers.view_customer", 200),
    ("get", "/api/v1/customers/{id}", None, "customers.view_customer", 200),
    (
        "post",
        "/api/v1/customers",
        {"website_id": "{website}", "email": "new@example.com", "firstname": "N", "lastname": "W"},
        "customers.add_customer",
        201,
    ),
    ("patch", "/api/v1/customers/{id}", {"firstname": "Augusta"}, "customers.change_customer", 200),
    ("delete", "/api/v1/customers/{id}", None, "customers.delete_customer", 204),
    ("get", "/api/v1/customers/{id}/addresses", None, "customers.view_address", 200),
    ("get", "/api/v1/customers/{id}/newsletter", None, "customers.view_newslettersubscriber", 200),
    ("get", "/api/v1/customer-groups", None, "customers.view_customergroup", 200),
    ("get", "/api/v1/tax-classes", None, "customers.view_taxclass", 200),
]


@pytest.mark.parametrize(
    "caller", ["anonymous", "shopper", "without_permission", "with_permission"]
)
@pytest.mark.parametrize(
    ("method", "url", "payload", "permission", "success"),
    OPERATIONS,
    ids=[
        "list_case",
        "read_case",
        "create_case",
        "update_case",
        "delete_case",
        "addresses_case",
        "newsletter_case",
        "groups_case",
        "tax_classes_case",
    ],
)
def test_operations_need_their_permission(
    client, customer, method, url, payload, permission, success, caller
):
    # given
    secret = None
    if caller == "shopper":
        secret = services.issue_customer_token(customer=customer)
    elif caller != "anonymous":
        granted = [permission] if caller == "with_permission" else []
        _token, secret = make_integration_token(permissions=granted)
    url = url.format(id=customer.pk)
    if payload is not None:
        payload = {k: customer.website_id if v == "{website}" else v for k, v in payload.items()}

    # when
    response = send(client, method, url, secret, payload, HTTP_X_PATRON_STORE="default")

    # then
    if caller in ("anonymous", "shopper"):
        assert response.status_code == 401
        assert response.json() == {
            "code": "not_authenticated",
            "message": "Sign in or send a valid API token.",
        }
    elif caller == "without_permission":
        assert response.status_code == 403
        assert response.json() == {
            "code": "permission_denied",
            "message": f"You need the permission {permission} for this.",
            "params": {"permission": permission},
        }
    else:
        assert response.status_code == success
    expected_rows = {
        ("delete", "with_permission"): 0,
        ("post", "with_permission"): 2,
    }.get((method, caller), 1)
    assert Customer.objects.count() == expected_rows


def test_revoked_token_is_refused(client, customer):
    # given
    token, secret = make_integration_token(permissions=["customers.view_customer"])
    revoke_integration_token(token=token, actor=SYSTEM)

    # when
    response = send(client, "get", "/api/v1/customers", secret)

    # then
    assert response.status_code == 401
    assert response.json()["code"] == "token_inactive"


# --- Customers: list ----------------------------------------------------------------------------


def emails(response):
    return [item["email"] for item in response.json()["items"]]


def test_list_filters_by_search_group_and_website(client, full_token, view_a, view_b, website_b):
    # given
    make_customer("ada@example.com", store_view=view_a, firstname="Ada", lastname="Lovelace")
    make_customer(
        "grace@example.com",
        store_view=view_a,
        firstname="Grace",
        lastname="Hopper",
        group=CustomerGroup.objects.get(pk=2),
    )
    make_customer("ada.b@example.com", store_view=view_b, firstname="Ada", lastname="Byron")

    # when
    by_search = send(client, "get", "/api/v1/customers?search=ada", full_token)
    by_two_words = send(client, "get", "/api/v1/customers?search=ada%20byron", full_token)
    by_group = send(client, "get", "/api/v1/customers?group_id=2", full_token)
    by_website = send(client, "get", f"/api/v1/customers?website_id={website_b.pk}", full_token)
    by_email = send(client, "get", "/api/v1/customers?email=GRACE@example.com", full_token)

    # then
    assert sorted(emails(by_search)) == ["ada.b@example.com", "ada@example.com"]
    assert emails(by_two_words) == ["ada.b@example.com"]
    assert emails(by_group) == ["grace@example.com"]
    assert emails(by_website) == ["ada.b@example.com"]
    assert emails(by_email) == ["grace@example.com"]


def test_list_returns_every_customer_field(client, full_token, customer):
    # when
    response = send(client, "get", "/api/v1/customers", full_token)

    # then
    assert response.status_code == 200
    item = response.json()["items"][0]
    assert {k: v for k, v in item.items() if k not in ("created_at", "updated_at")} == {
        "id": customer.pk,
        "number": None,
        "website_id": customer.website_id,
        "group_id": 1,
        "created_in": "default",
        "prefix": "",
        "firstname": "Ada",
        "middlename": "",
        "lastname": "Lovelace",
        "suffix": "",
        "email": "ada@example.com",
        "dob": None,
        "taxvat": "",
        "gender": None,
        "is_active": True,
        "confirmed": True,
        "locked_until": None,
        "disable_auto_group_change": False,
        "allow_remote_assistance": False,
        "default_billing_id": None,
        "default_shipping_id": None,
        "custom_attributes": {},
    }
    assert response.json()["next_cursor"] is None


def test_keyset_pages_never_repeat_or_skip(client, full_token, view_a):
    # given
    created = [make_customer(f"c{n}@example.com", store_view=view_a) for n in range(7)]

    # when
    seen, cursor, pages = [], None, 0
    while True:
        url = "/api/v1/customers?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = send(client, "get", url, full_token).json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break

    # then
    assert pages == 3
    assert seen == [c.pk for c in created]


def test_updated_since_returns_only_later_changes(client, full_token, view_a):
    # given
    old = make_customer("old@example.com", store_view=view_a)
    Customer.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(days=2))
    make_customer("new@example.com", store_view=view_a)
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()

    # when
    response = client.get("/api/v1/customers", {"updated_since": since}, **bearer(full_token))

    # then
    assert emails(response) == ["new@example.com"]


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [("cursor=not-a-cursor", "invalid_cursor", "cursor"), ("limit=0", "invalid_limit", "limit")],
    ids=["bad_cursor_case", "zero_limit_case"],
)
def test_bad_paging_values_are_refused(client, full_token, customer, query, code, field):
    # when
    response = send(client, "get", f"/api/v1/customers?{query}", full_token)

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (code, field)


# --- Customers: create, update, delete ----------------------------------------------------------


def test_create_returns_the_new_customer(client, full_token, view_a, website_a):
    # given
    payload = {
        "website_id": website_a.pk,
        "store_view": "default",
        "group_id": 2,
        "email": " New@Example.com",
        "firstname": "Nora",
        "lastname": "West",
        "gender": 2,
    }

    # when
    response = send(client, "post", "/api/v1/customers", full_token, payload)

    # then
    assert response.status_code == 201
    body = response.json()
    customer = Customer.objects.get()
    assert (body["id"], body["email"], body["group_id"], body["created_in"], body["gender"]) == (
        customer.pk,
        "new@example.com",
        2,
        "default",
        2,
    )
    assert list(customer.timeline.values_list("kind", "actor_kind")) == [
        (TimelineKind.ACCOUNT_CREATED, "integration")
    ]


def test_create_reports_every_invalid_field(client, full_token, website_a):
    # given
    set_config({"customer/address/dob_show": "req"})
    payload = {"website_id": website_a.pk, "email": "nope", "firstname": "", "lastname": "West"}

    # when
    response = send(client, "post", "/api/v1/customers", full_token, payload)

    # then
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert [(e["code"], e["field"]) for e in body["errors"]] == [
        ("required", "firstname"),
        ("invalid_email", "email"),
        ("required", "dob"),
    ]
    assert Customer.objects.count() == 0


def test_create_with_a_taken_email_is_a_conflict(client, full_token, customer):
    # when
    response = send(
        client,
        "post",
        "/api/v1/customers",
        full_token,
        {
            "website_id": customer.website_id,
            "email": "ADA@example.com",
            "firstname": "Ada",
            "lastname": "Again",
        },
    )

    # then
    assert response.status_code == 409
    assert (response.json()["code"], response.json()["field"]) == ("email_taken", "email")
    assert Customer.objects.count() == 1


def test_create_on_an_unknown_website_is_not_found(client, full_token, db):
    # when
    response = send(
        client,
        "post",
        "/api/v1/customers",
        full_token,
        {
            "website_id": 999,
            "email": "x@example.com",
            "firstname": "X",
            "lastname": "Y",
        },
    )

    # then
    assert response.status_code == 404
    assert (response.json()["code"], response.json()["field"]) == ("unknown_website", "website_id")


def test_patch_changes_fields_and_group(client, full_token, customer):
    # when
    response = send(
        client,
        "patch",
        f"/api/v1/customers/{customer.pk}",
        full_token,
        {"firstname": "Augusta", "group_id": 3},
    )

    # then
    assert response.status_code == 200
    assert (response.json()["firstname"], response.json()["group_id"]) == ("Augusta", 3)
    customer.refresh_from_db()
    assert (customer.firstname, customer.group_id) == ("Augusta", 3)
    assert sorted(customer.timeline.values_list("kind", flat=True)) == [
        TimelineKind.ACCOUNT_CREATED,
        TimelineKind.ACCOUNT_UPDATED,
        TimelineKind.GROUP_CHANGED,
    ]


def test_patch_with_an_invalid_value_changes_nothing(client, full_token, customer):
    # when
    response = send(
        client,
        "patch",
        f"/api/v1/customers/{customer.pk}",
        full_token,
        {"firstname": "Augusta", "email": "broken"},
    )

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("invalid_email", "email")
    customer.refresh_from_db()
    assert (customer.firstname, customer.email) == ("Ada", "ada@example.com")


def test_patch_to_the_guest_group_is_refused(client, full_token, customer):
    # when
    response = send(
        client, "patch", f"/api/v1/customers/{customer.pk}", full_token, {"group_id": 0}
    )

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "guest_group"
    customer.refresh_from_db()
    assert customer.group_id == 1


def test_delete_removes_the_customer(client, full_token, customer):
    # when
    response = send(client, "delete", f"/api/v1/customers/{customer.pk}", full_token)
    again = send(client, "get", f"/api/v1/customers/{customer.pk}", full_token)

    # then
    assert response.status_code == 204
    assert again.status_code == 404
    assert again.json()["code"] == "customer_not_found"
    assert Customer.objects.count() == 0


# --- Website-scoped tokens ----------------------------------------------------------------------


@pytest.fixture
def customer_on_b(view_b):
    customer = make_customer("bob@example.com", store_view=view_b, firstname="Bob")
    make_address(customer)
    return customer


@pytest.mark.parametrize(
    ("method", "suffix", "payload"),
    [
        ("get", "", None),
        ("patch", "", {"firstname": "Mallory"}),
        ("delete", "", None),
        ("get", "/addresses", None),
        ("post", "/addresses", address_data()),
        ("get", "/newsletter", None),
        ("put", "/newsletter", {"subscribed": True}),
    ],
    ids=[
        "read_case",
        "update_case",
        "delete_case",
        "addresses_case",
        "add_address_case",
        "newsletter_case",
        "subscribe_case",
    ],
)
def test_token_of_website_a_cannot_reach_website_bs_customer(
    client, token_for_a, customer_on_b, method, suffix, payload
):
    # when
    response = send(
        client, method, f"/api/v1/customers/{customer_on_b.pk}{suffix}", token_for_a, payload
    )

    # then
    assert response.status_code == 404
    assert response.json()["code"] == "customer_not_found"
    customer_on_b.refresh_from_db()
    assert customer_on_b.firstname == "Bob"
    assert customer_on_b.addresses.count() == 1
    assert customer_on_b.subscriptions.count() == 0


def test_token_of_website_a_lists_only_website_as_customers(
    client, token_for_a, customer, customer_on_b, website_b
):
    # when
    everything = send(client, "get", "/api/v1/customers", token_for_a)
    asked_for_b = send(client, "get", f"/api/v1/customers?website_id={website_b.pk}", token_for_a)
    searched = send(client, "get", "/api/v1/customers?search=bob", token_for_a)

    # then
    assert emails(everything) == ["ada@example.com"]
    assert emails(asked_for_b) == []
    assert emails(searched) == []


def test_token_of_website_a_cannot_create_a_customer_on_website_b(
    client, token_for_a, website_b, db
):
    # when
    response = send(
        client,
        "post",
        "/api/v1/customers",
        token_for_a,
        {
            "website_id": website_b.pk,
            "email": "x@example.com",
            "firstname": "X",
            "lastname": "Y",
        },
    )

    # then
    assert response.status_code == 403
    assert response.json()["code"] == "website_not_allowed"
    assert Customer.objects.count() == 0


def test_token_of_website_a_cannot_move_a_customer_to_website_b(
    client, token_for_a, customer, website_b
):
    # when
    response = send(
        client,
        "patch",
        f"/api/v1/customers/{customer.pk}",
        token_for_a,
        {"website_id": website_b.pk},
    )

    # then
    assert response.status_code == 403
    assert response.json()["code"] == "website_not_allowed"
    customer.refresh_from_db()
    assert customer.website_id == customer.created_in.store.website_id


@pytest.mark.parametrize(
    ("method", "url", "payload"),
    [
        ("post", "/api/v1/customer-groups", {"code": "VIP", "tax_class_id": "{retail}"}),
        ("patch", "/api/v1/customer-groups/2", {"code": "Trade"}),
        ("delete", "/api/v1/customer-groups/2", None),
    ],
    ids=["create_case", "update_case", "delete_case"],
)
def test_website_scoped_token_cannot_manage_groups(client, token_for_a, method, url, payload):
    # given
    retail = TaxClass.objects.get(kind="customer")
    if payload:
        payload = {k: retail.pk if v == "{retail}" else v for k, v in payload.items()}

    # when
    response = send(client, method, url, token_for_a, payload)

    # then
    assert response.status_code == 403
    assert response.json()["code"] == "website_scope"
    assert list(CustomerGroup.objects.values_list("pk", "code")) == [
        (0, "NOT LOGGED IN"),
        (1, "General"),
        (2, "Wholesale"),
        (3, "Retailer"),
    ]


# --- Addresses ----------------------------------------------------------------------------------


def test_address_crud_through_the_api(client, full_token, customer):
    # when
    created = send(
        client,
        "post",
        f"/api/v1/customers/{customer.pk}/addresses",
        full_token,
        address_data(street=["1 Main St", "Apt 2"]),
    )
    address_id = created.json()["id"]
    patched = send(
        client,
        "patch",
        f"/api/v1/customers/{customer.pk}/addresses/{address_id}",
        full_token,
        {"city": "Cambridge"},
    )
    listed = send(client, "get", f"/api/v1/customers/{customer.pk}/addresses", full_token)
    deleted = send(
        client, "delete", f"/api/v1/customers/{customer.pk}/addresses/{address_id}", full_token
    )

    # then
    assert created.status_code == 201
    assert (created.json()["street"], created.json()["is_default_billing"]) == (
        ["1 Main St", "Apt 2"],
        True,
    )
    assert (patched.status_code, patched.json()["city"]) == (200, "Cambridge")
    assert [(a["id"], a["city"], a["is_default_shipping"]) for a in listed.json()] == [
        (address_id, "Cambridge", True)
    ]
    assert deleted.status_code == 204
    assert Address.objects.count() == 0


def test_address_with_too_many_street_lines_is_refused(client, full_token, customer):
    # when
    response = send(
        client,
        "post",
        f"/api/v1/customers/{customer.pk}/addresses",
        full_token,
        address_data(street=["1", "2", "3"]),
    )

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (
        "too_many_street_lines",
        "street",
    )
    assert Address.objects.count() == 0


def test_address_of_another_customer_is_not_found(client, full_token, customer, view_a):
    # given
    other = make_customer("grace@example.com", store_view=view_a)
    address = make_address(other)

    # when
    response = send(
        client,
        "patch",
        f"/api/v1/customers/{customer.pk}/addresses/{address.pk}",
        full_token,
        {"city": "Elsewhere"},
    )

    # then
    assert response.status_code == 404
    assert response.json()["code"] == "address_not_found"
    address.refresh_from_db()
    assert address.city == "Boston"


# --- Newsletter ---------------------------------------------------------------------------------


def test_staff_subscribes_and_unsubscribes_a_customer(client, full_token, customer):
    # when
    subscribed = send(
        client,
        "put",
        f"/api/v1/customers/{customer.pk}/newsletter",
        full_token,
        {"subscribed": True},
    )
    unsubscribed = send(
        client,
        "put",
        f"/api/v1/customers/{customer.pk}/newsletter",
        full_token,
        {"subscribed": False, "store_view": "default"},
    )

    # then
    assert [(s["store_view"], s["status"], s["consent_source"]) for s in subscribed.json()] == [
        ("default", "subscribed", "api")
    ]
    assert [(s["store_view"], s["status"]) for s in unsubscribed.json()] == [
        ("default", "unsubscribed")
    ]


def test_staff_cannot_subscribe_on_another_websites_view_per_website(
    client, full_token, customer, view_b
):
    # when
    response = send(
        client,
        "put",
        f"/api/v1/customers/{customer.pk}/newsletter",
        full_token,
        {"subscribed": True, "store_view": "second_en"},
    )

    # then
    assert response.status_code == 403
    assert response.json()["code"] == "store_view_website_mismatch"
    assert customer.subscriptions.count() == 0


# --- Groups and tax classes ---------------------------------------------------------------------


def test_group_crud_through_the_api(client, full_token, view_a, website_b):
    # given
    retail = TaxClass.objects.get(kind="customer")

    # when
    created = send(
        client,
        "post",
        "/api/v1/customer-groups",
        full_token,
        {"code": "VIP", "tax_class_id": retail.pk, "excluded_website_ids": [website_b.pk]},
    )
    group_id = created.json()["id"]
    make_customer(store_view=view_a, group=CustomerGroup.objects.get(pk=group_id))
    renamed = send(
        client, "patch", f"/api/v1/customer-groups/{group_id}", full_token, {"code": "Gold"}
    )
    deleted = send(client, "delete", f"/api/v1/customer-groups/{group_id}", full_token)

    # then
    assert (created.status_code, created.json()) == (
        201,
        {"id": 4, "code": "VIP", "tax_class_id": retail.pk, "excluded_website_ids": [website_b.pk]},
    )
    assert (renamed.status_code, renamed.json()["code"]) == (200, "Gold")
    assert (deleted.status_code, deleted.json()) == (200, {"moved_customers": 1})
    assert list(Customer.objects.values_list("group_id", flat=True)) == [1]


@pytest.mark.parametrize(
    ("payload", "code"),
    [({"code": "general"}, "duplicate_group"), ({"code": "x" * 32}, "too_long")],
    ids=["duplicate_case", "too_long_case"],
)
def test_group_validation_errors_name_the_field(client, full_token, payload, code):
    # given
    payload["tax_class_id"] = TaxClass.objects.get(kind="customer").pk

    # when
    response = send(client, "post", "/api/v1/customer-groups", full_token, payload)

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (code, "code")
    assert CustomerGroup.objects.count() == 4


@pytest.mark.parametrize("group_id", [0, 1], ids=["not_logged_in_case", "default_group_case"])
def test_protected_group_delete_is_a_conflict(client, full_token, group_id):
    # when
    response = send(client, "delete", f"/api/v1/customer-groups/{group_id}", full_token)

    # then
    assert response.status_code == 409
    assert response.json()["code"] == "group_protected"
    assert CustomerGroup.objects.filter(pk=group_id).exists()


def test_tax_class_crud_through_the_api(client, full_token):
    # when
    created = send(client, "post", "/api/v1/tax-classes", full_token, {"name": "Trade"})
    tax_class_id = created.json()["id"]
    renamed = send(
        client,
        "patch",
        f"/api/v1/tax-classes/{tax_class_id}",
        full_token,
        {"name": "Trade Customer"},
    )
    listed = send(client, "get", "/api/v1/tax-classes", full_token)
    deleted = send(client, "delete", f"/api/v1/tax-classes/{tax_class_id}", full_token)

    # then
    assert (created.status_code, created.json()["kind"]) == (201, "customer")
    assert renamed.json()["name"] == "Trade Customer"
    assert [(t["name"], t["kind"]) for t in listed.json()] == [
        ("Retail Customer", "customer"),
        ("Taxable Goods", "product"),
        ("Trade Customer", "customer"),
    ]
    assert deleted.status_code == 204
    assert not TaxClass.objects.filter(pk=tax_class_id).exists()


def test_tax_class_in_use_delete_is_a_conflict(client, full_token):
    # given
    retail = TaxClass.objects.get(kind="customer")

    # when
    response = send(client, "delete", f"/api/v1/tax-classes/{retail.pk}", full_token)

    # then
    assert response.status_code == 409
    assert response.json()["code"] == "tax_class_in_use"
    assert TaxClass.objects.filter(pk=retail.pk).exists()


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"prefix": None}, (200, None, None)),
        ({"custom_attributes": None}, (200, None, None)),
        ({"is_active": None}, (400, "invalid", "is_active")),
        ({"suffix": "x" * 41}, (400, "max_length", "suffix")),
    ],
    ids=["null_text_case", "null_attributes_case", "null_flag_case", "too_long_case"],
)
def test_patch_with_nulls_and_oversized_values(client, full_token, customer, payload, expected):
    # when
    response = send(client, "patch", f"/api/v1/customers/{customer.pk}", full_token, payload)

    # then
    body = response.json()
    assert (response.status_code, body.get("code"), body.get("field")) == expected
    customer.refresh_from_db()
    assert (customer.prefix, customer.suffix, customer.is_active, customer.custom_attributes) == (
        "",
        "",
        True,
        {},
    )


def test_staff_session_limited_to_website_a_lists_only_its_customers(
    client, customer, customer_on_b, website_a
):
    # given
    clerk = make_staff_user("clerk", permissions=["customers.view_customer"])
    StaffProfile.objects.create(user=clerk).websites.set([website_a])
    client.force_login(clerk)

    # when
    listed = client.get("/api/v1/customers")
    other = client.get(f"/api/v1/customers/{customer_on_b.pk}")

    # then
    assert emails(listed) == ["ada@example.com"]
    assert (other.status_code, other.json()["code"]) == (404, "customer_not_found")
