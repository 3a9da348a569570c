"""The customer page's Segments section: the segments the customer is a stored member of now,
per website, with the date they joined and a link to each segment. It disappears when "Enable
Customer Segment Functionality" is No, and staff limited to some websites see only theirs."""

from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy

from patron.core.registries import CustomerSection, customer_sections
from patron.segments import services
from patron.segments.models import SegmentMembership
from patron.staff.services import staff_website_ids

CODE = "segments"
VIEW_PERMISSION = "segments.view_segment"


def render_segments(request, customer) -> str:
    memberships = SegmentMembership.objects.filter(
        customer=customer, left_at__isnull=True
    ).select_related("segment", "website")
    ids = staff_website_ids(request.user)
    if ids is not None:
        memberships = memberships.filter(website_id__in=ids)
    memberships = memberships.order_by(
        "website__sort_order", "website__name", "segment__name", "segment_id"
    )
    return render_to_string(
        "admin/segments/customer_section.html",
        {"customer": customer, "memberships": list(memberships)},
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
