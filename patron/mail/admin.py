import contextlib

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from patron.admin_site import admin_site
from patron.core.actors import Actor
from patron.core.admin_helpers import add_errors_to_form
from patron.core.errors import PatronError
from patron.mail import services
from patron.mail.models import OutboxMessage, TemplateOverride
from patron.mail.placeholders import check_placeholders
from patron.mail.templates import get_template_definition, template_choices
from patron.scopes.models import StoreView


@admin.register(OutboxMessage, site=admin_site)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "subject",
        "recipient_list",
        "template_code",
        "language",
        "status",
    ]
    list_filter = ["status", "template_code", "language", "store_view"]
    search_fields = ["subject", "recipients"]
    date_hierarchy = "created_at"
    actions = ["resend_messages"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    @admin.display(description=gettext_lazy("to"))
    def recipient_list(self, message):
        return ", ".join(message.recipients)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("Re-send selected messages"), permissions=["resend"])
    def resend_messages(self, request, queryset):
        sent = 0
        for message in queryset:
            try:
                sent += services.resend(message)
            except PatronError as error:
                messages.error(request, f"{message.subject}: {error.message}")
        messages.info(
            request,
            ngettext("%(count)d message was sent.", "%(count)d messages were sent.", sent)
            % {"count": sent},
        )

    def has_resend_permission(self, request):
        return request.user.has_perm("mail.resend_outboxmessage")


class TemplateOverrideForm(forms.ModelForm):
    template_code = forms.ChoiceField(label=gettext_lazy("template"), choices=template_choices)

    class Meta:
        model = TemplateOverride
        fields = ["template_code", "store_view", "subject", "body_text"]
        widgets = {"body_text": forms.Textarea(attrs={"rows": 16, "cols": 90})}


@admin.register(TemplateOverride, site=admin_site)
class TemplateOverrideAdmin(admin.ModelAdmin):
    """Staff-edited email texts. A new one starts from the shipped text; saving checks every
    placeholder; the change page shows a preview with sample values."""

    form = TemplateOverrideForm
    list_display = ["template_label", "store_view", "subject", "updated_at"]
    list_filter = ["template_code", "store_view"]
    readonly_fields = ["placeholders", "preview"]

    def get_fields(self, request, obj=None):
        return [
            "template_code",
            "store_view",
            "subject",
            "body_text",
            "placeholders",
            *(["preview"] if obj else []),
        ]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        code = request.GET.get("template_code")
        if code:
            store_view = StoreView.objects.filter(pk=request.GET.get("store_view") or 0).first()
            with contextlib.suppress(KeyError):  # an unknown code simply starts empty
                initial["subject"], initial["body_text"] = services.default_text(code, store_view)
        return initial

    @admin.display(description=gettext_lazy("template"))
    def template_label(self, obj):
        try:
            return get_template_definition(obj.template_code).label
        except KeyError:
            return obj.template_code

    @admin.display(description=gettext_lazy("placeholders you can use"))
    def placeholders(self, obj):
        code = obj.template_code if obj else None
        if not code:
            return _(
                "Choose a template and save to see its placeholders, or add ?template_code=<code> to the address to start from the shipped text."
            )
        names = (*get_template_definition(code).variables, *services.STORE_VARIABLES)
        return ", ".join("{{ %s }}" % name for name in names)  # noqa: UP031 - literal braces

    @admin.display(description=gettext_lazy("preview"))
    def preview(self, obj):
        subject, text = services.preview(obj.template_code, obj.store_view)
        return format_html(
            "<strong>{}</strong><pre style='white-space:pre-wrap'>{}</pre>", subject, text
        )

    def save_model(self, request, obj, form, change):
        services.save_template_override(
            code=obj.template_code,
            store_view=obj.store_view,
            subject=obj.subject,
            body_text=obj.body_text,
            actor=Actor.staff(request.user),
        )

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class CheckedForm(form_class):
            def clean(self):
                data = super().clean()
                code = data.get("template_code")
                if code and data.get("subject") is not None and data.get("body_text") is not None:
                    try:
                        check_placeholders(
                            {"subject": data["subject"], "body_text": data["body_text"]},
                            (*get_template_definition(code).variables, *services.STORE_VARIABLES),
                        )
                    except PatronError as error:
                        add_errors_to_form(self, error)
                return data

        return CheckedForm
