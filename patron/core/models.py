import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from patron.core.actors import ActorFields


class JobState(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class Job(ActorFields):
    """Progress of one long piece of work (import, export, refresh, mass action)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=64)
    label = models.CharField(_("label"), max_length=255)
    state = models.CharField(
        _("state"), max_length=16, choices=JobState.choices, default=JobState.PENDING
    )
    done = models.PositiveBigIntegerField(_("done"), default=0)
    total = models.PositiveBigIntegerField(_("total"), null=True, blank=True)
    messages = models.JSONField(_("messages"), default=list, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "-created_at"], name="core_job_state_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total__isnull=True) | models.Q(done__lte=models.F("total")),
                name="core_job_done_lte_total",
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, int(self.done * 100 / self.total))

    @property
    def is_finished(self) -> bool:
        return self.state in (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)


class ScheduledRun(models.Model):
    """When the scheduler last queued each periodic job, so a restart does not re-run it."""

    code = models.CharField(max_length=100, primary_key=True)
    last_run_at = models.DateTimeField()

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")

    def __str__(self) -> str:
        return f"{self.code} @ {self.last_run_at:%Y-%m-%d %H:%M}"


class DemoMarker(models.Model):
    """Present only in databases created for the demo; ``seed_demo`` refuses any other."""

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("demo marker")
        verbose_name_plural = _("demo markers")

    def __str__(self) -> str:
        return f"demo database since {self.created_at:%Y-%m-%d}"
