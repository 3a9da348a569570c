"""Custom customer and address attributes (spec b §4–5): their definitions, and the one
validation of their values used by every path that writes them (shopper forms, back office,
API, imports).

Values live in the owner's ``custom_attributes`` JSON, typed: text as strings (text-area HTML
sanitized), multiple lines as lists of strings, dates as ISO strings, Yes/No as booleans, a
dropdown as its option id, a multiple select as a sorted list of option ids, a file or image as
``{"path", "name", "size", "content_type"}`` in the private customer-files storage.
"""

import base64
import binascii
import datetime as dt
import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator, validate_email
from django.db import connection, transaction
from django.utils.html import strip_tags
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patron.core.actors import Actor
from patron.core.errors import InvalidInput, Problem
from patron.core.sanitize import sanitize_html
from patron.customers.models import (
    Address,
    AttributeEntity,
    AttributeForm,
    AttributeOption,
    Customer,
    CustomerAttribute,
    GridFilterCondition,
    InputFilter,
    InputType,
    InputValidation,
)

FILES_STORAGE = "customer_files"
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_CODE_LENGTH = {AttributeEntity.CUSTOMER: 30, AttributeEntity.ADDRESS: 21}
MULTILINE_RANGE = (2, 20)
CHOICE_TYPES = frozenset({InputType.SELECT, InputType.MULTISELECT})
FILE_TYPES = frozenset({InputType.FILE, InputType.IMAGE})
# Control characters other than tab and line breaks (NUL cannot even be stored by PostgreSQL).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TEXT_TYPES = frozenset({InputType.TEXT, InputType.TEXTAREA, InputType.MULTILINE})
# Which Input Validation values each input type offers (spec b §4).
VALIDATIONS_BY_TYPE = {
    InputType.TEXT: frozenset(InputValidation.values),
    InputType.TEXTAREA: frozenset({"", InputValidation.LENGTH}),
    InputType.MULTILINE: frozenset(InputValidation.values),
}
FORMS_BY_ENTITY = {
    AttributeEntity.CUSTOMER: (
        AttributeForm.REGISTRATION, AttributeForm.ACCOUNT_EDIT, AttributeForm.ADMIN_CHECKOUT,
    ),
    AttributeEntity.ADDRESS: (AttributeForm.ADDRESS_REGISTRATION, AttributeForm.ADDRESS_EDIT),
}  # fmt: skip
OWNER_MODELS = {AttributeEntity.CUSTOMER: Customer, AttributeEntity.ADDRESS: Address}
# Properties staff may change on a system attribute; the others are fixed by the model.
SYSTEM_EDITABLE = frozenset({"used_in_segments"})
PROPERTIES = (
    "label", "input_type", "is_required", "default_value", "validation", "min_length",
    "max_length", "multiline_count", "date_min", "date_max", "max_file_size", "file_extensions",
    "image_max_width", "image_max_height", "input_filter", "forms", "sort_order",
    "show_on_storefront", "in_grid", "filterable_in_grid", "grid_filter_condition",
    "searchable_in_grid", "used_in_segments", "labels",
)  # fmt: skip
FIXED_AFTER_CREATION = frozenset({"input_type"})
NON_NEGATIVE = (
    "min_length", "max_length", "max_file_size", "image_max_width", "image_max_height",
)  # fmt: skip


def field_name(code: str) -> str:
    """Where problems with a value are reported, the same in forms, the API and imports."""
    return f"custom_attributes.{code}"


# --- Definitions --------------------------------------------------------------------------------


def custom_attributes(entity: str) -> list[CustomerAttribute]:
    """The staff-defined attributes of ``entity`` in sort order, with their options."""
    return list(
        CustomerAttribute.objects.filter(entity=entity, is_system=False)
        .prefetch_related("options")
        .order_by("sort_order", "code")
    )


def attributes_for_form(entity: str, form: str | None) -> list[CustomerAttribute]:
    """The attributes a form shows: those assigned to it (all of them in the back office, where
    ``form`` is None), in sort order."""
    return [a for a in custom_attributes(entity) if form is None or form in a.forms]


def _definition_problems(entity: str, data: Mapping[str, Any], creating: bool) -> list[Problem]:
    problems: list[Problem] = []
    code = data.get("code", "")
    if creating:
        problems.extend(_code_problems(entity, code))
    if not str(data.get("label") or "").strip():
        problems.append(Problem("required", _("Enter the default label."), field="label"))
    input_type = data.get("input_type")
    if input_type not in InputType.values:
        problems.append(Problem("invalid_choice", _("Choose an input type."), field="input_type"))
        return problems
    validation = data.get("validation") or ""
    if validation not in VALIDATIONS_BY_TYPE.get(input_type, {""}):
        problems.append(
            Problem(
                "invalid_validation",
                _("%(type)s does not offer this input validation.")
                % {"type": InputType(input_type).label},
                field="validation",
            )
        )
    if (data.get("input_filter") or "") not in InputFilter.values:
        problems.append(
            Problem("invalid_choice", _("Choose an input/output filter."), field="input_filter")
        )
    for name in NON_NEGATIVE:
        value = data.get(name)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value < 0
        ):
            problems.append(
                Problem("invalid_number", _("Enter a whole number of 0 or more."), field=name)
            )
    if (data.get("input_filter") or "") and input_type not in TEXT_TYPES:
        problems.append(
            Problem(
                "invalid_filter",
                _("Input/output filters apply to text fields, text areas and multiple lines."),
                field="input_filter",
            )
        )
    if input_type == InputType.MULTILINE:
        low, high = MULTILINE_RANGE
        count = data.get("multiline_count", 2)
        if not isinstance(count, int) or not low <= count <= high:
            problems.append(
                Problem(
                    "invalid_lines_count",
                    _("Lines count must be between %(low)d and %(high)d.")
                    % {"low": low, "high": high},
                    field="multiline_count",
                )
            )
    problems.extend(_range_problems(data))
    unknown_forms = set(data.get("forms") or ()) - set(FORMS_BY_ENTITY[entity])
    if unknown_forms:
        problems.append(
            Problem(
                "invalid_form",
                _("These forms are not for this kind of attribute: %(forms)s.")
                % {"forms": ", ".join(sorted(unknown_forms))},
                field="forms",
            )
        )
    if data.get("grid_filter_condition", GridFilterCondition.PARTIAL) not in (
        GridFilterCondition.values
    ):
        problems.append(
            Problem(
                "invalid_choice", _("Choose a filter condition."), field="grid_filter_condition"
            )
        )
    return problems


def _code_problems(entity: str, code: str) -> list[Problem]:
    limit = MAX_CODE_LENGTH[entity]
    if not CODE_PATTERN.match(code or ""):
        return [
            Problem(
                "invalid_code",
                _(
                    "The attribute code must start with a letter and use only lower-case "
                    "letters (a-z), digits (0-9) and underscores (_)."
                ),
                field="code",
            )
        ]
    if len(code) > limit:
        return [
            Problem(
                "code_too_long",
                _("The attribute code must be at most %(limit)d characters.") % {"limit": limit},
                field="code",
            )
        ]
    if entity == AttributeEntity.CUSTOMER and code.startswith("billing_"):
        # The grid keeps address attributes' values under billing_<code>.
        return [
            Problem(
                "reserved_code",
                _("Customer attribute codes cannot start with billing_."),
                field="code",
            )
        ]
    taken = CustomerAttribute.objects.filter(entity=entity, code=code).exists()
    if taken or code in _model_field_names(entity):
        return [
            Problem(
                "code_taken",
                _("An attribute with the code %(code)s already exists.") % {"code": code},
                field="code",
            )
        ]
    return []


def _model_field_names(entity: str) -> set[str]:
    model = OWNER_MODELS[entity]
    return {f.name for f in model._meta.get_fields()} | {
        f.attname for f in model._meta.concrete_fields
    }


def _range_problems(data: Mapping[str, Any]) -> list[Problem]:
    problems = []
    for low, high, field in (
        ("min_length", "max_length", "max_length"),
        ("date_min", "date_max", "date_max"),
    ):
        if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
            problems.append(
                Problem(
                    "invalid_range",
                    _("The maximum must not be below the minimum."),
                    field=field,
                )
            )
    return problems


@transaction.atomic
def create_attribute(
    *, entity: str, code: str, actor: Actor, options: Iterable[Mapping[str, Any]] = (), **props
) -> CustomerAttribute:
    """Create a staff-defined attribute (with its options, for the choice types)."""
    unknown = set(props) - set(PROPERTIES)
    if unknown:
        raise TypeError(f"Unknown attribute properties: {', '.join(sorted(unknown))}")
    if entity not in AttributeEntity.values:
        raise InvalidInput(_("Unknown attribute entity."), code="invalid_entity", field="entity")
    options = list(options)
    data = {"code": code, **props}
    problems = _definition_problems(entity, data, creating=True)
    problems.extend(_options_problems(props.get("input_type"), options, existing=()))
    _raise_if(problems)
    attribute = CustomerAttribute(entity=entity, code=code, **props)
    attribute.label = attribute.label.strip()
    attribute.save()
    _write_options(attribute, options)
    _check_default(attribute)
    sync_grid_index(attribute)
    return attribute


@transaction.atomic
def update_attribute(
    *,
    attribute: CustomerAttribute,
    actor: Actor,
    options: Iterable[Mapping[str, Any]] | None = None,
    **changes,
) -> CustomerAttribute:
    """Change an attribute's properties (``options``: the full new list, each with ``id`` when
    it keeps an existing option). Options removed take their values with them: ask
    :func:`option_removal_impact` first to tell staff how many."""
    unknown = set(changes) - set(PROPERTIES)
    if unknown:
        raise TypeError(f"Unknown attribute properties: {', '.join(sorted(unknown))}")
    attribute = CustomerAttribute.objects.select_for_update().get(pk=attribute.pk)
    _refuse_fixed_changes(attribute, changes, options)
    data = {name: getattr(attribute, name) for name in PROPERTIES} | changes
    problems = [] if attribute.is_system else _definition_problems(attribute.entity, data, False)
    existing = list(attribute.options.all())
    if options is not None:
        options = list(options)
        problems.extend(_options_problems(attribute.input_type, options, existing))
    _raise_if(problems)
    was_searchable = attribute.searchable_in_grid
    old_labels = {o.pk: (o.label, o.labels) for o in existing}
    for name, value in changes.items():
        setattr(attribute, name, value.strip() if name == "label" else value)
    attribute.save()
    if options is not None:
        removed = {o.pk for o in existing} - {o.get("id") for o in options}
        _remove_option_values(attribute, removed)
        _write_options(attribute, options)
    _check_default(attribute)
    sync_grid_index(attribute)
    if _search_words_changed(attribute, was_searchable, old_labels):
        from patron.customers.attribute_grid import start_attribute_rows_refresh

        start_attribute_rows_refresh(attribute=attribute, actor=actor)
    return attribute


def _search_words_changed(attribute, was_searchable: bool, old_labels) -> bool:
    """Whether the grid's keyword search must be told: the attribute joined or left it, or an
    option of a searchable one was renamed (its label is what the search finds)."""
    if attribute.searchable_in_grid != was_searchable:
        return True
    new_labels = {o.pk: (o.label, o.labels) for o in attribute.options.all()}
    return attribute.searchable_in_grid and any(
        old_labels[pk] != labels for pk, labels in new_labels.items() if pk in old_labels
    )


def _refuse_fixed_changes(attribute, changes: Mapping[str, Any], options) -> None:
    if attribute.is_system:
        fixed = sorted(
            name
            for name, value in changes.items()
            if name not in SYSTEM_EDITABLE and getattr(attribute, name) != value
        )
        if fixed or options is not None:
            raise InvalidInput(
                _("This is a system attribute: only its use in customer segments can change."),
                code="system_attribute",
                field=(fixed or ["options"])[0],
            )
    for name in FIXED_AFTER_CREATION:
        if name in changes and changes[name] != getattr(attribute, name):
            raise InvalidInput(
                _("The input type of an attribute cannot change once it is created."),
                code="input_type_fixed",
                field=name,
            )


def _options_problems(input_type, options: list[Mapping[str, Any]], existing) -> list[Problem]:
    if input_type not in CHOICE_TYPES:
        if options:
            return [Problem("no_options", _("Only dropdowns and multiple selects have options."),
                            field="options")]  # fmt: skip
        return []
    problems = []
    if not options:
        problems.append(Problem("required", _("Add at least one option."), field="options"))
    known_ids = {o.pk for o in existing}
    labels = [str(o.get("label") or "").strip() for o in options]
    for index, option in enumerate(options):
        if not labels[index]:
            problems.append(
                Problem("required", _("Enter the option's label."), field=f"options[{index}].label")
            )
        if option.get("id") is not None and option["id"] not in known_ids:
            problems.append(
                Problem("unknown_option", _("Unknown option."), field=f"options[{index}].id")
            )
    if len(set(labels)) != len(labels):
        problems.append(Problem("duplicate", _("Option labels must differ."), field="options"))
    return problems


def _write_options(attribute: CustomerAttribute, options: list[Mapping[str, Any]]) -> None:
    current = {o.pk: o for o in attribute.options.all()}
    for position, data in enumerate(options):
        option = current.get(data.get("id")) or AttributeOption(attribute=attribute)
        option.label = str(data["label"]).strip()
        option.labels = _clean_labels(data.get("labels") or {})
        option.sort_order = data.get("sort_order", position)
        option.save()


def _clean_labels(labels: Mapping[Any, Any]) -> dict[str, str]:
    return {str(k): str(v).strip() for k, v in labels.items() if str(v or "").strip()}


def _check_default(attribute: CustomerAttribute) -> None:
    """The default value must itself be a valid value (checked once options exist)."""
    if attribute.default_value in (None, "", []):
        return
    try:
        attribute.default_value = _clean_one(attribute, attribute.default_value)
    except ValidationError as error:
        raise InvalidInput(
            _("The default value is not valid: %(reason)s") % {"reason": error.messages[0]},
            code="invalid_default",
            field="default_value",
        ) from None
    attribute.save(update_fields=["default_value"])


def _raise_if(problems: list[Problem]) -> None:
    if problems:
        raise InvalidInput.from_problems(problems)


# --- Removal ------------------------------------------------------------------------------------


def owners_with_value(attribute: CustomerAttribute):
    model = OWNER_MODELS[attribute.entity]
    return model.objects.filter(custom_attributes__has_key=attribute.code)


def attribute_removal_impact(attribute: CustomerAttribute) -> int:
    """How many customers (or addresses) would lose their value if the attribute went."""
    return owners_with_value(attribute).count()


def option_removal_impact(attribute: CustomerAttribute, option_ids: Iterable[int]) -> int:
    """How many customers (or addresses) hold one of these options."""
    ids = set(option_ids)
    return sum(1 for _owner in _owners_holding(attribute, ids))


def _owners_holding(attribute: CustomerAttribute, ids: set[int]):
    for owner in owners_with_value(attribute).only("pk", "custom_attributes").iterator(2000):
        value = owner.custom_attributes.get(attribute.code)
        held = set(value) if isinstance(value, list) else {value}
        if held & ids:
            yield owner


def _remove_option_values(attribute: CustomerAttribute, ids: set[int]) -> None:
    if not ids:
        return
    model = OWNER_MODELS[attribute.entity]
    changed = []
    for owner in _owners_holding(attribute, ids):
        value = owner.custom_attributes[attribute.code]
        if isinstance(value, list) and [v for v in value if v not in ids]:
            owner.custom_attributes[attribute.code] = [v for v in value if v not in ids]
        else:
            del owner.custom_attributes[attribute.code]
        changed.append(owner)
    model.objects.bulk_update(changed, ["custom_attributes"], batch_size=1000)
    AttributeOption.objects.filter(attribute=attribute, pk__in=ids).delete()
    _refresh_grid(attribute, [o.pk for o in changed])


@transaction.atomic
def delete_attribute(*, attribute: CustomerAttribute, actor: Actor) -> int:
    """Delete a staff-defined attribute and its values (and files); returns how many owners
    lost a value."""
    if attribute.is_system:
        raise InvalidInput(
            _("System attributes cannot be deleted."), code="system_attribute", field="code"
        )
    model = OWNER_MODELS[attribute.entity]
    owners = list(owners_with_value(attribute).only("pk", "custom_attributes"))
    paths = []
    for owner in owners:
        value = owner.custom_attributes.pop(attribute.code)
        if attribute.input_type in FILE_TYPES and isinstance(value, dict):
            paths.append(value.get("path"))
    model.objects.bulk_update(owners, ["custom_attributes"], batch_size=1000)
    attribute.filterable_in_grid = False
    sync_grid_index(attribute)
    attribute.delete()
    _refresh_grid(attribute, [o.pk for o in owners])
    transaction.on_commit(lambda: _delete_files(paths))
    return len(owners)


def _delete_files(paths: list[str]) -> None:
    storage = storages[FILES_STORAGE]
    for path in paths:
        if path and storage.exists(path):
            storage.delete(path)


def _refresh_grid(attribute: CustomerAttribute, owner_ids: list[int]) -> None:
    from patron.customers import grid

    if not owner_ids:
        return
    if attribute.entity == AttributeEntity.CUSTOMER:
        grid.refresh_rows(owner_ids)
    else:
        customer_ids = Address.objects.filter(pk__in=owner_ids).values_list(
            "customer_id", flat=True
        )
        grid.refresh_rows(sorted(set(customer_ids)))


# --- Grid indexes -------------------------------------------------------------------------------


def grid_key(attribute: CustomerAttribute) -> str:
    """The attribute's key in the grid row's ``custom_attributes`` (see grid.build_row)."""
    from patron.customers.grid import BILLING_PREFIX

    if attribute.entity == AttributeEntity.ADDRESS:
        return f"{BILLING_PREFIX}{attribute.code}"
    return attribute.code


def grid_index_name(attribute: CustomerAttribute) -> str:
    return f"cust_grid_attr_{grid_key(attribute)}"[:63]


def sync_grid_index(attribute: CustomerAttribute) -> None:
    """Give a grid-filterable attribute an expression index on the grid row's copy of its
    value, and drop it when the attribute is no longer filterable (or deleted)."""
    if attribute.is_system:
        return
    name = grid_index_name(attribute)
    if connection.vendor == "postgresql":
        # Deferred foreign-key checks pending in this transaction would make PostgreSQL refuse
        # the index DDL ("pending trigger events"); run them now.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    if attribute.filterable_in_grid:
        expression = _json_text_sql(grid_key(attribute))
        with connection.cursor() as cursor:
            cursor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON customers_customergridrow ({expression})'
            )
    else:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')


def _json_text_sql(code: str) -> str:
    """The SQL of "the attribute's value as text" on the grid row; ``code`` is safe to inline
    (it matched CODE_PATTERN when the attribute was created)."""
    assert CODE_PATTERN.match(code)
    if connection.vendor == "postgresql":
        return f"((custom_attributes ->> '{code}'))"
    return f"json_extract(custom_attributes, '$.{code}')"


def rebuild_grid_indexes() -> tuple[int, int]:
    """Create the indexes of every filterable attribute and drop those of no attribute;
    returns (kept or created, dropped)."""
    wanted = {
        grid_index_name(a): a
        for a in CustomerAttribute.objects.filter(is_system=False, filterable_in_grid=True)
    }
    for attribute in wanted.values():
        sync_grid_index(attribute)
    dropped = 0
    with connection.cursor() as cursor:
        existing = connection.introspection.get_constraints(cursor, "customers_customergridrow")
        for name in existing:
            if name.startswith("cust_grid_attr_") and name not in wanted:
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
                dropped += 1
    return len(wanted), dropped


# --- Values -------------------------------------------------------------------------------------


def clean_values(
    entity: str,
    submitted: Mapping[str, Any] | None,
    *,
    existing: Mapping[str, Any] | None = None,
    form: str | None = None,
    creating: bool = False,
) -> dict[str, Any]:
    """The owner's new ``custom_attributes``: ``existing`` with ``submitted`` merged in, every
    value converted to its typed form, filtered and checked. A value of None or "" clears the
    attribute. On creation, defaults fill what is not given, and a required attribute must
    have a value if the path shows it (``form`` None: the API, imports and the back office,
    which show every attribute; a shopper form shows only storefront attributes assigned to
    it). Raises ``InvalidInput`` naming ``custom_attributes.<code>``."""
    definitions = {a.code: a for a in custom_attributes(entity)}
    submitted = dict(submitted or {})
    result = dict(existing or {})
    problems: list[Problem] = []
    for code in sorted(set(submitted) - set(definitions)):
        problems.append(
            Problem(
                "unknown_attribute",
                _("There is no attribute %(code)s.") % {"code": code},
                field=field_name(code),
            )
        )
    for code, attribute in definitions.items():
        shown = form is None or (
            form in attribute.forms
            and (attribute.show_on_storefront or form == AttributeForm.ADMIN_CHECKOUT)
        )
        if code in submitted:
            try:
                value = _clean_one(attribute, submitted[code], current=result.get(code))
            except ValidationError as error:
                problems.append(_problem(code, error))
                continue
            if _is_empty(value):
                result.pop(code, None)
            else:
                result[code] = value
        elif creating and not _is_empty(attribute.default_value):
            result[code] = attribute.default_value
        asked = code in submitted or creating
        if attribute.is_required and shown and asked and _is_empty(result.get(code)):
            problems.append(
                Problem(
                    "required",
                    _("%(label)s is required.") % {"label": attribute.label},
                    field=field_name(code),
                )
            )
    if problems:
        _delete_files(_new_paths(existing or {}, result, definitions))
    _raise_if(problems)
    _delete_replaced_files(existing or {}, result, definitions)
    return result


def _new_paths(old: Mapping[str, Any], new: Mapping[str, Any], definitions) -> list[str]:
    """Files this call stored (a refused change must not leave them behind)."""
    return [
        value["path"]
        for code, value in new.items()
        if code in definitions
        and definitions[code].input_type in FILE_TYPES
        and isinstance(value, Mapping)
        and value.get("path")
        and (old.get(code) or {}).get("path") != value["path"]
    ]


def _delete_replaced_files(old: Mapping[str, Any], new: Mapping[str, Any], definitions) -> None:
    """Files an owner no longer holds go once the change commits (never before: a rolled-back
    change keeps the old file)."""
    gone = [
        value["path"]
        for code, value in old.items()
        if code in definitions
        and definitions[code].input_type in FILE_TYPES
        and isinstance(value, Mapping)
        and value.get("path")
        and (new.get(code) or {}).get("path") != value["path"]
    ]
    if gone:
        transaction.on_commit(lambda: _delete_files(gone))


def _problem(code: str, error: ValidationError) -> Problem:
    return Problem(error.code or "invalid", error.messages[0], field=field_name(code))


def _is_empty(value: Any) -> bool:
    if isinstance(value, list):
        return not any(v not in (None, "") for v in value)
    return value is None or value == ""


def _clean_one(attribute: CustomerAttribute, raw: Any, current: Any = None) -> Any:
    """One value in its stored form; raises ``ValidationError`` saying what is wrong."""
    if _is_empty(raw) or (isinstance(raw, str) and not raw.strip()):
        return None
    cleaner = _CLEANERS[attribute.input_type]
    return (
        cleaner(attribute, raw, current)
        if attribute.input_type in FILE_TYPES
        else cleaner(attribute, raw)
    )


def _clean_text(attribute: CustomerAttribute, raw: Any) -> str:
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        raise ValidationError(_("Enter text."), code="invalid_type")
    if isinstance(raw, str) and _CONTROL.search(raw):
        raise ValidationError(
            _("Remove the control characters from the text."), code="invalid_characters"
        )
    value = _filtered(attribute, str(raw).strip())
    if attribute.input_type == InputType.TEXTAREA:
        value = sanitize_html(value)
    _check_text(attribute, value)
    return value


def _filtered(attribute: CustomerAttribute, value: str) -> str:
    if attribute.input_filter == InputFilter.STRIP_TAGS:
        return strip_tags(value).strip()
    if attribute.input_filter == InputFilter.ESCAPE_HTML:
        # Unescaped first, so saving a stored value again does not escape it twice.
        escaped = html.escape(html.unescape(value), quote=False)
        return "".join(_NAMED_ENTITIES.get(char, char) for char in escaped)
    return value


# Beyond <, > and &: the typographic characters spec b §4 names, as named entities.
_NAMED_ENTITIES = {
    "‘": "&lsquo;", "’": "&rsquo;", "“": "&ldquo;", "”": "&rdquo;", "©": "&copy;",
    "®": "&reg;", "™": "&trade;",
}  # fmt: skip


_TEXT_RULES = {
    InputValidation.ALPHANUMERIC: (
        re.compile(r"^[0-9A-Za-z]*$"), gettext_lazy("Use only letters (a-z, A-Z) and digits (0-9)."),
    ),
    InputValidation.ALPHANUMERIC_WITH_SPACES: (
        re.compile(r"^[0-9A-Za-z ]*$"),
        gettext_lazy("Use only letters (a-z, A-Z), digits (0-9) and spaces."),
    ),
    InputValidation.NUMERIC: (re.compile(r"^[0-9]*$"), gettext_lazy("Use only digits (0-9).")),
    InputValidation.ALPHA: (re.compile(r"^[A-Za-z]*$"), gettext_lazy("Use only letters (a-z, A-Z).")),
}  # fmt: skip


def _check_text(attribute: CustomerAttribute, value: str) -> None:
    rule = _TEXT_RULES.get(attribute.validation)
    if rule and not rule[0].match(value):
        raise ValidationError(str(rule[1]), code="invalid_characters")
    if attribute.validation == InputValidation.URL:
        try:
            URLValidator()(value)
        except ValidationError:
            raise ValidationError(_("Enter a valid URL."), code="invalid_url") from None
    if attribute.validation == InputValidation.EMAIL:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(_("Enter a valid email address."), code="invalid_email") from None
    if attribute.min_length is not None and len(value) < attribute.min_length:
        raise ValidationError(
            _("Enter at least %(count)d characters.") % {"count": attribute.min_length},
            code="too_short",
        )
    if attribute.max_length is not None and len(value) > attribute.max_length:
        raise ValidationError(
            _("Enter at most %(count)d characters.") % {"count": attribute.max_length},
            code="too_long",
        )


def _clean_multiline(attribute: CustomerAttribute, raw: Any) -> list[str]:
    lines = raw.splitlines() if isinstance(raw, str) else raw
    if not isinstance(lines, list):
        raise ValidationError(_("Enter lines of text."), code="invalid_type")
    lines = [_clean_text(attribute, line) if line not in (None, "") else "" for line in lines]
    while lines and not lines[-1]:
        lines.pop()
    if len(lines) > attribute.multiline_count:
        raise ValidationError(
            _("Enter at most %(count)d lines.") % {"count": attribute.multiline_count},
            code="too_many_lines",
        )
    return lines


def _clean_date(attribute: CustomerAttribute, raw: Any) -> str:
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    try:
        value = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ValidationError(_("Enter a date as YYYY-MM-DD."), code="invalid_date") from None
    if attribute.date_min and value < attribute.date_min:
        raise ValidationError(
            _("Enter a date on or after %(date)s.") % {"date": attribute.date_min.isoformat()},
            code="date_too_early",
        )
    if attribute.date_max and value > attribute.date_max:
        raise ValidationError(
            _("Enter a date on or before %(date)s.") % {"date": attribute.date_max.isoformat()},
            code="date_too_late",
        )
    return value.isoformat()


def _clean_boolean(attribute: CustomerAttribute, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes"):
        return True
    if text in ("0", "false", "no"):
        return False
    raise ValidationError(_("Choose Yes or No."), code="invalid_boolean")


def _option_id(attribute: CustomerAttribute, raw: Any) -> int:
    ids = {o.pk for o in attribute.options.all()}
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = None
    if isinstance(raw, bool) or value not in ids:
        raise ValidationError(
            _("%(value)s is not one of the options.") % {"value": raw}, code="invalid_option"
        )
    return value


def option_ids_from_text(attribute: CustomerAttribute, text: str) -> str:
    """A dropdown or multiple-select value written as text (by an export, by Magento or by
    hand) with option labels turned into option ids: labels match whatever their case, ids
    are kept, and anything else is left for ``clean_values`` to refuse by name. A multiple
    select separates its options with commas, unless the whole text is one option's label."""
    by_label = {option.label.strip().casefold(): option.pk for option in attribute.options.all()}
    whole = by_label.get(text.strip().casefold())
    if whole is not None:
        return str(whole)
    if attribute.input_type != InputType.MULTISELECT:
        return text
    parts = (part.strip() for part in text.split(","))
    return ",".join(str(by_label.get(part.casefold(), part)) for part in parts if part)


def _clean_select(attribute: CustomerAttribute, raw: Any) -> int:
    return _option_id(attribute, raw)


def _clean_multiselect(attribute: CustomerAttribute, raw: Any) -> list[int]:
    values = raw if isinstance(raw, list | tuple) else str(raw).split(",")
    return sorted({_option_id(attribute, v) for v in values if v not in (None, "")})


@dataclass(frozen=True)
class FileUpload:
    """A file sent through the API: its name and base64 content."""

    name: str
    content: bytes


def _clean_file(attribute: CustomerAttribute, raw: Any, current: Any) -> dict[str, Any]:
    """Keep a stored file (its dict sent back unchanged), or check and store a new one."""
    if isinstance(raw, Mapping) and "path" in raw:
        if isinstance(current, Mapping) and raw.get("path") == current.get("path"):
            return dict(current)
        raise ValidationError(_("Upload the file again."), code="invalid_file")
    upload = _as_upload(raw)
    name = get_valid_filename_or_default(upload.name)
    extension = PurePath(name).suffix.lower().lstrip(".")
    allowed = [
        e.strip().lower().lstrip(".") for e in attribute.file_extensions.split(",") if e.strip()
    ]
    if attribute.input_type == InputType.IMAGE and not allowed:
        allowed = ["jpg", "jpeg", "png", "gif", "webp"]
    if allowed and extension not in allowed:
        raise ValidationError(
            _("Upload a file of type %(types)s.") % {"types": ", ".join(allowed)},
            code="invalid_extension",
        )
    if attribute.max_file_size and len(upload.content) > attribute.max_file_size:
        raise ValidationError(
            _("The file must be at most %(size)d bytes.") % {"size": attribute.max_file_size},
            code="file_too_large",
        )
    content_type = (
        _checked_image_type(attribute, upload.content)
        if attribute.input_type == (InputType.IMAGE)
        else _guess_type(name)
    )
    path = storages[FILES_STORAGE].save(
        f"{attribute.entity}/{attribute.code}/{name}", ContentFile(upload.content)
    )
    return {"path": path, "name": name, "size": len(upload.content), "content_type": content_type}


def get_valid_filename_or_default(name: str) -> str:
    """A storage-safe file name: path parts dropped, odd characters removed ("file" when
    nothing is left, e.g. for "..")."""
    from django.core.exceptions import SuspiciousFileOperation
    from django.utils.text import get_valid_filename

    try:
        return get_valid_filename(PurePath(str(name)).name)
    except SuspiciousFileOperation:
        return "file"


def _as_upload(raw: Any) -> FileUpload:
    if isinstance(raw, UploadedFile):
        return FileUpload(raw.name or "file", raw.read())
    if isinstance(raw, FileUpload):
        return raw
    if isinstance(raw, Mapping) and "content_base64" in raw:
        try:
            content = base64.b64decode(str(raw["content_base64"]), validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError(
                _("The file content is not valid base64."), code="invalid_file"
            ) from None
        return FileUpload(str(raw.get("name") or "file"), content)
    raise ValidationError(_("Send a file: its name and content_base64."), code="invalid_file")


def _checked_image_type(attribute: CustomerAttribute, content: bytes) -> str:
    from io import BytesIO

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(BytesIO(content)) as image:
            image.verify()
            width, height, kind = image.width, image.height, image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(_("Upload a valid image."), code="invalid_image") from None
    too_wide = attribute.image_max_width and width > attribute.image_max_width
    too_high = attribute.image_max_height and height > attribute.image_max_height
    if too_wide or too_high:
        raise ValidationError(
            _("The image must be at most %(width)s × %(height)s pixels.")
            % {
                "width": attribute.image_max_width or "∞",
                "height": attribute.image_max_height or "∞",
            },
            code="image_too_large",
        )
    return Image.MIME.get(kind, "application/octet-stream")


def _guess_type(name: str) -> str:
    import mimetypes

    return mimetypes.guess_type(name)[0] or "application/octet-stream"


_CLEANERS = {
    InputType.TEXT: _clean_text,
    InputType.TEXTAREA: _clean_text,
    InputType.MULTILINE: _clean_multiline,
    InputType.DATE: _clean_date,
    InputType.BOOLEAN: _clean_boolean,
    InputType.SELECT: _clean_select,
    InputType.MULTISELECT: _clean_multiselect,
    InputType.FILE: _clean_file,
    InputType.IMAGE: _clean_file,
}


# --- Reading ------------------------------------------------------------------------------------


def label_for(attribute_or_option, store_view=None) -> str:
    """The label on ``store_view`` when one is set for it, else the default label."""
    if store_view is not None:
        label = (attribute_or_option.labels or {}).get(str(store_view.pk))
        if label:
            return label
    return attribute_or_option.label


def display_value(attribute: CustomerAttribute, value: Any, store_view=None) -> str:
    """A value as people read it: option labels, Yes/No, lines joined, a file's name."""
    if _is_empty(value):
        return ""
    if attribute.input_type in CHOICE_TYPES:
        options = {o.pk: label_for(o, store_view) for o in attribute.options.all()}
        ids = value if isinstance(value, list) else [value]
        return ", ".join(options.get(v, str(v)) for v in ids)
    if attribute.input_type == InputType.BOOLEAN:
        return _("Yes") if value else _("No")
    if attribute.input_type == InputType.MULTILINE:
        return "\n".join(value)
    if attribute.input_type in FILE_TYPES:
        return value.get("name", "") if isinstance(value, Mapping) else ""
    return str(value)


def open_file(owner, code: str):
    """The stored file of an owner's file or image attribute (for a view that has already
    checked who may see it); None when there is none."""
    value = (owner.custom_attributes or {}).get(code)
    if not isinstance(value, Mapping) or not value.get("path"):
        return None
    storage = storages[FILES_STORAGE]
    if not storage.exists(value["path"]):
        return None
    return storage.open(value["path"], "rb"), value


def attribute_label(attribute: CustomerAttribute, store_view=None) -> str:
    """The label people read: a system attribute's is its model field's name, translated; a
    staff-defined one's is the store view's label or the default label."""
    if attribute.is_system:
        model = OWNER_MODELS[attribute.entity]
        name = (
            attribute.code.removesuffix("_id") if attribute.code != "country_id" else "country_id"
        )
        try:
            return str(capfirst(model._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:
            return attribute.label
    return label_for(attribute, store_view)


# --- Lookups for the API (appended by the attributes API) ---------------------------------------


def list_attributes(entity: str) -> list[CustomerAttribute]:
    """Every attribute of ``entity``, system ones included, in sort order, with options."""
    return list(
        CustomerAttribute.objects.filter(entity=entity)
        .prefetch_related("options")
        .order_by("sort_order", "code")
    )


def get_attribute(entity: str, code: str) -> CustomerAttribute:
    """The attribute ``code`` of ``entity`` with its options; raises ``NotFound``
    (``attribute_not_found``)."""
    from patron.core.errors import NotFound

    try:
        return CustomerAttribute.objects.prefetch_related("options").get(entity=entity, code=code)
    except CustomerAttribute.DoesNotExist:
        raise NotFound(
            _("There is no attribute %(code)s.") % {"code": code},
            code="attribute_not_found",
            field="code",
        ) from None


def grid_value_sql(attribute: CustomerAttribute):
    """Return the grid row's value of ``attribute`` as an expression written exactly as its grid
    index is (see :func:`sync_grid_index`), so that equality and range filters on it can use
    that index. PostgreSQL gives text (``true``, ``12``, ``2026-03-01``, ``[1, 2]``); SQLite
    gives the JSON scalar as its own SQL type (1 for true, 12) and arrays as JSON text."""
    from django.db.models import TextField
    from django.db.models.expressions import RawSQL

    # The code matched CODE_PATTERN (checked again by _json_text_sql): nothing else is inlined.
    sql = _json_text_sql(grid_key(attribute))
    return RawSQL(sql, (), output_field=TextField())  # noqa: S611


# --- Staff action log ---------------------------------------------------------------------------


def record_attribute_change(
    *,
    attribute: CustomerAttribute,
    actor: Actor,
    change: str,
    count: int | None = None,
    details: Mapping[str, Any] | None = None,
):
    """Add the staff action log entry of a change to an attribute definition (``change``:
    "created", "changed" or "deleted"; ``count``: the customers or addresses that lost a value),
    in the caller's transaction, so a change that rolls back leaves none. Patron's own changes
    (migrations, demo data) are not logged; returns the entry or None."""
    from patron.staff.models import StaffActionKind
    from patron.staff.services import record_staff_action

    if actor.kind not in ("staff", "integration"):
        return None
    return record_staff_action(
        actor=actor,
        action=StaffActionKind.CONFIGURATION,
        target=_("%(entity)s attribute %(code)s")
        % {"entity": AttributeEntity(attribute.entity).label, "code": attribute.code},
        count=count,
        details={
            "change": change,
            "entity": attribute.entity,
            "code": attribute.code,
            **(details or {}),
        },
    )
