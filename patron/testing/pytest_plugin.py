"""Loaded by pytest before Django starts (``-p patron.testing.pytest_plugin``): test mode on."""

import os

os.environ.setdefault("PATRON_MODE", "test")
os.environ.setdefault("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
