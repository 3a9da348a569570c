"""Reads of customers, addresses, groups and subscriptions shared by the back office, the API
and exports. Every customer query takes ``website_ids`` (None = all websites) so that a staff
member or token limited to some websites never sees another website's customers."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from patron.core.errors import NotFound
from patron.customers.models import (
    NOT_LOGGED_IN_ID,
    Address,
    Customer,
    CustomerGroup,
    NewsletterSubscriber,
    TaxClass,
    TimelineEntry,
)


def list_customers(
    *,
    website_ids: list[int] | None = None,
    search: str | None = None,
    group_id: int | None = None,
    website_id: int | None = None,
    email: str | None = None,
) -> QuerySet[Customer]:
    """Return customers visible to the caller, filtered, with their group and website loaded."""
    customers = Customer.objects.select_related("group", "website", "created_in")
    if website_ids is not None:
        customers = customers.filter(website_id__in=website_ids)
    if website_id is not None:
        customers = customers.filter(website_id=website_id)
    if group_id is not None:
        customers = customers.filter(group_id=group_id)
    if email:
        customers = customers.filter(email=email.strip().lower())
    if search:
        for word in search.split():
            customers = customers.filter(
                Q(email__icontains=word)
                | Q(firstname__icontains=word)
                | Q(lastname__icontains=word)
                | Q(taxvat__icontains=word)
                | Q(number__iexact=word)
            )
    return customers.order_by("-created_at", "-pk")


def get_customer(customer_id: int, *, website_ids: list[int] | None = None) -> Customer:
    """Return one customer visible to the caller or raise ``NotFound`` (code customer_not_found)."""
    customers = Customer.objects.select_related("group", "website", "created_in")
    if website_ids is not None:
        customers = customers.filter(website_id__in=website_ids)
    try:
        return customers.get(pk=customer_id)
    except Customer.DoesNotExist:
        raise NotFound(
            _("There is no customer %(id)s.") % {"id": customer_id}, code="customer_not_found"
        ) from None


def list_addresses(customer: Customer) -> QuerySet[Address]:
    return customer.addresses.order_by("pk")


def get_address(customer: Customer, address_id: int) -> Address:
    try:
        return customer.addresses.get(pk=address_id)
    except Address.DoesNotExist:
        raise NotFound(
            _("The customer has no address %(id)s.") % {"id": address_id}, code="address_not_found"
        ) from None


def list_groups() -> QuerySet[CustomerGroup]:
    return CustomerGroup.objects.select_related("tax_class").order_by("pk")


def get_group(group_id: int) -> CustomerGroup:
    try:
        return CustomerGroup.objects.select_related("tax_class").get(pk=group_id)
    except CustomerGroup.DoesNotExist:
        raise NotFound(
            _("There is no customer group %(id)s.") % {"id": group_id}, code="group_not_found"
        ) from None


def list_tax_classes(kind: str | None = "customer") -> QuerySet[TaxClass]:
    classes = TaxClass.objects.order_by("name")
    return classes.filter(kind=kind) if kind else classes


def get_tax_class(tax_class_id: int) -> TaxClass:
    try:
        return TaxClass.objects.get(pk=tax_class_id)
    except TaxClass.DoesNotExist:
        raise NotFound(
            _("There is no tax class %(id)s.") % {"id": tax_class_id}, code="tax_class_not_found"
        ) from None


def group_choices() -> list[tuple[int, str]]:
    """Groups an account can belong to (every group but NOT LOGGED IN), for settings and forms."""
    return list(
        CustomerGroup.objects.exclude(pk=NOT_LOGGED_IN_ID).order_by("pk").values_list("pk", "code")
    )


def optional_group_choices() -> list[tuple[int | None, str]]:
    return [(None, ""), *group_choices()]


def list_subscriptions(customer: Customer) -> QuerySet[NewsletterSubscriber]:
    return customer.subscriptions.select_related("store_view").order_by("store_view__sort_order")


def list_timeline(customer: Customer) -> QuerySet[TimelineEntry]:
    return customer.timeline.order_by("-occurred_at", "-pk")


def timeline_before(entries: QuerySet[TimelineEntry], entry_id: int) -> QuerySet[TimelineEntry]:
    """The entries after ``entry_id`` in timeline order (newest first): older, or as old and
    written earlier. Paging by date and id, since an entry reported late (an imported order)
    is dated in the past but has a new id."""
    anchor = entries.filter(pk=entry_id).values_list("occurred_at", flat=True).first()
    if anchor is None:
        return entries.none()
    return entries.filter(Q(occurred_at__lt=anchor) | Q(occurred_at=anchor, pk__lt=entry_id))
