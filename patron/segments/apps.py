from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def segment_page_url(job) -> str | None:
    """Where the page of a segment's refresh leads back to: the segment."""
    segment_id = (job.result or {}).get("segment_id")
    return reverse("admin:segments_segment_change", args=[segment_id]) if segment_id else None


class SegmentsConfig(AppConfig):
    name = "patron.segments"
    label = "segments"
    verbose_name = _("Customer segments")

    def ready(self) -> None:
        from patron.core.registries import JobBackLink, job_back_links
        from patron.segments import conditions, demo, handlers, history, sections, tasks  # noqa: F401

        conditions.register_condition_types()
        tasks.register_jobs()
        handlers.register_webhooks()
        demo.register_steps()
        sections.register_sections()
        job_back_links.register(JobBackLink("segments.", 100, segment_page_url))
