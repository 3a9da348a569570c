from django.db import models
from django.utils.translation import gettext_lazy as _

from patron.core import history


class AssistanceKind(models.TextChoices):
    STARTED = "assistance_started", _("Staff logged in as the customer")
    ENDED = "assistance_ended", _("Staff ended the Login as Customer session")


def register() -> None:
    history.register_kinds(AssistanceKind)
