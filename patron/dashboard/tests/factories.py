"""Helpers for the dashboard tests: page addresses, the shopper's password, reading pages."""

from html.parser import HTMLParser
from typing import Any

from django.contrib.messages import get_messages

from patron.accounts.tests.factories import field_named, form_elements  # noqa: F401 - re-exported
from patron.customers.models import Address, Customer

PASSWORD = "Abcdefg1!"
NEW_PASSWORD = "Zyxwvut2?"
LOGIN_URL = "/customer/account/login/"
ACCOUNT_URL = "/customer/account/"
EDIT_URL = "/customer/account/edit/"
EMAIL_CONFIRM_URL = "/customer/account/email/confirm/"
BOOK_URL = "/customer/address/"
NEW_ADDRESS_URL = "/customer/address/new/"
REGIONS_URL = "/customer/address/regions/"
NEWSLETTER_URL = "/newsletter/manage/"
NEWSLETTER_CONFIRM_URL = "/newsletter/confirm/"
UNSUBSCRIBE_URL = "/newsletter/unsubscribe/"


def edit_address_url(address: Address) -> str:
    return f"/customer/address/{address.pk}/edit/"


def delete_address_url(address: Address) -> str:
    return f"/customer/address/{address.pk}/delete/"


def messages_of(response) -> list[tuple[str, str]]:
    """Return the (level tag, text) of the flash messages a response queued."""
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def address_form(**overrides: Any) -> dict[str, Any]:
    """Return a valid New Address form submission (US, two street lines configured)."""
    return {
        "firstname": "Ada",
        "lastname": "Lovelace",
        "telephone": "+1 617 555 0100",
        "street_1": "12 Analytical Row",
        "street_2": "",
        "country_id": "US",
        "region": "Massachusetts",
        "city": "Boston",
        "postcode": "02108",
        **overrides,
    }


def bulk_addresses(customer: Customer, count: int, *, start: int = 1) -> list[Address]:
    """Insert ``count`` valid addresses in one query.

    A test-only shortcut for volume: ``add_address`` would write a timeline entry and an event
    per row, which thousands of rows do not need to prove the address book pages.
    """
    return Address.objects.bulk_create(
        Address(
            customer=customer,
            firstname="Ada",
            lastname="Lovelace",
            street=[f"{number} Analytical Row"],
            city="Boston",
            country_id="US",
            region="Massachusetts",
            region_code="MA",
            postcode="02108",
            telephone="+1 617-555-0100",
        )
        for number in range(start, start + count)
    )


BR = "\x00"


class _Collector(HTMLParser):
    """Collect the text and attributes of the elements a test reads from a page."""

    def __init__(self, tag: str, attribute: str | None, value: str | None):
        super().__init__()
        self.tag, self.attribute, self.value = tag, attribute, value
        self.found: list[dict[str, Any]] = []
        self._open: list[dict[str, Any]] = []

    def handle_starttag(self, tag, attrs):
        attributes = {name: "" if value is None else value for name, value in attrs}
        if tag == self.tag and (
            self.attribute is None or attributes.get(self.attribute) == self.value
        ):
            element = {"attrs": attributes, "text": ""}
            self.found.append(element)
            self._open.append(element)
        elif self._open and tag == "br":
            for element in self._open:
                element["text"] += BR

    def handle_endtag(self, tag):
        if tag == self.tag and self._open:
            self._open.pop()

    def handle_data(self, data):
        for element in self._open:
            element["text"] += data


def elements(response, tag: str, attribute: str | None = None, value: str | None = None):
    """Return each ``tag`` element of the page (with ``attribute`` equal to ``value`` when
    given) as {"attrs": {...}, "text": "..."}; ``<br>`` inside becomes ``BR``."""
    parser = _Collector(tag, attribute, value)
    parser.feed(response.content.decode())
    return parser.found


def texts(response, tag: str, attribute: str | None = None, value: str | None = None):
    """Return the text of each matching element, whitespace collapsed and ``<br>`` as a
    newline."""
    return [
        "\n".join(" ".join(line.split()) for line in e["text"].split(BR)).strip()
        for e in elements(response, tag, attribute, value)
    ]


def nav_links(response) -> list[tuple[str, str, bool]]:
    """Return (label, href, is current) of each link in the account navigation."""
    html = response.content.decode()
    start = html.index('<nav aria-label="Account navigation"')
    nav = html[start : html.index("</nav>", start)]
    parser = _Collector("a", None, None)
    parser.feed(nav)
    return [
        (e["text"].strip(), e["attrs"]["href"], e["attrs"].get("aria-current") == "page")
        for e in parser.found
    ]


def signed_in(client, customer, prefix: str = ""):
    """``client`` signed in as ``customer`` (whose password is PASSWORD) through the form."""
    response = client.post(f"{prefix}{LOGIN_URL}", {"email": customer.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client
