"""Field pages on a mountain network: bytes per page, and the visit flow online and offline.

    bin/throwaway-postgres .venv/bin/python bench/field.py [--visits 5 --kbps 400 --latency 400]

Seeds the demo commune in the database DATABASE_URL names, collects the static files and starts
gunicorn with DEBUG off (compressed, hashed static files, as in production), behind a proxy on
the loopback that shapes the link (`--kbps` each way, `--latency` ms round trip) and counts the
bytes it carries. Chromium's own network emulation does not reach the service worker's fetches,
which is why the link is shaped (and counted) in front of the server instead. Then, in Debian's
Chromium at 360 px, signed in as the demo's worker of Nà Khau:

- bytes per field page on a cold cache (no service worker, nothing cached): everything the page
  needs, static files included;
- bytes per field page once the phone keeps its copies: to open the page (until its load event)
  and behind it (the copy fetched again for the next time);
- the first sync of the phone (bytes and seconds until every page listed is kept), and the next
  sync after one visit ("sync now": only the pages whose stamp changed), held against the
  per-phone budget (BUDGET_*);
- the visit flow (open a household's visit form, tick one achievement, save, see the household's
  page) timed through the shaped link with the network up, and with it cut (saved to the outbox),
  as medians of `--visits` runs, and the same flow on the bare loopback as the baseline.

Prints ratios against the baselines measured in the same run. Not a test: figures depend on the
machine (2 shared cores here: quote the ratios and medians).
"""

import argparse
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "softbridge.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from tests.browser.conftest import ARGS, CHROMIUM  # noqa: E402  (the browser the tests drive, as they launch it)
from tests.browser.slow_link import ShapedLink, free_port  # noqa: E402  (the browser walks' slow link)
from villages.models import Household  # noqa: E402

USER, PASSWORD = "worker-nakhau", "halang-2024"
HEAD = "head-nakhau"  # the demo's village head of Nà Khau (same password)
STATE = "Softbridge.outbox.syncState()"
# The per-phone budget docs/offline.md states: the most households a phone keeps
# (frontdoor.device.KEPT_HOUSEHOLDS), what their first sync may weigh and last at 400 kbps.
BUDGET_HOUSEHOLDS, BUDGET_MB, BUDGET_SECONDS = 400, 6, 300
# A village head's phone: the same households, and the register's forms of the most urgent of
# them (frontdoor.device.KEPT_REGISTER_HOUSEHOLDS).
BUDGET_REGISTER_HOUSEHOLDS, BUDGET_HEAD_MB, BUDGET_HEAD_SECONDS = 100, 10, 600


def start_gunicorn(port: int, static_root: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "STATIC_ROOT": static_root,
        # Plain HTTP on the loopback: a browser treats localhost as secure (service workers too).
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "softbridge.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            "--workers=3",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("gunicorn did not start")


def sign_in(page, base: str, username: str = USER) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


def quiet(link: ShapedLink, seconds: float = 1.0) -> None:
    """Wait until nothing has crossed the link for `seconds`."""
    last, since = link.bytes_down, time.monotonic()
    while time.monotonic() - since < seconds:
        time.sleep(0.1)
        if link.bytes_down != last:
            last, since = link.bytes_down, time.monotonic()


def synced(page, after: float = 0) -> bool:
    """The phone's sync (templates/sw.js) has finished after `after` (ms since the epoch), every
    page it lists kept. Read from the phone's own notes: polling the server would add to the
    bytes measured."""
    return page.evaluate(
        """(after) => Softbridge.outbox.syncState().then((s) => Boolean(s) && s.done === true
            && s.kept === s.total && s.total > 0 && s.syncedAt > after)""",
        after,
    )


def first_sync(browser, base: str, link: ShapedLink, username: str) -> tuple[int, float, int, int]:
    """A new phone signs in as `username`: (bytes, seconds) until every page listed is kept, how
    many pages, and of how many households it keeps the register's forms."""
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    sign_in(page, base, username)
    started, before = time.perf_counter(), link.bytes_down
    while not synced(page):
        print(f"  {username} syncing: {(link.bytes_down - before) / 1024:.0f} KB", flush=True)
        time.sleep(2)
    result = (link.bytes_down - before, time.perf_counter() - started)
    pages, register = page.evaluate(f"{STATE}.then((s) => [s.total, s.registerKept])")
    context.close()
    quiet(link)
    return (*result, pages, register)


def the_first_syncs(browser, base: str, link: ShapedLink, kbps: int) -> None:
    """The first syncs of the demo's worker and village head of Nà Khau (every household of the
    village: its page, its visit form and, on the head's phone, its register forms), and a full
    charge of each projected at their cost per household against the per-phone budgets."""
    charge = Household.objects.filter(village__code="NK").count()
    worker = first_sync(browser, base, link, USER)
    head = first_sync(browser, base, link, HEAD)
    for name, (size, seconds, pages, _register) in (("worker", worker), ("village head", head)):
        print(f"first sync of the {name}'s phone: {pages} pages, {size / 1024:.0f} KB in {seconds:.0f} s")
    # A full charge: every household's pages at the worker's cost, and the register's forms of
    # the most urgent at what the head's phone pays more for each household it keeps them of.
    plain = [value / charge for value in worker[:2]]
    register = [(h - w) / head[3] for h, w in zip(head[:2], worker[:2], strict=True)]
    full = [
        p * BUDGET_HOUSEHOLDS + r * BUDGET_REGISTER_HOUSEHOLDS for p, r in zip(plain, register, strict=True)
    ]
    worker_full = [p * BUDGET_HOUSEHOLDS for p in plain]
    print(
        f"worker's budget: {BUDGET_HOUSEHOLDS} households, {BUDGET_MB} MB, {BUDGET_SECONDS} s; "
        "a full charge is "
        f"{worker_full[0] / 1024 / 1024:.1f} MB in {worker_full[1]:.0f} s at {kbps} kbps: "
        + (
            "within"
            if worker_full[0] <= BUDGET_MB * 1024 * 1024 and worker_full[1] <= BUDGET_SECONDS
            else "OVER"
        )
    )
    within = full[0] <= BUDGET_HEAD_MB * 1024 * 1024 and full[1] <= BUDGET_HEAD_SECONDS
    print(
        f"head's budget: {BUDGET_HOUSEHOLDS} households, the register forms of {BUDGET_REGISTER_HOUSEHOLDS}, "
        f"{BUDGET_HEAD_MB} MB, {BUDGET_HEAD_SECONDS} s at 400 kbps; at {plain[0] / 1024:.1f} KB a household "
        f"and {register[0] / 1024:.1f} KB more for its register forms ({head[3]} here), a full charge is "
        f"{full[0] / 1024 / 1024:.1f} MB in {full[1]:.0f} s at {kbps} kbps: "
        + ("within" if within else "OVER")
    )


def log_visit(page, base: str, household: int, *, offline: bool) -> float:
    """Open the household's visit form, tick the first achievement offered, save; seconds until
    the household's page is shown."""
    started = time.perf_counter()
    page.goto(f"{base}/visits/new/?household={household}")
    page.locator("#visit-household .achievements input[type=checkbox]").first.check()
    with page.expect_navigation(url=f"{base}/households/{household}/"):
        page.click("#visit-form button[type=submit]")
    page.wait_for_load_state("load")
    if not offline:
        page.locator("ul.messages li").first.wait_for()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--visits", type=int, default=5, help="visits timed in each condition")
    parser.add_argument("--kbps", type=int, default=400, help="the shaped link's bandwidth, each way")
    parser.add_argument("--latency", type=int, default=400, help="the shaped link's round trip, in ms")
    parser.add_argument(
        "--first-syncs",
        action="store_true",
        help="only the first syncs of the worker's and the village head's phones, against their budgets",
    )
    options = parser.parse_args()

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    static_root = tempfile.mkdtemp(prefix="softbridge-static-")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "0", "STATIC_ROOT": static_root, "SECRET_KEY": "collect"},
        check=True,
    )
    upstream, listen = free_port(), free_port()
    server = start_gunicorn(upstream, static_root)
    link = ShapedLink(listen, upstream)
    base = f"http://localhost:{listen}"
    households = list(
        Household.objects.filter(village__code="NK")
        .order_by("code")
        .values_list("pk", flat=True)[: 3 * options.visits + 1]
    )
    pages = {
        "home": "/",
        "households": "/households/",
        "follow-ups": "/visits/follow-ups/",
        "visit form": f"/visits/new/?household={households[0]}",
        "household": f"/households/{households[0]}/",
        "outbox": "/outbox/",
    }

    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            link.shape(options.kbps, options.latency)
            print(f"link: {options.kbps} kbps each way, {options.latency} ms round trip (a slow 3G)")
            if options.first_syncs:
                the_first_syncs(browser, base, link, options.kbps)
                return

            # --- cold: no service worker, nothing cached
            cold = {}
            context = browser.new_context(viewport={"width": 360, "height": 740}, service_workers="block")
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            sign_in(page, base)
            heaviest = {}
            page.on(
                "response",
                lambda response: heaviest.__setitem__(
                    response.url.split("/")[-1].split("?")[0] or "/",
                    response.request.sizes()["responseBodySize"],
                ),
            )
            for name, path in pages.items():
                cdp.send("Network.clearBrowserCache")
                quiet(link, 0.5)
                heaviest.clear()
                before = link.bytes_down
                page.goto(base + path, wait_until="load")
                quiet(link, 0.5)
                cold[name] = link.bytes_down - before
                if name == "visit form":
                    parts = sorted(heaviest.items(), key=lambda item: -item[1])
                    cold_parts = ", ".join(f"{url} {size / 1024:.1f}" for url, size in parts)
                print(f"  cold {name}: {cold[name] / 1024:.1f} KB", flush=True)
            context.close()

            # --- warm: the phone keeps its copies
            context = browser.new_context(viewport={"width": 360, "height": 740})
            page = context.new_page()
            sign_in(page, base)
            started = time.perf_counter()
            first_sync_before = link.bytes_down
            while not synced(page):
                print(f"  syncing: {(link.bytes_down - first_sync_before) / 1024:.0f} KB", flush=True)
                time.sleep(2)
            first_sync = (link.bytes_down - first_sync_before, time.perf_counter() - started)
            quiet(link)
            listed = page.evaluate("Softbridge.outbox.syncState().then((s) => s.total)")

            # --- one visit: what the phone fetches behind it (the sync a save starts: the list and
            # the pages whose stamp changed), then the next sync ("sync now": the list alone)
            saved_at = page.evaluate("Date.now()")
            log_visit(page, base, households[-1], offline=False)
            before = link.bytes_down
            while not synced(page, saved_at):
                time.sleep(0.5)
            quiet(link)
            behind_visit = (link.bytes_down - before, page.evaluate(f"{STATE}.then((s) => s.toFetch)"))
            asked = page.evaluate("Date.now()")
            before = link.bytes_down
            page.click("#sync-status .sync-now")
            while not synced(page, asked):
                time.sleep(0.5)
            quiet(link)
            resync = (link.bytes_down - before, page.evaluate(f"{STATE}.then((s) => s.toFetch)"))
            print(
                f"  after one visit: {behind_visit[0] / 1024:.1f} KB behind it ({behind_visit[1]} pages), "
                f"the next sync {resync[0] / 1024:.1f} KB ({resync[1]} pages)",
                flush=True,
            )
            warm = {}
            for name, path in pages.items():
                page.goto(base + path, wait_until="load")
                quiet(link)
                before = link.bytes_down
                page.goto(base + path, wait_until="load")
                opened = link.bytes_down - before
                quiet(link)
                warm[name] = (opened, link.bytes_down - before - opened)
                print(f"  kept {name}: {opened / 1024:.1f} KB to open", flush=True)

            # --- the visit flow
            spare = iter(households[1:])
            timed = {}
            for label, kbps, offline in (
                ("loopback", 0, False),
                ("3G online", options.kbps, False),
                ("3G offline", options.kbps, True),
            ):
                link.shape(kbps, options.latency if kbps else 0)
                context.set_offline(offline)
                timed[label] = [
                    log_visit(page, base, next(spare), offline=offline) for _ in range(options.visits)
                ]
                print(f"  {label}: " + ", ".join(f"{t:.2f} s" for t in timed[label]), flush=True)
            context.set_offline(False)
            link.shape(0, 0)
            page.goto(base + "/")
            # What was saved offline is sent now: the run ends when the phone has nothing waiting.
            deadline = time.monotonic() + 120
            while (
                page.evaluate("Softbridge.outbox.records().then((r) => r.length)")
                and time.monotonic() < deadline
            ):
                time.sleep(1)
            waiting = page.evaluate("Softbridge.outbox.records().then((r) => r.length)")
            browser.close()
    finally:
        server.terminate()
        server.wait()

    print(
        f"\nfirst sync of the phone: {listed} pages kept, "
        f"{first_sync[0] / 1024:.0f} KB in {first_sync[1]:.0f} s"
    )
    print(
        f"re-sync after one visit: {behind_visit[0] / 1024:.1f} KB fetched behind the save "
        f"({behind_visit[1]} pages whose stamp changed, and the list), then {resync[0] / 1024:.1f} KB "
        f"at the next sync ({resync[1]} pages)"
    )
    # The per-phone budget (docs/offline.md): a full charge, from this run's cost per household.
    charge = Household.objects.filter(village__code="NK").count()
    per_household = first_sync[0] / charge
    full = per_household * BUDGET_HOUSEHOLDS
    seconds = first_sync[1] / charge * BUDGET_HOUSEHOLDS
    print(
        f"budget: {BUDGET_HOUSEHOLDS} households, {BUDGET_MB} MB, {BUDGET_SECONDS} s at 400 kbps; "
        f"at {per_household / 1024:.1f} KB a household ({charge} here) a full charge is "
        f"{full / 1024 / 1024:.1f} MB in {seconds:.0f} s at {options.kbps} kbps: "
        + ("within" if full <= BUDGET_MB * 1024 * 1024 and seconds <= BUDGET_SECONDS else "OVER")
    )
    print(f"\n{'field page':<12} {'cold KB':>9} {'kept: to open':>14} {'behind':>8}")
    for name in pages:
        opened, behind = warm[name]
        print(f"{name:<12} {cold[name] / 1024:>9.1f} {opened / 1024:>11.1f} KB {behind / 1024:>5.1f} KB")
    print(f"\nthe cold visit form's parts (KB of body): {cold_parts}")
    print(f"records still waiting at the end: {waiting}")
    print(f"\nthe visit flow, median of {options.visits} (open the form, tick, save, see the household):")
    medians = {label: statistics.median(times) for label, times in timed.items()}
    for label, median in medians.items():
        print(f"  {label:<11} {median:6.2f} s   x{median / medians['loopback']:.1f} the loopback")
    print(f"  offline / online at 3G: x{medians['3G offline'] / medians['3G online']:.2f}")


if __name__ == "__main__":
    main()
