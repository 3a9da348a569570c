"""A copy of everything Patron holds about one customer (issue 17, "Export").

``request_export`` logs the request (the ``DataExport`` row with its actor, and a timeline
entry) and queues ``export_tasks.build_data_export``, which writes one ZIP to the private
``data_exports`` storage: ``data.json`` and the customer's uploaded attribute files. The export
goes to whoever asked for it: a customer's own request is emailed to them as a link and listed
on their Privacy page, a request of staff or an integration is downloaded from the customer page
or the API. Either way it can be downloaded once, until ``customer/privacy/export_link_hours``
after it was ready; the file is deleted when the download response is closed, or by the hourly
``expire_exports`` once the link has expired.

The archive itself is written by :mod:`patron.privacy.exports.document`.
"""

import datetime as dt
import hashlib
import logging
import secrets
import tempfile
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.files import File
from django.core.files.storage import storages
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _

from patron.core import history
from patron.core.actors import Actor, ActorKind
from patron.core.errors import Conflict, Forbidden, NotFound
from patron.customers.models import Customer, TimelineEntry
from patron.privacy.exports import document
from patron.privacy.models import DataExport, ExportState
from patron.scopes.config import get_config
from patron.scopes.models import StoreView

logger = logging.getLogger(__name__)

STORAGE = "data_exports"
REQUEST_PERMISSION = "privacy.add_dataexport"
VIEW_PERMISSION = "privacy.view_dataexport"
EMAIL_TEMPLATE = "customer_data_export_ready"
LINK_HOURS = "customer/privacy/export_link_hours"
CHUNK = 500
# A build still pending after this long lost its worker; it is marked failed.
STALE_AFTER = dt.timedelta(hours=6)
# Files younger than this are never swept as orphans: a build may be about to mark them ready.
ORPHAN_GRACE = dt.timedelta(hours=1)


class ExportTimelineKind(models.TextChoices):
    DATA_EXPORT_REQUESTED = "data_export_requested", gettext_lazy("Data export requested")
    DATA_EXPORT_DOWNLOADED = "data_export_downloaded", gettext_lazy("Data export downloaded")


history.register_kinds(ExportTimelineKind)
history.register_describer(
    ExportTimelineKind.DATA_EXPORT_REQUESTED,
    lambda params: gettext("Export %(id)s") % {"id": str(params.get("export_id", ""))[:8]},
)
history.register_describer(
    ExportTimelineKind.DATA_EXPORT_DOWNLOADED,
    lambda params: gettext("Export %(id)s") % {"id": str(params.get("export_id", ""))[:8]},
)


def _now() -> dt.datetime:
    """The current time; a seam so tests can move the clock past a link's expiry."""
    return timezone.now()


def customer_reference(customer: Customer) -> str:
    """The pseudonymous reference the export log keeps (the account id survives erasure)."""
    return str(customer.pk)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _storage():
    return storages[STORAGE]


def _refuse_while_assisting(actor: Actor) -> None:
    if actor.on_behalf_of_staff_id is not None:
        raise Forbidden(
            _("While assisting a customer you cannot export or download their data."),
            code="not_while_assisting",
        )


def is_for_customer(export: DataExport) -> bool:
    """Whether the customer asked for this export (and so receives it), not staff."""
    return export.actor_kind == ActorKind.CUSTOMER


# --- Requesting ---------------------------------------------------------------------------------


@transaction.atomic
def request_export(
    *, customer: Customer, actor: Actor, store_view: StoreView | None = None
) -> DataExport:
    """Log a request for a copy of ``customer``'s data and queue the task that builds it.

    ``store_view`` is where a customer asked (the ready email is sent from it). Raises
    ``Conflict`` (``export_pending``) while another export of the customer is being prepared
    and ``Forbidden`` (``not_while_assisting``) for staff logged in as the customer.
    """
    from patron.privacy.export_tasks import build_data_export

    _refuse_while_assisting(actor)
    # The lock makes "one export in preparation" hold against two requests at once.
    Customer.objects.select_for_update().filter(pk=customer.pk).first()
    if DataExport.objects.filter(customer=customer, state=ExportState.PENDING).exists():
        raise Conflict(
            _("A copy of this customer's data is already being prepared."),
            code="export_pending",
        )
    export = DataExport.objects.create(
        customer=customer, customer_ref=customer_reference(customer), **actor.as_fields()
    )
    TimelineEntry.objects.create(
        customer=customer,
        kind=ExportTimelineKind.DATA_EXPORT_REQUESTED,
        params={"export_id": str(export.pk)},
        **actor.as_fields(),
    )
    arguments = {
        "export_id": str(export.pk),
        "store_view_id": store_view.pk if store_view else None,
    }
    transaction.on_commit(lambda: build_data_export.enqueue(**arguments))
    return export


def list_exports(customer: Customer, *, requested_by_customer: bool | None = None):
    """The customer's exports, newest first; only the customer's own requests (or only the
    others) when ``requested_by_customer`` is given."""
    exports = DataExport.objects.filter(customer=customer).order_by("-created_at")
    if requested_by_customer is True:
        exports = exports.filter(actor_kind=ActorKind.CUSTOMER)
    elif requested_by_customer is False:
        exports = exports.exclude(actor_kind=ActorKind.CUSTOMER)
    return exports


def get_export(
    export_id: Any, *, customer: Customer, requested_by_customer: bool | None = None
) -> DataExport:
    """Return one export of ``customer`` (of ``list_exports``' choice) or raise ``NotFound``
    (``export_not_found``)."""
    exports = list_exports(customer, requested_by_customer=requested_by_customer)
    try:
        return exports.get(pk=uuid.UUID(str(export_id)))
    except (ValueError, DataExport.DoesNotExist):
        raise NotFound(_("There is no such data export."), code="export_not_found") from None


# --- Building -----------------------------------------------------------------------------------


def build_export(*, export_id: str, store_view_id: int | None = None) -> DataExport:
    """Write the export's ZIP, make it downloadable and, for a customer's own request, email
    the link. A build that fails is recorded as failed with its error; a repeated call for an
    export that is no longer pending changes nothing."""
    export = DataExport.objects.select_related("customer__website").get(pk=export_id)
    if export.state != ExportState.PENDING:
        return export
    customer = export.customer
    if customer is None:
        return _fail(export, _("The customer no longer exists."))
    store_view = _store_view(customer, store_view_id)
    try:
        with tempfile.TemporaryFile() as archive:
            with translation.override(store_view.locale if store_view else None):
                document.write_archive(customer, archive, export=export, store_view=store_view)
            size = archive.tell()
            archive.seek(0)
            name = f"{export.pk}.zip"
            if _storage().exists(name):  # left by an interrupted build of the same export
                _storage().delete(name)
            name = _storage().save(name, File(archive))
    except Exception as error:  # any failure is shown to staff on the export row
        logger.exception("Data export %s failed", export.pk)
        return _fail(export, str(error) or error.__class__.__name__)
    return _mark_ready(export, customer, store_view, name=name, size=size)


def _store_view(customer: Customer, store_view_id: int | None) -> StoreView | None:
    from patron.customers.services import default_store_view_of

    chosen = (
        StoreView.objects.select_related("store__website").filter(pk=store_view_id).first()
        if store_view_id
        else None
    )
    return chosen or default_store_view_of(customer)


def _fail(export: DataExport, message: str) -> DataExport:
    DataExport.objects.filter(pk=export.pk, state=ExportState.PENDING).update(
        state=ExportState.FAILED, error=message[:2000]
    )
    export.refresh_from_db()
    return export


@transaction.atomic
def _mark_ready(export, customer, store_view, *, name: str, size: int) -> DataExport:
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    hours = int(get_config(LINK_HOURS, website=customer.website))
    updated = DataExport.objects.filter(pk=export.pk, state=ExportState.PENDING).update(
        state=ExportState.READY, file_name=name, size=size, token_digest=_digest(token),
        ready_at=now, expires_at=now + dt.timedelta(hours=hours),
    )  # fmt: skip
    if not updated:  # marked failed as stale meanwhile: the file is not wanted
        transaction.on_commit(lambda: delete_export_file(name))
    export.refresh_from_db()
    if updated and is_for_customer(export) and store_view is not None:
        _send_ready_email(export, customer, store_view, token, hours)
    return export


def download_url(store_view: StoreView, export: DataExport, token: str) -> str:
    """The absolute address of the single-use link on the customer's store view."""
    from patron.accounts.services import absolute_url

    query = urlencode({"id": str(export.pk), "token": token})
    return absolute_url(store_view, "privacy-data-export-download", query)


def _send_ready_email(export, customer, store_view, token: str, hours: int) -> None:
    from patron.accounts.services import absolute_url
    from patron.mail.services import send_templated_email

    url = download_url(store_view, export, token)
    send_templated_email(
        template=EMAIL_TEMPLATE,
        identity="support",
        to=customer.email,
        store_view=store_view,
        customer_id=customer.pk,
        secrets=(token, url),
        context={
            "customer_name": customer.name,
            "customer_email": customer.email,
            "account_url": absolute_url(store_view, "customer-privacy"),
            "download_url": url,
            "expires_hours": hours,
        },
    )


def register_mail_template() -> None:
    from patron.mail.templates import CUSTOMER_VARIABLES, MailTemplate, register_template

    register_template(
        MailTemplate(
            EMAIL_TEMPLATE,
            gettext_lazy("Customer Data Export Ready"),
            (*CUSTOMER_VARIABLES, "download_url", "expires_hours"),
        )
    )


# --- Downloading --------------------------------------------------------------------------------


class _DeletedOnClose(File):
    """The export's open file; closing it (Django closes a response's file once the response
    is sent, or the client went away) deletes the stored file."""

    def __init__(self, file, name: str):
        super().__init__(file, name)
        self._stored_name = name

    def close(self) -> None:
        try:
            super().close()
        finally:
            delete_export_file(self._stored_name)


@dataclass(frozen=True)
class Download:
    export: DataExport
    file: File
    filename: str


def _gone(export: DataExport) -> Conflict:
    messages = {
        ExportState.DOWNLOADED: _("This copy of the data was already downloaded."),
        ExportState.FAILED: _("This copy of the data could not be prepared."),
    }
    message = messages.get(export.state, _("This download link has expired."))
    return Conflict(message, code="export_gone", params={"state": export.state})


def check_available(export: DataExport, now: dt.datetime | None = None) -> None:
    """Raise ``Conflict``: ``export_not_ready`` while being prepared, ``export_gone`` once
    downloaded, expired or failed (the HTTP surfaces answer 410 Gone)."""
    now = now or _now()
    if export.state == ExportState.PENDING:
        raise Conflict(_("This copy of the data is still being prepared."), code="export_not_ready")
    if export.state != ExportState.READY or export.expires_at is None or export.expires_at <= now:
        raise _gone(export)


def find_by_token(*, export_id: Any, token: str) -> DataExport:
    """Return the export a download link names; ``NotFound`` (``export_link_invalid``) when the
    link is not one Patron sent. The export may be gone: see :func:`check_available`."""
    invalid = NotFound(_("This download link is not valid."), code="export_link_invalid")
    try:
        export = DataExport.objects.filter(pk=uuid.UUID(str(export_id))).first()
    except ValueError:
        raise invalid from None
    if (
        export is None
        or not export.token_digest
        or not secrets.compare_digest(export.token_digest, _digest(token or ""))
    ):
        raise invalid
    return export


@transaction.atomic
def take_download(*, export: DataExport, actor: Actor) -> Download:
    """Hand out the export's file, once: the export is marked downloaded at once and its file is
    deleted when the returned file is closed.

    The customer downloads their own requests, staff and integrations theirs (``Forbidden``,
    ``export_not_yours``); see :func:`check_available` for the other refusals.
    """
    _refuse_while_assisting(actor)
    locked = DataExport.objects.select_for_update().get(pk=export.pk)
    if is_for_customer(locked) != (actor.kind == ActorKind.CUSTOMER):
        raise Forbidden(
            _("This copy of the data goes to the customer.")
            if is_for_customer(locked)
            else _("This copy of the data was requested by staff."),
            code="export_not_yours",
        )
    check_available(locked)
    try:
        handle = _storage().open(locked.file_name, "rb")
    except FileNotFoundError:
        locked.state = ExportState.EXPIRED
        locked.save(update_fields=["state"])
        raise _gone(locked) from None
    locked.state = ExportState.DOWNLOADED
    locked.downloaded_at = _now()
    locked.save(update_fields=["state", "downloaded_at"])
    if locked.customer_id:
        TimelineEntry.objects.create(
            customer_id=locked.customer_id,
            kind=ExportTimelineKind.DATA_EXPORT_DOWNLOADED,
            params={"export_id": str(locked.pk)},
            **actor.as_fields(),
        )
    filename = f"customer-data-{locked.customer_ref}-{locked.created_at:%Y%m%d}.zip"
    return Download(locked, _DeletedOnClose(handle, locked.file_name), filename)


def delete_export_file(name: str) -> None:
    """Delete an export's stored file, if it is still there (also used by erasure)."""
    try:
        if name and _storage().exists(name):
            _storage().delete(name)
    except OSError:  # swept again by expire_exports
        logger.warning("Could not delete data export file %s", name, exc_info=True)


# --- Expiry -------------------------------------------------------------------------------------


def expire_exports(now: dt.datetime | None = None) -> int:
    """Delete the files of exports whose link expired (marking them expired), mark builds that
    lost their worker as failed, and delete stray files no live export owns. Return how many
    exports expired."""
    now = now or timezone.now()
    expired = 0
    due = DataExport.objects.filter(state=ExportState.READY, expires_at__lte=now)
    for export in due.only("pk", "file_name").iterator(chunk_size=CHUNK):
        if DataExport.objects.filter(pk=export.pk, state=ExportState.READY).update(
            state=ExportState.EXPIRED
        ):
            delete_export_file(export.file_name)
            expired += 1
    DataExport.objects.filter(state=ExportState.PENDING, created_at__lte=now - STALE_AFTER).update(
        state=ExportState.FAILED, error=gettext("The export did not finish in time.")
    )
    _sweep_orphans(now)
    return expired


def _sweep_orphans(now: dt.datetime) -> None:
    storage = _storage()
    try:
        _dirs, names = storage.listdir("")
    except FileNotFoundError:
        return
    live = set(
        DataExport.objects.filter(
            state__in=(ExportState.READY, ExportState.PENDING), file_name__in=names
        ).values_list("file_name", flat=True)
    )
    for name in names:
        if name in live:
            continue
        try:
            if now - storage.get_modified_time(name) < ORPHAN_GRACE:
                continue
        except (NotImplementedError, OSError):
            continue
        delete_export_file(name)
