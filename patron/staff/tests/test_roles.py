from django.contrib.auth.models import Group, Permission

from patron.staff.roles import ROLES, sync_roles


def test_migrate_creates_every_role(db):
    # then
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(ROLES)


def test_administrator_has_every_permission(db):
    # given
    administrator = Group.objects.get(name="Administrator")

    # then
    assert set(administrator.permissions.all()) == set(Permission.objects.all())


def test_read_only_role_gets_exactly_its_existing_permissions(db):
    # given
    read_only = Group.objects.get(name="Read only")

    # then
    granted = {f"{p.content_type.app_label}.{p.codename}" for p in read_only.permissions.all()}
    existing = {
        f"{app}.{codename}"
        for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }
    assert granted == set(ROLES["Read only"]) & existing
    assert {"scopes.view_website", "scopes.view_store", "scopes.view_storeview"} <= granted


def test_sync_restores_a_role_edited_by_hand(db):
    # given
    read_only = Group.objects.get(name="Read only")
    read_only.permissions.add(Permission.objects.get(codename="delete_website"))

    # when
    sync_roles()

    # then
    assert not read_only.permissions.filter(codename="delete_website").exists()
    assert Group.objects.count() == len(ROLES)
