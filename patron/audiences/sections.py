"""The customer page's Audiences section: the external audiences the customer is a stored
member of (audiences that arrive only with requests are not known between requests)."""

from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy

from patron.audiences import services
from patron.core.registries import CustomerSection, customer_sections

CODE = "audiences"
VIEW_PERMISSION = "audiences.view_audience"


def render_audiences(request, customer) -> str:
    return render_to_string(
        "admin/audiences/customer_section.html",
        {"customer": customer, "audiences": services.customer_audiences(customer)},
        request=request,
    )


def register_sections() -> None:
    customer_sections.register(
        CustomerSection(
            CODE, gettext_lazy("Audiences"), 75, render_audiences, permission=VIEW_PERMISSION,
            is_enabled=services.is_enabled,
        )
    )  # fmt: skip
