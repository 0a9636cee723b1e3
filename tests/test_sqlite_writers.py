"""The embedded SQLite default takes several writers at once without a 500 (settings.DATABASES).

Each check runs in a process of its own on a SQLite file: the suite's own SQLite database is in
memory, where locking, timeouts and WAL do not behave as a file does, and settings are read from
DATABASE_URL once, at start-up. The file is used whatever database the suite runs on: what is
checked is the default a commune gets with no DATABASE_URL.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

THREADS = 8
VISITS = 10


def settings_env(database_url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "softbridge.settings"}


def test_writers_at_once_on_a_sqlite_file_all_get_their_visit_stored(tmp_path, migrated_sqlite_file):
    # Without BEGIN IMMEDIATE, a transaction that read first met a writer holding the lock and
    # failed at once with "database is locked" (before: 96 of 100 visits by 10 such writers).
    # The script migrates the file itself; on the suite's migrated copy that finds nothing to do.
    register = migrated_sqlite_file(tmp_path / "db.sqlite3")
    done = subprocess.run(
        [sys.executable, "tests/sqlite_writers.py", str(THREADS), str(VISITS)],
        cwd=ROOT,
        env=settings_env(f"sqlite:///{register}"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout)
    assert outcome["errors"] == []
    assert outcome["stored"] == THREADS * VISITS
    assert outcome["journal_mode"] == "wal"


def options_for(database_url: str) -> dict:
    code = "import django; django.setup(); import json; from django.conf import settings; "
    code += "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=settings_env(database_url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_sqlite_options_apply_to_sqlite_only(tmp_path):
    assert options_for(f"sqlite:///{tmp_path / 'db.sqlite3'}") == {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # PostgreSQL would refuse them (settings are read without connecting).
    assert options_for("postgres://softbridge@localhost:5432/softbridge") == {}
