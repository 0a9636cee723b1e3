"""An SQLite test database migrated once per state of the code, not once per test process.

Building the test database by the migrations costs about 7 CPU seconds in every process of
every run (Django renders the models' states again after each operation): 14 of `make check`'s
two processes. The first process to migrate a given state of the code keeps a copy of the
migrated database in the system's temporary folder, named by a hash of every Python file of
the project outside tests/ (the migrations, and the code they call, such as the ledger's
triggers) and of Django's version; a later process, in this run or the next, loads that copy
into its in-memory database instead of migrating. Any change to that code names another copy,
so a stale schema is never loaded. `pytest --create-db` migrates anyway. PostgreSQL migrates
as before.
"""

import hashlib
import os
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

import django
from django.core.management.commands import migrate
from django.db import connections

ROOT = Path(__file__).resolve().parent.parent
MIGRATE = migrate.Command.handle
SKIPPED = {".venv", "tests", "bench", "node_modules", "staticfiles", ".git", "tmp"}


def code_hash() -> str:
    """A hash of what decides the migrated schema and rows: the project's Python files but the
    tests', and Django's version."""
    digest = hashlib.sha256(django.get_version().encode())
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = sorted(name for name in subfolders if name not in SKIPPED)
        for name in sorted(files):
            if name.endswith(".py"):
                path = Path(folder, name)
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def kept_copy() -> Path:
    return Path(tempfile.gettempdir()) / "softbridge-test-db" / f"{code_hash()}.sqlite3"


class FromKeptCopy:
    """Replaces `migrate`'s handle while the test database is built: on SQLite, loads the kept
    copy when there is one, else migrates and keeps a copy."""

    @staticmethod
    def restore():
        migrate.Command.handle = MIGRATE

    def __enter__(self):
        original = MIGRATE

        def handle(command, *args, **options):
            connection = connections[options.get("database") or "default"]
            if connection.vendor != "sqlite":
                return original(command, *args, **options)
            copy = kept_copy()
            connection.ensure_connection()
            if copy.exists():
                with closing(sqlite3.connect(copy)) as kept:
                    kept.backup(connection.connection)
                return None
            original(command, *args, **options)
            copy.parent.mkdir(exist_ok=True)
            # Written under a name of this process's, then renamed: two processes migrating at
            # once each keep a whole copy, and no process reads half of one.
            partial = copy.with_suffix(f".{os.getpid()}.part")
            with closing(sqlite3.connect(partial)) as kept:
                connection.connection.backup(kept)
            partial.replace(copy)
            return None

        migrate.Command.handle = handle
        return self

    def __exit__(self, *exc):
        self.restore()
