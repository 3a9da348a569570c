from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AudiencesConfig(AppConfig):
    name = "patron.audiences"
    label = "audiences"
    verbose_name = _("Audiences")

    def ready(self) -> None:
        from patron.audiences import conditions, sections, tasks

        conditions.register_conditions()
        sections.register_sections()
        tasks.register_jobs()
