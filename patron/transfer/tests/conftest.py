import pytest

from patron.testing.fixtures import make_staff_user

EXPORT = "customers.export_customers"


@pytest.fixture(autouse=True)
def transfer_storage(tmp_path, settings):
    """Django's default storage in a temporary folder for each test: uploaded files and
    exports are written there, never into the project's media folder."""
    location = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    return location


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the block's on-commit work (the export and import tasks) as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def clerk(client, db):
    """A staff member allowed to export customers, signed in."""
    user = make_staff_user("clerk", permissions=[EXPORT])
    client.force_login(user)
    return user
