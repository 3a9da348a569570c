from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "patron.privacy"
    label = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from patron.privacy import erasure_tasks, history  # noqa: F401

        erasure_tasks.register_jobs()

        from patron.privacy import consent_sections, tasks

        consent_sections.register_sections()
        tasks.register_jobs()

        from patron.privacy import export_tasks, exports, sections, views

        exports.register_mail_template()
        export_tasks.register_jobs()
        sections.register_sections()
        views.register_dashboard()
