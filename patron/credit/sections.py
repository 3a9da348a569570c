"""The customer page's Store Credit section (spec b §9): the balance on each website, the Balance
History and Update Balance; and the balances at the foot of Customer View. Both disappear when
"Enable Store Credit Functionality" is No.

Staff limited to some websites see and change only those websites' balances. The changes go
through ``services.update_balance``, which writes the history row (with the staff member as its
actor) and the timeline entry.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patron.core.actors import Actor, ActorKind
from patron.core.admin_helpers import add_errors_to_form
from patron.core.errors import PatronError
from patron.core.locales import format_money
from patron.core.registries import (
    CustomerSection,
    CustomerViewBlock,
    customer_sections,
    customer_view_blocks,
)
from patron.credit import services
from patron.scopes.models import StoreView, Website
from patron.staff.services import staff_website_ids

CODE = "store_credit"
VIEW_PERMISSION = "credit.view_storecreditbalance"
UPDATE_PERMISSION = "credit.add_storecredithistory"
HISTORY_PAGE = 20


def _allowed(request, websites):
    ids = staff_website_ids(request.user)
    return websites if ids is None else websites.filter(pk__in=ids)


def _websites(request, customer) -> list[Website]:
    """The websites whose balance staff may change: every website when accounts are shared
    globally, else the customer's own; of those, the staff member's websites."""
    from patron.customers.services import accounts_are_global

    websites = Website.objects.order_by("sort_order", "name")
    if not accounts_are_global():
        websites = websites.filter(pk=customer.website_id)
    return list(_allowed(request, websites))


def _balances(request, customer, websites: list[Website]) -> list[dict]:
    """One row per website staff may change, plus any other website (theirs) the customer still
    holds a balance on; each in the balance's currency, else the website's base currency."""
    held = {balance.website_id: balance for balance in services.balances_of(customer)}
    shown = {website.pk: website for website in websites}
    others = _allowed(request, Website.objects.filter(pk__in=set(held) - set(shown)))
    shown.update((website.pk, website) for website in others)
    rows = []
    for website in sorted(shown.values(), key=lambda w: (w.sort_order, w.name)):
        balance = held.get(website.pk)
        amount = balance.amount if balance else Decimal(0)
        currency = balance.currency if balance else website.base_currency
        rows.append({"website": website, "balance": format_money(amount, currency)})
    return rows


def _signed(amount: Decimal, currency: str) -> str:
    text = format_money(amount, currency)
    return f"+{text}" if amount > 0 else text


def _history_page(request, customer):
    entries = services.history_of(customer)
    ids = staff_website_ids(request.user)
    if ids is not None:
        entries = entries.filter(balance__website_id__in=ids)
    page = Paginator(entries, HISTORY_PAGE).get_page(request.GET.get("page"))
    for entry in page.object_list:
        currency = entry.balance.currency
        entry.change_text = _signed(entry.delta, currency)
        entry.balance_text = format_money(entry.balance_after, currency)
        entry.by_staff = entry.actor_kind == ActorKind.STAFF
    return page


class UpdateBalanceForm(forms.Form):
    """Update Balance. The field names are the service's, so its errors land on their field."""

    website = forms.ModelChoiceField(
        label=gettext_lazy("Website"), queryset=Website.objects.none(), empty_label=None
    )
    delta = forms.DecimalField(
        label=gettext_lazy("Update Balance"),
        max_digits=14,
        decimal_places=4,
        help_text=gettext_lazy(
            "The amount to add to the balance; a negative amount takes it off (e.g. -10)."
        ),
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )
    notify = forms.BooleanField(label=gettext_lazy("Notify Customer by Email"), required=False)
    notify_from = forms.ModelChoiceField(
        label=gettext_lazy("Send Email Notification From the Following Store View"),
        queryset=StoreView.objects.none(),
        required=False,
        help_text=gettext_lazy("Required when you notify the customer."),
    )
    expires_at = forms.DateField(
        label=gettext_lazy("Expires On"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy(
            "Optional, for an added amount: it can be spent until the end of this day (in the "
            "website's time zone), then it expires."
        ),
    )

    def __init__(self, *args, websites: list[Website], customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.websites = websites
        several = len(websites) > 1
        if several:
            self.fields["website"].queryset = Website.objects.filter(
                pk__in=[website.pk for website in websites]
            ).order_by("sort_order", "name")
            self.fields["website"].initial = customer.website_id
        else:
            del self.fields["website"]
        views = StoreView.objects.filter(store__website__in=websites, is_active=True)
        field = self.fields["notify_from"]
        field.queryset = views.select_related("store__website").order_by(
            "store__website__sort_order", "store__sort_order", "sort_order", "name"
        )
        if several:
            field.label_from_instance = lambda view: f"{view.store.website.name} / {view.name}"
        if customer.created_in_id and views.filter(pk=customer.created_in_id).exists():
            field.initial = customer.created_in_id

    def clean(self):
        data = super().clean()
        if not self.websites:
            raise forms.ValidationError(_("You may not change this customer's store credit."))
        if data.get("notify") and not data.get("notify_from") and "notify_from" not in self.errors:
            self.add_error(
                "notify_from", _("Choose the store view to send the email notification from.")
            )
        return data

    def chosen_website(self) -> Website:
        return self.cleaned_data.get("website") or self.websites[0]

    def expiry(self, website: Website) -> dt.datetime | None:
        """The end of the chosen day in the website's time zone."""
        day = self.cleaned_data.get("expires_at")
        if day is None:
            return None
        return dt.datetime.combine(
            day + dt.timedelta(days=1), dt.time.min, tzinfo=ZoneInfo(website.time_zone)
        )


def render_store_credit(request, customer, form: UpdateBalanceForm | None = None) -> str:
    websites = _websites(request, customer)
    can_update = request.user.has_perm(UPDATE_PERMISSION)
    if can_update and form is None:
        form = UpdateBalanceForm(websites=websites, customer=customer)
    return render_to_string(
        "admin/credit/store_credit_section.html",
        {
            "customer": customer,
            "balances": _balances(request, customer, websites),
            "history": _history_page(request, customer),
            "form": form if can_update and websites else None,
        },
        request=request,
    )


def post_store_credit(request, customer):
    from patron.customers.sections import section_url

    if not request.user.has_perm(UPDATE_PERMISSION):
        raise PermissionDenied
    form = UpdateBalanceForm(request.POST, websites=_websites(request, customer), customer=customer)
    if form.is_valid():
        data = form.cleaned_data
        website = form.chosen_website()
        try:
            services.update_balance(
                customer=customer, website=website, delta=data["delta"],
                actor=Actor.staff(request.user), comment=data["comment"],
                notify_from=data["notify_from"] if data["notify"] else None,
                expires_at=form.expiry(website),
            )  # fmt: skip
        except PatronError as error:
            add_errors_to_form(form, error)
        else:
            messages.success(request, _("You updated the store credit balance."))
            return HttpResponseRedirect(section_url(customer, CODE))
    return render_store_credit(request, customer, form)


def render_balance_block(request, customer) -> str:
    """Customer View's Store Credit Balance: the balance on each website staff may see."""
    return render_to_string(
        "admin/credit/customer_view_balance.html",
        {
            "customer": customer,
            "balances": _balances(request, customer, _websites(request, customer)),
        },
        request=request,
    )


def register_sections() -> None:
    customer_sections.register(
        CustomerSection(
            CODE,
            gettext_lazy("Store Credit"),
            60,
            render_store_credit,
            permission=VIEW_PERMISSION,
            is_enabled=services.is_enabled,
            post=post_store_credit,
        )
    )
    customer_view_blocks.register(
        CustomerViewBlock(
            "store_credit_balance",
            10,
            render_balance_block,
            permission=VIEW_PERMISSION,
            is_enabled=services.is_enabled,
        )
    )
