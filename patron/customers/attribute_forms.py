"""Form fields of custom customer and address attributes (spec b §4–5), for the shopper pages
and the back office alike.

The fields only parse what the browser sends and mirror "Values Required"; the one validation
of the values is ``attributes.clean_values``, reached through the customer services. A form
gets its fields from :func:`add_attribute_fields`, hands :func:`submitted_attributes` to the
service as ``custom_attributes``, and puts the service's problems back on its fields with
:func:`add_errors`. :func:`file_response` serves a stored file to a reader the view has
already checked.
"""

import copy
import dataclasses
import datetime as dt
import html
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from patron.core.admin_helpers import add_errors_to_form
from patron.core.errors import PatronError
from patron.customers import attributes
from patron.customers.models import CustomerAttribute, InputFilter, InputType, InputValidation

FIELD_PREFIX = "attr_"
PROBLEM_PREFIX = "custom_attributes."
# What the service accepts for an image when the attribute names no extensions.
IMAGE_ACCEPT = "image/*"
# The stored file types a browser may show in the page instead of downloading them: raster
# images whose type the image check read from the content (never SVG, which can carry script).
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})

FileUrl = Callable[[str], str]


def storefront_attributes(entity: str, form: str | None = None) -> list[CustomerAttribute]:
    """The attributes of ``entity`` shoppers see, in sort order: those shown on the storefront
    and, with ``form``, assigned to that form."""
    definitions = (
        attributes.custom_attributes(entity)
        if form is None
        else attributes.attributes_for_form(entity, form)
    )
    return [attribute for attribute in definitions if attribute.show_on_storefront]


def form_field_name(code: str) -> str:
    """The form field of attribute ``code``."""
    return f"{FIELD_PREFIX}{code}"


# --- Widgets and fields -------------------------------------------------------------------------


class LinesWidget(forms.MultiWidget):
    """One text input per line of a Multiple Line attribute."""

    def __init__(self, count: int, attrs=None):
        lines = [
            forms.TextInput(attrs={"aria-label": gettext("Line %(number)d") % {"number": number}})
            for number in range(1, count + 1)
        ]
        super().__init__(lines, attrs)

    def decompress(self, value):
        return _padded_lines(value, len(self.widgets))


class LinesField(forms.MultiValueField):
    """A Multiple Line attribute: its lines as a list, trailing empty lines kept for the
    service to drop."""

    def __init__(self, count: int, **kwargs):
        lines = [forms.CharField(required=False) for _line in range(count)]
        super().__init__(lines, require_all_fields=False, widget=LinesWidget(count), **kwargs)

    def compress(self, data_list):
        return list(data_list or [])


class StoredFileInput(forms.ClearableFileInput):
    """The file input of a File or Image attribute: the current file as a link, a "Remove"
    checkbox when the value is optional, and a new file to upload."""

    clear_checkbox_label = _("Remove")


@dataclasses.dataclass(frozen=True)
class StoredFile:
    """The current file of an owner, as the file input shows it (``url`` is where the reader
    downloads it, or "" when the page has no download link)."""

    name: str
    url: str
    value: Mapping[str, Any]

    def __str__(self) -> str:
        return self.name


def _padded_lines(value: Any, count: int) -> list[str]:
    lines = value.splitlines() if isinstance(value, str) else list(value or [])
    lines = [str(line) for line in lines[:count]]
    return lines + [""] * (count - len(lines))


# --- Building -----------------------------------------------------------------------------------


def attribute_fields(
    definitions: Iterable[CustomerAttribute],
    *,
    values: Mapping[str, Any] | None = None,
    store_view=None,
    file_url: FileUrl | None = None,
    use_defaults: bool = False,
) -> dict[str, forms.Field]:
    """Return a form field per attribute, in the order given (the sort order), named
    ``attr_<code>``, labelled for ``store_view`` (None: the default labels, as in the back
    office) and showing the owner's current ``values`` (or, with ``use_defaults``, the
    attributes' default values: a form that creates the owner). ``file_url(code)`` is the
    download address of the owner's stored file of ``code``."""
    values = values or {}
    fields: dict[str, forms.Field] = {}
    for attribute in definitions:
        current = values.get(attribute.code)
        if current is None and use_defaults:
            current = attribute.default_value
        field = _field(attribute, store_view)
        field.initial = _initial(attribute, current, file_url)
        fields[form_field_name(attribute.code)] = field
    return fields


def add_attribute_fields(
    form: forms.BaseForm, definitions: Iterable[CustomerAttribute], **options: Any
) -> list[str]:
    """Add the attributes' fields (see :func:`attribute_fields`) at the end of ``form`` and
    remember the definitions for :func:`submitted_attributes`; return the field names."""
    definitions = list(definitions)
    fields = attribute_fields(definitions, **options)
    form.fields.update(fields)
    form.attribute_definitions = definitions
    return list(fields)


def _field(attribute: CustomerAttribute, store_view) -> forms.Field:
    options: dict[str, Any] = {
        "label": attributes.label_for(attribute, store_view),
        "required": attribute.is_required,
    }
    kind = attribute.input_type
    if kind in (InputType.TEXT, InputType.TEXTAREA):
        if kind == InputType.TEXTAREA:
            widget = forms.Textarea(attrs={"rows": 4})
        else:
            widget = _text_input(attribute)
        return forms.CharField(widget=widget, help_text=_length_help(attribute), **options)
    if kind == InputType.MULTILINE:
        return LinesField(attribute.multiline_count, help_text=_length_help(attribute), **options)
    if kind == InputType.DATE:
        limits = {
            name: value.isoformat()
            for name, value in (("min", attribute.date_min), ("max", attribute.date_max))
            if value
        }
        return forms.DateField(
            widget=forms.DateInput(attrs={"type": "date", **limits}, format="%Y-%m-%d"),
            help_text=_date_help(attribute),
            **options,
        )
    if kind == InputType.BOOLEAN:
        choices = [("1", _("Yes")), ("0", _("No"))]
        if not attribute.is_required:
            choices.insert(0, ("", "—"))
        return forms.ChoiceField(choices=choices, **options)
    if kind == InputType.SELECT:
        return forms.ChoiceField(choices=[("", "—"), *_choices(attribute, store_view)], **options)
    if kind == InputType.MULTISELECT:
        return forms.MultipleChoiceField(
            choices=_choices(attribute, store_view), widget=forms.CheckboxSelectMultiple, **options
        )
    accept = _accept(attribute)
    return forms.FileField(
        widget=StoredFileInput(attrs={"accept": accept} if accept else {}),
        help_text=_file_help(attribute),
        **options,
    )


def _text_input(attribute: CustomerAttribute) -> forms.TextInput:
    if attribute.validation == InputValidation.EMAIL:
        return forms.EmailInput()
    if attribute.validation == InputValidation.URL:
        return forms.URLInput()
    if attribute.validation == InputValidation.NUMERIC:
        return forms.TextInput(attrs={"inputmode": "numeric"})
    return forms.TextInput()


def _choices(attribute: CustomerAttribute, store_view) -> list[tuple[str, str]]:
    return [(str(o.pk), attributes.label_for(o, store_view)) for o in attribute.options.all()]


def _accept(attribute: CustomerAttribute) -> str:
    extensions = [
        f".{e.strip().lower().lstrip('.')}"
        for e in attribute.file_extensions.split(",")
        if e.strip()
    ]
    if extensions:
        return ",".join(extensions)
    return IMAGE_ACCEPT if attribute.input_type == InputType.IMAGE else ""


def _length_help(attribute: CustomerAttribute) -> str:
    low, high = attribute.min_length, attribute.max_length
    if low is not None and high is not None:
        return _("Between %(min)d and %(max)d characters.") % {"min": low, "max": high}
    if low is not None:
        return _("At least %(min)d characters.") % {"min": low}
    if high is not None:
        return _("At most %(max)d characters.") % {"max": high}
    return ""


def _date_help(attribute: CustomerAttribute) -> str:
    low, high = attribute.date_min, attribute.date_max
    shown = {"min": _date_text(low), "max": _date_text(high)}
    if low and high:
        return _("From %(min)s to %(max)s.") % shown
    if low:
        return _("On or after %(min)s.") % shown
    if high:
        return _("On or before %(max)s.") % shown
    return ""


def _date_text(value: dt.date | None) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else ""


def _file_help(attribute: CustomerAttribute) -> str:
    parts = []
    accept = _accept(attribute)
    if accept and accept != IMAGE_ACCEPT:
        parts.append(_("Allowed types: %(types)s.") % {"types": accept.replace(",", ", ")})
    if attribute.max_file_size:
        size = formats.number_format(attribute.max_file_size, force_grouping=True)
        parts.append(_("At most %(size)s bytes.") % {"size": size})
    if attribute.image_max_width or attribute.image_max_height:
        parts.append(
            _("At most %(width)s × %(height)s pixels.")
            % {
                "width": attribute.image_max_width or "∞",
                "height": attribute.image_max_height or "∞",
            }
        )
    return " ".join(str(part) for part in parts)


def _initial(attribute: CustomerAttribute, value: Any, file_url: FileUrl | None) -> Any:
    """The stored value as the field shows it."""
    if value in (None, "", []):
        return None
    kind = attribute.input_type
    if kind in attributes.FILE_TYPES:
        if not isinstance(value, Mapping) or not value.get("path"):
            return None
        url = file_url(attribute.code) if file_url else ""
        return StoredFile(str(value.get("name") or ""), url, dict(value))
    if kind == InputType.BOOLEAN:
        return "1" if value is True else "0" if value is False else None
    if kind == InputType.SELECT:
        return str(value)
    if kind == InputType.MULTISELECT:
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]
    if kind == InputType.DATE:
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            return None
    if kind == InputType.MULTILINE:
        return [
            _unfiltered(attribute, line) for line in _padded_lines(value, attribute.multiline_count)
        ]
    return _unfiltered(attribute, str(value))


def _unfiltered(attribute: CustomerAttribute, text: str) -> str:
    """What the person typed: the service stores escaped text for Escape HTML Entities, so the
    form shows it unescaped (else each save would escape it once more)."""
    if attribute.input_filter == InputFilter.ESCAPE_HTML:
        return html.unescape(text)
    return text


# --- Submitting ---------------------------------------------------------------------------------


def submitted_attributes(form: forms.BaseForm) -> dict[str, Any]:
    """The ``custom_attributes`` of a valid form, for the customer services: every shown value
    ("" or an empty list clears one), a new upload as the file, None for a ticked "Remove";
    a stored file left alone is not sent, so it stays."""
    values: dict[str, Any] = {}
    for attribute in getattr(form, "attribute_definitions", ()):
        name = form_field_name(attribute.code)
        if name not in form.cleaned_data or form.fields[name].disabled:
            continue
        value = form.cleaned_data[name]
        if attribute.input_type in attributes.FILE_TYPES:
            if value is False:
                values[attribute.code] = None
            elif isinstance(value, UploadedFile):
                values[attribute.code] = value
            continue
        values[attribute.code] = value
    return values


def add_errors(form: forms.BaseForm, error: PatronError) -> None:
    """Like ``add_errors_to_form``, with the problems of ``custom_attributes.<code>`` on the
    field of ``code``."""
    renamed = copy.copy(error)
    renamed.field = _form_field(error.field)
    renamed.problems = [
        dataclasses.replace(problem, field=_form_field(problem.field)) for problem in error.problems
    ]
    add_errors_to_form(form, renamed)


def _form_field(field: str | None) -> str | None:
    if field and field.startswith(PROBLEM_PREFIX):
        return form_field_name(field.removeprefix(PROBLEM_PREFIX))
    return field


# --- Reading ------------------------------------------------------------------------------------


def shown_values(
    definitions: Iterable[CustomerAttribute],
    values: Mapping[str, Any] | None,
    *,
    store_view=None,
    file_url: FileUrl | None = None,
) -> list[dict[str, str]]:
    """The owner's values of ``definitions`` that are set, as people read them: each a dict
    with ``label``, ``text`` and ``url`` (a file's download address, else "")."""
    values = values or {}
    shown = []
    for attribute in definitions:
        text = attributes.display_value(attribute, values.get(attribute.code), store_view)
        if not text:
            continue
        is_file = attribute.input_type in attributes.FILE_TYPES
        shown.append(
            {
                "label": attributes.label_for(attribute, store_view),
                "text": text,
                "url": file_url(attribute.code) if is_file and file_url else "",
            }
        )
    return shown


def file_attribute(entity: str, code: str) -> CustomerAttribute:
    """The File or Image attribute ``code`` of ``entity``; raises ``Http404`` for any other."""
    attribute = CustomerAttribute.objects.filter(
        entity=entity, code=code, is_system=False, input_type__in=attributes.FILE_TYPES
    ).first()
    if attribute is None:
        raise Http404
    return attribute


def file_response(owner, attribute: CustomerAttribute) -> FileResponse:
    """Stream the owner's stored file of ``attribute`` from the private storage: images the
    image check recognized inline, anything else as an attachment; never sniffed or cached by
    shared caches. Raises ``Http404`` when the owner has no such file."""
    opened = attributes.open_file(owner, attribute.code)
    if opened is None:
        raise Http404
    handle, value = opened
    content_type = str(value.get("content_type") or "application/octet-stream")
    inline = attribute.input_type == InputType.IMAGE and content_type in INLINE_TYPES
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=str(value.get("name") or "file"),
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
