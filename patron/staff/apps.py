from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "patron.staff"
    label = "staff"
    verbose_name = _("Staff and integrations")

    def ready(self) -> None:
        from patron.staff import roles

        # Roles reference permissions, which Django creates after migrating; sync them then.
        post_migrate.connect(roles.sync_roles_after_migrate, dispatch_uid="patron.staff.roles")
