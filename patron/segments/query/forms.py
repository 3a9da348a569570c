"""The query names of the condition types: one :class:`~.base.Form` per segment condition type
registered in ``patron.core.registries.condition_types`` (:data:`FORMS`), the names each scope
knows, and the names an attribute code cannot take bare.

The reference page (``segment_query_docs``) is generated from these forms and fails for a
registered type that has none. Scopes are those of the condition classes: a name is known only
where its condition may stand (``city`` inside ``address.any(...)``).
"""

from patron.segments import conditions as c
from patron.segments.query.attributes import (
    AddressAttributeForm,
    AttributeForm,
    CustomerAttributeForm,
    OrderAddressAttributeForm,
    ProductAttributeForm,
)
from patron.segments.query.base import Container, DocRow, Form, Ref
from patron.segments.query.containers import (
    CustomerAddressForm,
    NumberOfOrdersForm,
    OrderAddressForm,
    ProductHistoryForm,
    ProductListForm,
    PurchasedQtyForm,
    SalesAmountForm,
)
from patron.segments.query.leaves import (
    CartLineItemsForm,
    CartQtyForm,
    CartTotalForm,
    DateRangeForm,
    DefaultAddressExistsForm,
    DefaultAddressForm,
    HasRegionForm,
    NewsletterForm,
    OrderAddressTypeForm,
    OrderStatusForm,
    StoreCreditForm,
    UpToDateForm,
)
from patron.segments.query.syntax import KEYWORDS

ROOT, ADDRESS, PRODUCT, ORDER_ADDRESS, ORDER = (
    c.ROOT,
    c.ADDRESS,
    c.PRODUCT,
    c.ORDER_ADDRESS,
    c.ORDER,
)
SCOPES = (ROOT, ADDRESS, ORDER_ADDRESS, PRODUCT, ORDER)


class CombinationForm(Form):
    """Combinations are written with and/or/not and all()/any(); see the parser and printer."""

    code = "combine"
    condition = c.Combination


FORMS: dict[str, Form] = {
    form.code: form
    for form in (
        CombinationForm(),
        DefaultAddressExistsForm(),
        NewsletterForm(),
        StoreCreditForm(),
        CartTotalForm(),
        CartLineItemsForm(),
        CartQtyForm(),
        CustomerAddressForm(),
        OrderAddressForm(),
        ProductListForm(),
        ProductHistoryForm(),
        SalesAmountForm(),
        NumberOfOrdersForm(),
        PurchasedQtyForm(),
        DefaultAddressForm(),
        HasRegionForm(),
        OrderAddressTypeForm(),
        OrderStatusForm(),
        UpToDateForm(),
        DateRangeForm(),
        # Attributes last: a fixed name of the scope wins over an attribute code.
        CustomerAttributeForm(),
        AddressAttributeForm(),
        OrderAddressAttributeForm(),
        ProductAttributeForm(),
    )
}


def forms_of(scope: str) -> list[Form]:
    """The forms whose names can be written in ``scope``, fixed names first."""
    return [form for form in FORMS.values() if scope in form.scopes and form.code != "combine"]


def qualifiers_of(scope: str) -> dict[str, Form]:
    """Named arguments that stand for a condition in ``scope``: key -> form."""
    return {key: form for form in forms_of(scope) for key in form.qualifiers}


def reserved(scope: str) -> frozenset[str]:
    """Names an attribute code cannot be written as, bare, in ``scope``."""
    names = {name.split(".")[0].split("(")[0].rstrip(":") for form in forms_of(scope)
             if not isinstance(form, AttributeForm) for name in form.names()}  # fmt: skip
    return frozenset(KEYWORDS | names | set(qualifiers_of(scope)))


__all__ = [
    "FORMS",
    "SCOPES",
    "Container",
    "DocRow",
    "Form",
    "Ref",
    "forms_of",
    "qualifiers_of",
    "reserved",
]
