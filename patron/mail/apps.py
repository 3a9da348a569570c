from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "patron.mail"
    label = "mail"
    verbose_name = _("Email")

    def ready(self) -> None:
        from patron.mail import tasks, templates

        templates.register_builtin_templates()
        tasks.register_periodic_jobs()
