from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "patron.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from patron.core import events
        from patron.webhooks import services, tasks

        events.subscribe("*", dispatch_uid="patron.webhooks")(services.on_domain_event)
        tasks.register_periodic_jobs()
