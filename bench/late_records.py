"""A sync storm of records sent late: does a ladder step end on its earliest date?

    bin/throwaway-postgres .venv/bin/python bench/late_records.py [--storms 3 --residents 100 --threads 16]

Migrates the database DATABASE_URL names and sets up a commune of `--residents` one-person
households. In each storm, for every resident, two records kept on phones arrive at once, in a
random order, from `--threads` threads: a worker's visit that recorded the e-ID three days ago
(mobilization.services.visit_log) and the village head's ladder tick of the e-ID two days ago,
posted to the household page's tick (villages:member_ladder) as the outbox sends it. Prints,
per storm, how many residents' e-ID dates ended later than the earliest (three days ago):
"the earliest date always wins" wants 0 (docs/late-records.md). Not a test: the count depends
on how the requests interleave on the machine.
"""

import argparse
import datetime
import os
import random
import sys
import threading
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "softbridge.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--storms", type=int, default=3)
    parser.add_argument("--residents", type=int, default=100)
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Run against PostgreSQL: bin/throwaway-postgres .venv/bin/python bench/late_records.py")

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from mobilization.models import Worker
    from mobilization.services import Help, visit_log
    from softbridge.calendar import commune_today
    from villages.models import Achievement, Commune, Household, Resident, Role, Village
    from villages.services import role_grant

    settings.ALLOWED_HOSTS = ["*"]  # the test client's host
    call_command("migrate", verbosity=0)
    commune = Commune.objects.create(code="01558", name="Xã Hạ Lang")
    village = Village.objects.create(commune=commune, code="NK", name="Nà Khau")
    for username in ("head", "worker"):
        get_user_model().objects.create_user(username=username, password=uuid.uuid4().hex)
    head = role_grant(
        username="head", kind=Role.Kind.VILLAGE_HEAD, commune_code="01558", village_codes=["NK"]
    ).user
    role_grant(username="worker", kind=Role.Kind.WORKER, commune_code="01558", village_codes=["NK"])
    worker = Worker.objects.get(user__username="worker")
    today = commune_today()
    visit_day, tick_day = today - datetime.timedelta(days=3), today - datetime.timedelta(days=2)

    later_per_storm = []
    for storm in range(args.storms):
        people = [
            Resident.objects.create(
                household=Household.objects.create(village=village, code=f"S{storm}-{n:04d}"),
                full_name=f"Nông Văn {storm}-{n}",
                birth_year=1980,
            )
            for n in range(args.residents)
        ]
        jobs = [("visit", p) for p in people] + [("tick", p) for p in people]
        random.shuffle(jobs)
        lock = threading.Lock()

        def send(jobs=jobs, lock=lock) -> None:
            client = Client()
            client.force_login(head)
            while True:
                with lock:
                    if not jobs:
                        break
                    kind, person = jobs.pop()
                if kind == "visit":
                    helped = Help(
                        Resident.objects.get(pk=person.pk), achievements=[Achievement.EID_ACTIVATED]
                    )
                    visit_log(
                        household=person.household, visited_on=visit_day, workers=[worker], helped=[helped]
                    )
                else:
                    url = reverse("villages:member_ladder", args=[person.household_id, person.pk])
                    data = {"step": "eid", "on": tick_day.isoformat(), "submission_key": str(uuid.uuid4())}
                    assert client.post(url, data).status_code in (200, 302)
            connection.close()

        threads = [threading.Thread(target=send) for _ in range(args.threads)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        later = Resident.objects.filter(pk__in=[p.pk for p in people]).exclude(eid_on=visit_day).count()
        later_per_storm.append(later)
        print(
            f"storm {storm + 1}: {later} of {args.residents} e-ID dates later than the earliest", flush=True
        )
    print("later than the earliest, per storm:", later_per_storm)


if __name__ == "__main__":
    main()
