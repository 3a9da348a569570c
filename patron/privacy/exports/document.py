"""The export's archive: ``data.json``, one JSON document with every kind of data Patron holds
about a customer, and ``files/`` with the files the customer uploaded for custom attributes.

Rows are written as they are read, a chunk of rows at a time: each long list of the document is
an iterator over a queryset, so a customer with thousands of orders or product views is never
held in memory whole. Every column of a row is written except secrets (the password hash and
the ``*_digest`` of every token or key), and never a row of another customer.
"""

import io
import json
import shutil
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from patron.core import history
from patron.customers.models import Customer
from patron.privacy.models import DataExport
from patron.scopes.models import StoreView, Website

FORMAT = "patron.customer-data/1"
CHUNK = 500
FileNames = Mapping[tuple[str, int, str], str]


def write_archive(
    customer: Customer, target, *, export: DataExport, store_view: StoreView | None
) -> None:
    """Write the ZIP to the binary file ``target``: the customer's files first (so the document
    can say where each one is), then ``data.json``. Labels are in the active language."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        files = _write_files(archive, customer)
        entry = archive.open("data.json", "w", force_zip64=True)
        with io.TextIOWrapper(entry, encoding="utf-8") as text:
            write_document(
                text, sections(customer, export=export, store_view=store_view, files=files)
            )


def _write_files(archive: zipfile.ZipFile, customer: Customer) -> dict[tuple[str, int, str], str]:
    """Copy each uploaded attribute file into ``files/``; return (entity, owner id, code) ->
    its name in the archive."""
    from patron.customers.attributes import open_file

    owners = [("customer", customer, "files/customer")]
    owners += [
        ("address", address, f"files/addresses/{address.pk}")
        for address in customer.addresses.order_by("pk")
    ]
    written = {}
    for entity, owner, folder in owners:
        for code, value in sorted((owner.custom_attributes or {}).items()):
            if not isinstance(value, Mapping) or not value.get("path"):
                continue
            opened = open_file(owner, code)
            if opened is None:  # the value names a file no longer stored
                continue
            handle, stored = opened
            name = f"{folder}/{code}/{stored.get('name') or 'file'}"
            with handle, archive.open(name, "w", force_zip64=True) as entry:
                shutil.copyfileobj(handle, entry, 1024 * 1024)
            written[(entity, owner.pk, code)] = name
    return written


def write_document(text, items: Iterable[tuple[str, Any]]) -> None:
    """Write ``{"key": value, ...}`` to the text stream; a value that is an iterator is written
    as a list, item by item."""
    text.write("{")
    for number, (key, value) in enumerate(items):
        text.write(("," if number else "") + "\n  " + json.dumps(key) + ": ")
        if isinstance(value, Iterator):
            count = 0
            text.write("[")
            for count, item in enumerate(value, 1):
                text.write(("," if count > 1 else "") + "\n    " + _dumps(item, "    "))
            text.write("\n  ]" if count else "]")
        else:
            text.write(_dumps(value, "  "))
    text.write("\n}\n")


def _dumps(value: Any, indent: str) -> str:
    dumped = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    return dumped.replace("\n", "\n" + indent)


def row(instance: models.Model, *, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """Every column of ``instance`` (a foreign key as its ``_id``) except ``exclude`` and the
    secrets: the password hash and every ``*_digest``."""
    skipped = set(exclude)
    return {
        field.attname: field.value_from_object(instance)
        for field in instance._meta.concrete_fields
        if field.name not in skipped
        and field.name != "password"
        and not field.name.endswith("_digest")
    }


def sections(
    customer: Customer, *, export: DataExport, store_view: StoreView | None, files: FileNames
) -> Iterator[tuple[str, Any]]:
    """Yield (key, value) for every kind of data Patron holds about ``customer``."""
    convert = _Converters(customer, store_view, files)
    yield "format", FORMAT
    yield "export_id", str(export.pk)
    yield "generated_at", timezone.now()
    yield "account", convert.account(customer)
    for key, queryset, to_dict in _lists(customer, convert):
        yield key, (to_dict(item) for item in queryset.iterator(chunk_size=CHUNK))
    yield (
        "files",
        [
            {"entity": entity, "owner_id": owner_id, "attribute": code, "path": name}
            for (entity, owner_id, code), name in files.items()
        ],
    )


def _lists(customer: Customer, convert: "_Converters") -> list[tuple[str, Any, Callable]]:
    """(key, queryset, row converter) of each list; every queryset filters by the customer."""
    from patron.accounts.models import PasswordResetRequest
    from patron.assistance.models import AssistanceSession
    from patron.credit.models import StoreCreditBalance, StoreCreditHistory
    from patron.customers.models import CustomerToken, NewsletterSubscriber, TimelineEntry
    from patron.mail.models import OutboxMessage
    from patron.online.models import OnlineSession
    from patron.privacy.models import ConsentRecord, ErasureRequest
    from patron.sales.models import Cart, Order, ProductView, Review, WishlistItem
    from patron.segments.models import SegmentMembership

    own = {"customer": customer}
    plain = convert.plain
    return [
        ("addresses", customer.addresses.order_by("pk"), convert.address),
        ("newsletter_subscriptions", NewsletterSubscriber.objects.filter(**own), plain),
        ("consent_records", ConsentRecord.objects.filter(**own).order_by("at", "pk"), plain),
        (
            "orders",
            Order.objects.filter(**own)
            .order_by("placed_at", "pk")
            .prefetch_related("items", "refunds__items"),
            convert.order,
        ),
        (
            "carts",
            Cart.objects.filter(**own).order_by("pk").prefetch_related("items"),
            convert.cart,
        ),
        (
            "wishlist",
            WishlistItem.objects.filter(**own).select_related("product").order_by("added_at"),
            convert.with_product,
        ),
        (
            "reviews",
            Review.objects.filter(**own).select_related("product").order_by("written_at"),
            convert.with_product,
        ),
        (
            "product_views",
            ProductView.objects.filter(**own).select_related("product").order_by("viewed_at"),
            convert.with_product,
        ),
        (
            "store_credit_balances",
            StoreCreditBalance.objects.filter(**own).order_by("pk"),
            convert.balance,
        ),
        (
            "store_credit_history",
            StoreCreditHistory.objects.filter(balance__customer=customer)
            .select_related("balance")
            .order_by("created_at", "pk"),
            convert.credit_entry,
        ),
        (
            "segment_memberships",
            SegmentMembership.objects.filter(**own)
            .select_related("segment")
            .order_by("joined_at", "pk"),
            convert.membership,
        ),
        (
            "timeline",
            TimelineEntry.objects.filter(**own).order_by("occurred_at", "pk"),
            convert.timeline,
        ),
        (
            "assisted_sessions",
            AssistanceSession.objects.filter(**own)
            .prefetch_related("actions")
            .order_by("created_at", "pk"),
            convert.assisted_session,
        ),
        (
            "emails",
            OutboxMessage.objects.filter(customer_id=customer.pk).order_by("created_at", "pk"),
            plain,
        ),
        ("api_tokens", CustomerToken.objects.filter(**own).order_by("pk"), plain),
        (
            "password_reset_requests",
            PasswordResetRequest.objects.filter(**own).order_by("created_at", "pk"),
            plain,
        ),
        ("online_activity", OnlineSession.objects.filter(**own), plain),
        ("data_exports", DataExport.objects.filter(**own).order_by("created_at"), plain),
        ("erasure_requests", ErasureRequest.objects.filter(**own).order_by("requested_at"), plain),
    ]


class _Converters:
    """Turn each kind of row into the document's dict: scope codes beside their ids, labels
    beside custom attribute values, nested items."""

    def __init__(self, customer: Customer, store_view: StoreView | None, files: FileNames):
        from patron.customers.attributes import list_attributes

        self.customer = customer
        self.store_view = store_view
        self.files = files
        self._websites = dict(Website.objects.values_list("pk", "code"))
        self._views = dict(StoreView.objects.values_list("pk", "code"))
        self._attributes = {
            entity: {a.code: a for a in list_attributes(entity)}
            for entity in ("customer", "address")
        }

    def plain(self, instance, exclude: Iterable[str] = ("customer",)) -> dict[str, Any]:
        data = row(instance, exclude=exclude)
        if "website_id" in data:
            data["website"] = self._websites.get(data["website_id"])
        if "store_view_id" in data:
            data["store_view"] = self._views.get(data["store_view_id"])
        return data

    def account(self, customer: Customer) -> dict[str, Any]:
        data = self.plain(customer, exclude=("custom_attributes",))
        data["group"] = customer.group.code
        data["created_in"] = self._views.get(customer.created_in_id)
        data["custom_attributes"] = self.attribute_values("customer", customer)
        return data

    def address(self, address) -> dict[str, Any]:
        data = self.plain(address, exclude=("customer", "custom_attributes"))
        data["is_default_billing"] = address.pk == self.customer.default_billing_id
        data["is_default_shipping"] = address.pk == self.customer.default_shipping_id
        data["custom_attributes"] = self.attribute_values("address", address)
        return data

    def attribute_values(self, entity: str, owner) -> list[dict[str, Any]]:
        """Each value with its label in the store view's words and, for a file, its name in
        the archive instead of its storage path."""
        from patron.customers.attributes import FILE_TYPES, attribute_label, display_value

        values = []
        for code, value in sorted((owner.custom_attributes or {}).items()):
            attribute = self._attributes[entity].get(code)
            item = {"code": code, "label": code, "value": value, "display": None}
            if attribute is not None:
                item["label"] = attribute_label(attribute, self.store_view)
                item["display"] = display_value(attribute, value, self.store_view)
                if attribute.input_type in FILE_TYPES and isinstance(value, Mapping):
                    item["value"] = {k: v for k, v in value.items() if k != "path"}
                    item["value"]["file"] = self.files.get((entity, owner.pk, code))
            values.append(item)
        return values

    def order(self, order) -> dict[str, Any]:
        data = self.plain(order)
        data["items"] = [row(item, exclude=("order",)) for item in order.items.all()]
        data["refunds"] = [
            {
                **row(refund, exclude=("order",)),
                "items": [row(item, exclude=("refund",)) for item in refund.items.all()],
            }
            for refund in order.refunds.all()
        ]
        return data

    def cart(self, cart) -> dict[str, Any]:
        data = self.plain(cart)
        data["items"] = [row(item, exclude=("cart",)) for item in cart.items.all()]
        return data

    def with_product(self, instance) -> dict[str, Any]:
        data = self.plain(instance)
        data["product"] = {"sku": instance.product.sku, "name": instance.product.name}
        return data

    def balance(self, balance) -> dict[str, Any]:
        data = self.plain(balance)
        data["unspent_lots"] = [
            row(lot, exclude=("balance",)) for lot in balance.lots.filter(remaining__gt=0)
        ]
        return data

    def credit_entry(self, entry) -> dict[str, Any]:
        data = row(entry)
        data["website"] = self._websites.get(entry.balance.website_id)
        data["currency"] = entry.balance.currency
        return data

    def membership(self, membership) -> dict[str, Any]:
        data = self.plain(membership)
        data["segment"] = membership.segment.name
        return data

    def timeline(self, entry) -> dict[str, Any]:
        data = row(entry, exclude=("customer",))
        data["label"] = history.kind_label(entry.kind)
        data["description"] = history.describe(entry.kind, entry.params or {})
        return data

    def assisted_session(self, session) -> dict[str, Any]:
        data = self.plain(session, exclude=("customer", "staff_user"))
        data["actions"] = [row(action, exclude=("session",)) for action in session.actions.all()]
        return data
