from types import SimpleNamespace

import pytest

from patron.core import ratelimit
from patron.testing.fixtures import default_website, make_website, reset_shared_state


@pytest.fixture(autouse=True)
def _fresh_cache_and_prefix():
    reset_shared_state()
    yield
    reset_shared_state()


@pytest.fixture
def website_a(db):
    return default_website()


@pytest.fixture
def website_b(db):
    return make_website("second", name="Second Website")


@pytest.fixture
def fixed_clock(monkeypatch):
    """Stop the rate limiter's clock 19.5 seconds before a minute ends."""
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_000_000.5))
