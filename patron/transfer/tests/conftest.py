import pytest


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
