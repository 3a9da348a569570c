"""Audiences activated from an external customer data platform (spec c §8–9): their definitions,
membership pushed by API or pulled on a schedule, and membership carried by each request in a
signed header or cookie.

A signed value is ``<ids>.<expires>.<signature>``: ``ids`` the URL-encoded, comma-separated
audience ids, ``expires`` a Unix time, and ``signature`` the hex HMAC-SHA256 of
``<ids>.<expires>`` with the configured secret. Values that are unsigned (unless "Trust
Unsigned Values" is on), badly signed or expired are ignored and counted.
"""

import datetime as dt
import hashlib
import hmac
import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from patron.audiences.models import Audience, AudienceMember, AudiencePull, PullState
from patron.core.actors import Actor
from patron.core.errors import InvalidInput, NotFound, Problem
from patron.core.http import no_redirect_opener
from patron.customers.models import Customer
from patron.scopes.config import get_config
from patron.scopes.models import Website

ENABLED = "audiences/general/enabled"
SECRET = "audiences/request/secret"  # noqa: S105 - a setting's path
HEADER = "audiences/request/header"
COOKIE = "audiences/request/cookie"
TRUST_UNSIGNED = "audiences/request/trust_unsigned"
PULL_ENDPOINT = "audiences/pull/endpoint"
PULL_TOKEN = "audiences/pull/token"  # noqa: S105 - a setting's path
PULL_TIMEOUT = "audiences/pull/timeout_seconds"
MAX_IDENTIFIERS = 10_000
MAX_PULL_BYTES = 50 * 1024 * 1024
SIGNAL_OUTCOMES = ("accepted", "unsigned", "bad_signature", "expired", "malformed")


def is_enabled() -> bool:
    return bool(get_config(ENABLED))


def get_audience(audience_id: Any) -> Audience:
    try:
        return Audience.objects.get(pk=int(audience_id))
    except (Audience.DoesNotExist, TypeError, ValueError):
        raise NotFound(
            _("There is no audience %(id)s.") % {"id": audience_id}, code="audience_not_found"
        ) from None


# --- Definitions ------------------------------------------------------------------------------


def _problem(field: str, message, code: str = "invalid") -> Problem:
    return Problem(code=code, message=str(message), field=field)


@transaction.atomic
def save_audience(
    *,
    actor: Actor,
    audience: Audience | None = None,
    external_id: str | None = None,
    name: str | None = None,
    description: str | None = None,
    source: str | None = None,
    websites: Iterable[Any] | None = None,
    is_active: bool | None = None,
) -> Audience:
    """Register an audience (``audience`` None) or change the given fields of one."""
    problems: list[Problem] = []
    current = audience or Audience(source="", description="", is_active=True)
    external_id = str(current.external_id if external_id is None else external_id).strip()
    name = str(current.name if name is None else name).strip()
    if not external_id:
        problems.append(_problem("external_id", _("Enter the audience ID."), "required"))
    elif len(external_id) > 255 or "," in external_id or any(c.isspace() for c in external_id):
        problems.append(
            _problem("external_id", _("An audience ID has at most 255 characters and no commas "
                                      "or spaces."))
        )  # fmt: skip
    elif Audience.objects.filter(external_id=external_id).exclude(pk=current.pk).exists():
        problems.append(_problem("external_id", _("Another audience has this ID."), "duplicate"))
    if not name:
        problems.append(_problem("name", _("Enter the audience name."), "required"))
    chosen = None
    if websites is not None or audience is None:
        chosen = _websites(websites or [], problems)
    if problems:
        raise InvalidInput.from_problems(problems)
    current.external_id, current.name = external_id, name[:255]
    if description is not None:
        current.description = str(description)
    if source is not None:
        current.source = str(source).strip()[:100]
    if is_active is not None:
        current.is_active = bool(is_active)
    current.save()
    if chosen is not None:
        current.websites.set(chosen)
    return current


def _websites(given: Iterable[Any], problems: list[Problem]) -> list[Website]:
    refs = [getattr(w, "pk", w) for w in given]
    ids = {int(r) for r in refs if str(r).isdigit()}
    codes = {str(r) for r in refs if not str(r).isdigit()}
    found = list(Website.objects.filter(Q(pk__in=ids) | Q(code__in=codes)))
    named = {w.pk for w in found} | {w.code for w in found}
    if not refs:
        problems.append(_problem("websites", _("Choose at least one website."), "required"))
    elif not (ids | codes) <= named:
        problems.append(_problem("websites", _("One of the chosen websites does not exist.")))
    return found


@transaction.atomic
def delete_audience(*, audience: Audience, actor: Actor) -> None:
    """Delete an audience and its members; rules and blocks that named it stop matching it."""
    audience.delete()


# --- Membership pushed by API -----------------------------------------------------------------


def _customers_for(audience: Audience, identifiers: Iterable[Any]) -> tuple[set[int], list[str]]:
    """The ids of the customers on the audience's websites named by id or email, and the
    identifiers that named nobody."""
    wanted = [str(i).strip() for i in identifiers if str(i).strip()]
    website_ids = list(audience.websites.values_list("pk", flat=True))
    on_websites = Customer.objects.filter(website_id__in=website_ids)
    ids = {int(i) for i in wanted if i.isdigit()}
    emails = {i.lower() for i in wanted if "@" in i}
    found_ids = set(on_websites.filter(pk__in=ids).values_list("pk", flat=True))
    by_email: dict[str, set[int]] = {}
    for pk, email in on_websites.filter(email__in=emails).values_list("pk", "email"):
        by_email.setdefault(email.lower(), set()).add(pk)
    unknown = [
        i for i in wanted if not ((i.isdigit() and int(i) in found_ids) or (i.lower() in by_email))
    ]
    return found_ids | {pk for pks in by_email.values() for pk in pks}, unknown


@transaction.atomic
def push_members(
    *, audience: Audience, actor: Actor, add: Iterable[Any] = (), remove: Iterable[Any] = ()
) -> dict[str, Any]:
    """Add and remove members named by customer id or email. Idempotent: adding a member twice
    or removing a non-member changes nothing. Returns the counts and the unknown identifiers."""
    add, remove = list(add), list(remove)
    if len(add) + len(remove) > MAX_IDENTIFIERS:
        raise InvalidInput(
            _("Send at most %(n)d identifiers a request.") % {"n": MAX_IDENTIFIERS},
            field="add",
        )
    to_add, unknown_add = _customers_for(audience, add)
    to_remove, unknown_remove = _customers_for(audience, remove)
    added = _add(audience, to_add - to_remove)
    removed, _detail = audience.members.filter(customer_id__in=to_remove).delete()
    audience.synced_at = timezone.now()
    audience.save(update_fields=["synced_at", "updated_at"])
    unknown = unknown_add + unknown_remove
    return {
        "added": added,
        "removed": removed,
        "unchanged": len(to_add - to_remove) - added + len(to_remove) - removed,
        "unknown": len(unknown),
        "unknown_identifiers": unknown[:100],
        "members": audience.members.count(),
    }


def _add(audience: Audience, customer_ids: set[int]) -> int:
    present = set(
        audience.members.filter(customer_id__in=customer_ids).values_list("customer_id", flat=True)
    )
    AudienceMember.objects.bulk_create(
        [AudienceMember(audience=audience, customer_id=pk) for pk in customer_ids - present],
        ignore_conflicts=True,
    )
    return len(customer_ids - present)


def _replace_members(audience: Audience, identifiers: Iterable[Any]) -> tuple[int, int, int]:
    wanted, unknown = _customers_for(audience, identifiers)
    removed, _detail = audience.members.exclude(customer_id__in=wanted).delete()
    return _add(audience, wanted), removed, len(unknown)


# --- Membership carried by a request ----------------------------------------------------------


def sign(ids: Iterable[str], *, expires: int, secret: str) -> str:
    """The signed value for ``ids`` valid until the Unix time ``expires`` (for storefronts and
    tests; any language can compute it, see docs/audiences.md)."""
    listed = quote(",".join(ids), safe="")
    payload = f"{listed}.{int(expires)}"
    return f"{payload}.{_signature(payload, secret)}"


def _signature(payload: str, secret: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def read_signed(value: str, *, now: float | None = None) -> tuple[list[str], str]:
    """The audience ids a header or cookie value carries and the outcome (one of
    ``SIGNAL_OUTCOMES``): ids only when ``accepted``."""
    value = (value or "").strip()
    if not value:
        return [], "malformed"
    parts = value.rsplit(".", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        if get_config(TRUST_UNSIGNED):
            return _ids(value), "accepted"
        return [], "unsigned"
    listed, expires, signature = parts
    secret = str(get_config(SECRET) or "")
    if not secret or not _is_hex_digest(signature):
        return [], "bad_signature"
    expected = _signature(f"{listed}.{expires}", secret)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        return [], "bad_signature"
    if int(expires) < (time.time() if now is None else now):
        return [], "expired"
    return _ids(listed), "accepted"


def _is_hex_digest(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


def _ids(listed: str) -> list[str]:
    return [i.strip() for i in unquote(listed).split(",") if i.strip()][:200]


def request_audience_ids(value: str | None) -> list[str]:
    """The verified audience ids of a request's header or cookie value (empty when absent or
    refused); each outcome is counted for the dashboard."""
    if not value or not is_enabled():
        return []
    ids, outcome = read_signed(value)
    _count(outcome)
    return ids


def _signal_key(day: dt.date, outcome: str) -> str:
    return f"audiences:signals:{day.isoformat()}:{outcome}"


def _count(outcome: str) -> None:
    key = _signal_key(timezone.localdate(), outcome)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=8 * 86400)


def signal_counts(day: dt.date | None = None) -> dict[str, int]:
    """How many request values were accepted or refused (and why) on ``day`` (today)."""
    day = day or timezone.localdate()
    return {o: int(cache.get(_signal_key(day, o)) or 0) for o in SIGNAL_OUTCOMES}


def header_value(request) -> str:
    """The audience list sent in the configured header of an API call."""
    return request.headers.get(str(get_config(HEADER)), "")


def cookie_value(request) -> str:
    """The audience list in the configured cookie of a shopper page."""
    return request.COOKIES.get(str(get_config(COOKIE)), "")


# --- What a shopper belongs to ----------------------------------------------------------------


def shopper_audiences(
    *, website: Website, customer: Customer | None = None, request_ids: Iterable[str] = ()
) -> set[str]:
    """The external ids of the active audiences of ``website`` the shopper is in: stored
    memberships of a customer, plus the verified ids their request carried."""
    if not is_enabled():
        return set()
    active = Audience.objects.filter(is_active=True, websites=website)
    wanted = Q(external_id__in=list(request_ids))
    if customer is not None:
        wanted |= Q(members__customer=customer)
    return set(active.filter(wanted).values_list("external_id", flat=True).distinct())


def customer_audiences(customer: Customer) -> list[Audience]:
    return list(Audience.objects.filter(members__customer=customer).order_by("name"))


# --- Scheduled pull ---------------------------------------------------------------------------


class PullError(Exception):
    pass


def pull(*, check_only: bool = False, actor: Actor | None = None) -> AudiencePull:
    """Fetch the configured endpoint and apply what it answers: audiences created or updated,
    and the members of each that lists them replaced. With ``check_only``, only fetch and check
    the answer. A failure (timeout, HTTP error, bad JSON) is recorded and changes nothing."""
    run = AudiencePull(started_at=timezone.now(), state=PullState.FAILED, check_only=check_only)
    try:
        document = _fetch()
        entries = _entries(document)
        run.audiences = len(entries)
        if not check_only:
            totals = [0, 0, 0]  # copied to the run only once the whole pull committed
            with transaction.atomic():
                for entry in entries:
                    totals = [t + n for t, n in zip(totals, _apply(entry), strict=True)]
            run.added, run.removed, run.unknown = totals
        run.state = PullState.SUCCEEDED
    except (PullError, InvalidInput) as error:
        run.error = str(error)[:2000]
    run.finished_at = timezone.now()
    run.save()
    return run


def _fetch() -> Any:
    endpoint = str(get_config(PULL_ENDPOINT) or "").strip()
    if not endpoint:
        raise PullError(_("No pull endpoint is configured."))
    if urlsplit(endpoint).scheme not in ("http", "https"):
        raise PullError(_("The pull endpoint must be an http or https address."))
    headers = {"Accept": "application/json", "User-Agent": "Patron audiences"}
    token = str(get_config(PULL_TOKEN) or "")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(endpoint, headers=headers)  # noqa: S310 - scheme checked
    try:
        # No redirects: the bearer token would go along to wherever they lead.
        with no_redirect_opener().open(request, timeout=int(get_config(PULL_TIMEOUT))) as answer:
            body = answer.read(MAX_PULL_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise PullError(
            _("The endpoint answered HTTP %(status)s.") % {"status": error.code}
        ) from None
    except (urllib.error.URLError, http.client.HTTPException, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise PullError(
            _("The endpoint could not be reached: %(reason)s.") % {"reason": reason}
        ) from None
    if len(body) > MAX_PULL_BYTES:
        raise PullError(_("The endpoint's answer is larger than 50 MB."))
    try:
        return json.loads(body)
    except ValueError as error:
        raise PullError(
            _("The endpoint's answer is not JSON: %(error)s.") % {"error": error}
        ) from None


def _entries(document: Any) -> list[Mapping[str, Any]]:
    audiences = document.get("audiences") if isinstance(document, Mapping) else None
    if not isinstance(audiences, list):
        raise PullError(_('The answer has no "audiences" list.'))
    for n, entry in enumerate(audiences):
        if not isinstance(entry, Mapping) or not str(entry.get("id") or "").strip():
            raise PullError(_("Audience %(n)d of the answer has no id.") % {"n": n + 1})
        for listed in ("members", "websites"):
            if entry.get(listed) is not None and not isinstance(entry[listed], list):
                raise PullError(
                    _('"%(field)s" of audience %(id)s is not a list.')
                    % {"field": listed, "id": entry["id"]}
                )
    return audiences


def _apply(entry: Mapping[str, Any]) -> tuple[int, int, int]:
    external_id = str(entry["id"]).strip()
    audience = Audience.objects.filter(external_id=external_id).first()
    from patron.core.actors import SYSTEM

    websites = entry.get("websites")
    if audience is None and not websites:
        websites = [w.pk for w in Website.objects.filter(is_default=True)]
    audience = save_audience(
        actor=SYSTEM, audience=audience, external_id=external_id,
        name=str(entry.get("name") or (audience.name if audience else external_id)),
        description=entry.get("description"), source=entry.get("source"),
        websites=websites or None,
    )  # fmt: skip
    audience.synced_at = timezone.now()
    audience.save(update_fields=["synced_at"])
    if entry.get("members") is None:
        return 0, 0, 0
    return _replace_members(audience, entry["members"])


def last_pull() -> AudiencePull | None:
    return AudiencePull.objects.filter(check_only=False).first()
