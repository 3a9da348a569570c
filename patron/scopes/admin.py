from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from patron.admin_site import admin_site
from patron.core.actors import Actor
from patron.core.errors import PatronError
from patron.scopes import config, services
from patron.scopes.forms import ConfigurationForm
from patron.scopes.models import Scope, Store, StoreView, Website


class ServiceSavingAdmin(admin.ModelAdmin):
    """Saves through the app's service so admin edits follow the same rules as the API."""

    service = None
    instance_arg = ""

    def save_model(self, request, obj, form, change):
        type(self).service(**{self.instance_arg: obj}, **form.cleaned_data)


@admin.register(Website, site=admin_site)
class WebsiteAdmin(ServiceSavingAdmin):
    service = services.save_website
    instance_arg = "website"
    list_display = ["name", "code", "is_default", "time_zone", "base_currency", "sort_order"]
    search_fields = ["name", "code"]


@admin.register(Store, site=admin_site)
class StoreAdmin(ServiceSavingAdmin):
    service = services.save_store
    instance_arg = "store"
    list_display = ["name", "code", "website", "is_default", "sort_order"]
    list_filter = ["website"]
    search_fields = ["name", "code"]


@admin.register(StoreView, site=admin_site)
class StoreViewAdmin(ServiceSavingAdmin):
    service = services.save_store_view
    instance_arg = "store_view"
    list_display = ["name", "code", "store", "locale", "is_default", "is_active", "sort_order"]
    list_filter = ["store__website", "locale", "is_active"]
    search_fields = ["name", "code"]


def _parse_scope(raw: str) -> tuple[str, int]:
    kind, _sep, ident = (raw or "default").partition(":")
    if kind == Scope.DEFAULT:
        return Scope.DEFAULT, 0
    if kind in (Scope.WEBSITE, Scope.STORE_VIEW) and ident.isdigit():
        return kind, int(ident)
    raise Http404("Unknown scope")


def _scope_options():
    options = [("default", _("Default Config"), 0)]
    for website in Website.objects.order_by("sort_order", "name"):
        options.append((f"website:{website.pk}", website.name, 1))
        for view in StoreView.objects.filter(store__website=website).order_by(
            "store__sort_order", "sort_order"
        ):
            options.append((f"store_view:{view.pk}", view.name, 2))
    return options


def configuration_view(request, section_code: str | None = None):
    if not request.user.has_perm("scopes.view_configvalue"):
        raise PermissionDenied
    sections = config.sections()
    if section_code is None:
        return redirect(reverse("admin:configuration", args=[sections[0].code]))
    try:
        section = config.get_section(section_code)
    except KeyError:
        raise Http404("Unknown configuration section") from None
    scope, scope_id = _parse_scope(request.GET.get("scope", "default"))
    if scope == Scope.WEBSITE and not Website.objects.filter(pk=scope_id).exists():
        raise Http404("Unknown website")
    if scope == Scope.STORE_VIEW and not StoreView.objects.filter(pk=scope_id).exists():
        raise Http404("Unknown store view")
    can_change = request.user.has_perm(section.permission)
    form = ConfigurationForm(
        request.POST if request.method == "POST" else None,
        section=section,
        scope=scope,
        scope_id=scope_id,
    )
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if form.is_valid():
            values, inherit = form.values_and_inherit()
            try:
                services.save_config(
                    scope=scope,
                    scope_id=scope_id,
                    values=values,
                    inherit=inherit,
                    actor=Actor.staff(request.user),
                )
            except PatronError as error:
                for problem in error.problems or []:
                    form.add_problem(problem.field, problem.message)
                if not error.problems:
                    form.add_problem(error.field, str(error.message))
            else:
                messages.success(request, _("You saved the configuration."))
                return redirect(request.get_full_path())
    context = {
        **admin_site.each_context(request),
        "title": section.label,
        "sections": sections,
        "section": section,
        "form": form,
        "scope_value": f"{scope}:{scope_id}" if scope != Scope.DEFAULT else "default",
        "scope_options": _scope_options(),
        "can_change": can_change,
    }
    return TemplateResponse(request, "admin/scopes/configuration.html", context)


def configuration_urls(site):
    return [
        path("configuration/", site.admin_view(configuration_view), name="configuration-index"),
        path(
            "configuration/<slug:section_code>/",
            site.admin_view(configuration_view),
            name="configuration",
        ),
    ]
