import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from patron.settings import env_bool, env_choice, env_int, env_list

START_DJANGO = "import django; django.setup()"


def run_patron(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """Run Python in a fresh process with only the given PATRON_* variables set."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PATRON_", "DJANGO_"))}
    clean.update(DJANGO_SETTINGS_MODULE="patron.settings", PATRON_VAR_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def last_line(process: subprocess.CompletedProcess) -> str:
    return process.stderr.strip().splitlines()[-1]


def test_production_without_a_secret_key_does_not_start(tmp_path):
    # when
    process = run_patron(tmp_path, "-c", START_DJANGO, PATRON_MODE="production")

    # then
    assert process.returncode == 1
    assert last_line(process) == (
        "django.core.exceptions.ImproperlyConfigured: PATRON_SECRET_KEY must be set to a long "
        "random value in production (set PATRON_MODE=demo to try Patron with the demo key)."
    )


def test_production_with_debug_on_does_not_start(tmp_path):
    # when
    process = run_patron(
        tmp_path, "-c", START_DJANGO,
        PATRON_MODE="production", PATRON_SECRET_KEY=secrets.token_urlsafe(45), PATRON_DEBUG="on",
    )  # fmt: skip

    # then
    assert process.returncode == 1
    assert last_line(process) == (
        "django.core.exceptions.ImproperlyConfigured: PATRON_DEBUG must be off in production mode."
    )


def test_bad_boolean_value_stops_start_up_naming_the_variable(tmp_path):
    # when
    process = run_patron(tmp_path, "-c", START_DJANGO, PATRON_MODE="demo", PATRON_HTTPS="maybe")

    # then
    assert process.returncode == 1
    assert last_line(process) == (
        "django.core.exceptions.ImproperlyConfigured: PATRON_HTTPS must be one of 1/0, "
        "true/false, yes/no, on/off; got 'maybe'."
    )


def test_deploy_check_is_clean_in_production(tmp_path):
    # when
    process = run_patron(
        tmp_path, "manage.py", "check", "--deploy", "--fail-level", "WARNING",
        PATRON_MODE="production", PATRON_SECRET_KEY=secrets.token_urlsafe(60)[:60],
        PATRON_HTTPS="on",
    )  # fmt: skip

    # then
    assert process.returncode == 0, process.stderr
    assert process.stdout.strip() == "System check identified no issues (1 silenced)."


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("Yes", True), (" on ", True), ("false", False), ("0", False), ("", True)],
    ids=["one_case", "yes_case", "on_case", "false_case", "zero_case", "empty_is_default_case"],
)
def test_boolean_reader(monkeypatch, raw, expected):
    # given
    monkeypatch.setenv("PATRON_TEST_FLAG", raw)

    # when / then
    assert env_bool("PATRON_TEST_FLAG", True) is expected


@pytest.mark.parametrize(
    ("reader", "raw", "message"),
    [
        pytest.param(
            lambda: env_bool("PATRON_TEST_VALUE", False), "2",
            "PATRON_TEST_VALUE must be one of 1/0, true/false, yes/no, on/off; got '2'.",
            id="bool_case",
        ),
        pytest.param(
            lambda: env_int("PATRON_TEST_VALUE", 5), "5.5",
            "PATRON_TEST_VALUE must be a whole number; got '5.5'.",
            id="int_case",
        ),
        pytest.param(
            lambda: env_int("PATRON_TEST_VALUE", 5, minimum=1), "0",
            "PATRON_TEST_VALUE must be at least 1; got 0.",
            id="int_minimum_case",
        ),
        pytest.param(
            lambda: env_choice("PATRON_TEST_VALUE", "a", ("a", "b")), "c",
            "PATRON_TEST_VALUE must be one of a, b; got 'c'.",
            id="choice_case",
        ),
    ],
)  # fmt: skip
def test_bad_values_are_refused_naming_the_variable(monkeypatch, reader, raw, message):
    # given
    monkeypatch.setenv("PATRON_TEST_VALUE", raw)

    # when
    with pytest.raises(ImproperlyConfigured) as error:
        reader()

    # then
    assert str(error.value) == message


def test_list_reader_drops_blank_items(monkeypatch):
    # given
    monkeypatch.setenv("PATRON_TEST_HOSTS", " a.example.com, ,b.example.com,")

    # when / then
    assert env_list("PATRON_TEST_HOSTS", []) == ["a.example.com", "b.example.com"]
