import os
import re
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


PRODUCTION_ENV = {
    "PATRON_MODE": "production",
    "PATRON_HTTPS": "on",
    # Nothing connects during the check: these only have to name the right kinds of server.
    "PATRON_DATABASE_URL": "postgres://patron@127.0.0.1:9/patron",
    "PATRON_DB_CONN_MAX_AGE": "60",
    "PATRON_REDIS_URL": "redis://127.0.0.1:9/0",
    "PATRON_EMAIL_URL": "smtp://mailer:secret@127.0.0.1:587?tls=1",
}


def test_deploy_check_is_clean_in_production(tmp_path):
    # when
    process = run_patron(
        tmp_path, "manage.py", "check", "--deploy", "--fail-level", "WARNING",
        PATRON_SECRET_KEY=secrets.token_urlsafe(60)[:60], **PRODUCTION_ENV,
    )  # fmt: skip

    # then
    assert process.returncode == 0, process.stderr
    assert process.stdout.strip() == "System check identified no issues (1 silenced)."


def test_deploy_check_names_what_a_bare_production_setup_lacks(tmp_path):
    # when: production with only a secret key (SQLite, no Redis, console email, no HTTPS)
    process = run_patron(
        tmp_path, "manage.py", "check", "--deploy",
        PATRON_MODE="production", PATRON_SECRET_KEY=secrets.token_urlsafe(60)[:60],
        PATRON_HTTPS="off", PATRON_STAFF_TWO_FACTOR="off",
    )  # fmt: skip

    # then
    found = set(re.findall(r"patron\.W\d{3}", process.stdout + process.stderr))
    assert found == {"patron.W001", "patron.W002", "patron.W003", "patron.W004", "patron.W006"}


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
