"""A second back-office entry for custom attributes.

Stores > Attributes > Customer is the admin of ``CustomerAttribute`` itself; Stores > Attributes
> Customer Address is the admin of this proxy. Same rows, same permissions
(``customers.*_customerattribute``): the proxy only gives the address attributes their own list,
URLs and menu name. It declares no permissions of its own.
"""

from django.utils.translation import gettext_lazy as _

from patron.customers.models import CustomerAttribute


class AddressAttribute(CustomerAttribute):
    class Meta:
        proxy = True
        app_label = "customers"
        default_permissions = ()
        verbose_name = _("customer address attribute")
        verbose_name_plural = _("customer address attributes")
