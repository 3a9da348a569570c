"""The JSON body of each webhook event, version 1. Payloads carry no secrets and no password
data; docs/webhooks.md documents every type."""

from collections.abc import Callable
from typing import Any

from patron.customers.models import Address, Customer, NewsletterSubscriber

PAYLOAD_VERSION = 1


def _customer(customer_id: int | None) -> dict[str, Any] | None:
    customer = Customer.objects.filter(pk=customer_id).first() if customer_id else None
    if customer is None:
        return None
    return {
        "id": customer.pk,
        "email": customer.email,
        "firstname": customer.firstname,
        "lastname": customer.lastname,
        "website_id": customer.website_id,
        "group_id": customer.group_id,
        "is_active": customer.is_active,
        "created_at": customer.created_at.isoformat(),
        "updated_at": customer.updated_at.isoformat(),
    }


def _address(address_id: int | None) -> dict[str, Any] | None:
    address = Address.objects.filter(pk=address_id).first() if address_id else None
    if address is None:
        return None
    fields = (
        "firstname",
        "lastname",
        "company",
        "street",
        "city",
        "country_id",
        "region",
        "postcode",
        "telephone",
    )
    return {"id": address.pk, **{name: getattr(address, name) for name in fields}}


def _account(payload: dict[str, Any]) -> dict[str, Any]:
    data = {"customer": _customer(payload.get("customer_id"))}
    if "changed" in payload:
        data["changed"] = payload["changed"]
    return data


def _deleted(payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "customer": {
            "id": payload["customer_id"],
            "email": payload.get("email", ""),
            "name": payload.get("customer_name", ""),
            "website_id": payload.get("website_id"),
        }
    }


def _address_event(payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "customer": _customer(payload.get("customer_id")),
        "address_id": payload.get("address_id"),
        "address": _address(payload.get("address_id")),
    }


def _group(payload: dict[str, Any]) -> dict[str, Any]:
    return {"customer": _customer(payload.get("customer_id")), "group_id": payload.get("group_id")}


def _newsletter(payload: dict[str, Any]) -> dict[str, Any]:
    subscriber = (
        NewsletterSubscriber.objects.select_related("store_view")
        .filter(pk=payload.get("subscriber_id"))
        .first()
    )
    return {
        "customer": _customer(payload.get("customer_id")),
        "subscription": None
        if subscriber is None
        else {
            "email": subscriber.email,
            "store_view": subscriber.store_view.code,
            "status": subscriber.status,
            "consent_at": subscriber.consent_at.isoformat() if subscriber.consent_at else None,
        },
    }


def _sign_in(payload: dict[str, Any]) -> dict[str, Any]:
    return {"customer": _customer(payload.get("customer_id")), "via": payload.get("via", "web")}


BUILDERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "signIn": _sign_in,
    "signOut": _sign_in,
    "accountCreated": _account,
    "accountUpdated": _account,
    "accountDeleted": _deleted,
    "addressSaved": _address_event,
    "addressDeleted": _address_event,
    "groupChanged": _group,
    "newsletterChanged": _newsletter,
}


def register_payload(event_type: str, builder: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    """Let a later app (store credit, orders, segments) offer its events as webhooks."""
    BUILDERS[event_type] = builder


def website_of(event_payload: dict[str, Any], data: dict[str, Any]) -> int | None:
    if event_payload.get("website_id") is not None:
        return event_payload["website_id"]
    customer = data.get("customer") or {}
    return customer.get("website_id")
