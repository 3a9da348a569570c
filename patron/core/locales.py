"""Country names, languages and money formatting in the active language (Babel, pycountry)."""

from decimal import Decimal

import pycountry
from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency
from django.utils.translation import get_language, to_locale


def babel_locale(language: str | None = None) -> Locale:
    """Return the Babel locale of a Django language code (``pt-br`` -> ``pt_BR``)."""
    code = to_locale(language or get_language() or "en")
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def country_name(code: str, language: str | None = None) -> str:
    """Return the name of an ISO 3166-1 alpha-2 country in ``language`` (or the active one)."""
    if not code:
        return ""
    name = babel_locale(language).territories.get(code.upper())
    if name:
        return name
    country = pycountry.countries.get(alpha_2=code.upper())
    return country.name if country else code


def country_choices() -> list[tuple[str, str]]:
    """Return ("", "") followed by every country, sorted by its name in the active language."""
    territories = babel_locale().territories
    choices = []
    for country in pycountry.countries:
        choices.append((country.alpha_2, territories.get(country.alpha_2, country.name)))
    return [("", ""), *sorted(choices, key=lambda item: item[1].casefold())]


def format_money(amount: Decimal, currency: str, language: str | None = None) -> str:
    """Return ``amount`` in ``currency`` formatted for ``language`` (e.g. "1.234,50 €")."""
    return format_currency(amount, currency, locale=babel_locale(language))
