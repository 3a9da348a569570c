from django import forms
from django.utils.translation import gettext_lazy as _

from patron.transfer import services
from patron.transfer.models import ImportBehavior, ImportEntity


class ImportForm(forms.Form):
    """System > Data Transfer > Import: the file and how to import it."""

    entity = forms.ChoiceField(label=_("Entity Type"), choices=ImportEntity.choices)
    behavior = forms.ChoiceField(label=_("Import Behavior"), choices=ImportBehavior.choices)
    allowed_errors = forms.IntegerField(
        label=_("Allowed Errors Count"), min_value=0, initial=services.DEFAULT_ALLOWED_ERRORS
    )
    website_map = forms.CharField(
        label=_("Website Mapping"),
        required=False,
        help_text=_(
            "Magento website codes that differ from Patron's, as MAGENTO_CODE=PATRON_CODE "
            "separated by commas, e.g. admin=base."
        ),
    )
    file = forms.FileField(label=_("Select File to Import"))
