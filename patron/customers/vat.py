"""VAT-based automatic group assignment (spec a §16.2, Magento's source semantics).

When "Enable Automatic Assignment to Customer Group" is on for the customer's store view and
the customer's flag does not forbid it, saving the address that taxes are based on (default
billing or default shipping, per "Tax Calculation Based On") with a VAT number moves the
customer to the Domestic, Intra-Union, Invalid or Validation Error group. Numbers are checked
offline by format (python-stdnum); the online VIES check runs only when its setting is on, and
any failure to reach VIES maps to the Validation Error Group.
"""

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError

from patron.core.actors import Actor
from patron.scopes.config import get_config

logger = logging.getLogger(__name__)

VIES_URL = "https://ec.europa.eu/taxation_customs/vies/rest-api/check-vat-number"
# stdnum knows Greece as "EL" (its VAT prefix) while addresses use ISO "GR".
VAT_PREFIX = {"GR": "EL"}

DOMESTIC, INTRA_UNION, INVALID, ERROR = "domestic", "intra_union", "invalid", "error"
GROUP_PATHS = {
    DOMESTIC: "customer/create_account/viv_domestic_group",
    INTRA_UNION: "customer/create_account/viv_intra_union_group",
    INVALID: "customer/create_account/viv_invalid_group",
    ERROR: "customer/create_account/viv_error_group",
}


class ViesUnavailable(Exception):
    """VIES could not answer (network, timeout, service error)."""


def vies_check(country_prefix: str, number: str) -> bool:
    """Ask the European Commission's VIES service whether a number is registered."""
    body = json.dumps({"countryCode": country_prefix, "vatNumber": number}).encode()
    request = urllib.request.Request(
        VIES_URL, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            data = json.loads(answer.read())
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        raise ViesUnavailable(str(error)) from error
    # VIES reports outages of a member state's own register as a userError beside valid=false;
    # only VALID and INVALID are real answers.
    if "valid" not in data or data.get("userError") not in (None, "VALID", "INVALID"):
        raise ViesUnavailable(data.get("userError") or "unexpected answer")
    return bool(data["valid"])


@dataclass(frozen=True)
class VatResult:
    outcome: str  # domestic, intra_union, invalid or error
    is_valid: bool | None
    request_success: bool


def eu_country(country_id: str) -> str | None:
    """Return the VAT prefix of an EU member state's ISO code (EL for GR), else None."""
    code = (country_id or "").upper()
    # stdnum lists member states in lower case, and Greece as "gr" rather than its prefix "el".
    return VAT_PREFIX.get(code, code) if code.lower() in eu_vat.MEMBER_STATES else None


def classify(
    *,
    vat_id: str,
    address_country: str,
    store_country: str,
    online: bool,
    checker: Callable[[str, str], bool],
) -> VatResult | None:
    """Return the outcome for a VAT number, or None when the country is outside the EU (no
    group change, as in Magento)."""
    prefix = eu_country(address_country)
    if prefix is None:
        return None
    raw = vat_id.strip().upper().replace(" ", "")
    number = raw[2:] if raw.startswith(prefix) else raw
    try:
        # VIES expects the compact number, without the separators people type (" ", "-", ".").
        number = eu_vat.validate(prefix + number)[len(prefix) :]
    except StdnumError:
        return VatResult(INVALID, False, True)
    if online:
        try:
            if not checker(prefix, number):
                return VatResult(INVALID, False, True)
        except ViesUnavailable as error:
            logger.info("VIES check failed: %s", error)
            return VatResult(ERROR, None, False)
    outcome = DOMESTIC if address_country == store_country else INTRA_UNION
    return VatResult(outcome, True, True)


def assign_group_by_vat(
    *, customer, address, actor: Actor, checker: Callable[[str, str], bool] = vies_check
) -> str | None:
    """Apply automatic group assignment after ``address`` was saved; return the outcome or None
    when nothing applies. Called by the address service inside its transaction."""
    from patron.customers.models import Address, CustomerGroup
    from patron.customers.services import change_group, default_store_view_of

    store_view = default_store_view_of(customer)
    if not get_config("customer/create_account/auto_group_assign", store_view=store_view):
        return None
    based_on = get_config(
        "customer/create_account/tax_calculation_address_type", store_view=store_view
    )
    tax_address_id = (
        customer.default_billing_id if based_on == "billing" else customer.default_shipping_id
    )
    if address.pk != tax_address_id or not address.vat_id.strip():
        return None
    result = classify(
        vat_id=address.vat_id,
        address_country=address.country_id,
        store_country=get_config("general/store_information/country_id", store_view=store_view)
        or "",
        online=bool(get_config("customer/create_account/viv_online_check", store_view=store_view)),
        checker=checker,
    )
    if result is None:
        return None
    Address.objects.filter(pk=address.pk).update(
        vat_is_valid=result.is_valid,
        vat_request_success=result.request_success,
        vat_request_date=timezone.now(),
    )
    if customer.disable_auto_group_change:
        return result.outcome
    group_id = get_config(GROUP_PATHS[result.outcome], store_view=store_view)
    group = (
        CustomerGroup.objects.filter(pk=group_id).first() if group_id not in (None, "") else None
    )
    if group is not None:
        change_group(customer=customer, group=group, actor=actor, reason=f"vat_{result.outcome}")
    return result.outcome
