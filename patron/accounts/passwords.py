"""The one password policy (SPEC decision): minimum length and required character classes from
the configuration, and no leading or trailing spaces. Used wherever a person sets a password:
registration, change, reset and the back office. Imported hashes are never checked against it.
"""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from patron.core.errors import InvalidInput, Problem
from patron.scopes.config import get_config


def character_classes(password: str) -> int:
    """Return how many of the four classes ``password`` uses: a-z, A-Z, 0-9 and anything else.

    Magento's definition, which the strength meter in account.js shares: with Unicode case
    tests, letters without case (CJK, titlecase) counted in no class at all and the meter and
    the server disagreed about accented letters.
    """
    classes = [
        any("a" <= c <= "z" for c in password),
        any("A" <= c <= "Z" for c in password),
        any("0" <= c <= "9" for c in password),
        any(not ("a" <= c <= "z" or "A" <= c <= "Z" or "0" <= c <= "9") for c in password),
    ]
    return sum(classes)


def password_problems(password: str, *, field: str = "password") -> list[Problem]:
    """Return every way ``password`` breaks the policy (empty when it passes)."""
    minimum = int(get_config("customer/password/minimum_password_length"))
    classes = int(get_config("customer/password/required_character_classes_number"))
    problems = []
    if len(password) < minimum:
        problems.append(
            Problem(
                "password_too_short",
                ngettext(
                    "Use at least %(count)d character.",
                    "Use at least %(count)d characters.",
                    minimum,
                )
                % {"count": minimum},
                field=field,
                params={"minimum": minimum},
            )
        )
    if character_classes(password) < classes:
        problems.append(
            Problem(
                "password_too_simple",
                _(
                    "Use at least %(count)d of these kinds of characters: lowercase letters, "
                    "uppercase letters, digits, special characters."
                )
                % {"count": classes},
                field=field,
                params={"classes": classes},
            )
        )
    # Any Unicode space, not only ASCII: a Japanese input method types U+3000.
    if password != password.strip():
        problems.append(
            Problem(
                "password_spaces",
                _("The password cannot begin or end with a space."),
                field=field,
            )
        )
    return problems


def check_new_password(
    password: str, confirmation: str | None = None, *, field: str = "password"
) -> None:
    """Raise ``InvalidInput`` listing every policy problem, and a confirmation mismatch."""
    problems = password_problems(password, field=field)
    if confirmation is not None and confirmation != password:
        problems.append(
            Problem(
                "password_mismatch",
                _("Please enter the same password twice."),
                field=f"{field}_confirmation",
            )
        )
    if problems:
        raise InvalidInput.from_problems(problems)


def policy_help() -> str:
    """The password rules in force, as help text for every password field."""
    return _(
        "At least %(length)d characters, with %(classes)d of these kinds: lowercase letters, "
        "uppercase letters, digits, special characters."
    ) % {
        "length": int(get_config("customer/password/minimum_password_length")),
        "classes": int(get_config("customer/password/required_character_classes_number")),
    }


def strength(password: str) -> str:
    """Return "weak", "medium", "strong" or "very_strong" for the strength meter."""
    score = character_classes(password) + min(len(password) // 4, 4)
    if score <= 3:
        return "weak"
    if score <= 5:
        return "medium"
    if score <= 6:
        return "strong"
    return "very_strong"
