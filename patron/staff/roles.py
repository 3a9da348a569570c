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
        "customers.unlock_customer",
        "customers.quick_edit_customer",
        "customers.assign_customer_group",
        "customers.change_customer_status",
        "customers.view_timeline",
        "customers.add_timeline_note",
        "mail.view_outboxmessage",
        "assistance.login_as_customer",
        "assistance.view_assistance_log",
        "sales.view_order",
        "sales.view_cart",
        "sales.view_product",
        "sales.view_refund",
        "sales.view_wishlistitem",
        "sales.view_review",
        "credit.view_storecreditbalance",
        "credit.add_storecredithistory",
        "segments.view_segment",
        "privacy.view_consentrecord",
        "privacy.view_dataexport",
        "privacy.add_dataexport",
        "privacy.view_erasurerequest",
    ],
    gettext_noop("Marketing"): [
        "customers.view_customer",
        "customers.view_customergroup",
        "customers.view_newslettersubscriber",
        "customers.change_newslettersubscriber",
        "customers.export_customers",
        "customers.view_customerattribute",
        "segments.view_segment",
        "segments.add_segment",
        "segments.change_segment",
        "segments.delete_segment",
        "segments.view_segment_report",
        "blocks.view_contentblock",
        "blocks.add_contentblock",
        "blocks.change_contentblock",
        "blocks.delete_contentblock",
        "promotions.view_cartpricerule",
        "promotions.add_cartpricerule",
        "promotions.change_cartpricerule",
        "promotions.delete_cartpricerule",
        "audiences.view_audience",
        "audiences.add_audience",
        "audiences.change_audience",
        "audiences.delete_audience",
    ],
    gettext_noop("Read only"): [
        "customers.view_customer",
        "customers.view_address",
        "customers.view_customergroup",
        "customers.view_taxclass",
        "customers.view_newslettersubscriber",
        "segments.view_segment",
        "blocks.view_contentblock",
        "promotions.view_cartpricerule",
        "audiences.view_audience",
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
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes

    # post_migrate is sent once per app that has models (never for an app without, such as
    # ninja, even when it is installed last); by the last such app's signal every other app's
    # permissions exist. That app's own permissions are made by the auth and contenttypes
    # receivers, which were connected after this one and so run after it: make them first
    # (both are idempotent).
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender.name == with_models[-1].name:
        options = {"verbosity": 0, "using": kwargs.get("using", "default")}
        if "apps" in kwargs:
            options["apps"] = kwargs["apps"]
        create_contenttypes(sender, **options)
        create_permissions(sender, **options)
        sync_roles()
