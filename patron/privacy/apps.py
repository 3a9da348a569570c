from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "patron.privacy"
    label = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from patron.privacy import (
            consent_sections,
            erasure_tasks,
            export_tasks,
            exports,
            history,  # noqa: F401 (timeline kinds)
            sections,
            tasks,
            views,
        )

        erasure_tasks.register_jobs()
        consent_sections.register_sections()
        tasks.register_jobs()
        exports.register_mail_template()
        export_tasks.register_jobs()
        sections.register_sections()
        views.register_dashboard()
