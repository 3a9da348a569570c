"""The forms of Marketing > Cart Price Rules: the rule page (Rule Information, Conditions,
Actions, Labels) and Manage Coupon Codes.

They only parse what staff typed into the keyword arguments of ``save_rule`` and
``generate_coupons`` (field names are the services', so their problems land on their field);
every rule is checked by :mod:`patron.promotions.services` and :mod:`patron.promotions.trees`.
The two condition trees come as JSON, written by the condition builder or typed.
"""

import json
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patron.core.errors import PatronError, Problem
from patron.customers.models import CustomerGroup
from patron.promotions import services
from patron.promotions.models import Action, CartPriceRule, CouponType, FreeShipping
from patron.scopes.models import StoreView, Website

YES_NO = (("1", gettext_lazy("Yes")), ("0", gettext_lazy("No")))
# The two trees and the paths of their problems: "conditions.conditions[1].value".
TREES = ("conditions", "action_conditions")
TREE_PATH = re.compile(r"^(conditions|action_conditions)(?:$|[.\[])")
PATH_STEP = re.compile(r"conditions\[(\d+)\]")
LABEL_PREFIX = "label_"

RULE_INFORMATION = (
    "name", "description", "is_active", "websites", "customer_groups", "coupon_type",
    "coupon_code", "uses_per_coupon", "uses_per_customer", "from_date", "to_date", "priority",
)  # fmt: skip
ACTIONS = (
    "action", "discount_amount", "max_qty", "discount_step", "apply_to_shipping",
    "discard_subsequent_rules", "free_shipping",
)  # fmt: skip
FORMAT_CHOICES = (
    ("alphanumeric", gettext_lazy("Alphanumeric")),
    ("alphabetical", gettext_lazy("Alphabetical")),
    ("numeric", gettext_lazy("Numeric")),
)


def _text(label, *, help_text="", size=None, **attrs) -> forms.CharField:
    # Not required and not typed here: the service refuses a bad value in its own words.
    widget_attrs = {"size": size} if size else {}
    widget_attrs.update(attrs)
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.TextInput(attrs=widget_attrs),
    )


def _number(label, *, help_text="") -> forms.CharField:
    return _text(label, help_text=help_text, size=10, inputmode="decimal")


def _date(label) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def _tree(label, help_text) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 80, "spellcheck": "false"}),
    )


def plain_number(value: Any) -> str:
    """A stored amount as staff typed it: 10 rather than 10.0000."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


class GroupChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, group):
        return group.code


class RuleForm(forms.Form):
    """Rule Information, Conditions, Actions and Labels of one rule (new when ``rule`` is None);
    ``store_views`` get a label field each, ``websites`` are those the staff member may choose."""

    name = _text(gettext_lazy("Rule Name"), size=40, maxlength=255, required=True)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )
    is_active = forms.ChoiceField(label=gettext_lazy("Active"), choices=YES_NO, initial="1")
    websites = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Websites"),
        queryset=Website.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4, "required": True}),
    )
    customer_groups = GroupChoiceField(
        label=gettext_lazy("Customer Groups"),
        queryset=CustomerGroup.objects.order_by("pk"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5, "required": True}),
        help_text=gettext_lazy("Guests are in NOT LOGGED IN."),
    )
    coupon_type = forms.ChoiceField(
        label=gettext_lazy("Coupon"), choices=CouponType.choices, initial=CouponType.NONE
    )
    coupon_code = _text(
        gettext_lazy("Coupon Code"),
        size=30,
        maxlength=64,
        help_text=gettext_lazy("Used with Specific Coupon."),
    )
    uses_per_coupon = _number(
        gettext_lazy("Uses per Coupon"), help_text=gettext_lazy("Blank: unlimited.")
    )
    uses_per_customer = _number(
        gettext_lazy("Uses per Customer"),
        help_text=gettext_lazy("Counts registered customers only; blank: unlimited."),
    )
    from_date = _date(gettext_lazy("From"))
    to_date = _date(gettext_lazy("To"))
    priority = _number(
        gettext_lazy("Priority"),
        help_text=gettext_lazy("Rules apply from the lowest number; 0 and 1 come first."),
    )
    conditions = _tree(
        gettext_lazy("Conditions as JSON"),
        gettext_lazy("The condition tree the builder edits; it can also be edited here directly."),
    )
    action = forms.ChoiceField(
        label=gettext_lazy("Apply"), choices=Action.choices, initial=Action.BY_PERCENT
    )
    discount_amount = _number(gettext_lazy("Discount Amount"))
    max_qty = _number(
        gettext_lazy("Maximum Qty Discount is Applied To"),
        help_text=gettext_lazy("Blank or 0: no limit."),
    )
    discount_step = _number(gettext_lazy("Discount Qty Step (Buy X)"))
    apply_to_shipping = forms.ChoiceField(
        label=gettext_lazy("Apply to Shipping Amount"), choices=YES_NO, initial="0"
    )
    discard_subsequent_rules = forms.ChoiceField(
        label=gettext_lazy("Discard Subsequent Rules"), choices=YES_NO, initial="0"
    )
    free_shipping = forms.ChoiceField(
        label=gettext_lazy("Free Shipping"), choices=FreeShipping.choices, initial=FreeShipping.NO
    )
    action_conditions = _tree(
        gettext_lazy("Action conditions as JSON"),
        gettext_lazy(
            "The cart item conditions the builder edits; it can also be edited here directly."
        ),
    )
    default_label = _text(
        gettext_lazy("Default Rule Label for All Store Views"), size=40, maxlength=255
    )

    def __init__(
        self,
        data=None,
        *,
        rule: CartPriceRule | None = None,
        websites: list[Website],
        store_views: list[StoreView],
        read_only: bool = False,
    ):
        initial: dict[str, Any] = {"priority": "0", "discount_step": "0"}
        if rule is not None:
            initial = self._initial(services.current_values(rule))
        super().__init__(data, initial=initial)
        self.rule = rule
        self.store_views = store_views
        self.fields["websites"].queryset = Website.objects.filter(
            pk__in=[website.pk for website in websites]
        ).order_by("sort_order", "name")
        for view in store_views:
            self.fields[f"{LABEL_PREFIX}{view.pk}"] = _text(
                f"{view.store.website.name} / {view.store.name} / {view.name}",
                size=40,
                maxlength=255,
            )
        if read_only:
            for field in self.fields.values():
                field.disabled = True

    @staticmethod
    def _initial(values: dict[str, Any]) -> dict[str, Any]:
        initial = dict(values)
        for flag in ("is_active", "apply_to_shipping", "discard_subsequent_rules"):
            initial[flag] = "1" if values[flag] else "0"
        for name in ("uses_per_coupon", "uses_per_customer", "priority", "discount_step",
                     "discount_amount", "max_qty"):  # fmt: skip
            initial[name] = plain_number(values[name])
        for name in ("from_date", "to_date"):
            initial[name] = values[name].isoformat() if values[name] else ""
        for name in TREES:
            initial[name] = json.dumps(values[name], indent=2, ensure_ascii=False)
        for store_view_id, label in values["labels"].items():
            initial[f"{LABEL_PREFIX}{store_view_id}"] = label
        return initial

    def section(self, names) -> list:
        return [self[name] for name in names if name in self.fields]

    def label_fields(self) -> list:
        return [self[f"{LABEL_PREFIX}{view.pk}"] for view in self.store_views]

    def _clean_tree(self, name: str):
        text = self.cleaned_data.get(name, "")
        if not text.strip():
            return None
        try:
            return json.loads(text)
        except ValueError as error:
            raise forms.ValidationError(
                _("Enter the conditions as JSON (%(error)s).") % {"error": error}
            ) from None

    def clean_conditions(self):
        return self._clean_tree("conditions")

    def clean_action_conditions(self):
        return self._clean_tree("action_conditions")

    def service_arguments(self) -> dict[str, Any]:
        """The keyword arguments of ``save_rule``. Labels of store views not shown (another
        website's) are kept as they are."""
        data = self.cleaned_data
        arguments = {name: data[name] for name in (*RULE_INFORMATION, *ACTIONS, "default_label")}
        arguments["websites"] = list(data["websites"])
        arguments["customer_groups"] = list(data["customer_groups"])
        for name in TREES:
            arguments[name] = data[name]
        labels = dict(self.rule.labels.values_list("store_view_id", "label")) if self.rule else {}
        for view in self.store_views:
            labels[view.pk] = data[f"{LABEL_PREFIX}{view.pk}"]
        arguments["labels"] = labels
        return arguments

    def add_service_errors(self, error: PatronError) -> dict[str, dict[str, list[str]]]:
        """Put the service's problems next to their fields and return those of each condition
        tree by path (the builder shows each next to its node)."""
        by_tree: dict[str, dict[str, list[str]]] = {name: {} for name in TREES}
        for problem in _problems(error):
            field = problem.field or ""
            tree = TREE_PATH.match(field)
            if field.startswith("labels."):
                field = LABEL_PREFIX + field.removeprefix("labels.")
            if tree:
                by_tree[tree.group(1)].setdefault(field, []).append(str(problem.message))
            elif field in self.fields:
                self.add_error(field, str(problem.message))
            else:
                self.add_error(None, str(problem.message))
        for name, paths in by_tree.items():
            if paths:
                self.add_error(name, _("Correct the conditions marked below, then save again."))
        return by_tree


class CouponGenerateForm(forms.Form):
    """Manage Coupon Codes: how many codes to generate and what they look like."""

    quantity = forms.IntegerField(
        label=gettext_lazy("Coupon Qty"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "size": 8}),
    )
    length = forms.IntegerField(
        label=gettext_lazy("Code Length"),
        required=False,
        initial=12,
        help_text=gettext_lazy("Excluding prefix, suffix and dashes."),
        widget=forms.NumberInput(attrs={"min": 4, "max": 32, "size": 8}),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Code Format"), choices=FORMAT_CHOICES, initial="alphanumeric"
    )
    prefix = _text(gettext_lazy("Code Prefix"), size=16, maxlength=16)
    suffix = _text(gettext_lazy("Code Suffix"), size=16, maxlength=16)
    dash_every = forms.IntegerField(
        label=gettext_lazy("Dash Every X Characters"),
        required=False,
        initial=0,
        help_text=gettext_lazy("0: no dashes."),
        widget=forms.NumberInput(attrs={"min": 0, "size": 8}),
    )

    def service_arguments(self) -> dict[str, Any]:
        """The keyword arguments of ``generate_coupons`` (blank length and dashes: defaults)."""
        data = self.cleaned_data
        return {
            "quantity": data["quantity"],
            "length": 12 if data["length"] is None else data["length"],
            "format": data["format"],
            "prefix": data["prefix"].strip(),
            "suffix": data["suffix"].strip(),
            "dash_every": data["dash_every"] or 0,
        }

    def add_service_errors(self, error: PatronError) -> None:
        for problem in _problems(error):
            field = problem.field if problem.field in self.fields else None
            self.add_error(field, str(problem.message))


def _problems(error: PatronError) -> list[Problem]:
    return error.problems or [Problem(error.code, str(error.message), field=error.field)]


def describe_path(path: str) -> str:
    """Where a problem of a condition tree is, in words: "conditions.conditions[1]
    .conditions[0].value" is "Condition 2.1: value"."""
    steps = [str(int(index) + 1) for index in PATH_STEP.findall(path)]
    rest = path.rsplit("]", 1)[-1] if steps else TREE_PATH.sub("", path)
    rest = rest.lstrip(".")
    where = _("Condition %(number)s") % {"number": ".".join(steps)} if steps else _("Top condition")
    return f"{where}: {rest}" if rest else where
