"""The customer page's Consent section: every change of the customer's newsletter and
remote-assistance consent, newest first, with when, where, how and by whom."""

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy

from patron.core.registries import CustomerSection, customer_sections
from patron.privacy.consent import channel_label, consent_history, method_label

CODE = "consent"
VIEW_PERMISSION = "privacy.view_consentrecord"
PAGE_SIZE = 50


def render_consent(request, customer) -> str:
    page = Paginator(consent_history(customer), PAGE_SIZE).get_page(request.GET.get("page"))
    for record in page.object_list:
        record.channel_text = channel_label(record.channel)
        record.method_text = method_label(record.method)
    return render_to_string(
        "admin/privacy/consent_section.html",
        {"customer": customer, "records": page, "consent_section": CODE},
        request=request,
    )


def register_sections() -> None:
    customer_sections.register(
        CustomerSection(
            CODE, gettext_lazy("Consent"), 85, render_consent, permission=VIEW_PERMISSION
        )
    )
