"""The Today page as work accumulates: its time at 2 and at 20 visits a household, for a worker's charge.

    .venv/bin/python bench/today.py [--households 400 --members 3 --repeat 15]
    bin/throwaway-postgres .venv/bin/python bench/today.py

Migrates the database DATABASE_URL names (a fresh SQLite file in a temporary directory when it
names none) and sets up two villages of `--households` households of `--members` residents
each, each village in the charge of its own worker: every household of the first has had 2
visits, of the second 20, two days apart. Each visit asks a follow-up that the next one closes;
the latest's is overdue for a third of the households, due this week for another third, none
for the rest (the same latest visit in both villages). Visits are written in bulk (HomeVisit
rows, no workers or ladder ticks): the Today list reads only a household's visits and members.

Then times, signed in as each worker with Django's test client (the whole request: middleware,
the page's queries, its template; DEBUG off), interleaved so that the machine's other work
weighs on each alike, as medians of `--repeat` requests after one to warm up:

- the household list of the first worker (its first page: the baseline, a field page whose
  cost does not depend on visits);
- Today at 2 visits a household (the first worker) and at 20 (the second);
- the Today list's query alone at 2 and at 20 (the keys and reasons of the whole charge, in order).

Prints the medians, each against the baseline of the same run, Today at 20 against Today at 2
(goal: within 1.2x, docs/scaling.md), and the queries of each request. Not a test: the times
depend on the machine (2 shared cores here: quote the ratios).
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "softbridge.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='bench-today-')}/today.sqlite3"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from mobilization.models import HomeVisit  # noqa: E402
from mobilization.selectors import households_due  # noqa: E402
from softbridge.calendar import commune_today  # noqa: E402
from tests import factories  # noqa: E402
from villages.models import Resident, Role  # noqa: E402

DAY = datetime.timedelta(days=1)


def visits(households, first: int, count: int, today: datetime.date) -> list[HomeVisit]:
    """Visits number `first` to `first + count - 1` (of 20) of each household, two days apart,
    the 20th always the latest: each asks a follow-up the next one closes, but the 20th's is
    overdue for a third of the households, due this week for another third, none for the rest."""
    made = []
    for n, household in enumerate(households):
        for k in range(first, first + count):
            day = today - (50 - 2 * k) * DAY
            follow_up = (today - 3 * DAY, today + 3 * DAY, None)[n % 3] if k == 19 else day + DAY
            made.append(
                HomeVisit(
                    commune_id=household.commune_id,
                    household=household,
                    visited_on=day,
                    follow_up_on=follow_up,
                )
            )
    return made


def charge(village, worker, count: int, members: int, today: datetime.date) -> list:
    """`count` households of `members` residents in `village`, in `worker`'s charge."""
    households = []
    for n in range(count):
        household = factories.household(village, code=f"{village.code}-{n:04}", worker_in_charge=worker)
        for m in range(members):
            # Half of them of age without an e-ID: "short" is counted for real.
            factories.resident(
                household,
                full_name=f"Nông Văn {n}-{m}",
                relation=Resident.Relation.HEAD if m == 0 else Resident.Relation.CHILD,
                birth_year=1980 + 10 * m,
                eid_on=today - 100 * DAY if (n + m) % 2 else None,
            )
        households.append(household)
    return households


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=400)
    parser.add_argument("--members", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    settings.ALLOWED_HOSTS = ["*"]  # the test client's host
    # As in production: no query log, no template debugging (static files still read from the
    # source folders, which the storage chosen at start-up allows).
    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    today = commune_today()
    commune = factories.commune()
    clients = {}
    for code, name, count in (("NK", "Nà Khau", 2), ("BT", "Bản Thang", 20)):
        village = factories.village(commune, code=code, name=name)
        user = factories.role_user(Role.Kind.WORKER, commune, [village], username=f"worker-{code}")
        worker = factories.worker(commune, full_name=f"Hoàng Văn {code}", user=user)
        households = charge(village, worker, args.households, args.members, today)
        HomeVisit.objects.bulk_create(visits(households, 20 - count, count, today), batch_size=2000)
        clients[count] = Client()
        clients[count].force_login(user)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as a database in service would be

    # Interleaved, so that the machine's other work weighs on each the same.
    requests = {
        "household list (baseline)": (clients[2], reverse("villages:households")),
        "Today at 2 visits a household": (clients[2], reverse("home")),
        "Today at 20 visits a household": (clients[20], reverse("home")),
    }
    # The list's one query over the whole charge (its order and reasons), without the page around it.
    users = {
        count: get_user_model().objects.get(username=f"worker-{code}")
        for code, count in (("NK", 2), ("BT", 20))
    }
    today_list = {
        count: (lambda user=user: list(households_due(user, today=today).values_list("pk", "due")))
        for count, user in users.items()
    }
    queries, times = {}, {name: [] for name in requests}
    for count in today_list:
        times[f"  its list query at {count} visits"] = []
    for name, (client, url) in requests.items():
        assert client.get(url).status_code == 200  # warm up
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        queries[name] = len(captured.captured_queries)  # now: the next request clears the log
    for _ in range(args.repeat):
        for name, (client, url) in requests.items():
            start = time.perf_counter()
            response = client.get(url)
            times[name].append(time.perf_counter() - start)
            assert response.status_code == 200
        for count, read in today_list.items():
            start = time.perf_counter()
            assert len(read()) == args.households
            times[f"  its list query at {count} visits"].append(time.perf_counter() - start)

    print(f"{connection.vendor}, {args.households} households of {args.members} a worker,", end=" ")
    print(f"medians of {args.repeat}")
    medians = {name: statistics.median(found) for name, found in times.items()}
    baseline = medians["household list (baseline)"]
    for name, median in medians.items():
        print(f"{name:32} {median * 1000:7.1f} ms  {median / baseline:5.2f}x the baseline", end="  ")
        print(f"{queries[name]} queries" if name in queries else "1 query")
    ratio = medians["Today at 20 visits a household"] / medians["Today at 2 visits a household"]
    print(f"Today at 20 / at 2 visits a household: {ratio:.2f}x (goal: within 1.2x)")


if __name__ == "__main__":
    main()
