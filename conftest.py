import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    print_blob=True,
)
settings.register_profile(
    "dev",
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


@pytest.fixture(autouse=True)
def _fresh_installation_rows(request):
    """Give every database test the rows a fresh installation has (default website, store and
    store view, customer groups, tax classes).

    A transactional test ends with a flush that empties those tables; the data migrations'
    steps are run again before the next database test that finds them missing.
    """
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not names & DB_FIXTURES:
        return
    if marker is None:
        transactional = bool(names & {"transactional_db", "live_server"})
        request.getfixturevalue("transactional_db" if transactional else "db")
    from patron.scopes.models import Website
    from patron.testing.fixtures import restore_migration_data

    if not Website.objects.exists():
        restore_migration_data()


@pytest.fixture(autouse=True)
def _fresh_cache_and_prefix():
    """Forget what one test could leak into the next: the shared cache (configuration
    snapshot, routing, rate limits) and the thread's URL script prefix."""
    from patron.testing.fixtures import reset_shared_state

    reset_shared_state()
    yield
    reset_shared_state()


@pytest.fixture
def website_a(db):
    """The website a fresh installation has ("base")."""
    from patron.testing.fixtures import default_website

    return default_website()


@pytest.fixture
def view_a(db):
    """The default store view of a fresh installation."""
    from patron.testing.fixtures import default_store_view

    return default_store_view()


@pytest.fixture
def website_b(db):
    """A second website, for scoping and sharing tests."""
    from patron.testing.fixtures import make_website

    return make_website("second", name="Second Website")


@pytest.fixture
def customer_files(tmp_path, settings):
    """The private storage of attribute files, in a temporary folder for the test."""
    location = tmp_path / "customer-files"
    settings.STORAGES = {
        **settings.STORAGES,
        "customer_files": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location), "base_url": None},
        },
    }
    return location
