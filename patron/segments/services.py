"""Customer segments: definitions, full refresh, real-time matching and visitor memberships.

A full refresh is three set-based statements per website (close the rows of customers who no
longer match, insert the rows of those who newly match, stamp the segment), whatever the number
of customers. Real-time matching evaluates every relevant active segment for one shopper in a
single query, off the request path (a task queued after commit by :mod:`handlers`).
"""

import hashlib
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import BooleanField, Case, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from patron.core import events
from patron.core.actors import Actor
from patron.core.errors import InvalidInput, NotFound, Problem
from patron.customers.models import Customer
from patron.scopes.config import get_config
from patron.scopes.models import Website
from patron.segments import history, trees
from patron.segments.conditions import Context
from patron.segments.models import ApplyTo, Segment, SegmentMembership

ENABLED_PATH = "customer/segments/enabled"
SHARE_SCOPE_PATH = "customer/account_share/scope"
VISITOR_TTL = 24 * 3600  # a visitor's memberships are kept a day after their last evaluation

events.declare("segmentChanged", "A customer segment was created, changed or deleted.")
events.declare(
    "segmentMembershipChanged", "A customer joined or left customer segments (real-time matching)."
)
events.declare("segmentRefreshed", "A customer segment's membership was recomputed in full.")


def is_enabled() -> bool:
    """Whether "Enable Customer Segment Functionality" is Yes (spec c §3)."""
    return bool(get_config(ENABLED_PATH))


def require_enabled() -> None:
    """Refuse a change of segments while the functionality is switched off."""
    if not is_enabled():
        raise InvalidInput(
            _("Customer segments are turned off for this installation."),
            code="segments_disabled",
        )


# --- Definitions ------------------------------------------------------------------------------


def _problem(field: str, message) -> Problem:
    return Problem(code="invalid", message=str(message), field=field)


def _clean_definition(
    *, name: Any, websites: Any, apply_to: str, conditions: Any
) -> tuple[str, list[Website], dict]:
    problems: list[Problem] = []
    name = str(name or "").strip()
    if not name:
        problems.append(_problem("name", _("Enter the segment name.")))
    elif len(name) > 255:
        problems.append(_problem("name", _("Enter at most 255 characters.")))
    chosen = _websites(websites, problems)
    tree, tree_problems = _checked_tree(conditions, apply_to)
    problems.extend(tree_problems)
    if problems:
        raise InvalidInput.from_problems(problems)
    return name, chosen, tree


def _checked_tree(conditions: Any, apply_to: str) -> tuple[dict, list[Problem]]:
    try:
        return trees.clean_tree(conditions, apply_to=apply_to), []
    except ValidationError as error:
        return {}, [
            _problem(path, message)
            for path, messages in error.message_dict.items()
            for message in messages
        ]


def check_conditions(conditions: Any, *, apply_to: str) -> dict:
    """The condition tree checked for ``apply_to`` and normalized, or ``InvalidInput`` with
    each problem at its path (``conditions.conditions[1].value``)."""
    tree, problems = _checked_tree(conditions, _clean_apply_to(apply_to))
    if problems:
        raise InvalidInput.from_problems(problems)
    return tree


def _websites(websites: Any, problems: list[Problem]) -> list[Website]:
    ids = [w.pk if isinstance(w, Website) else w for w in (websites or [])]
    found = list(Website.objects.filter(pk__in=[i for i in ids if str(i).isdigit()]))
    if not ids:
        problems.append(_problem("websites", _("Choose at least one website.")))
    elif len(found) != len(set(ids)):
        problems.append(_problem("websites", _("One of the chosen websites does not exist.")))
    return found


def _clean_apply_to(apply_to: Any) -> str:
    if apply_to not in ApplyTo.values:
        raise InvalidInput(
            _("Choose who the segment applies to: %(choices)s.")
            % {"choices": ", ".join(ApplyTo.values)},
            field="apply_to",
        )
    return apply_to


@transaction.atomic
def create_segment(
    *,
    name: str,
    websites: Iterable[Any],
    actor: Actor,
    description: str = "",
    is_active: bool = True,
    apply_to: str = ApplyTo.BOTH,
    conditions: Any = None,
) -> Segment:
    """Create a segment; its members are computed by a refresh queued after commit."""
    require_enabled()
    apply_to = _clean_apply_to(apply_to)
    name, chosen, tree = _clean_definition(
        name=name, websites=websites, apply_to=apply_to, conditions=conditions
    )
    segment = Segment.objects.create(
        name=name,
        description=str(description or ""),
        is_active=bool(is_active),
        apply_to=apply_to,
        conditions=tree,
        events=trees.tree_events(tree),
        depends_on_time=trees.depends_on_time(tree),
    )
    segment.websites.set(chosen)
    _after_definition_change(segment, actor, "created")
    return segment


UNSET: Any = object()


@transaction.atomic
def update_segment(
    *,
    segment: Segment,
    actor: Actor,
    name: Any = UNSET,
    description: Any = UNSET,
    websites: Any = UNSET,
    is_active: Any = UNSET,
    conditions: Any = UNSET,
    apply_to: Any = UNSET,
) -> Segment:
    """Change a segment. Apply To is fixed after the first save: a value sent is ignored
    (spec c §3). Saving rebuilds the membership unless the segment is for visitors only."""
    del apply_to  # fixed after creation; accepted so callers can send the whole form
    require_enabled()
    segment = Segment.objects.select_for_update().get(pk=segment.pk)
    name, chosen, tree = _clean_definition(
        name=segment.name if name is UNSET else name,
        websites=list(segment.websites.all()) if websites is UNSET else websites,
        apply_to=segment.apply_to,
        conditions=segment.conditions if conditions is UNSET else conditions,
    )
    segment.name = name
    if description is not UNSET:
        segment.description = str(description or "")
    if is_active is not UNSET:
        segment.is_active = bool(is_active)
    segment.conditions = tree
    segment.events = trees.tree_events(tree)
    segment.depends_on_time = trees.depends_on_time(tree)
    segment.save()
    if websites is not UNSET:
        segment.websites.set(chosen)
        # Members on a website the segment left are no longer members.
        _close_rows(SegmentMembership.objects.filter(segment=segment).exclude(website__in=chosen))
    _after_definition_change(segment, actor, "changed")
    return segment


LISTENED_KEY = "patron:segments:listened-events"


def listened_events() -> frozenset[str]:
    """The events some active segment listens to, so that the many events no segment cares
    about (a product view with only order-based segments) queue no work at all."""
    if not is_enabled():
        return frozenset()

    def compute() -> frozenset[str]:
        found: set[str] = set()
        for names in Segment.objects.filter(is_active=True).values_list("events", flat=True):
            found.update(names)
        return frozenset(found)

    return cache.get_or_set(LISTENED_KEY, compute, 300)


def _forget_listened_events() -> None:
    transaction.on_commit(lambda: cache.delete(LISTENED_KEY))


def _after_definition_change(segment: Segment, actor: Actor, change: str) -> None:
    _forget_listened_events()
    events.emit("segmentChanged", segment_id=segment.pk, change=change, actor=actor.as_fields())
    if segment.stores_members:
        from patron.segments.tasks import refresh_segment_task

        segment_id = segment.pk
        transaction.on_commit(lambda: refresh_segment_task.enqueue(segment_id))


@transaction.atomic
def delete_segment(*, segment: Segment, actor: Actor) -> None:
    """Delete a segment and its membership rows; customers and orders stay (spec c §3)."""
    require_enabled()
    segment_id = segment.pk
    segment.delete()
    _forget_listened_events()
    events.emit("segmentChanged", segment_id=segment_id, change="deleted", actor=actor.as_fields())


def get_segment(segment_id: Any) -> Segment:
    try:
        return Segment.objects.get(pk=int(segment_id))
    except (Segment.DoesNotExist, TypeError, ValueError):
        raise NotFound(
            _("There is no segment %(id)s.") % {"id": segment_id}, code="segment_not_found"
        ) from None


# --- Who is evaluated -------------------------------------------------------------------------


def customers_of_website(website: Website) -> QuerySet[Customer]:
    """The customers a segment looks at on ``website``: that website's accounts when accounts
    are shared per website, everyone when they are shared globally (spec c §4.4)."""
    if get_config(SHARE_SCOPE_PATH) == "global":
        return Customer.objects.all()
    return Customer.objects.filter(website=website)


def context_for(website: Website, *, now=None, visitor_id: str | None = None) -> Context:
    return Context(website=website, now=now or timezone.now(), visitor_id=visitor_id)


def matching_customers(segment: Segment, website: Website, *, now=None) -> QuerySet[Customer]:
    """The customers who satisfy the segment's conditions on ``website`` now (a query)."""
    condition = trees.compile_tree(segment.conditions, context_for(website, now=now))
    return customers_of_website(website).filter(condition)


# --- Full refresh -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RefreshResult:
    joined: int
    left: int
    members: int

    def as_dict(self) -> dict[str, int]:
        return {"joined": self.joined, "left": self.left, "members": self.members}


def _close_rows(rows: QuerySet[SegmentMembership], now=None) -> int:
    return rows.filter(left_at__isnull=True).update(left_at=now or timezone.now())


def refresh_segment(*, segment: Segment, now=None, progress=None) -> RefreshResult:
    """Replace the segment's stored membership with a full recomputation (spec c §5), website by
    website, each in one transaction. Visitors-only segments keep no rows."""
    now = now or timezone.now()
    joined = left = 0
    if segment.stores_members:
        for website in segment.websites.all():
            website_joined, website_left = _refresh_website(segment, website, now)
            joined, left = joined + website_joined, left + website_left
            if progress:
                progress(website)
    Segment.objects.filter(pk=segment.pk).update(refreshed_at=now)
    segment.refreshed_at = now
    if joined or left:
        events.emit("segmentRefreshed", segment_id=segment.pk, joined=joined, left=left)
    members = SegmentMembership.objects.filter(segment=segment, left_at__isnull=True).count()
    return RefreshResult(joined=joined, left=left, members=members)


@transaction.atomic
def _refresh_website(segment: Segment, website: Website, now) -> tuple[int, int]:
    matching = matching_customers(segment, website, now=now)
    current = SegmentMembership.objects.filter(
        segment=segment, website=website, left_at__isnull=True
    )
    left = current.exclude(Exists(matching.filter(pk=OuterRef("customer_id")))).update(left_at=now)
    newcomers = matching.exclude(Exists(current.filter(customer_id=OuterRef("pk"))))
    joined = _insert_members(segment, website, newcomers, now)
    rows = SegmentMembership.objects.filter(segment=segment, website=website)
    if joined:
        history.record_refresh(
            segment=segment, website_id=website.pk, at=now,
            memberships=rows.filter(joined_at=now, left_at__isnull=True),
            kind=history.SegmentTimelineKind.SEGMENT_JOINED,
        )  # fmt: skip
    if left:
        history.record_refresh(
            segment=segment, website_id=website.pk, at=now, memberships=rows.filter(left_at=now),
            kind=history.SegmentTimelineKind.SEGMENT_LEFT,
        )  # fmt: skip
    return joined, left


def _insert_members(segment: Segment, website: Website, customers: QuerySet, now) -> int:
    """INSERT ... SELECT the rows of ``customers``: the database does the work in one
    statement, however many customers join."""
    rows = customers.order_by().annotate(member_id=F("pk")).values_list("member_id")
    select_sql, params = rows.query.sql_with_params()
    table = connection.ops.quote_name(SegmentMembership._meta.db_table)
    sql = (
        f"INSERT INTO {table} (segment_id, website_id, joined_at, customer_id) "  # noqa: S608
        f"SELECT %s, %s, %s, matching.member_id FROM ({select_sql}) matching"
    )
    stamp = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(sql, [segment.pk, website.pk, stamp, *params])
        return cursor.rowcount


# --- Real-time matching -----------------------------------------------------------------------


def _flag(condition: Q) -> Case:
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def active_segments(website: Website, *, event: str | None = None, registered: bool = True):
    """The active segments of ``website`` for a registered customer or a visitor, optionally
    only those that listen to ``event``."""
    excluded = ApplyTo.VISITORS if registered else ApplyTo.REGISTERED
    segments = Segment.objects.filter(is_active=True, websites=website).exclude(apply_to=excluded)
    # The trees are read only when the verdict statement has to be compiled again.
    segments = list(segments.defer("conditions", "description").order_by("pk"))
    if event:
        segments = [s for s in segments if event in s.events]
    return segments


def _websites_of_customer(customer: Customer) -> list[Website]:
    """Account events re-evaluate the customer on their website, or on every website when
    accounts are shared globally (spec c §5)."""
    if get_config(SHARE_SCOPE_PATH) == "global":
        return list(Website.objects.all())
    return [customer.website]


def evaluate_customer(
    *, customer_id: int, event: str | None = None, website_id: int | None = None, now=None
) -> dict[str, list[int]]:
    """Re-evaluate one customer against the active segments that listen to ``event`` (all of
    them without an event) and add or close membership rows. Returns the segment ids joined and
    left."""
    if not is_enabled():
        return {"joined": [], "left": []}
    customer = Customer.objects.filter(pk=customer_id).select_related("website").first()
    if customer is None:
        return {"joined": [], "left": []}
    now = now or timezone.now()
    joined: list[int] = []
    left: list[int] = []
    for website in _websites_of_customer(customer):
        if website_id is not None and website.pk != website_id:
            continue
        segments = active_segments(website, event=event, registered=True)
        if not segments:
            continue
        verdicts = _verdicts(website, segments, now, customer_id=customer.pk)
        website_joined, website_left = _apply_verdicts(customer, website, verdicts, now)
        joined += website_joined
        left += website_left
    return {"joined": joined, "left": left}


# Compiling 50 condition trees through the ORM costs far more than running the statement, and
# the statement only changes with the segments, the website and the local date (Up To Date
# cut-offs are whole days): it is compiled once and kept, keyed by all of those, for a while.
VERDICT_STATEMENTS: dict[tuple, tuple[float, str, list, list[int]]] = {}
VERDICT_STATEMENT_SECONDS = 300
VERDICT_STATEMENT_LIMIT = 256
CUSTOMER_PLACEHOLDER = -8_070_450_532_247_928_831  # a customer id no database hands out


VISITOR_PLACEHOLDER = "\u0000patron-visitor-placeholder\u0000"  # no shop sends this id


def _verdict_statement(website, segments, ctx, *, visitor: bool) -> tuple[str, list, list[int]]:
    """The SQL (and its parameters) that answers every segment's verdict for one customer or
    one visitor, with the positions of the customer's id (or the visitor's) among the
    parameters."""
    key = (
        website.pk,
        visitor,
        ctx.today,
        get_config(SHARE_SCOPE_PATH),
        tuple((s.pk, s.updated_at) for s in segments),
    )
    cached = VERDICT_STATEMENTS.get(key)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1], cached[2], cached[3]
    conditions = dict(
        Segment.objects.filter(pk__in=[s.pk for s in segments]).values_list("pk", "conditions")
    )
    if visitor:
        ctx = replace(ctx, visitor_id=VISITOR_PLACEHOLDER)
        base, placeholder = Website.objects.filter(pk=website.pk), VISITOR_PLACEHOLDER
    else:
        base = customers_of_website(website).filter(pk=CUSTOMER_PLACEHOLDER)
        placeholder = CUSTOMER_PLACEHOLDER
    flags = {f"s{s.pk}": _flag(trees.compile_tree(conditions[s.pk], ctx)) for s in segments}
    sql, params = base.annotate(**flags).values(*flags).query.sql_with_params()
    params = list(params)
    positions = [i for i, p in enumerate(params) if p == placeholder]
    if len(VERDICT_STATEMENTS) >= VERDICT_STATEMENT_LIMIT:
        VERDICT_STATEMENTS.clear()
    VERDICT_STATEMENTS[key] = (time.monotonic() + VERDICT_STATEMENT_SECONDS, sql, params, positions)
    return sql, params, positions


def _verdicts(website, segments, now, *, customer_id=None, visitor_id=None) -> dict[Segment, bool]:
    """Every segment's verdict for one customer (or one visitor) in one query."""
    visitor = visitor_id is not None
    ctx = context_for(website, now=now)
    sql, params, positions = _verdict_statement(website, segments, ctx, visitor=visitor)
    params = list(params)
    for position in positions:
        params[position] = visitor_id if visitor else customer_id
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        values = cursor.fetchone()
    if values is None:  # the customer is not looked at on this website
        return {s: False for s in segments}
    return {s: bool(value) for s, value in zip(segments, values, strict=True)}


@transaction.atomic
def _apply_verdicts(customer, website, verdicts, now) -> tuple[list[int], list[int]]:
    open_rows = set(
        SegmentMembership.objects.filter(
            customer=customer, website=website, left_at__isnull=True,
            segment__in=list(verdicts),
        ).values_list("segment_id", flat=True)
    )  # fmt: skip
    joined = [s.pk for s, held in verdicts.items() if held and s.pk not in open_rows]
    left = [s.pk for s, held in verdicts.items() if not held and s.pk in open_rows]
    SegmentMembership.objects.bulk_create(
        [
            SegmentMembership(segment_id=pk, customer=customer, website=website, joined_at=now)
            for pk in joined
        ],
        ignore_conflicts=True,  # a concurrent evaluation of the same customer already added it
    )
    if left:
        _close_rows(
            SegmentMembership.objects.filter(
                customer=customer, website=website, segment_id__in=left
            ),
            now,
        )
    if joined or left:
        by_id = {s.pk: s for s in verdicts}
        history.record_changes(
            customer_id=customer.pk, website_id=website.pk, at=now,
            joined=[by_id[pk] for pk in joined], left=[by_id[pk] for pk in left],
        )  # fmt: skip
        events.emit(
            "segmentMembershipChanged", customer_id=customer.pk, website_id=website.pk,
            joined=joined, left=left,
        )  # fmt: skip
    return joined, left


# --- Visitors ---------------------------------------------------------------------------------


def _visitor_key(website_id: int, visitor_id: str) -> str:
    digest = hashlib.sha256(visitor_id.encode()).hexdigest()[:32]
    return f"patron:segments:visitor:{website_id}:{digest}"


def evaluate_visitor(*, website: Website, visitor_id: str, now=None) -> list[int]:
    """Evaluate a visitor (a guest known by the shop's visitor id) against the website's active
    segments that serve visitors, from their cart and product views only, and keep the
    memberships in the cache (never in the membership table, spec c §5)."""
    visitor_id = str(visitor_id or "").strip()
    if not visitor_id or not is_enabled():
        return []
    segments = active_segments(website, registered=False)
    matched: list[int] = []
    if segments:
        verdicts = _verdicts(website, segments, now, visitor_id=visitor_id)
        matched = [s.pk for s, held in verdicts.items() if held]
    cache.set(_visitor_key(website.pk, visitor_id), matched, VISITOR_TTL)
    return matched


def visitor_segment_ids(*, website: Website, visitor_id: str) -> list[int]:
    """A visitor's segments on ``website``: from the cache, evaluated now when not cached."""
    cached = cache.get(_visitor_key(website.pk, str(visitor_id or "").strip()))
    if cached is not None:
        return cached
    return evaluate_visitor(website=website, visitor_id=visitor_id)


def customer_segment_ids(*, customer: Customer, website: Website | None = None) -> list[int]:
    """The active segments the customer is a stored member of (on ``website`` if given)."""
    rows = SegmentMembership.objects.filter(
        customer=customer, left_at__isnull=True, segment__is_active=True
    )
    if website is not None:
        rows = rows.filter(website=website)
    return sorted(set(rows.values_list("segment_id", flat=True)))


def refresh_time_dependent(*, now=None) -> list[int]:
    """Refresh the active segments whose truth changes with the date alone (Up To Date), once a
    day in each of their websites' time zones: those not refreshed since local midnight."""
    if not is_enabled():
        return []
    now = now or timezone.now()
    refreshed = []
    candidates = Segment.objects.filter(is_active=True, depends_on_time=True)
    for segment in candidates.exclude(apply_to=ApplyTo.VISITORS).prefetch_related("websites"):
        if segment.refreshed_at is None or any(
            _local_midnight(website, now) > segment.refreshed_at
            for website in segment.websites.all()
        ):
            refresh_segment(segment=segment, now=now)
            refreshed.append(segment.pk)
    return refreshed


def _local_midnight(website: Website, now):
    ctx = context_for(website, now=now)
    from patron.segments.operators import day_start

    return day_start(ctx.today, ctx.tz)


def request_refresh(*, segment: Segment, actor: Actor):
    """Start a full refresh of ``segment`` as a job (queued after commit) and return the job.
    A visitors-only segment stores no members: its job finishes at once with nothing done."""
    require_enabled()
    from patron.core.models import Job
    from patron.core.progress import finish_job, start_job
    from patron.segments.tasks import refresh_segment_task

    label = _("Refresh segment %(name)s") % {"name": segment.name}
    job = start_job(kind="segments.refresh", label=label, actor=actor)
    # The job page links back to the segment from the start.
    job.result = {"segment_id": segment.pk}
    Job.objects.filter(pk=job.pk).update(result=job.result)
    if not segment.stores_members:
        finish_job(job, result={"segment_id": segment.pk, "joined": 0, "left": 0, "members": 0})
        return job
    segment_id, job_id = segment.pk, str(job.pk)
    transaction.on_commit(lambda: refresh_segment_task.enqueue(segment_id, job_id))
    return job
