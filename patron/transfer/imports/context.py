"""What an import reads once per run: websites (with the file's codes mapped), store views,
groups, attribute definitions, the name-and-address rules per website and the settings that
decide defaults, plus the problems found so far."""

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from patron.core.actors import Actor
from patron.customers.models import NOT_LOGGED_IN_ID, AttributeEntity, CustomerGroup
from patron.customers.validation import FormRules, form_rules
from patron.scopes.config import get_config
from patron.scopes.models import StoreView, Website
from patron.transfer import layouts
from patron.transfer.imports.cells import CellError

# Magento's admin store view: "created in the back office", which Patron keeps as no view.
ADMIN_STORE_CODE = "admin"
MAX_KEPT_PROBLEMS = 1000


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "code": self.code, "message": self.message}


@dataclass
class Counts:
    rows: int = 0
    entities: int = 0
    invalid_rows: int = 0
    errors: int = 0
    customers_added: int = 0
    customers_updated: int = 0
    customers_deleted: int = 0
    addresses_added: int = 0
    addresses_updated: int = 0
    addresses_deleted: int = 0
    balances_changed: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Counts":
        return cls(**{k: int(v) for k, v in (data or {}).items() if k in cls.__dataclass_fields__})

    def add(self, other: "Counts") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Context:
    entity: str
    behavior: str
    actor: Actor
    check_only: bool
    website_map: dict[str, str] = field(default_factory=dict)
    websites: dict[str, Website | None] = field(default_factory=dict)
    store_views: dict[str, StoreView] = field(default_factory=dict)
    groups: dict[str, CustomerGroup] = field(default_factory=dict)
    customer_attributes: dict[str, Any] = field(default_factory=dict)
    address_attributes: dict[str, Any] = field(default_factory=dict)
    rules: dict[int, FormRules] = field(default_factory=dict)
    default_groups: dict[int | None, int] = field(default_factory=dict)
    default_views: dict[int, StoreView | None] = field(default_factory=dict)
    accounts_global: bool = False
    numbered: bool = False
    auto_group_default: bool = False
    # Digests of the (website, email) keys read so far: a key seen twice is an error.
    seen: set[int] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    # Per column prefix: the address columns a row may carry (see customers.address_cells).
    address_columns: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    # Telephone numbers normalized ahead of the batch (see prefetch): (number, country) -> answer.
    telephones: dict[tuple[str, str], str | None] = field(default_factory=dict)
    # One moment for what the run stamps (such as when a password hash was set).
    now: dt.datetime = field(default_factory=timezone.now)

    @classmethod
    def load(
        cls,
        *,
        entity: str,
        behavior: str,
        actor: Actor,
        check_only: bool,
        website_map: dict[str, str] | None = None,
    ) -> "Context":
        from patron.customers import attributes
        from patron.customers.services import accounts_are_global

        context = cls(
            entity=entity, behavior=behavior, actor=actor, check_only=check_only,
            website_map={k.strip(): v.strip() for k, v in (website_map or {}).items()},
        )  # fmt: skip
        websites = {w.code: w for w in Website.objects.all()}
        context.websites = websites  # type: ignore[assignment]
        context.store_views = {
            view.code: view for view in StoreView.objects.select_related("store__website")
        }
        for group in CustomerGroup.objects.all():
            context.groups[str(group.pk)] = group
            context.groups[group.code.casefold()] = group
        context.customer_attributes = {
            a.code: a for a in attributes.custom_attributes(AttributeEntity.CUSTOMER)
        }
        context.address_attributes = {
            a.code: a for a in attributes.custom_attributes(AttributeEntity.ADDRESS)
        }
        context.accounts_global = accounts_are_global()
        context.numbered = bool(get_config("customer/create_account/generate_human_friendly_id"))
        context.auto_group_default = bool(
            get_config("customer/create_account/viv_disable_auto_group_assign_default")
        )
        return context

    # --- Problems ---------------------------------------------------------------------------

    def report(self, row: int, column: str, code: str, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_KEPT_PROBLEMS:
            self.problems.append(Problem(row, column, code, str(message)))

    # --- Lookups ----------------------------------------------------------------------------

    def website(self, code: str) -> Website:
        """The Patron website a file's website code stands for; raise :class:`CellError`."""
        code = code.strip()
        target = self.website_map.get(code, code)
        found = self.websites.get(target)
        if found is None:
            raise CellError(
                "unknown_website",
                _(
                    "There is no website %(code)s; map it to one of Patron's websites "
                    "(for example %(code)s=%(example)s)."
                )
                % {"code": code, "example": next(iter(self.websites), "base")},
            )
        return found

    def store_view(self, code: str, website: Website) -> StoreView | None:
        code = code.strip()
        if code in ("", ADMIN_STORE_CODE):
            return None
        view = self.store_views.get(code)
        if view is None:
            raise CellError(
                "unknown_store_view", _("There is no store view %(code)s.") % {"code": code}
            )
        if view.store.website_id != website.pk:
            raise CellError(
                "store_view_website_mismatch",
                _("The store view %(view)s does not belong to the website %(website)s.")
                % {"view": code, "website": website.code},
            )
        return view

    def stored_view(self, customer: Any) -> StoreView | None:
        """The store view a stored customer was created in, without a query per customer."""
        if customer.created_in_id is None:
            return None
        for view in self.store_views.values():
            if view.pk == customer.created_in_id:
                return view
        return customer.created_in

    def group(self, text: str) -> CustomerGroup:
        value = text.strip()
        found = self.groups.get(value) or self.groups.get(value.casefold())
        if found is None:
            raise CellError(
                "unknown_group", _("There is no customer group %(group)s.") % {"group": value}
            )
        if found.pk == NOT_LOGGED_IN_ID:
            raise CellError(
                "guest_group",
                _("NOT LOGGED IN is the group of guests and cannot be given to an account."),
            )
        return found

    def rules_for(self, website: Website) -> FormRules:
        if website.pk not in self.rules:
            self.rules[website.pk] = form_rules(website)
        return self.rules[website.pk]

    def default_view(self, website: Website) -> StoreView | None:
        from patron.customers.services import _default_store_view

        if website.pk not in self.default_views:
            self.default_views[website.pk] = _default_store_view(website)
        return self.default_views[website.pk]

    def default_group(self, view: StoreView | None, website: Website) -> int:
        from patron.customers.services import default_group_id

        view = view or self.default_view(website)
        key = view.pk if view is not None else None
        if key not in self.default_groups:
            self.default_groups[key] = default_group_id(view, website)
        return self.default_groups[key]

    def first_sight(self, *parts: str) -> bool:
        """Whether this key is read for the first time in the file (remembering it)."""
        digest = int.from_bytes(
            hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).digest(), "big"
        )
        if digest in self.seen:
            return False
        self.seen.add(digest)
        return True

    @property
    def replacing(self) -> bool:
        return self.behavior == layouts.REPLACE

    @property
    def deleting(self) -> bool:
        return self.behavior == layouts.DELETE
