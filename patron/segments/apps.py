from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SegmentsConfig(AppConfig):
    name = "patron.segments"
    label = "segments"
    verbose_name = _("Customer segments")

    def ready(self) -> None:
        from patron.segments import conditions, demo, handlers, history, sections, tasks  # noqa: F401

        conditions.register_condition_types()
        tasks.register_jobs()
        handlers.register_webhooks()
        demo.register_steps()
        sections.register_sections()
