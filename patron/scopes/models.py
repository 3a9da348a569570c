import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

code_validator = RegexValidator(
    r"^[a-z][a-z0-9_]{0,31}$",
    _("Use 1 to 32 lowercase letters, digits or underscores, starting with a letter."),
    code="invalid_code",
)


def validate_time_zone(value: str) -> None:
    if value and value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a known time zone."),
            code="unknown_time_zone",
            params={"value": value},
        )


def validate_language(value: str) -> None:
    if value not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationError(
            _("Patron has no translation for the language %(value)s."),
            code="unknown_language",
            params={"value": value},
        )


class Website(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=255)
    sort_order = models.IntegerField(_("sort order"), default=0)
    is_default = models.BooleanField(_("default website"), default=False)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    base_currency = models.CharField(
        _("base currency"),
        max_length=3,
        default="USD",
        validators=[RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO 4217 code."))],
    )

    class Meta:
        verbose_name = _("website")
        verbose_name_plural = _("websites")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="scopes_one_default_website",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Store(models.Model):
    website = models.ForeignKey(
        Website, on_delete=models.PROTECT, related_name="stores", verbose_name=_("website")
    )
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=255)
    sort_order = models.IntegerField(_("sort order"), default=0)
    is_default = models.BooleanField(_("default store of its website"), default=False)

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["website__sort_order", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["website"],
                condition=models.Q(is_default=True),
                name="scopes_one_default_store_per_website",
            )
        ]

    def __str__(self) -> str:
        return f"{self.website.name} / {self.name}"


class StoreView(models.Model):
    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="views", verbose_name=_("store")
    )
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=255)
    locale = models.CharField(
        _("language"), max_length=8, default="en", validators=[validate_language]
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("Leave empty to use the website's time zone."),
    )
    sort_order = models.IntegerField(_("sort order"), default=0)
    is_default = models.BooleanField(_("default view of its store"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("store view")
        verbose_name_plural = _("store views")
        ordering = ["store__website__sort_order", "store__sort_order", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["store"],
                condition=models.Q(is_default=True),
                name="scopes_one_default_view_per_store",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def website(self) -> Website:
        return self.store.website

    @property
    def website_id(self) -> int:
        return self.store.website_id

    @property
    def effective_time_zone(self) -> str:
        return self.time_zone or self.store.website.time_zone


class Scope(models.TextChoices):
    DEFAULT = "default", _("Default Config")
    WEBSITE = "website", _("Website")
    STORE_VIEW = "store_view", _("Store View")


class ConfigValue(models.Model):
    """A stored configuration value; absent rows fall back to the parent scope's value."""

    path = models.CharField(_("path"), max_length=255)
    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices)
    # 0 for the default scope; the website's or store view's id otherwise.
    scope_id = models.PositiveBigIntegerField(_("scope id"), default=0)
    value = models.JSONField(_("value"), null=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("configuration value")
        verbose_name_plural = _("configuration values")
        constraints = [
            models.UniqueConstraint(
                fields=["path", "scope", "scope_id"], name="scopes_config_value_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(scope="default") | models.Q(scope_id=0),
                name="scopes_config_default_scope_id_zero",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.path} @ {self.scope}:{self.scope_id}"
