from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patron.admin_site import admin_site
from patron.core.errors import PatronError
from patron.mail import services
from patron.mail.models import OutboxMessage


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
        messages.info(request, _("%(count)d messages were sent.") % {"count": sent})

    def has_resend_permission(self, request):
        return request.user.has_perm("mail.resend_outboxmessage")
