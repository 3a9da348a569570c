"""The customer page's Segments section: per website, the active segments that look at the
customer and any segment they are a stored member of, with the date they joined (or "Not a
member") and a "Why?" link to the explanation of each. It disappears when "Enable Customer
Segment Functionality" is No, and staff limited to some websites see only theirs."""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy

from patron.core.registries import CustomerSection, customer_sections
from patron.scopes.config import get_config
from patron.scopes.models import Website
from patron.segments import services
from patron.segments.models import ApplyTo, Segment, SegmentMembership
from patron.staff.services import staff_website_ids

CODE = "segments"
VIEW_PERMISSION = "segments.view_segment"


@dataclass(frozen=True)
class SegmentRow:
    """One line of the section: a segment on a website, the customer's open membership of it
    (None: not a member) and the link to the explanation."""

    website: Website
    segment: Segment
    membership: SegmentMembership | None
    why_url: str


def explain_url(segment_id: int, customer_id: int, website_id: int | None = None) -> str:
    """The explanation of ``segment_id`` for ``customer_id`` (on ``website_id``)."""
    url = reverse("admin:segments_segment_explain", args=[segment_id])
    url += f"?customer={customer_id}"
    return url + (f"&website={website_id}" if website_id is not None else "")


def _websites_looking_at(customer) -> list[Website]:
    """The websites whose segments look at the customer: theirs, or every one when accounts
    are shared globally (spec c §4.4)."""
    if get_config(services.SHARE_SCOPE_PATH) == "global":
        return list(Website.objects.all())
    return [customer.website]


def rows_for(request, customer) -> list[SegmentRow]:
    """The section's rows, by website (in the back office's order) then segment name."""
    ids = staff_website_ids(request.user)
    memberships = SegmentMembership.objects.filter(
        customer=customer, left_at__isnull=True
    ).select_related("segment", "website")
    if ids is not None:
        memberships = memberships.filter(website_id__in=ids)
    joined = {(m.website_id, m.segment_id): m for m in memberships}
    websites = {w.pk: w for w in _websites_looking_at(customer)}
    websites |= {m.website_id: m.website for m in joined.values()}
    if ids is not None:
        websites = {pk: w for pk, w in websites.items() if pk in ids}

    def row(website: Website, segment: Segment, membership=None) -> SegmentRow:
        why = explain_url(segment.pk, customer.pk, website.pk)
        return SegmentRow(website, segment, membership, why)

    rows = [row(m.website, m.segment, m) for m in joined.values()]
    active = list(
        Segment.objects.filter(is_active=True, websites__in=list(websites))
        .exclude(apply_to=ApplyTo.VISITORS)
        .values_list("websites", "pk")
    )
    segments = Segment.objects.in_bulk({pk for _website, pk in active})
    for website_id, segment_id in active:
        if website_id in websites and (website_id, segment_id) not in joined:
            rows.append(row(websites[website_id], segments[segment_id]))
    return sorted(
        rows,
        key=lambda row: (
            row.website.sort_order,
            row.website.name,
            row.segment.name,
            row.segment.pk,
        ),
    )


def render_segments(request, customer) -> str:
    rows = rows_for(request, customer)
    return render_to_string(
        "admin/segments/customer_section.html",
        {
            "customer": customer,
            "rows": rows,
            "is_member": any(row.membership is not None for row in rows),
        },
        request=request,
    )


def register_sections() -> None:
    customer_sections.register(
        CustomerSection(
            CODE,
            gettext_lazy("Segments"),
            70,
            render_segments,
            permission=VIEW_PERMISSION,
            is_enabled=services.is_enabled,
        )
    )
