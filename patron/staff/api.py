import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from ninja import Router, Schema

from patron.core.api import ERRORS, principal_of, require_permission, staff_auth
from patron.staff.models import StaffAction

router = Router(tags=["Staff and integrations"], auth=staff_auth)


class WhoAmIOut(Schema):
    kind: str
    name: str
    permissions: list[str] | None
    website_ids: list[int] | None


@router.get("/whoami", response=WhoAmIOut, url_name="whoami")
def whoami(request):
    """Describe the caller: a staff member or an integration token, its permissions and websites."""
    principal = principal_of(request)
    permissions = (
        sorted(principal.user.get_all_permissions())
        if principal.user is not None
        else sorted(principal.permissions or ())
    )
    return WhoAmIOut(
        kind=principal.actor.kind,
        name=principal.actor.label,
        permissions=permissions,
        website_ids=principal.website_ids,
    )


class StaffActionOut(Schema):
    id: int
    at: dt.datetime
    action: str
    target: str
    count: int | None
    details: dict[str, Any]
    actor_kind: str
    actor_id: int | None
    actor_label: str


@router.get(
    "/staff/actions", response={200: list[StaffActionOut], **ERRORS}, url_name="staff-actions"
)
def staff_actions(
    request, action: str | None = None, before_id: int | None = None, limit: int = 50
):
    """The staff action log, newest first: exports, mass actions, configuration and permission
    changes. Filter by `action`; pass the last `id` as `before_id` for older entries."""
    require_permission(request, "staff.view_staffaction")
    entries = StaffAction.objects.all()
    if action:
        entries = entries.filter(action=action)
    if before_id is not None:
        entries = entries.filter(pk__lt=before_id)
    return list(entries.order_by("-pk")[: max(1, min(limit, 200))])


class JobOut(Schema):
    id: str
    kind: str
    label: str
    state: str
    done: int
    total: int | None
    percent: int | None
    messages: list[dict[str, Any]]
    result: dict[str, Any]
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


@router.get("/jobs/{uuid:job_id}", response={200: JobOut, **ERRORS}, url_name="job")
def job_status(request, job_id):
    """Progress of a background job (a large mass action, an import): state, done of total,
    messages and, when finished, its result. Visible to whoever started it and to holders of
    core.view_job."""
    from patron.core.errors import NotFound
    from patron.core.progress import get_job

    principal = principal_of(request)
    job = get_job(job_id)
    started_it = job.actor_kind == principal.actor.kind and job.actor_id == principal.actor.id
    if not started_it and not principal.has_perm("core.view_job"):
        raise NotFound(_("There is no job %(id)s.") % {"id": job_id}, code="job_not_found")
    return JobOut(
        id=str(job.pk), kind=job.kind, label=job.label, state=job.state, done=job.done,
        total=job.total, percent=job.percent, messages=job.messages, result=job.result,
        created_at=job.created_at, started_at=job.started_at, finished_at=job.finished_at,
    )  # fmt: skip
