"""Load and faults: officials logging visits and updating households at once, a server process killed midway.

    bin/throwaway-postgres .venv/bin/python bench/load.py [--users 50 --seconds 60 --pause 2]
        [--workers 2 x cores + 1 --threads 1] [--no-kill]

Migrates the database DATABASE_URL names, seeds the demo commune (and ANALYZEs it, as a
database in service would be), makes one commune official (with a token and a worker
record) per simulated user, and starts gunicorn on 127.0.0.1 with DEBUG off, as the
deployment in docs/operations.md runs it: sync workers, (2 x cores) + 1 of them, each request on a
connection of its own as nginx opens them. Each user, in its own thread, loops: log a
visit through the API (a fresh submission key, re-sent as is when the connection drops:
the retry is what makes a double submit safe), or read a household and PATCH its address
with If-Match (412 when another user got there first), then waits as a person does
between two actions (`--pause`, 2 s on average; `--pause 0` sends back to back, which
saturates the machine and measures its throughput rather than what officials see).
Halfway through, one gunicorn worker is killed with SIGKILL; the master starts another.

Afterwards the database is checked against what the clients were told:
- every visit acknowledged (200/201) is stored exactly once; no visit was stored that
  no client sent; visits sent but never acknowledged (in flight at the kill) are listed;
- every household's version moved by exactly the number of acknowledged PATCHes (plus
  unacknowledged ones that did land, found by their address), and holds the address of
  the last acknowledged one.
It prints requests per second, p50/p95/p99 latency, 5xx and dropped connections, lost
and doubled writes, and what happened in the seconds around the kill. Goals: 0 errors,
0 lost writes, p95 under 300 ms. Not a test: the figures depend on the machine.
"""

import argparse
import http.client
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "softbridge.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from mobilization.models import HomeVisit, Worker  # noqa: E402
from softbridge.calendar import commune_today  # noqa: E402
from villages.models import Commune, Household, Role  # noqa: E402

TIMEOUT = 15
MARK = "load-bench"


@dataclass
class Call:
    kind: str  # visit, household-get, household-patch
    started: float
    seconds: float
    status: int  # 0: the connection dropped or timed out


@dataclass
class Journal:
    """What one simulated official sent and was told."""

    calls: list[Call] = field(default_factory=list)
    visits_acknowledged: set[str] = field(default_factory=set)
    visits_unacknowledged: set[str] = field(default_factory=set)
    # household id -> [(acknowledged at, address)] of PATCHes answered 200
    patches: dict[int, list[tuple[float, str]]] = field(default_factory=lambda: defaultdict(list))
    patches_unknown: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    conflicts: int = 0


class Client:
    def __init__(self, port: int, token: str):
        self.port = port
        self.headers = {"Authorization": f"Token {token}", "Accept-Language": "en"}
        self.connection = None

    def request(self, method: str, path: str, body=None, headers=None):
        """(status, headers, json body); status 0 when the connection failed."""
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        payload = json.dumps(body).encode() if body is not None else None
        all_headers = {**self.headers, **(headers or {})}
        if payload is not None:
            all_headers["Content-Type"] = "application/json"
        try:
            self.connection.request(method, path, body=payload, headers=all_headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = None
            return 0, {}, None
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = None
        return response.status, dict(response.getheaders()), parsed


def timed(journal: Journal, kind: str, client: Client, *args, **kwargs):
    started = time.monotonic()
    status, headers, body = client.request(*args, **kwargs)
    journal.calls.append(Call(kind, started, time.monotonic() - started, status))
    return status, headers, body


def log_visit(client: Client, journal: Journal, household: int, worker: int) -> None:
    key = str(uuid.uuid4())
    body = {
        "household": household,
        "visited_on": commune_today().isoformat(),
        "workers": [worker],
        "outcome": "done",
        "notes": f"{MARK} {key}",
        "submission_key": key,
    }
    for _attempt in range(4):
        status, _headers, _body = timed(journal, "visit", client, "POST", "/api/visits/", body)
        if status in (200, 201):
            journal.visits_acknowledged.add(key)
            return
        if status != 0 and status < 500:
            break  # refused: not retried
        time.sleep(0.2)
    journal.visits_unacknowledged.add(key)


def update_household(client: Client, journal: Journal, household: int) -> None:
    status, headers, _body = timed(journal, "household-get", client, "GET", f"/api/households/{household}/")
    if status != 200:
        return
    address = f"{MARK} {secrets.token_hex(6)}"
    status, _headers, _body = timed(
        journal,
        "household-patch",
        client,
        "PATCH",
        f"/api/households/{household}/",
        {"address": address},
        {"If-Match": headers.get("ETag", "")},
    )
    if status == 200:
        journal.patches[household].append((time.monotonic(), address))
    elif status == 412:
        journal.conflicts += 1
    elif status == 0:
        journal.patches_unknown[household].append(address)


def official_loop(port, token, worker, households, hot, stop, journal, seed, pause=0.0):
    rng = random.Random(seed)
    client = Client(port, token)
    if pause:
        # Officials do not all press "save" in the same millisecond: each starts after a
        # pause of their own, so that actions arrive spread out from the first second on.
        stop.wait(rng.expovariate(1 / pause))
    while not stop.is_set():
        if rng.random() < 0.6:
            log_visit(client, journal, rng.choice(households), worker)
        else:
            # A few households everyone edits (conflicts), the rest spread out.
            update_household(client, journal, rng.choice(hot if rng.random() < 0.3 else households))
        if pause:
            # The time a person takes between two actions, on average `pause` seconds.
            stop.wait(rng.expovariate(1 / pause))


def prepare(users: int):
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    commune = Commune.objects.get(code="01558")
    tokens, workers = [], []
    User = get_user_model()
    for n in range(users):
        user, _ = User.objects.get_or_create(username=f"load-{n:03d}", defaults={"first_name": f"Cán bộ {n}"})
        Role.objects.update_or_create(user=user, commune=commune, defaults={"kind": Role.Kind.OFFICIAL})
        worker, _ = Worker.objects.get_or_create(
            commune=commune, user=user, defaults={"full_name": f"Cán bộ {n}"}
        )
        tokens.append(Token.objects.get_or_create(user=user)[0].key)
        workers.append(worker.pk)
    households = list(Household.objects.filter(commune=commune).values_list("pk", flat=True))
    # A database in service has its planner statistics; a freshly seeded one has none until
    # autovacuum gets round to it, which it would do in the middle of the run.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return commune, tokens, workers, households


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, workers: int, threads: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "CONN_MAX_AGE": "60",
        # The throttle guards a real site against one runaway client; here 50 officials
        # at full speed are the point.
        "API_THROTTLE_USER": "1000000/minute",
        # Plain HTTP on the loopback; in production TLS ends at the proxy in front.
        "SECURE_SSL_REDIRECT": "0",
        "PYTHONWARNINGS": "ignore:No directory at",
    }
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "softbridge.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--timeout=30",
        "--graceful-timeout=5",
        "--log-level=warning",
    ]
    if threads > 1:
        command += [
            f"--threads={threads}",
            "--worker-class=gthread",
            # Longer than an official's pause (--pause), so a paused client keeps its connection.
            # A kept connection stays with the worker that accepted it: uneven when clients
            # connect directly (no proxy), which is why the default is the deployment's sync workers.
            "--keep-alive=30",
        ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/schema/")
            connection.getresponse().read()
            return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("gunicorn did not start")


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def cpu_times() -> list[int]:
    """The machine's CPU time so far (Linux /proc/stat: user, nice, system, idle, iowait,
    irq, softirq, steal), or nothing where there is no such file."""
    try:
        with open("/proc/stat") as stat:
            return [int(n) for n in stat.readline().split()[1:9]]
    except OSError:
        return []


def cpu_use(during: list[int]) -> str:
    """How the cores spent the run: busy, idle, and stolen by the host of a virtual machine."""
    total = sum(during)
    if not total:
        return "CPU use unknown"
    busy, idle, stolen = (
        100 * n / total for n in (sum(during[0:3]) + sum(during[5:7]), sum(during[3:5]), during[7])
    )
    return f"CPU during the run: {busy:.0f}% busy, {idle:.0f}% idle, {stolen:.0f}% stolen by the host"


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn worker processes"
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per gunicorn worker (more than 1: gthread workers)"
    )
    parser.add_argument("--no-kill", action="store_true", help="do not kill a worker midway")
    parser.add_argument(
        "--pause",
        type=float,
        default=2.0,
        help="mean seconds each official waits between actions (0: back to back, the saturation case)",
    )
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("run under bin/throwaway-postgres: the figures are for PostgreSQL")

    print(f"Preparing: migrate, seed_demo, {options.users} officials ...", flush=True)
    commune, tokens, workers, households = prepare(options.users)
    visits_before = HomeVisit.objects.filter(commune=commune).count()
    versions_before = dict(Household.objects.filter(commune=commune).values_list("pk", "version"))
    hot = random.Random(1).sample(households, 5)

    port = free_port()
    server = start_gunicorn(port, options.workers, options.threads)
    print(
        f"gunicorn pid {server.pid} on 127.0.0.1:{port}: "
        f"{options.workers} workers x {options.threads} threads; "
        f"{options.users} officials for {options.seconds:.0f} s over {len(households)} households",
        flush=True,
    )
    # Every worker answers its first requests slowly (connecting to the database, loading
    # templates and translations): a few requests for each, not measured, before anything is.
    warm = Client(port, tokens[0])
    for n in range(3 * options.workers):
        warm.request("GET", f"/api/households/{households[n % len(households)]}/")
    # One official alone first: the latency the load adds to, on this machine as it is now.
    alone = Journal()
    solo = Client(port, tokens[0])
    for n in range(20):
        log_visit(solo, alone, households[n], workers[0])
        update_household(solo, alone, households[-n - 1])
    solo_ms = sorted(c.seconds * 1000 for c in alone.calls)
    print(
        f"one official alone: {len(solo_ms)} requests, p50 {percentile(solo_ms, 0.5):.0f} ms, "
        f"p95 {percentile(solo_ms, 0.95):.0f} ms; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
        flush=True,
    )
    journals = [alone] + [Journal() for _ in tokens[1:]]
    alone.calls.clear()
    stop = threading.Event()
    threads = [
        threading.Thread(
            target=official_loop,
            args=(port, token, worker, households, hot, stop, journal, n, options.pause),
            daemon=True,
        )
        for n, (token, worker, journal) in enumerate(zip(tokens, workers, journals, strict=True))
    ]
    cpu_before = cpu_times()
    started = time.monotonic()
    for thread in threads:
        thread.start()
    killed_at = None
    killed_pid = None
    try:
        if not options.no_kill:
            time.sleep(options.seconds / 2)
            pids = worker_pids(server.pid)
            if pids:
                killed_pid = random.Random(2).choice(pids)
                os.kill(killed_pid, signal.SIGKILL)
                killed_at = time.monotonic()
                print(f"t={killed_at - started:.1f}s: SIGKILL to gunicorn worker {killed_pid}", flush=True)
        time.sleep(max(0.0, options.seconds - (time.monotonic() - started)))
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=TIMEOUT + 5)
        elapsed = time.monotonic() - started
        cpu_during = [after - before for before, after in zip(cpu_before, cpu_times(), strict=True)]
        replacement = worker_pids(server.pid)
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()

    report(
        options,
        journals,
        elapsed,
        started,
        killed_at,
        killed_pid,
        replacement,
        commune,
        visits_before,
        versions_before,
        cpu_during,
    )
    return 0


def report(
    options,
    journals,
    elapsed,
    started,
    killed_at,
    killed_pid,
    replacement,
    commune,
    visits_before,
    versions_before,
    cpu_during,
) -> None:
    calls = [c for j in journals for c in j.calls]
    by_kind = defaultdict(list)
    for c in calls:
        by_kind[c.kind].append(c)
    statuses = Counter(c.status for c in calls)
    print()
    print(f"{len(calls)} requests in {elapsed:.1f} s: {len(calls) / elapsed:.0f} requests/s")
    print(cpu_use(cpu_during))
    print("latency (ms)      count     p50     p95     p99     max")
    for kind, group in [("all", calls), *sorted(by_kind.items())]:
        ms = [c.seconds * 1000 for c in group]
        print(
            f"  {kind:<15}{len(ms):>7} {percentile(ms, 0.50):>7.0f} {percentile(ms, 0.95):>7.0f} "
            f"{percentile(ms, 0.99):>7.0f} {max(ms):>7.0f}"
        )
    # Ten seconds at a time: a shared machine's busy spells show as one slow window, a
    # server that slows down as it goes shows as a trend.
    windows = defaultdict(list)
    for c in calls:
        windows[int((c.started - started) // 10)].append(c.seconds * 1000)
    print(
        "p95 per 10 s:",
        " ".join(f"{percentile(ms, 0.95):.0f}" for w, ms in sorted(windows.items()) if w >= 0),
        f"(load average {os.getloadavg()[0]:.1f})",
    )
    errors_5xx = sum(n for status, n in statuses.items() if status >= 500)
    dropped = statuses.get(0, 0)
    print("status counts:", dict(sorted(statuses.items())))
    unexpected = sum(n for status, n in statuses.items() if status not in (0, 200, 201, 412))
    print(
        f"5xx answers: {errors_5xx}; other unexpected answers: {unexpected - errors_5xx}; "
        f"dropped connections or timeouts: {dropped} (retried)"
    )

    # What the database holds against what the clients were told.
    acknowledged = set().union(*(j.visits_acknowledged for j in journals))
    unacknowledged = set().union(*(j.visits_unacknowledged for j in journals)) - acknowledged
    stored = Counter(
        str(k)
        for k in HomeVisit.objects.filter(commune=commune, notes__startswith=MARK).values_list(
            "submission_key", flat=True
        )
    )
    lost_visits = sorted(k for k in acknowledged if stored[k] == 0)
    doubled_visits = sorted(k for k, n in stored.items() if n > 1)
    unsent = sorted(k for k in stored if k not in acknowledged and k not in unacknowledged)
    landed_unacknowledged = sorted(k for k in unacknowledged if stored[k])
    total_visits = HomeVisit.objects.filter(commune=commune).count()
    print()
    print(
        f"visits acknowledged: {len(acknowledged)}; stored: {sum(stored.values())} "
        f"({total_visits - visits_before} new rows in the table)"
    )
    print(
        f"  lost (acknowledged, not stored): {len(lost_visits)}; doubled: {len(doubled_visits)}; "
        f"stored but never sent: {len(unsent)}"
    )
    print(
        f"  never acknowledged (gave up after retries): {len(unacknowledged)}, of which stored: "
        f"{len(landed_unacknowledged)}"
    )

    patches = defaultdict(list)
    unknown = defaultdict(list)
    for j in journals:
        for pk, items in j.patches.items():
            patches[pk].extend(items)
        for pk, items in j.patches_unknown.items():
            unknown[pk].extend(items)
    now = dict(Household.objects.filter(commune=commune).values_list("pk", "version"))
    addresses = dict(Household.objects.filter(commune=commune).values_list("pk", "address"))
    lost_updates, extra_updates, wrong_final = [], [], []
    for pk, before in versions_before.items():
        moved = now[pk] - before
        acked = len(patches.get(pk, []))
        landed_unknown = sum(1 for a in unknown.get(pk, []) if a == addresses[pk])
        if moved < acked:
            lost_updates.append(pk)
        elif moved > acked + len(unknown.get(pk, [])):
            extra_updates.append(pk)
        if patches.get(pk) and not landed_unknown:
            last = max(patches[pk])[1]
            if addresses[pk] != last:
                wrong_final.append(pk)
    conflicts = sum(j.conflicts for j in journals)
    print(
        f"household updates acknowledged: {sum(len(v) for v in patches.values())}; refused as stale (412): "
        f"{conflicts}; outcome unknown (connection dropped): {sum(len(v) for v in unknown.values())}"
    )
    print(
        f"  households whose version moved less than acknowledged (lost updates): {len(lost_updates)}; "
        f"more than sent (doubled): {len(extra_updates)}; final address not the last acknowledged: "
        f"{len(wrong_final)}"
    )

    if killed_at is not None:
        window = [c for c in calls if killed_at - 2 <= c.started <= killed_at + 5]
        around = Counter(c.status for c in window)
        after = [c for c in calls if c.started > killed_at + 5]
        first_ok = min(
            (c.started for c in calls if c.started > killed_at and 200 <= c.status < 300), default=None
        )
        print()
        print(f"kill: worker {killed_pid} at t={killed_at - started:.1f}s; workers at the end: {replacement}")
        print(
            f"  requests from 2 s before to 5 s after: {len(window)}, statuses {dict(sorted(around.items()))}"
        )
        if first_ok is not None:
            print(f"  first success after the kill: {1000 * (first_ok - killed_at):.0f} ms later")
        ms_after = [c.seconds * 1000 for c in after]
        if ms_after:
            failed = sum(1 for c in after if c.status >= 500)
            dropped_after = sum(1 for c in after if c.status == 0)
            print(
                f"  from 5 s after the kill on: {len(after)} requests, "
                f"p95 {percentile(ms_after, 0.95):.0f} ms, 5xx {failed}, dropped {dropped_after}"
            )

    p95 = percentile([c.seconds * 1000 for c in calls], 0.95)
    lost = len(lost_visits) + len(lost_updates)
    doubled = len(doubled_visits) + len(extra_updates) + len(unsent)
    verdict = "met" if unexpected == 0 and lost == 0 and doubled == 0 and p95 < 300 else "NOT met"
    print()
    print(
        f"goals (0 errors, 0 lost, 0 doubled, p95 < 300 ms): {verdict} -- errors {unexpected}, lost {lost}, "
        f"doubled {doubled}, p95 {p95:.0f} ms"
    )


if __name__ == "__main__":
    sys.exit(main())
