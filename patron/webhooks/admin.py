from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from patron.admin_site import admin_site
from patron.core.actors import Actor
from patron.core.admin_helpers import add_errors_to_form
from patron.core.errors import PatronError
from patron.webhooks import services
from patron.webhooks.models import Delivery, Subscription


class SubscriptionForm(forms.ModelForm):
    target_url = forms.URLField(
        label=gettext_lazy("target URL"), max_length=500, assume_scheme="https"
    )
    events = forms.MultipleChoiceField(
        label=gettext_lazy("events"),
        choices=lambda: [(name, name) for name in services.available_events()],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Subscription
        fields = ["name", "target_url", "events", "websites", "is_active"]


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = [
        "created_at",
        "event_type",
        "status",
        "attempts",
        "response_code",
        "response_ms",
        "error",
    ]
    readonly_fields = fields
    ordering = ["-created_at"]
    max_num = 0
    show_change_link = True


@admin.register(Subscription, site=admin_site)
class SubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ["name", "target_url", "is_active", "paused_at", "consecutive_failures"]
    list_filter = ["is_active"]
    filter_horizontal = ["websites"]
    readonly_fields = ["secret", "paused_at", "pause_reason", "consecutive_failures"]
    actions = ["resume", "rotate"]
    inlines = [DeliveryInline]

    def changelist_view(self, request, extra_context=None):
        for subscription in services.paused_subscriptions():
            messages.warning(
                request,
                _("%(name)s is paused: %(reason)s")
                % {"name": subscription.name, "reason": subscription.pause_message()},
            )
        return super().changelist_view(request, extra_context)

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        admin_instance = self

        class ServiceForm(form_class):
            def _post_clean(self):
                super()._post_clean()
                if self.errors:
                    return
                try:
                    self.instance = admin_instance.run_service(request, self, obj)
                except PatronError as error:
                    add_errors_to_form(self, error)

        return ServiceForm

    def run_service(self, request, form, obj):
        data = form.cleaned_data
        actor = Actor.staff(request.user)
        if obj is None:
            subscription = services.create_subscription(
                name=data["name"], target_url=data["target_url"], events=data["events"],
                websites=data["websites"], actor=actor,
            )  # fmt: skip
            if not data.get("is_active", True):
                services.update_subscription(
                    subscription=subscription, is_active=False, actor=actor
                )
            return subscription
        return services.update_subscription(
            subscription=Subscription.objects.get(pk=obj.pk), name=data["name"], target_url=data["target_url"],
            events=data["events"], websites=data["websites"], is_active=data["is_active"], actor=actor,
        )  # fmt: skip

    def save_model(self, request, obj, form, change):
        """Saved by the service during validation."""

    def save_related(self, request, form, formsets, change):
        """The service saved the websites."""

    @admin.action(description=gettext_lazy("Resume sending"))
    def resume(self, request, queryset):
        for subscription in queryset:
            services.resume_subscription(subscription=subscription, actor=Actor.staff(request.user))
        messages.success(request, _("Sending resumed for the selected subscriptions."))

    @admin.action(description=gettext_lazy("Rotate the signing secret"))
    def rotate(self, request, queryset):
        for subscription in queryset:
            services.rotate_secret(subscription=subscription, actor=Actor.staff(request.user))
        messages.warning(request, _("New secrets are in effect; update your receivers."))


@admin.register(Delivery, site=admin_site)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "subscription",
        "event_type",
        "status",
        "attempts",
        "response_code",
        "response_ms",
    ]
    list_filter = ["status", "event_type", "subscription"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    actions = ["redeliver"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("Send again"), permissions=["redeliver"])
    def redeliver(self, request, queryset):
        sent = 0
        for delivery in queryset:
            try:
                services.redeliver(delivery=delivery, actor=Actor.staff(request.user))
                sent += 1
            except PatronError as error:
                messages.error(request, f"{delivery}: {error.message}")
        messages.info(
            request,
            ngettext(
                "%(count)d delivery was queued again.",
                "%(count)d deliveries were queued again.",
                sent,
            )
            % {"count": sent},
        )

    def has_redeliver_permission(self, request):
        return request.user.has_perm("webhooks.redeliver_delivery")
