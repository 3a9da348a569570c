"""Dashboard forms: they parse and render by the website's options; rules live in services."""

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from patron.accounts.forms import name_fields, personal_fields
from patron.accounts.passwords import policy_help
from patron.core.locales import country_choices
from patron.customers.attribute_forms import (
    FileUrl,
    add_attribute_fields,
    attribute_fields,
    submitted_attributes,
)
from patron.customers.models import CustomerAttribute
from patron.customers.validation import FormRules


class AddressForm(forms.Form):
    """An address (the shopper's address book and the back office's Addresses section). The
    custom ``attributes`` follow the address fields, showing the stored ``attribute_values``
    (None: a new address, which starts from the attributes' default values)."""

    def __init__(
        self,
        *args,
        rules: FormRules,
        show_vat: bool,
        region_options: list[tuple[str, str]],
        attributes: Iterable[CustomerAttribute] = (),
        attribute_values: Mapping[str, Any] | None = None,
        store_view=None,
        file_url: FileUrl | None = None,
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
        # The custom address attributes (of the form the view shows), before the defaults.
        self.attribute_definitions = list(attributes)
        extra = attribute_fields(
            self.attribute_definitions,
            values=attribute_values,
            store_view=store_view,
            file_url=file_url,
            use_defaults=attribute_values is None,
        )
        fields.update(extra)
        self.attribute_fields = list(extra)
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
        for name in self.attribute_fields:
            data.pop(name, None)
        if self.attribute_fields:
            data["custom_attributes"] = submitted_attributes(self)
        return data


class AccountForm(forms.Form):
    def __init__(
        self,
        *args,
        rules: FormRules,
        assistance_texts: tuple[str, str],
        attributes: Iterable[CustomerAttribute] = (),
        attribute_values: Mapping[str, Any] | None = None,
        store_view=None,
        file_url: FileUrl | None = None,
        **kwargs,
    ):
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
        # The custom attributes of the Customer Account Edit form, after the profile fields.
        self.attribute_fields = add_attribute_fields(
            self,
            attributes,
            values=attribute_values or {},
            store_view=store_view,
            file_url=file_url,
        )
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
            and n not in self.attribute_fields
        ]


class NewsletterForm(forms.Form):
    subscribed = forms.BooleanField(label=_("General Subscription"), required=False)
