"""Reads of the Customer Segment report (spec c §7): each segment's stored member count, the
members of one segment, and the union or intersection of several segments' members, filtered
by website and customer group.

Every function returns an unevaluated queryset built from set-based SQL (``Subquery``,
``Exists``, ``GROUP BY ... HAVING``), so a report over a million members is one query per
page and never a Python loop over members. ``website_ids`` is the staff member's website
scope (``patron.staff.services.staff_website_ids``): None means every website.
"""

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.db import models
from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patron.core.errors import InvalidInput
from patron.customers.models import NOT_LOGGED_IN_ID, Customer, CustomerGroup
from patron.scopes.models import Website
from patron.segments.models import Segment, SegmentMembership

# What the detail grid and its export read of a member (``only``: the rest of the customer row,
# password hash included, stays in the database).
MEMBER_FIELDS = (
    "prefix", "firstname", "middlename", "lastname", "suffix", "email", "created_at",
    "group__code", "default_billing__telephone", "default_billing__postcode",
    "default_billing__country_id", "default_billing__region",
)  # fmt: skip


class SetOperation(models.TextChoices):
    """How the combined report joins the members of the chosen segments."""

    UNION = "union", gettext_lazy("Union")
    INTERSECTION = "intersection", gettext_lazy("Intersection")


def open_memberships(
    *,
    segment_ids: Iterable[int],
    website_id: int | None = None,
    website_ids: list[int] | None = None,
) -> QuerySet[SegmentMembership]:
    """Return the current (not left) membership rows of ``segment_ids``, on ``website_id`` when
    given and within ``website_ids``."""
    rows = SegmentMembership.objects.filter(segment_id__in=list(segment_ids), left_at__isnull=True)
    if website_ids is not None:
        rows = rows.filter(website_id__in=website_ids)
    if website_id is not None:
        rows = rows.filter(website_id=website_id)
    return rows


def _on_websites(website_ids: Iterable[int]) -> Exists:
    """True for segments assigned to at least one of ``website_ids``."""
    assigned = Segment.websites.through.objects.filter(
        segment_id=OuterRef("pk"), website_id__in=list(website_ids)
    )
    return Exists(assigned)


def list_report_segments(
    *,
    is_active: bool | None = None,
    website_id: int | None = None,
    name: str = "",
    website_ids: list[int] | None = None,
) -> QuerySet[Segment]:
    """Return the segments of the report grid, by id, each annotated with ``customers``: the
    number of distinct customers with a current stored membership (on ``website_ids``).

    ``is_active``, ``website_id`` (segments assigned to it) and ``name`` (contains) filter the
    rows; a staff member limited to ``website_ids`` sees only segments assigned to one of them.
    """
    members = SegmentMembership.objects.filter(segment_id=OuterRef("pk"), left_at__isnull=True)
    if website_ids is not None:
        members = members.filter(website_id__in=website_ids)
    counted = (
        members.order_by().values("segment_id").annotate(n=Count("customer_id", distinct=True))
    )
    segments = Segment.objects.annotate(
        customers=Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), 0)
    )
    if website_ids is not None:
        segments = segments.filter(_on_websites(website_ids))
    if website_id is not None:
        segments = segments.filter(_on_websites([website_id]))
    if is_active is not None:
        segments = segments.filter(is_active=is_active)
    if name:
        segments = segments.filter(name__icontains=name)
    return segments.prefetch_related("websites").order_by("pk")


def list_segment_members(
    *,
    segment_ids: Iterable[int],
    set_operation: str = SetOperation.UNION,
    website_id: int | None = None,
    group_id: int | None = None,
    website_ids: list[int] | None = None,
) -> QuerySet[Customer]:
    """Return the customers of the report's detail grid, each once, by id, with their group and
    default billing address (Phone, ZIP, Country and State/Province come from it).

    ``union``: customers with a current membership of any of ``segment_ids``. ``intersection``:
    customers who are members of every one of them on the same website (memberships are per
    website). ``website_id`` keeps memberships on that website only; ``group_id`` keeps
    customers of that group. Raise ``InvalidInput`` for an unknown ``set_operation``.
    """
    if set_operation not in SetOperation.values:
        raise InvalidInput(
            _("Choose Union or Intersection."), code="invalid_set", field="set_operation"
        )
    ids = sorted(set(segment_ids))
    rows = open_memberships(segment_ids=ids, website_id=website_id, website_ids=website_ids)
    if set_operation == SetOperation.INTERSECTION and len(ids) > 1:
        # One group per (customer, website): kept when it holds a row of every segment. The
        # open-row constraint allows one row per segment, website and customer, so counting
        # distinct segments only guards against that constraint changing.
        complete = (
            rows.order_by()
            .values("customer_id", "website_id")
            .annotate(held=Count("segment_id", distinct=True))
            .filter(held=len(ids))
        )
        customers = Customer.objects.filter(pk__in=complete.values("customer_id"))
    else:
        customers = Customer.objects.filter(Exists(rows.filter(customer_id=OuterRef("pk"))))
    if group_id is not None:
        customers = customers.filter(group_id=group_id)
    return customers.select_related("group", "default_billing").only(*MEMBER_FIELDS).order_by("pk")


def report_groups() -> QuerySet[CustomerGroup]:
    """Return the groups the detail grid's Group filter offers: every group but NOT LOGGED IN,
    which no registered customer (and so no stored member) can belong to."""
    return CustomerGroup.objects.exclude(pk=NOT_LOGGED_IN_ID).order_by("code")


def report_websites(
    *, segment_ids: Iterable[int] | None = None, website_ids: list[int] | None = None
) -> QuerySet[Website]:
    """Return the websites the report's switchers offer: those ``segment_ids`` are assigned to
    (every website without ``segment_ids``), within ``website_ids``."""
    websites = Website.objects.all()
    if segment_ids is not None:
        assigned = Segment.websites.through.objects.filter(
            website_id=OuterRef("pk"), segment_id__in=list(segment_ids)
        )
        websites = websites.filter(Exists(assigned))
    if website_ids is not None:
        websites = websites.filter(pk__in=website_ids)
    return websites.order_by("sort_order", "name")


def get_report_segments(
    segment_ids: Iterable[int], *, website_ids: list[int] | None = None
) -> list[Segment]:
    """Return the segments among ``segment_ids`` that exist and that the staff member sees, by
    id (a deleted or hidden segment is left out)."""
    segments = Segment.objects.filter(pk__in=list(segment_ids))
    if website_ids is not None:
        segments = segments.filter(_on_websites(website_ids))
    return list(segments.order_by("pk"))


def size_history(
    segment: Segment, *, days: int = 90, website_ids: Iterable[int] | None = None, now=None
) -> list[tuple[dt.date, int]]:
    """The segment's number of members at the end of each of the last ``days`` days (today: now),
    in the time zone of its first website, from the joined/left rows, in one scan."""
    from django.db.models import Q
    from django.utils import timezone

    from patron.segments.operators import day_start

    now = now or timezone.now()
    website = segment.websites.order_by("pk").first()
    tz = ZoneInfo(website.time_zone if website and website.time_zone else "UTC")
    today = now.astimezone(tz).date()
    first = today - dt.timedelta(days=max(1, days) - 1)
    ends = {}
    for offset in range((today - first).days + 1):
        day = first + dt.timedelta(days=offset)
        ends[day] = now if day == today else day_start(day + dt.timedelta(days=1), tz)
    rows = SegmentMembership.objects.filter(segment=segment)
    if website_ids is not None:
        rows = rows.filter(website_id__in=list(website_ids))
    counts = rows.aggregate(
        **{
            # Members are customers (a customer in it on two websites counts once); a day ends
            # just before the next midnight, so a join at 00:00 counts on its own day.
            f"d{index}": Count(
                "customer_id",
                distinct=True,
                filter=(Q(joined_at__lte=end) & (Q(left_at__isnull=True) | Q(left_at__gt=end)))
                if day == today
                else (Q(joined_at__lt=end) & (Q(left_at__isnull=True) | Q(left_at__gte=end))),
            )
            for index, (day, end) in enumerate(ends.items())
        }
    )
    return [(day, counts[f"d{index}"] or 0) for index, day in enumerate(ends)]
