"""The Address Book (spec b §14, acceptance checks 39–41): default addresses and additional
entries, pagination for thousands of entries, add, edit, make default and delete, and the
address form built from the Name and Address Options with per-country messages."""

import pytest

from patron.core.actors import SYSTEM
from patron.customers import services
from patron.customers.history import TimelineKind
from patron.customers.models import Address
from patron.customers.tests.factories import make_address, make_customer
from patron.dashboard.tests.factories import (
    BOOK_URL,
    NEW_ADDRESS_URL,
    REGIONS_URL,
    address_form,
    bulk_addresses,
    delete_address_url,
    edit_address_url,
    field_named,
    form_elements,
    messages_of,
    texts,
)
from patron.testing.fixtures import set_config

ONE_LINE = {"customer/address_templates/html": "{{var street1}}, {{var city}}"}


def delete_forms(response) -> list[str]:
    """Return the action of each Delete form on the page."""
    return [
        e["action"]
        for e in form_elements(response, "form")
        if e.get("action", "").endswith("/delete/")
    ]


def inputs_named(response, prefix: str) -> list[str]:
    return [
        e["name"]
        for e in form_elements(response)
        if e["tag"] in ("input", "select") and e.get("name", "").startswith(prefix)
    ]


# --- The book ----------------------------------------------------------------------------------


def test_lists_the_defaults_apart_from_the_additional_entries(shopper_client, shopper, view):
    # given
    set_config(ONE_LINE, store_view=view)
    billing = make_address(shopper, street=["1 Billing Road"], default_billing=True)
    shipping = make_address(shopper, street=["2 Shipping Lane"], default_shipping=True)
    first = make_address(shopper, street=["3 Extra Street"])
    second = make_address(shopper, street=["4 Extra Street"])

    # when
    response = shopper_client.get(BOOK_URL)

    # then
    assert response.status_code == 200
    assert texts(response, "address") == [
        "1 Billing Road, Boston",
        "2 Shipping Lane, Boston",
        "3 Extra Street, Boston",
        "4 Extra Street, Boston",
    ]
    html = response.content.decode()
    for address in (billing, shipping, first, second):
        assert f'href="{edit_address_url(address)}"' in html
    # Check 39: Delete only for the additional entries, each behind a confirmation.
    assert delete_forms(response) == [delete_address_url(first), delete_address_url(second)]
    confirms = [
        e.get("data-confirm") for e in form_elements(response, "form") if "data-confirm" in e
    ]
    assert confirms == ["Are you sure you want to delete this address?"] * 2


def test_an_empty_book_says_so(shopper_client):
    # when
    response = shopper_client.get(BOOK_URL)

    # then
    assert texts(response, "p")[:4] == [
        "You have no default billing address in your address book.",
        "You have no default shipping address in your address book.",
        "You have no other address entries in your address book.",
        "Add New Address",
    ]
    assert delete_forms(response) == []


def test_additional_entries_come_twenty_a_page(shopper_client, shopper):
    # given: one default and 45 additional entries
    make_address(shopper, street=["0 Default Road"])
    extra = bulk_addresses(shopper, 45)

    # when
    first_page = shopper_client.get(BOOK_URL)
    last_page = shopper_client.get(f"{BOOK_URL}?page=3")

    # then
    assert delete_forms(first_page) == [delete_address_url(a) for a in extra[:20]]
    assert texts(first_page, "nav", "class", "pager") == ["Page 1 of 3 Next"]
    assert delete_forms(last_page) == [delete_address_url(a) for a in extra[40:]]
    assert texts(last_page, "nav", "class", "pager") == ["Previous Page 3 of 3"]


def test_a_page_past_the_end_shows_the_last_page(shopper_client, shopper):
    # given
    extra = bulk_addresses(shopper, 25)

    # when
    response = shopper_client.get(f"{BOOK_URL}?page=9")

    # then
    assert response.status_code == 200
    assert delete_forms(response) == [delete_address_url(a) for a in extra[20:]]


# Transactional, so the configuration snapshot is cached as in production (it is never cached
# inside a transaction) and the count shows what one page view costs.
@pytest.mark.django_db(transaction=True)
def test_opens_with_three_thousand_and_one_entries(
    shopper_client, shopper, django_assert_max_num_queries
):
    # given: check 41
    extra = bulk_addresses(shopper, 3001)
    shopper_client.get(BOOK_URL)  # fills the configuration cache

    # when
    with django_assert_max_num_queries(10):
        response = shopper_client.get(BOOK_URL)

    # then
    assert response.status_code == 200
    assert delete_forms(response) == [delete_address_url(a) for a in extra[:20]]
    assert texts(response, "nav", "class", "pager") == ["Page 1 of 151 Next"]

    # when
    with django_assert_max_num_queries(10):
        last = shopper_client.get(f"{BOOK_URL}?page=151")

    # then
    assert delete_forms(last) == [delete_address_url(extra[-1])]


# --- Add ---------------------------------------------------------------------------------------


def test_the_new_address_form_is_prefilled_with_the_customers_names(shopper_client, shopper):
    # given: check 40
    services.update_customer(customer=shopper, firstname="Grace", lastname="Hopper", actor=SYSTEM)

    # when
    response = shopper_client.get(NEW_ADDRESS_URL)

    # then
    assert response.status_code == 200
    assert field_named(response, "firstname")["value"] == "Grace"
    assert field_named(response, "lastname")["value"] == "Hopper"
    assert [e["name"] for e in form_elements(response, "input") if e["type"] == "checkbox"] == [
        "default_billing",
        "default_shipping",
    ]


def test_ticking_both_boxes_makes_the_new_address_both_defaults(shopper_client, shopper):
    # given: check 40
    old = make_address(shopper)

    # when
    response = shopper_client.post(
        NEW_ADDRESS_URL,
        address_form(street_1="7 New Street", default_billing="on", default_shipping="on"),
    )

    # then
    assert response.status_code == 302
    assert response["Location"] == BOOK_URL
    assert messages_of(response) == [("success", "You saved the address.")]
    new = shopper.addresses.exclude(pk=old.pk).get()
    shopper.refresh_from_db()
    assert (shopper.default_billing_id, shopper.default_shipping_id) == (new.pk, new.pk)
    assert (new.street, new.city, new.region, new.region_code, new.postcode, new.telephone) == (
        ["7 New Street"],
        "Boston",
        "Massachusetts",
        "MA",
        "02108",
        "+1 617-555-0100",
    )


def test_an_address_saved_without_boxes_is_an_additional_entry(shopper_client, shopper):
    # given
    old = make_address(shopper)

    # when
    shopper_client.post(NEW_ADDRESS_URL, address_form(street_1="7 New Street"))

    # then
    new = shopper.addresses.exclude(pk=old.pk).get()
    shopper.refresh_from_db()
    assert (shopper.default_billing_id, shopper.default_shipping_id) == (old.pk, old.pk)
    assert delete_forms(shopper_client.get(BOOK_URL)) == [delete_address_url(new)]


def test_the_first_address_becomes_both_defaults(shopper_client, shopper):
    # when
    shopper_client.post(NEW_ADDRESS_URL, address_form())

    # then
    address = shopper.addresses.get()
    shopper.refresh_from_db()
    assert (shopper.default_billing_id, shopper.default_shipping_id) == (address.pk, address.pk)


# --- Edit and make default ---------------------------------------------------------------------


def test_the_edit_form_shows_the_address(shopper_client, shopper):
    # given
    make_address(shopper)
    extra = make_address(shopper, street=["3 Extra Street", "Flat 2"], city="Cambridge")

    # when
    response = shopper_client.get(edit_address_url(extra))

    # then
    assert response.status_code == 200
    values = {
        name: field_named(response, name).get("value")
        for name in ("firstname", "lastname", "street_1", "street_2", "city", "postcode")
    }
    assert values == {
        "firstname": "Ada",
        "lastname": "Lovelace",
        "street_1": "3 Extra Street",
        "street_2": "Flat 2",
        "city": "Cambridge",
        "postcode": "02108",
    }
    assert "checked" not in field_named(response, "default_billing")


def test_editing_an_entry_can_make_it_the_default_billing_address(shopper_client, shopper):
    # given
    default = make_address(shopper)
    extra = make_address(shopper, city="Cambridge")

    # when
    response = shopper_client.post(
        edit_address_url(extra), address_form(city="Salem", default_billing="on")
    )

    # then
    assert response.status_code == 302
    assert messages_of(response) == [("success", "You saved the address.")]
    extra.refresh_from_db()
    shopper.refresh_from_db()
    assert extra.city == "Salem"
    assert (shopper.default_billing_id, shopper.default_shipping_id) == (extra.pk, default.pk)
    assert list(
        shopper.timeline.filter(kind=TimelineKind.DEFAULT_ADDRESS_CHANGED)
        .order_by("-pk")
        .values_list("params", flat=True)[:1]
    ) == [{"billing": extra.pk, "shipping": default.pk}]


def test_another_customers_address_is_not_found(shopper_client, view):
    # given
    other = make_customer("grace@example.com", store_view=view)
    theirs = make_address(other)

    # when
    edit = shopper_client.get(edit_address_url(theirs))
    delete = shopper_client.post(delete_address_url(theirs))

    # then
    assert (edit.status_code, delete.status_code) == (404, 404)
    assert Address.objects.filter(pk=theirs.pk).exists()


# --- Delete ------------------------------------------------------------------------------------


def test_deleting_an_additional_entry_removes_it(shopper_client, shopper):
    # given
    default = make_address(shopper)
    extra = make_address(shopper, city="Cambridge")

    # when
    response = shopper_client.post(delete_address_url(extra))

    # then
    assert response.status_code == 302
    assert response["Location"] == BOOK_URL
    assert messages_of(response) == [("success", "You deleted the address.")]
    assert list(shopper.addresses.all()) == [default]


def test_delete_needs_a_post(shopper_client, shopper):
    # given
    make_address(shopper)
    extra = make_address(shopper, city="Cambridge")

    # when
    response = shopper_client.get(delete_address_url(extra))

    # then
    assert response.status_code == 405
    assert shopper.addresses.count() == 2


@pytest.mark.parametrize("which", ["billing_case", "shipping_case"])
def test_a_default_address_is_not_deleted_while_others_exist(shopper_client, shopper, which):
    # given: check 39
    first = make_address(shopper)
    other = make_address(shopper, city="Cambridge")
    services.set_default_address(address=other, actor=SYSTEM, **{which.removesuffix("_case"): True})

    # when
    response = shopper_client.post(delete_address_url(other))

    # then
    assert response.status_code == 302
    assert messages_of(response) == [
        (
            "error",
            "This is a default address. Make another address the default before deleting it.",
        )
    ]
    assert list(shopper.addresses.order_by("pk")) == [first, other]


# --- The form follows the options and the country's rules ---------------------------------------


def test_a_bad_us_postcode_is_reported_on_the_postcode_field(shopper_client, shopper):
    # when
    response = shopper_client.post(NEW_ADDRESS_URL, address_form(postcode="ABCDE"))

    # then
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "postcode": [
            "ABCDE is not a valid ZIP/postal code for United States; it should look like 95014."
        ]
    }
    assert shopper.addresses.count() == 0


def test_every_country_problem_is_reported_on_its_field(shopper_client, shopper):
    # when
    response = shopper_client.post(
        NEW_ADDRESS_URL, address_form(postcode="", region="Atlantis", telephone="12")
    )

    # then
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "postcode": ["ZIP/Postal Code is a required field."],
        "region": ["Choose a State/Province of United States."],
        "telephone": ["12 is not a valid phone number; use a number such as +1 201-555-0123."],
    }


def test_a_missing_street_is_reported_on_the_first_street_line(shopper_client, shopper):
    # when
    response = shopper_client.post(NEW_ADDRESS_URL, address_form(street_1="  ", street_2="Flat 2"))

    # then
    assert response.status_code == 400
    assert response.context["form"].errors == {"street_1": ["This field is required."]}
    assert shopper.addresses.count() == 0


def test_an_edit_with_problems_changes_nothing(shopper_client, shopper):
    # given
    address = make_address(shopper)

    # when
    response = shopper_client.post(edit_address_url(address), address_form(postcode="ABCDE"))

    # then
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["postcode"]
    address.refresh_from_db()
    assert address.postcode == "02108"


def test_four_street_lines_give_four_inputs(shopper_client, shopper, website_a):
    # given
    set_config({"customer/address/street_lines": 4}, website=website_a)

    # when
    form = shopper_client.get(NEW_ADDRESS_URL)
    shopper_client.post(
        NEW_ADDRESS_URL,
        address_form(street_1="Line 1", street_2="Line 2", street_3="Line 3", street_4="Line 4"),
    )

    # then
    assert inputs_named(form, "street_") == ["street_1", "street_2", "street_3", "street_4"]
    assert shopper.addresses.get().street == ["Line 1", "Line 2", "Line 3", "Line 4"]


def test_one_street_line_gives_one_input(shopper_client, website_a):
    # given
    set_config({"customer/address/street_lines": 1}, website=website_a)

    # when
    response = shopper_client.get(NEW_ADDRESS_URL)

    # then
    assert inputs_named(response, "street_") == ["street_1"]


def test_a_hidden_telephone_is_neither_shown_nor_required(shopper_client, shopper, website_a):
    # given
    set_config({"customer/address/telephone_show": ""}, website=website_a)

    # when
    form = shopper_client.get(NEW_ADDRESS_URL)
    response = shopper_client.post(NEW_ADDRESS_URL, address_form(telephone=""))

    # then
    assert field_named(form, "telephone") is None
    assert response.status_code == 302
    assert shopper.addresses.get().telephone == ""


def test_the_vat_number_is_shown_only_when_configured(shopper_client, shopper, website_a):
    # given
    hidden = shopper_client.get(NEW_ADDRESS_URL)
    set_config({"customer/create_account/vat_frontend_visibility": True}, website=website_a)

    # when
    shown = shopper_client.get(NEW_ADDRESS_URL)
    shopper_client.post(NEW_ADDRESS_URL, address_form(vat_id="DE123456789"))

    # then
    assert field_named(hidden, "vat_id") is None
    assert field_named(shown, "vat_id")["type"] == "text"
    assert shopper.addresses.get().vat_id == "DE123456789"


def test_the_form_suggests_the_regions_of_the_country(shopper_client, shopper):
    # given
    address = make_address(shopper)

    # when
    response = shopper_client.post(
        edit_address_url(address), address_form(country_id="CA", region="Nowhere", postcode="")
    )

    # then: after a failed save, the suggestions follow the country chosen in the form
    assert response.status_code == 400
    suggestions = [e["value"] for e in form_elements(response, "option") if e["select"] is None]
    assert suggestions[:3] == ["Alberta", "British Columbia", "Manitoba"]
    assert len(suggestions) == 13


def test_regions_of_a_country_as_json(client, view):
    # when
    response = client.get(f"{REGIONS_URL}?country=ca")

    # then
    assert response.status_code == 200
    regions = response.json()["regions"]
    assert regions[:2] == [
        {"code": "AB", "name": "Alberta"},
        {"code": "BC", "name": "British Columbia"},
    ]
    assert len(regions) == 13


def test_a_country_without_regions_answers_an_empty_list(client, view):
    # when
    response = client.get(f"{REGIONS_URL}?country=DE")

    # then
    assert response.json() == {"regions": []}
