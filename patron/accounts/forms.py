"""Shopper account forms. They parse and render; the rules live in the services."""

from collections.abc import Iterable

from django import forms
from django.utils.translation import gettext_lazy as _

from patron.accounts.passwords import policy_help
from patron.customers.attribute_forms import attribute_fields
from patron.customers.models import CustomerAttribute, Gender
from patron.customers.validation import FormRules


def _name_field(rule, label):
    if rule.options:
        return forms.ChoiceField(
            label=label, choices=[(o, o or "—") for o in rule.options], required=False
        )
    return forms.CharField(label=label, max_length=40, required=False)


def name_fields(rules: FormRules) -> dict[str, forms.Field]:
    """Prefix, first, middle, last name and suffix, as the website's options show them."""
    fields: dict[str, forms.Field] = {}
    if rules.prefix.visible:
        fields["prefix"] = _name_field(rules.prefix, _("Name Prefix"))
    fields["firstname"] = forms.CharField(label=_("First Name"), max_length=255)
    if rules.middlename.visible:
        fields["middlename"] = forms.CharField(
            label=_("Middle Name/Initial"), max_length=255, required=False
        )
    fields["lastname"] = forms.CharField(label=_("Last Name"), max_length=255)
    if rules.suffix.visible:
        fields["suffix"] = _name_field(rules.suffix, _("Name Suffix"))
    return fields


def personal_fields(rules: FormRules) -> dict[str, forms.Field]:
    """Date of birth, tax/VAT number and gender, when the website's options show them."""
    fields: dict[str, forms.Field] = {}
    if rules.dob.visible:
        fields["dob"] = forms.DateField(
            label=_("Date of Birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
        )
    if rules.taxvat.visible:
        fields["taxvat"] = forms.CharField(label=_("Tax/VAT Number"), max_length=64, required=False)
    if rules.gender.visible:
        fields["gender"] = forms.TypedChoiceField(
            label=_("Gender"),
            choices=[("", "—"), *Gender.choices],
            coerce=int,
            empty_value=None,
            required=False,
        )
    return fields


class CaptchaMixin(forms.Form):
    """Adds the CAPTCHA id and answer fields when the view asks for them."""

    # The challenge to show. Not called ``captcha_id``: templates look ``form.captcha_id`` up
    # as the bound field first, and a bound form would render the id that was just answered
    # (and deleted) instead of the new one, so no later answer could pass.
    captcha_challenge: str | None = None

    def add_captcha(self, challenge_id: str) -> None:
        # The view reads the id from request.POST; a missing id fails verify() like a wrong one.
        self.fields["captcha_id"] = forms.CharField(widget=forms.HiddenInput, required=False)
        self.fields["captcha"] = forms.CharField(
            label=_("Please type the letters and numbers below"), max_length=16, required=True,
            widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "off"}),
        )  # fmt: skip
        self.captcha_challenge = challenge_id


class LoginForm(CaptchaMixin):
    email = forms.EmailField(label=_("Email"), max_length=254)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)
    remember = forms.BooleanField(label=_("Remember Me"), required=False)
    next = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args, autocomplete: bool, show_remember: bool, remember_default: bool, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email" if autocomplete else "off"
        self.fields["password"].widget.attrs["autocomplete"] = (
            "current-password" if autocomplete else "off"
        )
        if show_remember:
            self.fields["remember"].initial = remember_default
        else:
            del self.fields["remember"]


class RegistrationForm(CaptchaMixin):
    def __init__(
        self,
        *args,
        rules: FormRules,
        show_remember: bool,
        remember_default: bool,
        assistance_texts: tuple[str, str],
        assistance_default: bool = False,
        attributes: Iterable[CustomerAttribute] = (),
        store_view=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        # The custom attributes of the Customer Registration form follow the personal fields.
        self.attribute_definitions = list(attributes)
        fields = (
            name_fields(rules)
            | personal_fields(rules)
            | attribute_fields(self.attribute_definitions, store_view=store_view, use_defaults=True)
        )
        fields["newsletter"] = forms.BooleanField(label=_("Sign Up for Newsletter"), required=False)
        fields["allow_remote_assistance"] = forms.BooleanField(
            label=assistance_texts[0],
            required=False,
            initial=assistance_default,
            help_text=assistance_texts[1],
        )
        fields["email"] = forms.EmailField(
            label=_("Email"),
            max_length=254,
            widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        )
        fields["password"] = forms.CharField(
            label=_("Password"), strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "data-strength-meter": "1"}),
        )  # fmt: skip
        fields["password_confirmation"] = forms.CharField(
            label=_("Confirm Password"),
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        )
        if show_remember:
            fields["remember"] = forms.BooleanField(
                label=_("Remember Me"), required=False, initial=remember_default
            )
        fields["password"].help_text = policy_help()
        for name, field in fields.items():
            self.fields[name] = field
        self.personal_fields = [
            n
            for n in self.fields
            if n not in ("email", "password", "password_confirmation", "remember")
        ]
        self.sign_in_fields = [
            n
            for n in ("email", "password", "password_confirmation", "remember")
            if n in self.fields
        ]


class EmailForm(CaptchaMixin):
    email = forms.EmailField(label=_("Email"), max_length=254)

    def __init__(self, *args, autocomplete: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email" if autocomplete else "off"


class ResetPasswordForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = policy_help()

    password = forms.CharField(
        label=_("New Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "data-strength-meter": "1"}),
    )  # fmt: skip
    password_confirmation = forms.CharField(
        label=_("Confirm New Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
