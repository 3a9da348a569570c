"""Forms of Stores > Attributes > Customer / Customer Address: an attribute's properties, its
labels per store view and its options. They only parse what staff typed into the service's
keyword arguments; every rule is checked by ``patron.customers.attributes``."""

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from patron.customers.attributes import (
    CHOICE_TYPES,
    FILE_TYPES,
    FORMS_BY_ENTITY,
    MAX_CODE_LENGTH,
    MULTILINE_RANGE,
    TEXT_TYPES,
    VALIDATIONS_BY_TYPE,
    attribute_label,
)
from patron.customers.models import (
    CustomerAttribute,
    GridFilterCondition,
    InputFilter,
    InputType,
    InputValidation,
)

# The input types a property applies to; a property not listed applies to every type.
APPLIES_TO: dict[str, frozenset[str]] = {
    "default_value_text": frozenset({InputType.TEXT}),
    "default_value_textarea": frozenset({InputType.TEXTAREA, InputType.MULTILINE}),
    "default_value_date": frozenset({InputType.DATE}),
    "default_value_yesno": frozenset({InputType.BOOLEAN}),
    "validation": frozenset(VALIDATIONS_BY_TYPE),
    "min_length": TEXT_TYPES,
    "max_length": TEXT_TYPES,
    "multiline_count": frozenset({InputType.MULTILINE}),
    "date_min": frozenset({InputType.DATE}),
    "date_max": frozenset({InputType.DATE}),
    "max_file_size": FILE_TYPES,
    "file_extensions": FILE_TYPES,
    "image_max_width": frozenset({InputType.IMAGE}),
    "image_max_height": frozenset({InputType.IMAGE}),
    "input_filter": TEXT_TYPES,
}
# Where each input type takes its Default Value (the choice types tick options instead).
DEFAULT_FIELDS = {
    InputType.TEXT: "default_value_text",
    InputType.TEXTAREA: "default_value_textarea",
    InputType.MULTILINE: "default_value_textarea",
    InputType.DATE: "default_value_date",
    InputType.BOOLEAN: "default_value_yesno",
}
# Form fields that are service properties of the same name.
PLAIN_PROPERTIES = (
    "label", "is_required", "validation", "min_length", "max_length", "multiline_count",
    "date_min", "date_max", "max_file_size", "file_extensions", "image_max_width",
    "image_max_height", "input_filter", "forms", "sort_order", "show_on_storefront", "in_grid",
    "filterable_in_grid", "grid_filter_condition", "searchable_in_grid", "used_in_segments",
)  # fmt: skip
DATA_ENTRY_FIELDS = (
    "is_required", "default_value_text", "default_value_textarea", "default_value_date",
    "default_value_yesno", "validation", "min_length", "max_length", "multiline_count",
    "date_min", "date_max", "max_file_size", "file_extensions", "image_max_width",
    "image_max_height", "input_filter",
)  # fmt: skip
GRID_FIELDS = (
    "in_grid", "filterable_in_grid", "grid_filter_condition", "searchable_in_grid",
    "used_in_segments",
)  # fmt: skip
PANELS = (
    (_("Attribute Properties"), ("label", "code", "input_type")),
    (_("Data Entry Properties"), DATA_ENTRY_FIELDS),
    (_("Customers Grid and Segment Properties"), GRID_FIELDS),
    (_("Storefront Properties"), ("show_on_storefront", "sort_order", "forms")),
)
LABEL_PREFIX = "store_label_"
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class YesNoField(forms.TypedChoiceField):
    """A Yes/No drop-down (Magento's), cleaned to a bool; with ``blank``, None for no choice."""

    def __init__(self, *, blank: bool = False, **kwargs):
        choices = [("1", _("Yes")), ("0", _("No"))]
        if blank:
            choices.insert(0, ("", _("None")))
        kwargs.setdefault("required", not blank)
        super().__init__(
            choices=choices,
            coerce=lambda value: value == "1",
            empty_value=None if blank else False,
            **kwargs,
        )

    def prepare_value(self, value):
        if isinstance(value, bool):
            return "1" if value else "0"
        return value

    def to_python(self, value):
        # A disabled field cleans its initial value, a bool.
        return super().to_python(self.prepare_value(value))


def _number(label, *, minimum: int | None = 0, maximum: int | None = None, **kwargs):
    # Bounds only as HTML hints: the service states the rule (e.g. the lines count's range).
    attrs = {}
    if minimum is not None:
        attrs["min"] = minimum
    if maximum is not None:
        attrs["max"] = maximum
    return forms.IntegerField(
        label=label, required=False, widget=forms.NumberInput(attrs=attrs), **kwargs
    )


class AttributeDefinitionForm(forms.Form):
    """The Properties panel and the store-view labels of Manage Labels/Options.

    On creation every property is shown (those of other input types are ignored on save, and
    attributes.js hides them); once created, the input type is fixed and only its properties
    are shown. A system attribute shows them all disabled but Use in Customer Segment.
    """

    label = forms.CharField(label=_("Default Label"), max_length=255)
    code = forms.CharField(label=_("Attribute Code"), max_length=255)
    input_type = forms.ChoiceField(
        label=_("Input Type"), choices=InputType.choices, initial=InputType.TEXT
    )
    is_required = YesNoField(label=_("Values Required"), initial=False)
    default_value_text = forms.CharField(label=_("Default Value"), required=False)
    default_value_textarea = forms.CharField(
        label=_("Default Value"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For Multiple Line, one line of text per line."),
    )
    default_value_date = forms.DateField(
        label=_("Default Value"), required=False, widget=DATE_WIDGET
    )
    default_value_yesno = YesNoField(label=_("Default Value"), blank=True)
    validation = forms.ChoiceField(
        label=_("Input Validation"), choices=InputValidation.choices, required=False
    )
    min_length = _number(_("Minimum Text Length"))
    max_length = _number(_("Maximum Text Length"))
    multiline_count = _number(
        _("Lines Count"),
        minimum=MULTILINE_RANGE[0],
        maximum=MULTILINE_RANGE[1],
        initial=MULTILINE_RANGE[0],
        help_text=_("Between %(low)d and %(high)d lines.")
        % {"low": MULTILINE_RANGE[0], "high": MULTILINE_RANGE[1]},
    )
    date_min = forms.DateField(
        label=_("Minimal Value"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("The earliest date allowed."),
    )
    date_max = forms.DateField(
        label=_("Maximum Value"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("The latest date allowed."),
    )
    max_file_size = _number(_("Maximum File Size (bytes)"), minimum=1)
    file_extensions = forms.CharField(
        label=_("File Extensions"),
        required=False,
        max_length=255,
        help_text=_("Separated by commas, e.g. pdf, docx. Leave empty to allow any."),
    )
    image_max_width = _number(_("Maximum Image Width (pixels)"), minimum=1)
    image_max_height = _number(_("Maximum Image Height (pixels)"), minimum=1)
    input_filter = forms.ChoiceField(
        label=_("Input/Output Filter"), choices=InputFilter.choices, required=False
    )
    in_grid = YesNoField(
        label=_("Add to Column Options"),
        initial=False,
        help_text=_("The attribute becomes an optional column of the customers grid."),
    )
    filterable_in_grid = YesNoField(label=_("Use in Filter Options"), initial=False)
    grid_filter_condition = forms.ChoiceField(
        label=_("Grid Filter Condition Type"),
        choices=GridFilterCondition.choices,
        initial=GridFilterCondition.PARTIAL,
        help_text=_("How text filters match in the grid; the keyword search is not affected."),
    )
    searchable_in_grid = YesNoField(label=_("Use in Search Options"), initial=False)
    used_in_segments = YesNoField(label=_("Use in Customer Segment"), initial=False)
    show_on_storefront = YesNoField(label=_("Show on Storefront"), initial=True)
    sort_order = forms.IntegerField(
        label=_("Sort Order"),
        initial=0,
        help_text=_("Position among the other attributes; it also sets the tab order."),
    )

    def __init__(
        self,
        *args,
        entity: str,
        store_views=(),
        attribute: CustomerAttribute | None = None,
        read_only: bool = False,
        **kwargs,
    ):
        self.entity = entity
        self.attribute = attribute
        self.store_views = list(store_views)
        if attribute is not None:
            kwargs.setdefault("initial", initial_from(attribute))
        super().__init__(*args, **kwargs)
        self.fields["forms"] = forms.MultipleChoiceField(
            label=_("Forms to Use In"),
            required=False,
            choices=[(form.value, form.label) for form in FORMS_BY_ENTITY[entity]],
            widget=forms.CheckboxSelectMultiple,
        )
        for view in self.store_views:
            self.fields[f"{LABEL_PREFIX}{view.pk}"] = forms.CharField(
                label=view.name, required=False, max_length=255
            )
        self.fields["code"].help_text = _(
            "Starts with a letter; lower-case letters (a-z), digits (0-9) and underscores (_) "
            "only; at most %(limit)d characters."
        ) % {"limit": MAX_CODE_LENGTH[entity]}
        self.fields["input_type"].widget.attrs["data-validations"] = json.dumps(
            {kind: sorted(values) for kind, values in VALIDATIONS_BY_TYPE.items()}
        )
        if attribute is not None:
            self._fix_input_type(attribute)
        if read_only:
            for field in self.fields.values():
                field.disabled = True

    def _fix_input_type(self, attribute: CustomerAttribute) -> None:
        del self.fields["code"]
        del self.fields["input_type"]
        for name, types in APPLIES_TO.items():
            if attribute.input_type not in types:
                del self.fields[name]
        if "validation" in self.fields:
            offered = VALIDATIONS_BY_TYPE[attribute.input_type]
            self.fields["validation"].choices = [
                (value, label) for value, label in InputValidation.choices if value in offered
            ]
        if attribute.is_system:
            for name, field in self.fields.items():
                field.disabled = name != "used_in_segments"

    @property
    def chosen_type(self) -> str:
        """The attribute's input type, or on creation the one chosen (valid or not)."""
        if self.attribute is not None:
            return self.attribute.input_type
        if self.is_bound:
            return self.data.get(self.add_prefix("input_type"), "")
        return self.fields["input_type"].initial

    def applies(self, name: str) -> bool:
        types = APPLIES_TO.get(name)
        return types is None or self.chosen_type in types

    def panels(self) -> list[tuple[str, list[tuple[Any, str]]]]:
        """Each fieldset's title and its (bound field, the input types it applies to: a
        space-separated list, empty for all) rows."""
        panels = []
        for title, names in PANELS:
            rows = [
                (self[name], " ".join(sorted(APPLIES_TO.get(name, ()))))
                for name in names
                if name in self.fields
            ]
            panels.append((title, rows))
        return panels

    def label_groups(self) -> list[tuple[Any, list[Any]]]:
        """The store-view label fields grouped by website, in the scopes' order."""
        groups: list[tuple[Any, list[Any]]] = []
        for view in self.store_views:
            website = view.store.website
            if not groups or groups[-1][0] != website:
                groups.append((website, []))
            groups[-1][1].append(self[f"{LABEL_PREFIX}{view.pk}"])
        return groups

    def properties(self) -> dict[str, Any]:
        """The service's keyword arguments for what staff may change here: on creation the
        chosen input type's properties, on a system attribute only Use in Customer Segment."""
        data = self.cleaned_data
        props = {
            name: data[name]
            for name in PLAIN_PROPERTIES
            if name in self.fields and not self.fields[name].disabled and self.applies(name)
        }
        if self.attribute is None:
            props["input_type"] = data["input_type"]
        default_field = DEFAULT_FIELDS.get(self.chosen_type)
        if default_field in self.fields and not self.fields[default_field].disabled:
            value = data[default_field]
            if hasattr(value, "isoformat"):
                value = value.isoformat()
            props["default_value"] = None if value in ("", None) else value
        label_fields = [f"{LABEL_PREFIX}{view.pk}" for view in self.store_views]
        if label_fields and not self.fields[label_fields[0]].disabled:
            props["labels"] = {
                name.removeprefix(LABEL_PREFIX): data[name].strip()
                for name in label_fields
                if data[name].strip()
            }
        return props


def initial_from(attribute: CustomerAttribute) -> dict[str, Any]:
    """The form's values for an existing attribute."""
    initial: dict[str, Any] = {name: getattr(attribute, name) for name in PLAIN_PROPERTIES}
    if attribute.is_system:
        initial["label"] = attribute_label(attribute)
    default = attribute.default_value
    default_field = DEFAULT_FIELDS.get(attribute.input_type)
    if default_field and default not in (None, "", []):
        initial[default_field] = "\n".join(default) if isinstance(default, list) else default
    for view_id, label in (attribute.labels or {}).items():
        initial[f"{LABEL_PREFIX}{view_id}"] = label
    return initial


class OptionRowForm(forms.Form):
    """One row of the options table: admin label, a label per store view, position, default
    and (existing options only) Delete."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    label = forms.CharField(label=_("Admin"), required=False, max_length=255)
    sort_order = forms.IntegerField(label=_("Position"), required=False)
    is_default = forms.BooleanField(label=_("Is Default"), required=False)

    def __init__(self, *args, store_views=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.store_views = list(store_views)
        for view in self.store_views:
            self.fields[f"{LABEL_PREFIX}{view.pk}"] = forms.CharField(
                label=view.name, required=False, max_length=255
            )
        # Cells of a table: each input names its row and column for screen readers.
        number = int(self.prefix.rsplit("-", 1)[-1]) + 1 if self.prefix[-1:].isdigit() else 0
        for name, field in self.fields.items():
            if name != "id":
                field.widget.attrs["aria-label"] = _("Option %(number)d: %(column)s") % {
                    "number": number,
                    "column": field.label,
                }

    def store_label_fields(self) -> list[Any]:
        return [self[f"{LABEL_PREFIX}{view.pk}"] for view in self.store_views]

    def is_existing(self) -> bool:
        return bool(self["id"].value())

    def is_blank(self) -> bool:
        data = self.cleaned_data
        texts = [data.get("label")] + [
            data.get(f"{LABEL_PREFIX}{view.pk}") for view in self.store_views
        ]
        return data.get("id") is None and not any((text or "").strip() for text in texts)

    def option(self) -> dict[str, Any]:
        """The row as the service takes an option."""
        data = self.cleaned_data
        option: dict[str, Any] = {
            "label": data["label"],
            "labels": {str(view.pk): data[f"{LABEL_PREFIX}{view.pk}"] for view in self.store_views},
        }
        if data.get("id") is not None:
            option["id"] = data["id"]
        if data.get("sort_order") is not None:
            option["sort_order"] = data["sort_order"]
        return option


class BaseOptionFormSet(forms.BaseFormSet):
    input_type = ""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = _(
                "Option %(number)d: %(column)s"
            ) % {"number": (index or 0) + 1, "column": _("Delete")}

    def clean(self):
        if self.input_type != InputType.SELECT or any(self.errors):
            return
        ticked = [
            form
            for form in self.forms
            if form.cleaned_data.get("is_default") and not form.cleaned_data.get("DELETE")
        ]
        if len(ticked) > 1:
            raise forms.ValidationError(
                _("A dropdown has one default option: tick Is Default on one row at most."),
                code="one_default",
            )


def option_formset(
    *, input_type: str, store_views, attribute=None, data=None, extra=3, read_only=False
):
    """The options table of a choice attribute (its options first, then ``extra`` blank rows)."""
    formset_class = forms.formset_factory(
        OptionRowForm, formset=BaseOptionFormSet, extra=extra, can_delete=True
    )
    formset_class.input_type = input_type
    initial = []
    if attribute is not None:
        default = attribute.default_value
        defaults = set(default) if isinstance(default, list) else {default}
        for option in attribute.options.all():
            row = {
                "id": option.pk,
                "label": option.label,
                "sort_order": option.sort_order,
                "is_default": option.pk in defaults,
            }
            for view_id, label in (option.labels or {}).items():
                row[f"{LABEL_PREFIX}{view_id}"] = label
            initial.append(row)
    formset = formset_class(
        data=data,
        initial=initial,
        prefix="options",
        form_kwargs={"store_views": store_views},
    )
    if read_only:
        for form in formset.forms:
            for field in form.fields.values():
                field.disabled = True
    return formset


def is_choice_type(input_type: str) -> bool:
    return input_type in CHOICE_TYPES
