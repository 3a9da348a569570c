from django.core import checks
from django.core.management import call_command

from patron.core.checks import check_config_defaults
from patron.scopes import config
from patron.scopes.config import STORE_VIEW_SCOPES, ConfigField, FieldType


def test_system_check_passes(db, capsys):
    # when
    call_command("check")

    # then
    assert capsys.readouterr().out == "System check identified no issues (0 silenced).\n"


def test_registered_defaults_are_valid():
    # when / then
    assert check_config_defaults(None) == []


def test_invalid_default_is_reported(monkeypatch):
    # given
    monkeypatch.setitem(
        config._fields,
        "test/check/lines",
        ConfigField("test/check/lines", FieldType.INT, 9, STORE_VIEW_SCOPES, "Lines", max_value=4),
    )

    # when
    errors = check_config_defaults(None)

    # then
    assert errors == [
        checks.Error(
            "Default of test/check/lines is not valid: Enter a number no greater than 4.",
            id="patron.E001",
        )
    ]
