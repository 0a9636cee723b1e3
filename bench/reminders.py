"""Benchmark: a province's morning of reminders (issue 30).

    .venv/bin/python bench/reminders.py [--communes 100] [--workers 30] [--follow-ups 10]
    bin/throwaway-postgres .venv/bin/python bench/reminders.py ...

Without DATABASE_URL it makes a throwaway SQLite database in a temporary folder. It builds
--communes communes of one village each, --workers workers per commune (each with a user,
a worker role on the village, a phone and SMS reminders on), and --follow-ups households per
worker, each with one visit by that worker whose follow-up is due today or overdue: at the
defaults, 100 communes, 3,000 workers and 30,000 due follow-ups.

Then, in the same run, it times:
- queueing: `reminders.sending.queue_morning` for the day, against a baseline of one
  hand-written GROUP BY over the open follow-ups (no later visit) and the same bulk insert;
- the hand-off: `reminders.sending.send_pending` (each message handed to an HTTP sink
  that answers as Kannel's sendsms does, 202), against a baseline of the same number of bare
  HTTP requests to the same sink with no database;
and prints the queries per message of each, the ratios app / baseline, and checks that the
app and the baseline find the same number of messages. A benchmark, not a test.
"""

import argparse
import datetime
import http.server
import os
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "softbridge.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='bench-reminders-')}/db.sqlite3"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from mobilization.models import HomeVisit, Worker  # noqa: E402
from reminders.models import Channel, Message, ReminderSettings  # noqa: E402
from reminders.sending import queue_morning, send_pending  # noqa: E402
from softbridge.calendar import commune_today  # noqa: E402
from villages.models import Commune, Household, Province, Role, Village  # noqa: E402


class Sink(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        self.send_response(202)
        self.end_headers()
        self.wfile.write(b"0: Accepted for delivery")

    def log_message(self, *args):
        pass


def build(communes: int, workers: int, follow_ups: int, day: datetime.date) -> None:
    User = get_user_model()
    province = Province.objects.create(code="99", name="Bench province")
    Commune.objects.bulk_create(
        [Commune(code=f"{90000 + c}", name=f"Bench {c}", province=province) for c in range(communes)]
    )
    commune_rows = list(Commune.objects.filter(province=province).order_by("code"))
    Village.objects.bulk_create(
        [Village(commune=c, code="V1", name=f"Village {c.code}") for c in commune_rows]
    )
    village_of = {v.commune_id: v for v in Village.objects.filter(commune__in=commune_rows)}
    User.objects.bulk_create(
        [User(username=f"w{c.code}-{w}", password="!") for c in commune_rows for w in range(workers)]
    )
    users = {u.username: u for u in User.objects.filter(username__startswith="w9")}
    Role.objects.bulk_create(
        [
            Role(user=users[f"w{c.code}-{w}"], commune=c, kind=Role.Kind.WORKER)
            for c in commune_rows
            for w in range(workers)
        ]
    )
    Role.villages.through.objects.bulk_create(
        [Role.villages.through(role=r, village=village_of[r.commune_id]) for r in Role.objects.all()]
    )
    Worker.objects.bulk_create(
        [
            Worker(
                commune=c, full_name=f"Worker {w}", phone=f"09{c.code}{w:03d}", user=users[f"w{c.code}-{w}"]
            )
            for c in commune_rows
            for w in range(workers)
        ]
    )
    ReminderSettings.objects.bulk_create(
        [ReminderSettings(user=u, enabled=True, channel=Channel.SMS) for u in users.values()]
    )
    worker_rows = list(Worker.objects.filter(commune__in=commune_rows).order_by("pk"))
    Household.objects.bulk_create(
        [
            Household(commune_id=w.commune_id, village=village_of[w.commune_id], code=f"H{w.pk}-{h}")
            for w in worker_rows
            for h in range(follow_ups)
        ],
        batch_size=2000,
    )
    households = {h.code: h.pk for h in Household.objects.filter(commune__in=commune_rows)}
    visited = day - datetime.timedelta(days=10)
    HomeVisit.objects.bulk_create(
        [
            HomeVisit(
                commune_id=w.commune_id,
                household_id=households[f"H{w.pk}-{h}"],
                visited_on=visited,
                follow_up_on=day - datetime.timedelta(days=h % 3),
            )
            for w in worker_rows
            for h in range(follow_ups)
        ],
        batch_size=2000,
    )
    by_household = dict(HomeVisit.objects.values_list("household_id", "pk"))
    HomeVisit.workers.through.objects.bulk_create(
        [
            HomeVisit.workers.through(homevisit_id=by_household[households[f"H{w.pk}-{h}"]], worker_id=w.pk)
            for w in worker_rows
            for h in range(follow_ups)
        ],
        batch_size=2000,
    )


BASELINE_SQL = """
SELECT w.user_id, w.commune_id, w.phone,
       SUM(CASE WHEN v.follow_up_on = %s THEN 1 ELSE 0 END),
       SUM(CASE WHEN v.follow_up_on < %s THEN 1 ELSE 0 END)
FROM mobilization_worker w
JOIN mobilization_homevisit_workers vw ON vw.worker_id = w.id
JOIN mobilization_homevisit v ON v.id = vw.homevisit_id
WHERE v.follow_up_on <= %s
  AND NOT EXISTS (SELECT 1 FROM mobilization_homevisit later WHERE later.household_id = v.household_id
                  AND (later.visited_on > v.visited_on
                       OR (later.visited_on = v.visited_on AND later.id > v.id)))
GROUP BY w.user_id, w.commune_id, w.phone
"""


def baseline_queue(day: datetime.date) -> int:
    with connection.cursor() as cursor:
        cursor.execute(BASELINE_SQL, [day, day, day])
        rows = cursor.fetchall()
    Message.objects.bulk_create(
        [
            Message(
                user_id=user_id,
                commune_id=commune_id,
                kind=Message.Kind.FOLLOW_UPS,
                day=day,
                channel=Channel.SMS,
                phone=phone,
                text=f"{due} {overdue}",
                segments=1,
            )
            for user_id, commune_id, phone, due, overdue in rows
        ],
        batch_size=500,
    )
    return len(rows)


def timed(work):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - started
    return result, seconds, len(queries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--communes", type=int, default=100)
    parser.add_argument("--workers", type=int, default=30, help="per commune")
    parser.add_argument("--follow-ups", type=int, default=10, help="per worker")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    day = commune_today()
    started = time.perf_counter()
    build(args.communes, args.workers, args.follow_ups, day)
    print(
        f"built {args.communes} communes, {args.communes * args.workers} workers, "
        f"{args.communes * args.workers * args.follow_ups} due follow-ups "
        f"in {time.perf_counter() - started:.1f} s "
        f"({connection.vendor})"
    )

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.SMS_SENDSMS_URL = f"http://127.0.0.1:{server.server_port}/cgi-bin/sendsms?username=u&password=p"
    settings.SMS_CALLBACK_TOKEN = "bench"

    base_count, base_s, base_q = timed(lambda: baseline_queue(day))
    Message.objects.all().delete()
    app_count, app_s, app_q = timed(lambda: queue_morning(day=day))
    assert app_count == base_count, (app_count, base_count)
    print(f"queue   app {app_s:8.2f} s  {app_q / app_count:5.2f} queries/message  ({app_count} messages)")
    print(f"queue   baseline {base_s:8.2f} s  {base_q / base_count:5.3f} queries/message")
    print(f"queue   ratio app/baseline {app_s / base_s:6.1f}")

    morning = timezone.make_aware(datetime.datetime.combine(day, datetime.time(7, 5)))
    outcome, send_s, send_q = timed(lambda: send_pending(now=morning))
    assert outcome["sent"] == app_count, outcome

    def bare():
        for n in range(app_count):
            query = urllib.parse.urlencode({"to": f"8491{n:07d}", "text": "x" * 80, "coding": 2})
            with urllib.request.urlopen(f"{settings.SMS_SENDSMS_URL}&{query}", timeout=10) as answer:
                answer.read()

    _none, bare_s, _q = timed(bare)
    print(
        f"hand-off app {send_s:8.2f} s  {app_count / send_s:7.0f} messages/s  "
        f"{send_q / app_count:5.2f} queries/message"
    )
    print(f"hand-off bare HTTP {bare_s:8.2f} s  {app_count / bare_s:7.0f} messages/s")
    print(f"hand-off ratio app/bare {send_s / bare_s:6.2f}")
    server.shutdown()


if __name__ == "__main__":
    main()
