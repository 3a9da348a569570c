"""Back-office roles as Django groups, kept in step with the permissions each role grants.

A role lists permission codenames (``app_label.codename``) or "*" for all. Permissions that do
not exist yet (their app has not landed) are skipped and picked up at the next migrate.
"""

from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext_noop

ROLES: dict[str, list[str] | str] = {
    gettext_noop("Administrator"): "*",
    gettext_noop("Customer service"): [
        "customers.view_customer",
        "customers.add_customer",
        "customers.change_customer",
        "customers.view_address",
        "customers.add_address",
        "customers.change_address",
        "customers.delete_address",
        "customers.view_customergroup",
        "customers.view_newslettersubscriber",
        "customers.change_newslettersubscriber",
        "customers.reset_customer_password",
        "customers.view_timeline",
        "customers.add_timeline_note",
        "mail.view_outboxmessage",
    ],
    gettext_noop("Marketing"): [
        "customers.view_customer",
        "customers.view_customergroup",
        "customers.view_newslettersubscriber",
        "customers.change_newslettersubscriber",
        "customers.export_customers",
    ],
    gettext_noop("Read only"): [
        "customers.view_customer",
        "customers.view_address",
        "customers.view_customergroup",
        "customers.view_taxclass",
        "customers.view_newslettersubscriber",
        "scopes.view_website",
        "scopes.view_store",
        "scopes.view_storeview",
    ],
}


def sync_roles() -> None:
    """Create the role groups and give each exactly the permissions its definition lists."""
    all_permissions = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type")
    }
    for name, wanted in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        if wanted == "*":
            group.permissions.set(all_permissions.values())
        else:
            group.permissions.set([all_permissions[c] for c in wanted if c in all_permissions])


def sync_roles_after_migrate(sender, **kwargs) -> None:
    from django.apps import apps

    # post_migrate is sent once per app, and each app's permissions are created by its own
    # signal; by the last app's signal every permission exists.
    if sender.name == list(apps.get_app_configs())[-1].name:
        sync_roles()
