"""Dashboard forms: they parse and render by the website's options; rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from patron.accounts.forms import name_fields, personal_fields
from patron.accounts.passwords import policy_help
from patron.core.locales import country_choices
from patron.customers.validation import FormRules


class AddressForm(forms.Form):
    def __init__(
        self,
        *args,
        rules: FormRules,
        show_vat: bool,
        region_options: list[tuple[str, str]],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        fields: dict[str, forms.Field] = name_fields(rules)
        if rules.company.visible:
            fields["company"] = forms.CharField(
                label=_("Company"), max_length=255, required=rules.company.required
            )
        if rules.telephone.visible:
            fields["telephone"] = forms.CharField(
                label=_("Phone Number"), max_length=64, required=rules.telephone.required,
                widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
            )  # fmt: skip
        if rules.fax.visible:
            fields["fax"] = forms.CharField(
                label=_("Fax"), max_length=64, required=rules.fax.required
            )
        for line in range(1, rules.street_lines + 1):
            fields[f"street_{line}"] = forms.CharField(
                label=_("Street Address")
                if line == 1
                else _("Street Address Line %(line)d") % {"line": line},
                max_length=255,
                required=line == 1,
                widget=forms.TextInput(attrs={"autocomplete": f"address-line{line}"}),
            )
        fields["country_id"] = forms.ChoiceField(
            label=_("Country"),
            choices=country_choices,
            widget=forms.Select(attrs={"autocomplete": "country", "data-regions-for": "id_region"}),
        )
        fields["region"] = forms.CharField(
            label=_("State/Province"), max_length=255, required=False,
            widget=forms.TextInput(attrs={"list": "region-options", "autocomplete": "address-level1"}),
        )  # fmt: skip
        fields["city"] = forms.CharField(
            label=_("City"),
            max_length=255,
            widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
        )
        fields["postcode"] = forms.CharField(
            label=_("ZIP/Postal Code"), max_length=32, required=False,
            widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
        )  # fmt: skip
        if show_vat:
            fields["vat_id"] = forms.CharField(label=_("VAT Number"), max_length=64, required=False)
        fields["default_billing"] = forms.BooleanField(
            label=_("Use as my default billing address"), required=False
        )
        fields["default_shipping"] = forms.BooleanField(
            label=_("Use as my default shipping address"), required=False
        )
        self.fields.update(fields)
        self.region_options = region_options
        self.street_lines = rules.street_lines

    def address_values(self) -> dict:
        data = dict(self.cleaned_data)
        street = [data.pop(f"street_{line}", "") for line in range(1, self.street_lines + 1)]
        data["street"] = street
        data.pop("default_billing", None)
        data.pop("default_shipping", None)
        return data


class AccountForm(forms.Form):
    def __init__(self, *args, rules: FormRules, assistance_texts: tuple[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        fields: dict[str, forms.Field] = name_fields(rules) | personal_fields(rules)
        fields["allow_remote_assistance"] = forms.BooleanField(
            label=assistance_texts[0], help_text=assistance_texts[1], required=False
        )
        fields["change_email"] = forms.BooleanField(label=_("Change Email"), required=False)
        fields["email"] = forms.EmailField(
            label=_("Email"),
            max_length=254,
            required=False,
            widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        )
        fields["change_password"] = forms.BooleanField(label=_("Change Password"), required=False)
        fields["current_password"] = forms.CharField(
            label=_("Current Password"), strip=False, required=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        )  # fmt: skip
        fields["password"] = forms.CharField(
            label=_("New Password"), strip=False, required=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "data-strength-meter": "1"}),
        )  # fmt: skip
        fields["password_confirmation"] = forms.CharField(
            label=_("Confirm New Password"), strip=False, required=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        )  # fmt: skip
        fields["password"].help_text = policy_help()
        self.fields.update(fields)
        self.profile_fields = [
            n
            for n in self.fields
            if n
            not in (
                "change_email",
                "email",
                "change_password",
                "current_password",
                "password",
                "password_confirmation",
            )
        ]


class NewsletterForm(forms.Form):
    subscribed = forms.BooleanField(label=_("General Subscription"), required=False)
