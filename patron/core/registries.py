"""Plug-in points that apps add to, so no app edits another app's pages to appear on them.

Each registry holds small frozen dataclasses keyed by ``code`` and returns them in ``order``.
Apps register in their ``AppConfig.ready()``; registering the same code twice is an error,
since it always means two apps fight over one slot.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, name: str) -> None:
        self.name = name
        self._items: dict[str, T] = {}

    def register(self, item: T) -> T:
        code = item.code  # type: ignore[attr-defined]
        if code in self._items:
            raise ImproperlyConfigured(f"{self.name}: {code!r} is registered twice.")
        self._items[code] = item
        return item

    def unregister(self, code: str) -> None:
        """Remove an entry; meant for tests that register temporary entries."""
        self._items.pop(code, None)

    def get(self, code: str) -> T:
        try:
            return self._items[code]
        except KeyError:
            raise KeyError(f"{self.name}: nothing registered as {code!r}.") from None

    def __contains__(self, code: object) -> bool:
        return code in self._items

    def __iter__(self) -> Iterator[T]:
        return iter(sorted(self._items.values(), key=lambda item: (item.order, item.code)))  # type: ignore[attr-defined]

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True)
class CustomerSection:
    """A section (tab) of the back-office customer edit page.

    ``render(request, customer)`` returns the section's HTML. ``post(request, customer)``, when
    the section has forms, handles their submission: it returns a response (a redirect after
    success) or the section's HTML again with the errors. ``permission`` is a Django permission
    (``app_label.codename``) the staff member needs to see the section; ``is_enabled()`` lets a
    section disappear when its feature is switched off in the configuration.
    """

    code: str
    label: Any
    order: int
    render: Callable[[Any, Any], str]
    permission: str | None = None
    is_enabled: Callable[[], bool] = lambda: True
    post: Callable[[Any, Any], Any] | None = None


@dataclass(frozen=True)
class CustomerViewBlock:
    """A block that another app adds at the foot of the customer page's Customer View section
    (e.g. the store credit balance), in ``order``.

    ``render(request, customer)`` returns the block's safe HTML (``render_to_string``'s result)
    with its own ``<h2>``, or "" to leave it out; ``permission`` and ``is_enabled()`` work as
    for :class:`CustomerSection`.
    """

    code: str
    order: int
    render: Callable[[Any, Any], str]
    permission: str | None = None
    is_enabled: Callable[[], bool] = lambda: True


@dataclass(frozen=True)
class CustomerAction:
    """A button of the customer edit page that another app adds (e.g. Log in as Customer).

    ``url(customer_id)`` is where it leads (a page of that app, which confirms before acting);
    ``is_visible(request, customer)`` decides whether the staff member sees it (``customer`` is
    None when asked for the grid's rows). With ``in_grid`` it is also offered among the row
    actions of the customers grid.
    """

    code: str
    label: Any
    order: int
    url: Callable[[Any], str]
    is_visible: Callable[[Any, Any], bool] = lambda request, customer: True
    in_grid: bool = False


@dataclass(frozen=True)
class DashboardLink:
    """A link in the shopper account dashboard's left navigation."""

    code: str
    label: Any
    order: int
    url_name: str
    is_visible: Callable[[Any], bool] = lambda request: True


@dataclass(frozen=True)
class DashboardBlock:
    """A block of the shopper's My Account page that another app adds (e.g. Recent Orders),
    shown after the page's own blocks, in ``order``.

    ``render(request, customer)`` returns the block's safe HTML (``render_to_string``'s result),
    a ``<section>`` with an ``<h2>``, or "" to leave the block out for this customer.
    ``is_visible(request)`` lets a block disappear when its feature is switched off.
    """

    code: str
    order: int
    render: Callable[[Any, Any], str]
    is_visible: Callable[[Any], bool] = lambda request: True


@dataclass(frozen=True)
class DemoStep:
    """One step of ``patron seed_demo``; ``run(rng)`` must be idempotent."""

    code: str
    label: str
    order: int
    run: Callable[..., Any]


@dataclass(frozen=True)
class ConditionType:
    """A condition type offered by a rule engine (``engine`` is "segment" or "cart_rule")."""

    code: str
    label: Any
    order: int
    engine: str
    implementation: Any
    applies_to: frozenset[str] = field(default_factory=lambda: frozenset({"registered", "visitor"}))


@dataclass(frozen=True)
class JobBackLink:
    """Where a job's progress page leads back to, for the jobs whose kind starts with
    ``code`` (such as ``"transfer."``): ``url(job)`` returns the address of the list or record
    the job worked on, or None when there is none."""

    code: str
    order: int
    url: Callable[[Any], str | None]


customer_sections: Registry[CustomerSection] = Registry("customer edit-page sections")
customer_view_blocks: Registry[CustomerViewBlock] = Registry("Customer View blocks")
customer_actions: Registry[CustomerAction] = Registry("customer edit-page buttons")
dashboard_links: Registry[DashboardLink] = Registry("dashboard links")
dashboard_blocks: Registry[DashboardBlock] = Registry("My Account blocks")
demo_steps: Registry[DemoStep] = Registry("demo-data steps")
condition_types: Registry[ConditionType] = Registry("condition types")
job_back_links: Registry[JobBackLink] = Registry("job back links")
