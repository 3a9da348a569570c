"""Segment entries and exits on the customer's timeline: written row by row by real-time
matching and set-based (one statement per direction) by a full refresh."""

from typing import Any

from django.db import connection, models
from django.db.models import F, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from patron.core import history
from patron.core.actors import SYSTEM, ActorKind
from patron.customers.models import TimelineEntry


class SegmentTimelineKind(models.TextChoices):
    SEGMENT_JOINED = "segment_joined", _("Joined a segment")
    SEGMENT_LEFT = "segment_left", _("Left a segment")


history.register_kinds(SegmentTimelineKind)


def _describe_joined(params: dict[str, Any]) -> str:
    return gettext("Joined %(segment)s") % {"segment": params.get("segment", "")}


def _describe_left(params: dict[str, Any]) -> str:
    return gettext("Left %(segment)s") % {"segment": params.get("segment", "")}


history.register_describer(SegmentTimelineKind.SEGMENT_JOINED, _describe_joined)
history.register_describer(SegmentTimelineKind.SEGMENT_LEFT, _describe_left)


def _params(segment, website_id: int) -> dict[str, Any]:
    return {"segment_id": segment.pk, "segment": segment.name, "website_id": website_id}


def record_changes(*, customer_id: int, website_id: int, joined, left, at) -> None:
    """One timeline entry per segment the customer joined or left (real-time matching)."""
    rows = [
        TimelineEntry(
            customer_id=customer_id,
            kind=kind,
            occurred_at=at,
            params=_params(segment, website_id),
            **SYSTEM.as_fields(),
        )
        for kind, segments in (
            (SegmentTimelineKind.SEGMENT_JOINED, joined),
            (SegmentTimelineKind.SEGMENT_LEFT, left),
        )
        for segment in segments
    ]
    TimelineEntry.objects.bulk_create(rows)


def record_refresh(*, segment, website_id: int, memberships: QuerySet, kind: str, at) -> int:
    """INSERT ... SELECT one timeline entry per membership row in ``memberships`` (those a
    refresh just opened or closed): one statement however many customers moved."""
    rows = memberships.order_by().annotate(moved_id=F("customer_id")).values_list("moved_id")
    select_sql, select_params = rows.query.sql_with_params()
    params_field = TimelineEntry._meta.get_field("params")
    table = connection.ops.quote_name(TimelineEntry._meta.db_table)
    sql = (
        f"INSERT INTO {table} "  # noqa: S608 - table and column names only
        "(customer_id, kind, occurred_at, params, note, actor_kind, actor_id, actor_label) "
        f"SELECT moved.moved_id, %s, %s, %s, '', %s, NULL, '' FROM ({select_sql}) moved"
    )
    values = [
        kind,
        connection.ops.adapt_datetimefield_value(at),
        params_field.get_db_prep_value(_params(segment, website_id), connection),
        ActorKind.SYSTEM,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, *select_params])
        return cursor.rowcount
