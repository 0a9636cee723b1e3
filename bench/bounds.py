"""Benchmark: a refused oversized visit against an ordinary one, in the same run.

    .venv/bin/python bench/bounds.py [--rounds 30] [--ordinary-only]
    bin/throwaway-postgres .venv/bin/python bench/bounds.py

With no DATABASE_URL it migrates a SQLite file of its own in a temporary folder (never the
development db.sqlite3). It makes a commune official with a token and a worker record, and a
household of one member, then alternates, --rounds times, through the whole request path
(middleware, token authentication, throttles, the serializer, visit_log) in this process:

- an ordinary visit: POST /api/visits/ helping the member with one achievement (201);
- the finding's body: the same visit with 150,000 `helped` items (2.25 MB of JSON). It used
  to hold a gunicorn worker for 60 s, then 500; it is now refused 413, unread, for being over
  API_BODY_MAX_BYTES (softbridge.request_limits);
- the longest list that fits under that cap: as many `helped` items as make just under
  API_BODY_MAX_BYTES, parsed, then refused 400 naming `helped` (HOUSEHOLD_MEMBERS_MAX) before
  any resident is looked up: the most a refused body can cost.

It prints each one's median CPU time (this process's: the machine is shared), its ratio to the
ordinary visit, and the ordinary visit's statement count. Goal: refused in under 50 ms.
`--ordinary-only` times the ordinary visit alone, to compare its cost with a checkout before
the limits (where the oversized body would take a minute): run it in both and compare the
medians. A benchmark, not a test: it checks the answers' status codes, never times.
"""

import argparse
import atexit
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if "DATABASE_URL" not in os.environ:
    folder = tempfile.mkdtemp(prefix="bench-bounds-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{Path(folder) / 'db.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "softbridge.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from mobilization.models import HomeVisit  # noqa: E402
from softbridge.request_limits import API_BODY_MAX_BYTES  # noqa: E402
from tests import factories  # noqa: E402
from villages.models import Role  # noqa: E402

HUGE = 150_000
DAY = "2025-03-04"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--ordinary-only", action="store_true")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    commune = factories.commune("99001", "Xã Bench")
    village = factories.village(commune)
    household = factories.household(village)
    member = factories.resident(household, birth_year=1980)
    official = factories.role_user(Role.Kind.OFFICIAL, commune)
    worker = factories.worker(commune, user=official)
    token = Token.objects.create(user=official).key
    client = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT_LANGUAGE="en")

    def body(helped: list[dict]) -> str:
        return json.dumps(
            {
                "household": household.pk,
                "visited_on": DAY,
                "workers": [worker.pk],
                "helped": helped,
                "submission_key": str(uuid.uuid4()),
            }
        )

    huge = body([{"resident": member.pk}] * HUGE)
    item = len(json.dumps({"resident": member.pk})) + 2
    fitting = body([{"resident": member.pk}] * ((API_BODY_MAX_BYTES - 1000) // item))
    assert len(fitting) <= API_BODY_MAX_BYTES < len(huge)

    queries = []

    def post(payload: str, expected: int) -> float:
        # CPU time of this process, not wall time: on a shared machine the wall clock measures the
        # neighbours. The database's own work shows as the statement count (and, on PostgreSQL,
        # in the wall time this leaves out).
        started = time.process_time()
        with CaptureQueriesContext(django.db.connection) as captured:
            response = client.post("/api/visits/", payload, content_type="application/json")
        seconds = time.process_time() - started
        if response.status_code != expected:
            sys.exit(f"expected {expected}, got {response.status_code}: {response.content[:300]!r}")
        if expected == 201:
            queries.append(len(captured))
        return seconds

    ordinary_times, huge_times, fitting_times = [], [], []
    for round_ in range(args.rounds + 1):
        ordinary = post(body([{"resident": member.pk, "achievements": ["smartphone"]}]), 201)
        if not args.ordinary_only:
            refused = post(huge, 413), post(fitting, 400)
        if round_:  # the first round warms the caches up
            ordinary_times.append(ordinary)
            if not args.ordinary_only:
                huge_times.append(refused[0])
                fitting_times.append(refused[1])
    stored = HomeVisit.objects.filter(household=household).count()

    print(f"database: {django.db.connection.vendor}; rounds: {args.rounds}; visits stored: {stored}")
    ordinary_ms = statistics.median(ordinary_times) * 1000
    print(
        f"ordinary visit (201):             median {ordinary_ms:7.1f} ms of CPU, "
        f"{statistics.median(queries):.0f} statements"
    )
    for label, payload, times, status in (
        ("the finding's body", huge, huge_times, 413),
        ("the longest that fits", fitting, fitting_times, 400),
    ):
        if times:
            refused_ms = statistics.median(times) * 1000
            print(
                f"{label}: {payload.count('resident'):,} helped, {len(payload) / 1e6:.2f} MB ({status}): "
                f"median {refused_ms:7.1f} ms, ratio to ordinary {refused_ms / ordinary_ms:.2f}"
            )
    if huge_times:
        print("goal: refused in under 50 ms")


if __name__ == "__main__":
    main()
