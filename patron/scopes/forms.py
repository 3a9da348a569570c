"""The configuration page's form, built from the registry for one section at one scope."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from patron.scopes import config
from patron.scopes.config import ConfigField, ConfigSection, FieldType


def form_name(path: str) -> str:
    return path.replace("/", "__")


def inherit_name(path: str) -> str:
    return "inherit__" + form_name(path)


def _form_field(config_field: ConfigField) -> forms.Field:
    common: dict[str, Any] = {
        "label": config_field.label,
        "help_text": config_field.help,
        "required": False,
    }
    kind = config_field.type
    if kind == FieldType.BOOL:
        return forms.TypedChoiceField(
            choices=[("1", _("Yes")), ("0", _("No"))], coerce=lambda v: v == "1", **common
        )
    if kind == FieldType.INT:
        return forms.CharField(widget=forms.NumberInput, **common)
    if kind == FieldType.TEXTAREA:
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 8, "cols": 80}), strip=False, **common
        )
    if kind == FieldType.CHOICE:
        return forms.ChoiceField(choices=lambda: _choices_with_blank(config_field), **common)
    if kind == FieldType.MULTICHOICE:
        return forms.MultipleChoiceField(
            choices=lambda: [(str(v), label) for v, label in config_field.choices()],
            widget=forms.SelectMultiple(attrs={"size": 5}),
            **common,
        )
    if kind == FieldType.SECRET:
        return forms.CharField(widget=forms.PasswordInput(render_value=True), **common)
    return forms.CharField(**common)


def _choices_with_blank(config_field: ConfigField) -> list[tuple[str, str]]:
    choices = [("" if v is None else str(v), label) for v, label in config_field.choices()]
    if not any(value == "" for value, _label in choices):
        choices.insert(0, ("", "—"))
    return choices


def _initial(config_field: ConfigField, value: Any) -> Any:
    if config_field.type == FieldType.BOOL:
        return "1" if value else "0"
    if config_field.type == FieldType.MULTICHOICE:
        return [str(v) for v in value or []]
    return "" if value is None else str(value)


class ConfigurationForm(forms.Form):
    """One field per setting the scope may set, plus a "use parent value" box below default."""

    def __init__(
        self, *args: Any, section: ConfigSection, scope: str, scope_id: int, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.section, self.scope, self.scope_id = section, scope, scope_id
        self.groups: list[tuple[Any, list[tuple[ConfigField, str, str | None]]]] = []
        for group in section.groups:
            rows = []
            for config_field in group.fields:
                if not config_field.allowed_at(scope):
                    continue
                name = form_name(config_field.path)
                stored, value = config.get_stored(config_field.path, scope=scope, scope_id=scope_id)
                if not stored:
                    value = config.inherited_value(
                        config_field.path, scope=scope, scope_id=scope_id
                    )
                self.fields[name] = _form_field(config_field)
                self.fields[name].initial = _initial(config_field, value)
                checkbox = None
                if scope != config.DEFAULT:
                    checkbox = inherit_name(config_field.path)
                    self.fields[checkbox] = forms.BooleanField(
                        required=False,
                        initial=not stored,
                        label=_("Use Default Value")
                        if scope == config.WEBSITE
                        else _("Use Website"),
                    )
                rows.append((config_field, name, checkbox))
            if rows:
                self.groups.append((group, rows))

    def bound_groups(self) -> list[tuple[Any, list[tuple[ConfigField, Any, Any]]]]:
        """Return the groups with bound fields, for the template."""
        return [
            (
                group,
                [
                    (cf, self[name], self[checkbox] if checkbox else None)
                    for cf, name, checkbox in rows
                ],
            )
            for group, rows in self.groups
        ]

    def values_and_inherit(self) -> tuple[dict[str, Any], list[str]]:
        """Split the submitted data into values to store and paths to reset."""
        values: dict[str, Any] = {}
        inherit: list[str] = []
        for _group, rows in self.groups:
            for config_field, name, checkbox in rows:
                if checkbox and self.cleaned_data.get(checkbox):
                    inherit.append(config_field.path)
                    continue
                values[config_field.path] = (
                    self.data.getlist(name)
                    if config_field.type == FieldType.MULTICHOICE
                    else self.data.get(name, "")
                )
        return values, inherit

    def add_problem(self, path: str | None, message: str) -> None:
        name = form_name(path) if path else None
        self.add_error(name if name in self.fields else None, message)
