from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from patron.admin_site import admin_site
from patron.core.actors import Actor
from patron.core.admin_helpers import ReadOnlyAdminMixin
from patron.core.errors import PatronError
from patron.staff import services
from patron.staff.models import IntegrationToken, StaffAction, StaffProfile


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    filter_horizontal = ["websites"]
    verbose_name_plural = gettext_lazy("Back-office language and websites")


class PermissionChangeLogMixin:
    """Log what a save changed in the permissions of a staff member or role, by comparing a
    snapshot taken before the form saves with one taken after its many-to-many fields do."""

    def snapshot(self, obj):
        raise NotImplementedError

    def log_target(self, obj) -> str:
        return str(obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        obj = self.get_object(request, object_id) if object_id else None
        # On the request, not on this admin: one admin instance serves concurrent requests.
        request.permissions_before = self.snapshot(obj) if obj is not None else None
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.record_permission_change(
            actor=Actor.staff(request.user),
            target=self.log_target(form.instance),
            before=getattr(request, "permissions_before", None),
            after=self.snapshot(form.instance),
        )


@admin.register(User, site=admin_site)
class StaffUserAdmin(PermissionChangeLogMixin, UserAdmin):
    inlines = [StaffProfileInline]
    list_display = [*UserAdmin.list_display, "two_factor"]
    actions = ["reset_two_factor"]

    @admin.display(description=gettext_lazy("two-factor"), boolean=True)
    def two_factor(self, user):
        from patron.staff.two_factor import has_two_factor

        return has_two_factor(user)

    @admin.action(
        description=gettext_lazy("Reset two-factor authentication (set up again at next sign-in)"),
        permissions=["change"],
    )
    def reset_two_factor(self, request, queryset):
        from patron.staff.two_factor import reset_two_factor

        for user in queryset:
            reset_two_factor(user=user, actor=Actor.staff(request.user))
        count = queryset.count()
        messages.success(
            request,
            ngettext(
                "Two-factor authentication was reset for %(count)d staff member.",
                "Two-factor authentication was reset for %(count)d staff members.",
                count,
            )
            % {"count": count},
        )

    def snapshot(self, obj):
        return services.permission_snapshot(obj)

    def log_target(self, obj) -> str:
        return _("Staff member %(name)s") % {"name": obj.get_username()}


@admin.register(Group, site=admin_site)
class RoleAdmin(PermissionChangeLogMixin, GroupAdmin):
    def snapshot(self, obj):
        return services.group_permission_snapshot(obj)

    def log_target(self, obj) -> str:
        return _("Role %(name)s") % {"name": obj.name}


@admin.register(StaffAction, site=admin_site)
class StaffActionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """System > Staff Action Log: read-only, seen only with its own view permission."""

    list_display = ["at", "actor_label", "action", "target", "count"]
    list_filter = ["action", "actor_kind"]
    search_fields = ["actor_label", "target"]
    date_hierarchy = "at"
    readonly_fields = [
        "at",
        "actor_kind",
        "actor_id",
        "actor_label",
        "action",
        "target",
        "count",
        "details",
    ]
    actions = None
    show_full_result_count = False


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
                before = IntegrationToken.objects.get(pk=obj.pk).permissions
                obj.save()
                services.record_permission_change(
                    actor=Actor.staff(request.user),
                    target=_("Integration token %(name)s") % {"name": obj.name},
                    before=sorted(before),
                    after=sorted(obj.permissions),
                )
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
