from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def import_page_url(job) -> str | None:
    """Where the page of an import's Check Data or import job leads back to: the import."""
    from django.db.models import Q

    from patron.transfer.models import Import

    run = Import.objects.filter(Q(check_job=job) | Q(import_job=job)).only("pk").first()
    return reverse("admin:transfer_import_change", args=[run.pk]) if run else None


class TransferConfig(AppConfig):
    name = "patron.transfer"
    label = "transfer"
    verbose_name = _("Data Transfer")

    def ready(self) -> None:
        from patron.core import events
        from patron.core.registries import JobBackLink, job_back_links
        from patron.transfer import tasks

        tasks.register_jobs()
        # "transfer.import" covers the import's Check Data jobs ("transfer.import_check") too.
        job_back_links.register(JobBackLink("transfer.import", 100, import_page_url))

        events.declare(
            "customersImported", "A batch of an import added or changed customers (ids listed)."
        )
