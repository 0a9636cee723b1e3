"""The CPU one request costs, by kind of request, against a fixed piece of work timed in the same run.

    .venv/bin/python bench/request_cpu.py [--repeat 30] [--profile "household page"] [--top 25]

Migrates a fresh SQLite database in a temporary directory (or the one DATABASE_URL names) and
sets up what the test suite's fixtures set up, a little larger: a commune of two villages of 20
households of 3 residents, a visit to each household, a worker and a village head of the first
village, an official, a leader, a province leader. Then sends, with Django's test client and
DEBUG off (the whole request: middleware, session, the signed-in user, the view, its template),
interleaved so that the machine's other work weighs on each alike:

- a worker's household list, a household's page, the visit form (GET, and a POST that logs a
  visit and is redirected), Today;
- an official's dashboard (reports);
- refusals: a worker's 403 (an official's page), a worker's 404 (a household of the other
  village), a province leader's 403 at the gate (a page showing people);
- the login page, anonymous.

The baseline is a fixed piece of work that no change of the app's code can make cheaper: one
Django template (a loop over 200 rows with filters and a translation) rendered without a
request. Each request's CPU (process time: this process runs the app and SQLite alike, so the
database's work counts too) is printed as a median of `--repeat`, in units of that baseline, so
that two runs on a shared machine (2 cores here, other agents on them) compare by the ratios,
not by the milliseconds. Each request's Python function calls are counted too (one request
under cProfile), a measure of its CPU that the machine's load does not move, also against the
baseline's. With `--profile NAME`, the request of that name is then run under
cProfile and its costliest functions printed (cumulative time).

Not a test: the figures depend on the machine. bench/RESULTS.md keeps what was measured.
"""

import argparse
import cProfile
import io
import logging
import os
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "softbridge.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='bench-request-cpu-')}/cpu.sqlite3"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.template import Context, Engine  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from mobilization.models import HomeVisit  # noqa: E402
from softbridge.calendar import commune_today  # noqa: E402
from tests import factories  # noqa: E402
from villages.models import Resident, Role  # noqa: E402

BASELINE = Engine(libraries={"i18n": "django.templatetags.i18n"}).from_string(
    "{% load i18n %}<table>{% for row in rows %}<tr><td>{{ row.name|title }}</td>"
    "<td>{{ row.code|upper }}</td><td>{% translate 'Household' %}</td>"
    "<td>{{ row.n|floatformat:2 }}</td></tr>{% endfor %}</table>"
)
BASELINE_ROWS = [{"name": f"nông văn {n}", "code": f"nk-{n:03}", "n": n / 3} for n in range(200)]


def baseline() -> None:
    BASELINE.render(Context({"rows": BASELINE_ROWS}))


def setup() -> dict:
    """The register and the users; returns the requests to time, by name: (client, method, url, data)."""
    commune = factories.commune()
    village_a = factories.village(commune, code="NK", name="Nà Khau")
    village_b = factories.village(commune, code="BT", name="Bản Thang")
    worker_user = factories.role_user(Role.Kind.WORKER, commune, [village_a], username="worker")
    worker = factories.worker(commune, full_name="Hoàng Văn Đức", user=worker_user)
    factories.role_user(Role.Kind.VILLAGE_HEAD, commune, [village_a], username="head")
    official = factories.role_user(Role.Kind.OFFICIAL, commune, username="official")
    factories.role_user(Role.Kind.LEADER, commune, username="leader")
    province_leader = factories.province_leader(commune.province, username="province")
    households = {}
    for village in (village_a, village_b):
        for n in range(20):
            household = factories.household(village, code=f"{village.code}-{n:03}", worker_in_charge=worker)
            for m in range(3):
                factories.resident(
                    household,
                    full_name=f"Nông Văn {village.code} {n}-{m}",
                    relation=Resident.Relation.HEAD if m == 0 else Resident.Relation.CHILD,
                    birth_year=1970 + 15 * m,
                )
            factories.visit(household, workers=[worker])
            households.setdefault(village, []).append(household)
    mine, theirs = households[village_a][0], households[village_b][0]

    def signed_in(user):
        client = Client(headers={"accept-language": "vi"})
        client.force_login(user)
        return client

    as_worker, as_official, as_province = (
        signed_in(worker_user),
        signed_in(official),
        signed_in(province_leader),
    )

    def visit_post():
        return {
            "submission_key": str(uuid.uuid4()),
            "household": mine.pk,
            "visited_on": commune_today().isoformat(),
            "workers": [worker.pk],
            "outcome": HomeVisit.Outcome.DONE,
            "follow_up_on": "",
            "notes": "",
        }

    return {
        "household list": (as_worker, "get", reverse("villages:households"), None, 200),
        "household page": (as_worker, "get", reverse("villages:household", args=[mine.pk]), None, 200),
        "visit form": (as_worker, "get", reverse("visits:new") + f"?household={mine.pk}", None, 200),
        "visit logged (POST)": (as_worker, "post", reverse("visits:new"), visit_post, 302),
        "Today": (as_worker, "get", reverse("today"), None, 200),
        "official's dashboard": (as_official, "get", reverse("reports:dashboard"), None, 200),
        "403 (worker, officials' page)": (as_worker, "get", reverse("villages:duplicates"), None, 403),
        "404 (worker, other village)": (
            as_worker,
            "get",
            reverse("villages:household", args=[theirs.pk]),
            None,
            404,
        ),
        "403 at the gate (province)": (as_province, "get", reverse("villages:households"), None, 403),
        "login page (anonymous)": (Client(), "get", reverse("login"), None, 200),
    }


def send(request) -> int:
    client, method, url, data, _status = request
    response = getattr(client, method)(url, data() if data else None)
    return response.status_code


def cpu(work) -> float:
    start = time.process_time()
    work()
    return time.process_time() - start


def python_calls(work) -> int:
    """The Python function calls `work` makes: what it costs in CPU, but counted, so that the
    machine's other work does not move it (SQLite's own work, in C, is not counted)."""
    profile = cProfile.Profile()
    profile.runcall(work)
    return pstats.Stats(profile).total_calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--profile", help="the name of a request to profile after timing")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()

    settings.ALLOWED_HOSTS = ["*"]  # the test client's host
    settings.DEBUG = False  # as in production: no query log, no template debugging
    # As the test suite does (tests/conftest.py): the sign-ins here are not what is measured.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The security log is written (its cost is the request's), to nowhere.
    for handler in logging.getLogger("softbridge.security").handlers:
        handler.setStream(open(os.devnull, "w"))  # noqa: SIM115
    call_command("migrate", verbosity=0)
    requests = setup()

    queries, calls = {}, {}
    for name, request in requests.items():
        status = send(request)  # warm up (templates compiled, translations loaded)
        assert status == request[4], (name, status)
        with CaptureQueriesContext(connection) as captured:
            send(request)
        queries[name] = len(captured.captured_queries)
        calls[name] = python_calls(lambda request=request: send(request))
    baseline()  # warm up
    calls["baseline"] = python_calls(baseline)

    times = {name: [] for name in ["baseline", *requests]}
    for _ in range(args.repeat):
        times["baseline"].append(cpu(baseline))
        for name, request in requests.items():
            times[name].append(cpu(lambda request=request: send(request)))
    medians = {name: statistics.median(found) for name, found in times.items()}
    unit = medians.pop("baseline")

    print(f"{connection.vendor}, CPU per request, medians of {args.repeat}; baseline {unit * 1000:.2f} ms")
    print(f"{'request':32} {'x baseline':>10} {'ms':>7} {'queries':>8} {'calls':>8} {'x baseline':>10}")
    for name, median in medians.items():
        print(
            f"{name:32} {median / unit:10.2f} {median * 1000:7.2f} {queries[name]:8}"
            f" {calls[name]:8} {calls[name] / calls['baseline']:10.2f}"
        )
    total, total_calls = sum(medians.values()), sum(calls[name] for name in medians)
    print(
        f"{'all of the above':32} {total / unit:10.2f} {total * 1000:7.2f} {sum(queries.values()):8}"
        f" {total_calls:8} {total_calls / calls['baseline']:10.2f}"
    )

    if args.profile:
        request = requests[args.profile]
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.repeat):
            send(request)
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(args.top)
        print(f"\n{args.profile}, {args.repeat} requests under cProfile:")
        print(out.getvalue())


if __name__ == "__main__":
    main()
