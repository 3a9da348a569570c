"""Factories for the accounts app's tests, built on the customers and accounts services."""

import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.test import Client

from patron.core.actors import SYSTEM
from patron.customers import services as customer_services
from patron.customers.models import Customer
from patron.scopes.models import StoreView

PASSWORD = "Secret-password-1"
LOGIN_URL = "/customer/account/login/"
CREATE_URL = "/customer/account/create/"
ACCOUNT_URL = "/customer/account/"
LOGOUT_URL = "/customer/account/logout/"
FORGOT_URL = "/customer/account/forgotpassword/"
RESET_URL = "/customer/account/createpassword/"
CONFIRM_URL = "/customer/account/confirm/"
CONFIRMATION_URL = "/customer/account/confirmation/"


def make_shopper(
    email: str = "ada@example.com",
    *,
    store_view: StoreView,
    password: str | None = PASSWORD,
    **fields: Any,
) -> Customer:
    """Create a customer with a password on the store view's website (no email is sent)."""
    return customer_services.create_customer(
        website=store_view.store.website,
        store_view=store_view,
        email=email,
        firstname=fields.pop("firstname", "Ada"),
        lastname=fields.pop("lastname", "Lovelace"),
        password=password,
        actor=SYSTEM,
        **fields,
    )


def registration_data(**overrides: Any) -> dict[str, Any]:
    """Return a valid registration form submission for the default options."""
    return {
        "firstname": "Ada",
        "lastname": "Lovelace",
        "email": "ada@example.com",
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
        **overrides,
    }


def sign_in(client: Client, email: str, password: str = PASSWORD, **extra: Any):
    """Post the sign-in form; return the response."""
    return client.post(LOGIN_URL, {"email": email, "password": password, **extra})


def is_signed_in(client: Client) -> bool:
    """Whether the client's cookies open the account dashboard (instead of the sign-in page)."""
    return client.get(ACCOUNT_URL).status_code == 200


def link_in_email(message, path: str) -> str:
    """Return the path and query of the link to ``path`` in a sent message's text body."""
    for url in re.findall(r"https?://\S+", message.body):
        parts = urlsplit(url)
        if parts.path == path:
            return f"{parts.path}?{parts.query}"
    raise AssertionError(f"no link to {path} in: {message.body}")


def query_of(link: str) -> dict[str, str]:
    """Return the query parameters of a link as a plain dict."""
    return {key: values[0] for key, values in parse_qs(urlsplit(link).query).items()}


class _FormElements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[dict[str, Any]] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {name: "" if value is None else value for name, value in attrs}
        if tag == "select":
            self._select = attributes.get("name")
        if tag in ("input", "select", "option", "button", "form"):
            self.found.append({"tag": tag, "select": self._select, **attributes})

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def form_elements(response, tag: str | None = None) -> list[dict[str, Any]]:
    """Return the attributes of the form elements (input, select, option, button, form) of a
    page in document order; each option carries the name of its select as ``select``."""
    parser = _FormElements()
    parser.feed(response.content.decode())
    return [e for e in parser.found if tag is None or e["tag"] == tag]


def field_named(response, name: str) -> dict[str, Any] | None:
    """Return the attributes of the input or select called ``name``, or None."""
    for element in form_elements(response):
        if element["tag"] in ("input", "select") and element.get("name") == name:
            return element
    return None
