"""The Audience condition of cart price rules (spec c §11.2 "Real-Time CDP Audience"): the
shopper belongs, or does not belong, to listed audiences on the cart's website, by stored
membership or by the signed list their request carries. Always false with Audience Activation
switched off."""

from django.utils.translation import gettext_lazy as _

from patron.promotions import conditions as rule_conditions
from patron.promotions.conditions import Condition, Field, _show, _values_list, clean_choice

OPERATORS = (
    ("matches", _("matches")),
    ("does_not_match", _("does not match")),
    ("is_one_of", _("is one of")),
    ("is_not_one_of", _("is not one of")),
)


def shopper_audience_ids(cart) -> set[str]:
    from patron.audiences import services

    return cart.remember(
        "audience_ids",
        lambda: services.shopper_audiences(
            website=cart.website, customer=cart.customer, request_ids=cart.audience_ids
        ),
    )


class AudienceCondition(Condition):
    code = "cart_rule.audience"
    label = _("Audience")
    group = "customer"
    order = 510

    def is_offered(self) -> bool:
        from patron.audiences.services import is_enabled

        return is_enabled()

    def fields(self, *, params=None):
        from patron.audiences.models import Audience

        choices = tuple(Audience.objects.order_by("name").values_list("external_id", "name"))
        return [Field("operator", "select", OPERATORS), Field("value", "audiences", choices)]

    def clean_params(self, node, *, problems, path):
        from patron.audiences.models import Audience

        operator = clean_choice(node, "operator", OPERATORS, problems, path, "matches")
        ids = sorted(set(_values_list(node.get("value"))))
        if not ids:
            problems.add(f"{path}.value", _("Choose at least one audience."))
            return {"operator": operator, "value": []}
        known = set(
            Audience.objects.filter(external_id__in=ids).values_list("external_id", flat=True)
        )
        missing = [i for i in ids if i not in known]
        if missing:
            problems.add(
                f"{path}.value",
                _("There is no audience with ID %(ids)s.") % {"ids": ", ".join(missing)},
            )
        return {"operator": operator, "value": ids}

    def describe(self, node):
        return str(
            _("Audience %(operator)s %(ids)s")
            % {"operator": dict(OPERATORS)[node["operator"]], "ids": _show(node["value"])}
        )

    def actual(self, node, cart, item):
        if not self.is_offered():
            return None
        return sorted(shopper_audience_ids(cart))

    def evaluate(self, node, cart, item, children):
        mine = self.actual(node, cart, item)
        if mine is None:
            return False
        member = bool(set(mine) & set(node["value"]))
        return member if node["operator"] in ("matches", "is_one_of") else not member


def register_conditions() -> None:
    rule_conditions.register(AudienceCondition)
