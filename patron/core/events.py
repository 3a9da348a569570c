"""Domain events: small facts a service announces, handled only once its transaction commits.

A service calls :func:`emit` inside its transaction; handlers run after the outermost
transaction commits and never when it rolls back, so a handler cannot act on a change that did
not happen. Handlers must be quick: real work (segment updates, webhooks) is queued as a task.
A failing handler is logged and does not stop the others, since the change itself already
committed.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DomainEvent:
    name: str
    payload: dict[str, Any]
    occurred_at: datetime = field(default_factory=timezone.now)


Handler = Callable[[DomainEvent], None]

_known_events: dict[str, str] = {}
_handlers: dict[str, dict[str, Handler]] = defaultdict(dict)


def declare(name: str, description: str) -> None:
    """Make an event name known; :func:`emit` refuses undeclared names to catch typos."""
    _known_events[name] = description


def known_events() -> dict[str, str]:
    return dict(_known_events)


def subscribe(name: str, *, dispatch_uid: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as a handler of ``name`` (``"*"`` for every event)."""

    def decorator(handler: Handler) -> Handler:
        _handlers[name][dispatch_uid] = handler
        return handler

    return decorator


def unsubscribe(name: str, *, dispatch_uid: str) -> None:
    _handlers[name].pop(dispatch_uid, None)


def emit(name: str, /, *, using: str | None = None, **payload: Any) -> DomainEvent:
    """Announce ``name`` with ``payload``; handlers run after the current transaction commits.

    Outside a transaction (autocommit) the handlers run at once, as Django's ``on_commit`` does.
    """
    if name not in _known_events:
        raise ValueError(f"Undeclared domain event {name!r}; declare it in its app first.")
    event = DomainEvent(name=name, payload=payload)
    transaction.on_commit(lambda: dispatch(event), using=using)
    return event


def dispatch(event: DomainEvent) -> None:
    for uid, handler in [*_handlers[event.name].items(), *_handlers["*"].items()]:
        try:
            handler(event)
        except Exception:
            logger.exception("Handler %s of event %s failed", uid, event.name)


# The names the guide's personalization page uses for account events (spec a §7).
declare("signIn", "A customer signed in.")
declare("signOut", "A customer signed out.")
declare("accountCreated", "A customer account was created.")
declare("accountUpdated", "A customer account was changed.")
declare("accountDeleted", "A customer account was deleted.")
declare("configurationChanged", "A configuration value was saved or reset.")
