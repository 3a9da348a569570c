"""Imports (issue 15): one row per uploaded file with its settings, what Check Data found and
the checkpoint of the import run, so a crashed import resumes after its last committed batch.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from patron.core.actors import ActorFields
from patron.transfer import layouts


class ImportEntity(models.TextChoices):
    CUSTOMER = layouts.CUSTOMER, _("Customers Main File")
    CUSTOMER_ADDRESS = layouts.CUSTOMER_ADDRESS, _("Customer Addresses")
    CUSTOMER_COMPOSITE = layouts.CUSTOMER_COMPOSITE, _("Customers and Addresses (single file)")
    CUSTOMER_FINANCE = layouts.CUSTOMER_FINANCE, _("Customer Finances")


class ImportBehavior(models.TextChoices):
    APPEND = layouts.APPEND, _("Add/Update")
    REPLACE = layouts.REPLACE, _("Replace")
    DELETE = layouts.DELETE, _("Delete")


class ImportState(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    CHECKING = "checking", _("Checking")
    CHECKED = "checked", _("Checked")
    IMPORTING = "importing", _("Importing")
    IMPORTED = "imported", _("Imported")
    FAILED = "failed", _("Failed")


class Import(ActorFields):
    """An uploaded file and what happened to it. ``batches_done`` and the counts are written
    in the same transaction as each batch, so they always describe what is committed."""

    entity = models.CharField(_("entity type"), max_length=32, choices=ImportEntity.choices)
    behavior = models.CharField(_("import behavior"), max_length=16, choices=ImportBehavior.choices)
    allowed_errors = models.PositiveIntegerField(_("allowed errors count"), default=10)
    batch_size = models.PositiveIntegerField(_("batch size"), default=1000)
    # Magento website code -> Patron website code, for codes that differ (``admin`` -> ``base``).
    website_map = models.JSONField(_("website mapping"), default=dict, blank=True)
    file = models.FileField(_("file"), upload_to="transfer/imports/", blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    # A file on the server's own disk (``patron import``), read where it is instead of copied.
    source_path = models.CharField(_("file on the server"), max_length=1024, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=ImportState.choices, default=ImportState.UPLOADED
    )
    # What Check Data found: rows, entities, errors and the add/update/delete counts.
    check_result = models.JSONField(_("check result"), default=dict, blank=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    check_job = models.ForeignKey(
        "core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    import_job = models.ForeignKey(
        "core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The import run's checkpoint and counts (only what committed batches did).
    batches_done = models.PositiveIntegerField(_("batches done"), default=0)
    rows_done = models.PositiveBigIntegerField(_("rows done"), default=0)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]
        default_permissions = ("view",)
        permissions = [("import_customers", _("Can import customers, addresses and finances"))]

    def __str__(self) -> str:
        return f"{self.get_entity_display()}: {self.original_name}"


class ImportProblem(models.Model):
    """One problem Check Data (or the import run) found: the file's data row (1 = the first row
    after the header; 0 = the file as a whole), the column and the reason."""

    run = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="problems")
    row = models.PositiveBigIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=255, blank=True)
    code = models.CharField(_("code"), max_length=64)
    message = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("import problem")
        verbose_name_plural = _("import problems")
        ordering = ["row", "pk"]
        indexes = [models.Index(fields=["run", "row"], name="transfer_problem_row_idx")]

    def __str__(self) -> str:
        return f"{self.row} {self.column}: {self.message}"


class PendingPassword(models.Model):
    """A plain password from a file's ``password`` column, waiting for the follow-up task that
    hashes it, so the import itself stays fast. The task deletes the row once the hash is
    stored; nothing else reads it."""

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    password = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("password waiting to be hashed")
        verbose_name_plural = _("passwords waiting to be hashed")

    def __str__(self) -> str:
        return str(self.customer_id)
