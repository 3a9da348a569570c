"""The form of Customers > Segments' segment page: General Properties and the condition tree.

It only parses what staff typed into the keyword arguments of ``create_segment`` and
``update_segment`` (the field names are the services', so their problems land on their field);
every rule is checked by :mod:`patron.segments.services` and :mod:`patron.segments.trees`.
The tree comes as JSON (the builder's, or typed) or, when the page's script edits it as query
text (``editor`` is "text"), as text that :mod:`patron.segments.query` parses.
"""

import json
import re
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patron.core.errors import PatronError, Problem
from patron.scopes.models import Website
from patron.segments import query
from patron.segments.models import ApplyTo, Segment

STATUS_CHOICES = (("1", gettext_lazy("Active")), ("0", gettext_lazy("Inactive")))
# Which box the tree is saved from: the JSON the builder writes, or the query text.
EDITOR_CHOICES = (("json", "json"), ("text", "text"))
# Problems of the condition tree carry its path: "conditions", "conditions.conditions[1].value".
CONDITION_PATH = re.compile(r"^conditions(?:$|[.\[])")
PATH_STEP = re.compile(r"conditions\[(\d+)\]")


class SegmentForm(forms.Form):
    """General Properties, plus the conditions once the segment exists (``segment`` given).

    Apply To is fixed after the first save: on an existing segment the field is disabled, so
    Django keeps the stored value whatever is posted. With one website (single-store mode) the
    website field is left out and the segment is assigned to that website.
    """

    # Not required here: the service refuses an empty name (or no website) in its own words.
    name = forms.CharField(
        label=gettext_lazy("Segment Name"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 255, "required": True}),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )
    websites = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Assigned to Website"),
        queryset=Website.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4, "required": True}),
    )
    is_active = forms.TypedChoiceField(
        label=gettext_lazy("Status"),
        choices=STATUS_CHOICES,
        coerce=lambda value: value == "1",
        initial="1",
    )
    apply_to = forms.ChoiceField(
        label=gettext_lazy("Apply To"),
        choices=ApplyTo.choices,
        initial=ApplyTo.BOTH,
        help_text=gettext_lazy(
            "Decides which conditions are offered; it cannot be changed after the first save. "
            "Choose Registered Customers for segments built on account information."
        ),
    )
    conditions = forms.CharField(
        label=gettext_lazy("Conditions as JSON"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 80, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "The condition tree the builder edits; it can also be edited here directly."
        ),
    )
    query = forms.CharField(
        label=gettext_lazy("Conditions as text"),
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={
                "rows": 8,
                "cols": 80,
                "spellcheck": "false",
                "autocomplete": "off",
                "aria-describedby": "query-error id_query_helptext",
            }
        ),
        help_text=gettext_lazy(
            "For example: orders.count(status: complete, within: 90d) >= 2 and "
            'address.any(city contains "Berl")'
        ),
    )
    editor = forms.ChoiceField(
        choices=EDITOR_CHOICES, required=False, initial="json", widget=forms.HiddenInput
    )

    def __init__(
        self,
        data=None,
        *,
        segment: Segment | None = None,
        websites: list[Website],
        single_website: Website | None = None,
        read_only: bool = False,
    ):
        initial: dict[str, Any] = {}
        if segment is not None:
            initial = {
                "name": segment.name,
                "description": segment.description,
                "websites": list(segment.websites.all()),
                "is_active": "1" if segment.is_active else "0",
                "apply_to": segment.apply_to,
                "conditions": json.dumps(segment.conditions, indent=2, ensure_ascii=False),
                "query": query.to_text(segment.conditions),
                "editor": "json",
            }
        super().__init__(data, initial=initial)
        self.segment = segment
        self.single_website = single_website
        if self.single_website is not None:
            del self.fields["websites"]
        else:
            self.fields["websites"].queryset = Website.objects.filter(
                pk__in=[website.pk for website in websites]
            ).order_by("sort_order", "name")
        if segment is None:
            for name in ("conditions", "query", "editor"):
                del self.fields[name]
        else:
            self.fields["apply_to"].disabled = True
            self.fields["apply_to"].help_text = gettext_lazy("Fixed after the first save.")
        if read_only:
            for field in self.fields.values():
                field.disabled = True

    def editor_value(self) -> str:
        """The box the tree is edited in: "text" when the query text was posted, else "json"."""
        if "editor" not in self.fields:
            return "json"
        return "text" if self["editor"].value() == "text" else "json"

    def clean_conditions(self):
        if self.editor_value() == "text":
            return self._parsed_query()
        text = self.cleaned_data.get("conditions", "")
        if not text.strip():
            return None
        try:
            return json.loads(text)
        except ValueError as error:
            raise forms.ValidationError(
                _("Enter the conditions as JSON (%(error)s).") % {"error": error}
            ) from None

    def _parsed_query(self):
        """The tree of the posted query text, checked; its problems go under the text box at
        their line and column. The JSON box shown again holds that tree."""
        text = self.data.get(self.add_prefix("query"), "")
        try:
            written = query.parse(text)
            self.data = self.data.copy()
            self.data[self.add_prefix("conditions")] = json.dumps(
                written, indent=2, ensure_ascii=False
            )
            return query.parse_and_check(text, self.segment.apply_to)
        except query.QuerySyntaxError as error:
            for problem in error.query_problems:
                self.add_error("query", syntax_message(problem))
            raise forms.ValidationError(
                _("Correct the query text, then save again."), code="query"
            ) from None

    def service_arguments(self) -> dict[str, Any]:
        """The keyword arguments of ``create_segment`` (new) or ``update_segment``."""
        data = self.cleaned_data
        arguments: dict[str, Any] = {
            "name": data["name"],
            "description": data["description"],
            "is_active": data["is_active"],
        }
        if "websites" in self.fields:
            arguments["websites"] = list(data["websites"])
        elif self.segment is None:
            arguments["websites"] = [self.single_website]
        if self.segment is None:
            arguments["apply_to"] = data["apply_to"]
        else:
            arguments["conditions"] = data["conditions"]
        return arguments

    def add_service_errors(self, error: PatronError) -> dict[str, list[str]]:
        """Put the service's problems next to their fields and return those of the condition
        tree by path (the builder shows each next to its node)."""
        problems = error.problems or [Problem(error.code, str(error.message), field=error.field)]
        by_path: dict[str, list[str]] = {}
        for problem in problems:
            field = problem.field or ""
            if CONDITION_PATH.match(field) and "conditions" in self.fields:
                by_path.setdefault(field, []).append(str(problem.message))
            elif field in self.fields and not self.fields[field].disabled:
                self.add_error(field, str(problem.message))
            else:
                self.add_error(None, str(problem.message))
        if by_path:
            self.add_error("conditions", _("Correct the conditions marked below, then save again."))
        return by_path


def describe_path(path: str) -> str:
    """Where a problem of the condition tree is, in words: "conditions.conditions[1]
    .conditions[0].value" is "Condition 2.1: value"."""
    steps = [str(int(index) + 1) for index in PATH_STEP.findall(path)]
    rest = path.rsplit("]", 1)[-1].lstrip(".") if steps else path.removeprefix("conditions")
    rest = rest.lstrip(".")
    where = _("Condition %(number)s") % {"number": ".".join(steps)} if steps else _("Top condition")
    return f"{where}: {rest}" if rest else where


def syntax_message(problem) -> str:
    """A problem of the query text with its place: "Line 2, column 14: expected a value"."""
    return _("Line %(line)d, column %(column)d: %(message)s") % {
        "line": problem.line,
        "column": problem.column,
        "message": problem.message,
    }
