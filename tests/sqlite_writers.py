"""Several writers at once on a SQLite file, through visit_log; run in a process of its own.

    DATABASE_URL=sqlite:////tmp/x.sqlite3 python tests/sqlite_writers.py THREADS VISITS

Migrates the file, makes a household per thread (one member each), then starts the threads
together: each logs VISITS visits that help its member (a read, then the ladder's read and
write, in one transaction, as a page's POST does). Prints JSON: the visits stored, every
error a writer met and the file's journal mode. tests/test_sqlite_writers.py runs it with the
settings' SQLite options.
"""

import datetime
import json
import os
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "softbridge.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from mobilization.models import HomeVisit  # noqa: E402
from mobilization.services import Help, visit_log  # noqa: E402
from tests import factories  # noqa: E402
from villages.models import Achievement, Household  # noqa: E402

DAY = datetime.date(2025, 3, 3)


def write(household_id: int, worker, visits: int, start: threading.Barrier, errors: list[str]) -> None:
    try:
        start.wait()
        for _ in range(visits):
            try:
                with transaction.atomic():
                    # What a request reads before it writes: the household, then its member.
                    household = Household.objects.select_related("village", "commune").get(pk=household_id)
                    member = household.members.get()
                    visit_log(
                        household=household,
                        visited_on=DAY,
                        workers=[worker],
                        helped=[Help(resident=member, achievements=[Achievement.SMARTPHONE])],
                    )
            except Exception as error:  # noqa: BLE001 - every failure is what we count
                errors.append(f"{type(error).__name__}: {error}")
    finally:
        connection.close()


def main(threads: int, visits: int) -> None:
    call_command("migrate", verbosity=0)
    commune = factories.commune(program_started_on=datetime.date(2024, 1, 1))
    village = factories.village(commune)
    worker = factories.worker(commune)
    households = []
    for _ in range(threads):
        household = factories.household(village)
        factories.resident(household, birth_year=1980)
        households.append(household.pk)
    connection.close()

    start = threading.Barrier(threads)
    errors: list[str] = []
    writers = [threading.Thread(target=write, args=(pk, worker, visits, start, errors)) for pk in households]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    with connection.cursor() as cursor:
        journal_mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
    print(json.dumps({"stored": HomeVisit.objects.count(), "errors": errors, "journal_mode": journal_mode}))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
