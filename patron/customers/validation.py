"""Name and Address Options (spec a §11): one validation of customer and address fields by the
website's settings, used by every path that writes them (back office, shopper pages, API,
imports).

A hidden field is not shown in forms and is never required; a value that arrives anyway (an
import, an API call) is kept rather than silently dropped.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from patron.core.errors import Problem
from patron.scopes.config import get_config, parse_option_list

HIDDEN, OPTIONAL, REQUIRED = "", "opt", "req"
MAX_STREET_LINES = 4


@dataclass(frozen=True)
class FieldRule:
    """How one field behaves on a website's forms."""

    name: str
    show: str  # "", "opt" or "req"
    options: tuple[str, ...] = ()  # a dropdown when not empty; "" may be the first option

    @property
    def visible(self) -> bool:
        return self.show != HIDDEN

    @property
    def required(self) -> bool:
        return self.show == REQUIRED


@dataclass(frozen=True)
class FormRules:
    """The website's name-and-address options, resolved once per form."""

    prefix: FieldRule
    middlename: FieldRule
    suffix: FieldRule
    dob: FieldRule
    taxvat: FieldRule
    gender: FieldRule
    telephone: FieldRule
    company: FieldRule
    fax: FieldRule
    street_lines: int

    def rule(self, name: str) -> FieldRule | None:
        return getattr(self, name, None) if name in _RULE_FIELDS else None


_RULE_FIELDS = {
    "prefix",
    "middlename",
    "suffix",
    "dob",
    "taxvat",
    "gender",
    "telephone",
    "company",
    "fax",
}


def form_rules(website: Any) -> FormRules:
    """Return the name-and-address options in force for ``website``."""

    def show(code: str) -> str:
        return get_config(f"customer/address/{code}_show", website=website) or HIDDEN

    def options(code: str) -> tuple[str, ...]:
        return tuple(
            parse_option_list(get_config(f"customer/address/{code}_options", website=website))
        )

    middle_shown = get_config("customer/address/middlename_show", website=website)
    return FormRules(
        prefix=FieldRule("prefix", show("prefix"), options("prefix")),
        middlename=FieldRule("middlename", OPTIONAL if middle_shown else HIDDEN),
        suffix=FieldRule("suffix", show("suffix"), options("suffix")),
        dob=FieldRule("dob", show("dob")),
        taxvat=FieldRule("taxvat", show("taxvat")),
        gender=FieldRule("gender", show("gender")),
        telephone=FieldRule("telephone", show("telephone")),
        company=FieldRule("company", show("company")),
        fax=FieldRule("fax", show("fax")),
        street_lines=int(get_config("customer/address/street_lines", website=website) or 2),
    )


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _check_rule(rule: FieldRule, value: Any, label: str, problems: list[Problem]) -> None:
    if rule.required and _blank(value):
        problems.append(
            Problem(
                "required", _("%(field)s is a required field.") % {"field": label}, field=rule.name
            )
        )
        return
    if rule.visible and rule.options and not _blank(value) and value not in rule.options:
        problems.append(
            Problem(
                "invalid_choice",
                _("%(field)s must be one of: %(options)s.")
                % {"field": label, "options": ", ".join(o for o in rule.options if o)},
                field=rule.name,
            )
        )


def _check_required_text(
    data: Mapping[str, Any], name: str, label: str, problems: list[Problem]
) -> None:
    if _blank(data.get(name)):
        problems.append(
            Problem("required", _("%(field)s is a required field.") % {"field": label}, field=name)
        )


def customer_problems(data: Mapping[str, Any], rules: FormRules) -> list[Problem]:
    """Return every problem with a customer's fields (``data`` holds the merged record)."""
    problems: list[Problem] = []
    _check_required_text(data, "firstname", gettext_lazy("First Name"), problems)
    _check_required_text(data, "lastname", gettext_lazy("Last Name"), problems)
    email = (data.get("email") or "").strip()
    if not email:
        problems.append(Problem("required", _("Email is a required field."), field="email"))
    else:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(
                Problem(
                    "invalid_email",
                    _("%(email)s is not a valid email address.") % {"email": email},
                    field="email",
                )
            )
    _check_rule(rules.prefix, data.get("prefix"), gettext_lazy("Name Prefix"), problems)
    _check_rule(rules.suffix, data.get("suffix"), gettext_lazy("Name Suffix"), problems)
    _check_rule(rules.dob, data.get("dob"), gettext_lazy("Date of Birth"), problems)
    _check_rule(rules.taxvat, data.get("taxvat"), gettext_lazy("Tax/VAT Number"), problems)
    _check_rule(rules.gender, data.get("gender"), gettext_lazy("Gender"), problems)
    return problems


def address_problems(data: Mapping[str, Any], rules: FormRules) -> list[Problem]:
    """Return every problem with an address's fields (``data`` holds the merged record)."""
    problems: list[Problem] = []
    _check_required_text(data, "firstname", gettext_lazy("First Name"), problems)
    _check_required_text(data, "lastname", gettext_lazy("Last Name"), problems)
    _check_required_text(data, "city", gettext_lazy("City"), problems)
    _check_required_text(data, "country_id", gettext_lazy("Country"), problems)
    street = data.get("street") or []
    if isinstance(street, str):
        street = street.splitlines()
    if not street or _blank(street[0]):
        problems.append(
            Problem("required", _("Street Address is a required field."), field="street")
        )
    if len(street) > rules.street_lines:
        problems.append(
            Problem(
                "too_many_street_lines",
                ngettext(
                    "Street Address takes at most %(count)d line; %(given)d were given.",
                    "Street Address takes at most %(count)d lines; %(given)d were given.",
                    rules.street_lines,
                )
                % {"count": rules.street_lines, "given": len(street)},
                field="street",
            )
        )
    _check_rule(rules.prefix, data.get("prefix"), gettext_lazy("Name Prefix"), problems)
    _check_rule(rules.suffix, data.get("suffix"), gettext_lazy("Name Suffix"), problems)
    _check_rule(rules.telephone, data.get("telephone"), gettext_lazy("Phone Number"), problems)
    _check_rule(rules.company, data.get("company"), gettext_lazy("Company"), problems)
    _check_rule(rules.fax, data.get("fax"), gettext_lazy("Fax"), problems)
    return problems


def normalize_street(street: Any) -> list[str]:
    """Return street lines as a list of stripped strings without trailing empty lines."""
    if street is None:
        return []
    lines = street.splitlines() if isinstance(street, str) else [str(line) for line in street]
    lines = [line.strip() for line in lines]
    while lines and not lines[-1]:
        lines.pop()
    return lines


OPTIONAL_CUSTOMER_FIELDS = ("prefix", "middlename", "suffix", "dob", "taxvat", "gender")


def apply_field_rules(form: Any, rules_list: list[FormRules], instance: Any = None) -> None:
    """Drop the optional name and personal fields that none of ``rules_list`` shows (unless
    ``instance`` already has a value, which staff must still see) and mark the required ones,
    so back-office forms follow the Name and Address Options as the shopper forms do."""
    for name in OPTIONAL_CUSTOMER_FIELDS:
        if name not in form.fields:
            continue
        rules = [r.rule(name) for r in rules_list]
        has_value = instance is not None and getattr(instance, name, None) not in (None, "")
        if not any(rule.visible for rule in rules) and not has_value:
            del form.fields[name]
        elif rules and all(rule.required for rule in rules):
            form.fields[name].required = True
