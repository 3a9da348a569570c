from types import SimpleNamespace

import pytest

from patron.core import ratelimit


@pytest.fixture
def fixed_clock(monkeypatch):
    """Stop the rate limiter's clock 19.5 seconds before a minute ends."""
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_000_000.5))
