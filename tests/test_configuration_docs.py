"""docs/configuration.md is generated from the configuration registry and must not drift."""

from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from patron.core.management.commands.configdocs import DOCS_PATH
from patron.scopes import config


def generated_docs() -> str:
    output = StringIO()
    call_command("configdocs", output="-", stdout=output)
    return output.getvalue()


def test_committed_file_matches_the_registry():
    # given
    committed_path = Path(settings.BASE_DIR) / DOCS_PATH
    committed = committed_path.read_text(encoding="utf-8") if committed_path.exists() else ""

    # when
    generated = generated_docs()

    # then
    assert committed == generated, (
        f"{DOCS_PATH} is out of date with the configuration registry: "
        "run `python manage.py configdocs` and commit the result."
    )


def test_every_registered_setting_is_documented():
    # when
    generated = generated_docs()

    # then
    undocumented = [f.path for f in config.all_fields() if f"| `{f.path}` |" not in generated]
    assert undocumented == []
