"""Back office: Customers > Audiences, the dashboard of the audiences activated from a customer
data platform (spec c §8): name, ID, origin, websites, member counts, where each is used (dynamic blocks, cart price rules), when it
was last updated; the last pull and its error, today's accepted and refused request values;
Sync Now, Check Connection, and an export of the members of the selected audiences.
Every change goes through :mod:`patron.audiences.services`."""

import csv

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from patron.admin_site import admin_site
from patron.audiences import services
from patron.audiences.models import Audience, AudienceMember, PullState
from patron.core.actors import Actor
from patron.core.admin_helpers import add_errors_to_form
from patron.core.errors import PatronError


class AudienceForm(forms.ModelForm):
    class Meta:
        model = Audience
        fields = ["external_id", "name", "description", "source", "websites", "is_active"]
        # Checkboxes rather than Django's two-list selector, whose help icons fail axe.
        widgets = {"websites": forms.CheckboxSelectMultiple}


def rules_using(audience_ids: list[str]) -> dict[str, int]:
    """How many cart price rules name each audience in their conditions."""
    from patron.promotions.models import CartPriceRule
    from patron.promotions.trees import walk

    counts = dict.fromkeys(audience_ids, 0)
    for tree in CartPriceRule.objects.values_list("conditions", flat=True):
        named = set()
        for node in walk(tree):
            if node.get("type") == "cart_rule.audience":
                named.update(node.get("value") or [])
        for external_id in named & set(counts):
            counts[external_id] += 1
    return counts


@admin.register(Audience, site=admin_site)
class AudienceAdmin(admin.ModelAdmin):
    form = AudienceForm
    list_display = ["name", "external_id", "source", "website_list", "member_count",
                    "block_count", "cart_rules", "is_active", "synced_at"]  # fmt: skip
    list_filter = ["is_active", "source", "websites"]
    search_fields = ["name", "external_id"]
    actions = ["export_members"]
    change_list_template = "admin/audiences/audience/change_list.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("websites")
            .annotate(
                n=Count("members", distinct=True), blocks=Count("content_blocks", distinct=True)
            )
        )

    @admin.display(description=gettext_lazy("Websites"))
    def website_list(self, audience):
        return ", ".join(w.name for w in audience.websites.all())

    @admin.display(description=gettext_lazy("Members"), ordering="n")
    def member_count(self, audience):
        return audience.n

    @admin.display(description=gettext_lazy("Dynamic Blocks"), ordering="blocks")
    def block_count(self, audience):
        return audience.blocks

    @admin.display(description=gettext_lazy("Cart Price Rules"))
    def cart_rules(self, audience):
        if not hasattr(self, "_rule_counts"):
            self._rule_counts = rules_using(
                list(Audience.objects.values_list("external_id", flat=True))
            )
        return self._rule_counts.get(audience.external_id, 0)

    def changelist_view(self, request, extra_context=None):
        self._rule_counts = rules_using(
            list(Audience.objects.values_list("external_id", flat=True))
        )
        last = services.last_pull()
        if not services.is_enabled():
            messages.warning(
                request,
                _("Audience Activation is off: rules and blocks ignore audiences until it is "
                  "turned on in the configuration."),
            )  # fmt: skip
        context = {
            "last_pull": last,
            "pull_failed": last is not None and last.state == PullState.FAILED,
            "signals": services.signal_counts(),
            "can_sync": self.has_change_permission(request),
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class ServiceForm(form_class):
            def _post_clean(self):
                super()._post_clean()
                if self.errors:
                    return
                data = self.cleaned_data
                try:
                    self.instance = services.save_audience(
                        actor=Actor.staff(request.user),
                        audience=Audience.objects.get(pk=obj.pk) if obj else None,
                        **{k: data[k] for k in AudienceForm.Meta.fields},
                    )
                except PatronError as error:
                    add_errors_to_form(self, error)

        return ServiceForm

    def save_model(self, request, obj, form, change):
        """Saved by the service during validation."""

    def save_related(self, request, form, formsets, change):
        """The service saved the websites."""

    def delete_model(self, request, obj):
        services.delete_audience(audience=obj, actor=Actor.staff(request.user))

    @admin.action(description=gettext_lazy("Export the members (CSV)"))
    def export_members(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audience-members.csv"'
        writer = csv.writer(response)
        writer.writerow([_("Audience ID"), _("Audience"), _("Customer ID"), _("Email"),
                         _("Added")])  # fmt: skip
        members = (
            AudienceMember.objects.filter(audience__in=queryset)
            .select_related("audience", "customer")
            .order_by("audience__name", "customer_id")
        )
        for member in members.iterator(chunk_size=2000):
            writer.writerow([
                member.audience.external_id, member.audience.name, member.customer_id,
                member.customer.email, member.added_at.isoformat(),
            ])  # fmt: skip
        return response

    def get_urls(self):
        return [
            path("pull/", self.admin_site.admin_view(self.pull_view), name="audiences_pull"),
            *super().get_urls(),
        ]

    def pull_view(self, request):
        return require_POST(self._pull)(request)

    def _pull(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        check_only = request.POST.get("check") == "1"
        run = services.pull(check_only=check_only, actor=Actor.staff(request.user))
        if run.state == PullState.FAILED:
            messages.error(request, _("The pull failed: %(error)s") % {"error": run.error})
        elif check_only:
            messages.success(
                request,
                _("The connection works: the endpoint answered %(n)d audiences.")
                % {"n": run.audiences},
            )
        else:
            messages.success(
                request,
                _("Synced %(n)d audiences: %(added)d members added, %(removed)d removed, "
                  "%(unknown)d unknown identifiers.")
                % {"n": run.audiences, "added": run.added, "removed": run.removed,
                   "unknown": run.unknown},
            )  # fmt: skip
        return HttpResponseRedirect(reverse("admin:audiences_audience_changelist"))
