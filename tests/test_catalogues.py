"""Both languages are complete: every string in the code has a Vietnamese and an English entry."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = ["vi", "en"]


def catalogue(language: str, locale: Path = LOCALE):
    with open(locale / language / "LC_MESSAGES" / "django.po", "rb") as po:
        return read_po(po, locale=language)


def untranslated(language: str) -> list[str]:
    missing = []
    for message in catalogue(language):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_of_the_catalogue_is_translated(language):
    assert untranslated(language) == []


def test_vietnamese_catalogue_is_really_vietnamese():
    translations = {m.id: m.string for m in catalogue("vi") if isinstance(m.id, str) and m.id}
    assert translations["Sign in"] == "Đăng nhập"
    assert translations["Households"] != "Households"


def test_catalogues_hold_every_string_of_the_code(tmp_path):
    """makemessages over the code finds no string the catalogues lack."""
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is missing: `make test` installs it (apt-get install gettext)")
    # makemessages rewrites the catalogues it finds: run it over a copy of the project, so
    # that tests running meanwhile (in other processes) read the real ones.
    project = tmp_path / "project"
    shutil.copytree(
        settings.BASE_DIR,
        project,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            ".hypothesis",
            ".ruff_cache",
            "staticfiles",
            "__pycache__",
            "*.mo",
            "db.sqlite3*",
            "bench",
        ),
    )
    before = {language: {m.id for m in catalogue(language)} for language in LANGUAGES}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "vi", "-l", "en", "--no-obsolete"]
        + ["-i", ".venv/*", "-i", "bench/*", "-i", "tests/*", "-i", "staticfiles/*"],
        cwd=project,
        check=True,
        capture_output=True,
    )
    after = {language: {m.id for m in catalogue(language, project / "locale")} for language in LANGUAGES}
    for language in LANGUAGES:
        assert sorted(map(str, after[language] - before[language])) == [], language
