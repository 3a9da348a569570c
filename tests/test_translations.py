"""Every shipped catalogue translates every message Patron marks for translation.

The catalogues are regenerated with Django's ``makemessages`` in a copy of the ``patron``
package, so the check sees exactly what ``make messages`` would write, without touching the
work tree.
"""

import gettext
import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command

LANGUAGES = ("de", "fr", "ja", "pt_BR")
PACKAGE_DIR = Path(settings.BASE_DIR) / "patron"
SHOWN_PER_LANGUAGE = 30


def copy_package(target: Path) -> Path:
    copy = target / "patron"
    shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    return copy


def make_messages(package: Path) -> subprocess.CompletedProcess:
    languages = [arg for language in LANGUAGES for arg in ("-l", language)]
    return subprocess.run(
        [
            sys.executable, "-m", "django", "makemessages", *languages,
            "--no-location", "--no-obsolete", "--ignore", "testing/*", "--ignore", "*/tests/*",
        ],
        cwd=package,
        env={
            **os.environ,
            # The copy is imported instead of the work tree, so its LOCALE_PATHS (BASE_DIR /
            # "patron" / "locale") point inside the copy and makemessages writes there.
            "PYTHONPATH": str(package.parent),
            "DJANGO_SETTINGS_MODULE": "patron.settings",
            "PATRON_MODE": "test",
        },
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip


def unfinished_messages(po_path: Path) -> list[str]:
    """Return a line per message that has an empty translation or is marked fuzzy."""
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file)
    unfinished = []
    for message in catalog:
        if not message.id:
            continue  # the header
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        label = f"{message.context}|{msgid}" if message.context else msgid
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            unfinished.append(f"fuzzy: {label!r}")
        elif not all(strings):
            unfinished.append(f"untranslated: {label!r}")
    return unfinished


@pytest.mark.skipif(
    shutil.which("xgettext") is None,
    reason="makemessages needs GNU gettext (xgettext); scripts/system-deps.sh installs it",
)
def test_every_catalogue_translates_every_message(tmp_path):
    # given
    package = copy_package(tmp_path)

    # when
    result = make_messages(package)

    # then
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"
    report = []
    for language in LANGUAGES:
        relative = Path("locale") / language / "LC_MESSAGES" / "django.po"
        unfinished = unfinished_messages(package / relative)
        if not unfinished:
            continue
        report.append(f"patron/{relative}: {len(unfinished)} messages need a translation")
        report.extend(f"    {line}" for line in unfinished[:SHOWN_PER_LANGUAGE])
        if len(unfinished) > SHOWN_PER_LANGUAGE:
            report.append(f"    ... and {len(unfinished) - SHOWN_PER_LANGUAGE} more")
    if report:
        pytest.fail(
            "\n".join(
                [
                    *report,
                    "Run `make messages`, translate the listed entries (remove the fuzzy flag "
                    "once checked), then `python manage.py compilecatalogs`.",
                ]
            ),
            pytrace=False,
        )


def test_every_catalogue_compiles(tmp_path, settings):
    # given
    locale_dir = tmp_path / "locale"
    shutil.copytree(PACKAGE_DIR / "locale", locale_dir, ignore=shutil.ignore_patterns("*.mo"))
    settings.LOCALE_PATHS = [locale_dir]
    po_paths = sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))
    output = StringIO()

    # when
    call_command("compilecatalogs", stdout=output)

    # then
    assert output.getvalue().strip() == f"Compiled {len(po_paths)} catalogues."
    for po_path in po_paths:
        with po_path.with_suffix(".mo").open("rb") as mo_file:
            gettext.GNUTranslations(mo_file)
