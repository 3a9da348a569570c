"""One mapping of service errors onto Django forms, for every admin class and form view."""

from django import forms

from patron.core.errors import PatronError


def add_errors_to_form(form: forms.BaseForm, error: PatronError) -> None:
    """Attach each problem of ``error`` to its form field (or to the form when it has none)."""
    problems = error.problems or []
    if not problems:
        field = error.field if error.field in form.fields else None
        form.add_error(field, str(error.message))
        return
    for problem in problems:
        field = problem.field if problem.field in form.fields else None
        form.add_error(field, str(problem.message))


class ReadOnlyAdminMixin:
    """For logs and records made by Patron itself: staff look, nobody adds, edits or deletes."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
