from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patron.admin_site import admin_site
from patron.core.actors import Actor
from patron.core.errors import PatronError
from patron.staff import services
from patron.staff.models import IntegrationToken, StaffProfile


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    filter_horizontal = ["websites"]
    verbose_name_plural = gettext_lazy("Back-office language and websites")


@admin.register(User, site=admin_site)
class StaffUserAdmin(UserAdmin):
    inlines = [StaffProfileInline]


admin_site.register(Group, GroupAdmin)


@admin.register(IntegrationToken, site=admin_site)
class IntegrationTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix"]
    fields = ["name", "permissions", "websites", "rate_limit_per_minute", "expires_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at", "replaced_by"]
    filter_horizontal = ["websites"]
    actions = ["rotate_tokens", "revoke_tokens"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.fields
        return [*self.fields, *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if change:
                obj.save()
                return
            token, secret = services.create_integration_token(
                name=data["name"],
                permissions=data.get("permissions") or [],
                rate_limit_per_minute=data.get("rate_limit_per_minute"),
                expires_at=data.get("expires_at"),
                actor=Actor.staff(request.user),
                created_by=request.user,
            )
        except PatronError as error:
            messages.error(request, str(error.message))
            return
        obj.pk = token.pk
        self._created_websites = token
        messages.warning(
            request,
            _("Copy the token now; it is not shown again: %(secret)s") % {"secret": secret},
        )

    def save_related(self, request, form, formsets, change):
        token = getattr(self, "_created_websites", None)
        if token is not None:
            token.websites.set(form.cleaned_data.get("websites") or [])
            self._created_websites = None
            return
        super().save_related(request, form, formsets, change)

    @admin.action(description=gettext_lazy("Rotate selected tokens"), permissions=["rotate"])
    def rotate_tokens(self, request, queryset):
        for token in queryset:
            try:
                new_token, secret = services.rotate_integration_token(
                    token=token, actor=Actor.staff(request.user)
                )
            except PatronError as error:
                messages.error(request, f"{token}: {error.message}")
                continue
            messages.warning(
                request,
                _("New secret for %(name)s (shown once): %(secret)s")
                % {"name": new_token.name, "secret": secret},
            )

    @admin.action(description=gettext_lazy("Revoke selected tokens"), permissions=["revoke"])
    def revoke_tokens(self, request, queryset):
        for token in queryset:
            services.revoke_integration_token(token=token, actor=Actor.staff(request.user))
        messages.success(request, _("The selected tokens were revoked."))

    def has_rotate_permission(self, request):
        return request.user.has_perm("staff.rotate_integrationtoken")

    def has_revoke_permission(self, request):
        return request.user.has_perm("staff.revoke_integrationtoken")
