"""Lighthouse and pa11y over the field pages, signed in as the demo's worker: scores and errors.

    (cd bench/node && npm ci)   # once: lighthouse 12.2.x and pa11y 9.x, pinned by package-lock.json
    .venv/bin/python bench/pages.py [--pages today,visit-form] [--runs 1]
    .venv/bin/python bench/pages.py --user leader --pages reports --runs 3 --median

Migrates a fresh SQLite database in a temporary directory (or the one DATABASE_URL names), seeds
the demo commune, collects the static files and serves them with gunicorn, DEBUG off (compressed,
hashed static files, as in production), on the loopback. Signs in as the demo's worker of Nà Khau
through the sign-in page and hands the session cookie to both tools, which drive Debian's Chromium
(CHROME_PATH, /usr/bin/chromium unless set):

- Lighthouse 12, its default mobile run (a Moto G Power's screen, simulated slow 4G and a 4x
  slower CPU): the performance, accessibility and best-practices scores of each page, the
  lowest of `--runs` runs (goal: 100 each, docs/user-guide.md), with the audits that cost points;
- pa11y 9 (HTML_CodeSniffer, WCAG 2 AA): the errors of each page (goal: none).

Not a test, and not part of `make test`: it needs Node 20 and the packages above, takes minutes,
and performance scores move with the machine's load (2 shared cores here).
"""

import argparse
import http.cookiejar
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "bench" / "node"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "softbridge.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='bench-pages-')}/pages.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from villages.models import Household  # noqa: E402

USER, PASSWORD = "worker-nakhau", "halang-2024"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CATEGORIES = ("performance", "accessibility", "best-practices")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
            "--workers=2",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    sys.exit("gunicorn did not start")


def sign_in(base: str, username: str = USER) -> str:
    """The session cookie of a demo user (the worker unless told), signed in through the sign-in
    page as a person is."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
    opener.open(
        urllib.request.Request(f"{base}/accounts/login/", data=data.encode(), headers={"Referer": base})
    )
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "sessionid" not in cookies:
        sys.exit(f"could not sign in as the demo's {username}")
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def lighthouse(url: str, cookie: str | None) -> dict:
    """One Lighthouse run: {category: score 0-100} and the audits that cost points."""
    command = [
        str(NODE / "node_modules" / ".bin" / "lighthouse"),
        url,
        "--only-categories=" + ",".join(CATEGORIES),
        "--output=json",
        "--output-path=stdout",
        "--quiet",
        "--chrome-flags=--headless=new --no-sandbox",
    ]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    report = json.loads(
        subprocess.run(
            command, capture_output=True, text=True, check=True, env={**os.environ, "CHROME_PATH": CHROME}
        ).stdout
    )
    scores = {name: round(100 * (report["categories"][name]["score"] or 0)) for name in CATEGORIES}
    lost = sorted(
        {
            audit_ref["id"]
            for name in CATEGORIES
            for audit_ref in report["categories"][name]["auditRefs"]
            if audit_ref["weight"] and (report["audits"][audit_ref["id"]]["score"] or 0) < 1
        }
    )
    shifts = [
        item.get("node", {}).get("snippet", "?")[:90]
        for item in report["audits"].get("layout-shifts", {}).get("details", {}).get("items", [])
    ]
    tbt = round(report["audits"]["total-blocking-time"]["numericValue"])
    return {"scores": scores, "lost": lost, "shifts": shifts, "tbt": tbt}


def pa11y(url: str, cookie: str | None, config_dir: str) -> list[str]:
    """pa11y's WCAG 2 AA errors on the page: "code: message (selector)"."""
    config = {
        "standard": "WCAG2AA",
        "timeout": 120000,
        "chromeLaunchConfig": {"executablePath": CHROME, "args": ["--no-sandbox", "--headless=new"]},
        "headers": {"Cookie": cookie} if cookie else {},
    }
    path = Path(config_dir) / "pa11y.json"
    path.write_text(json.dumps(config))
    found = subprocess.run(
        [str(NODE / "node_modules" / ".bin" / "pa11y"), "--config", str(path), "--reporter", "json", url],
        capture_output=True,
        text=True,
    )
    issues = json.loads(found.stdout or "[]")
    return [
        f"{i['code'].split('.')[-2]}.{i['code'].split('.')[-1]}: {i['message']} ({i['selector']})"
        for i in issues
        if i["type"] == "error"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", default="", help="a comma-separated subset of the pages' names")
    parser.add_argument(
        "--runs", type=int, default=1, help="Lighthouse runs per page (the lowest scores count)"
    )
    parser.add_argument("--user", default=USER, help="the demo user signed in (leader: for the reports)")
    parser.add_argument(
        "--median", action="store_true", help="the median of the runs' scores rather than the lowest"
    )
    options = parser.parse_args()
    if not (NODE / "node_modules" / ".bin" / "lighthouse").exists():
        sys.exit("Install the tools first: (cd bench/node && npm ci)")

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    static_root = tempfile.mkdtemp(prefix="softbridge-static-")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "0", "STATIC_ROOT": static_root, "SECRET_KEY": "collect"},
        check=True,
    )
    port = free_port()
    server = start_gunicorn(port, static_root)
    base = f"http://localhost:{port}"
    household = Household.objects.filter(village__code="NK").order_by("code").values_list("pk", flat=True)[0]
    pages = {
        "sign-in": ("/accounts/login/", False),
        "today": ("/", True),
        "households": ("/households/", True),
        "household": (f"/households/{household}/", True),
        "follow-ups": ("/visits/follow-ups/", True),
        "visit-picker": ("/visits/new/", True),
        "visit-form": (f"/visits/new/?household={household}", True),
        "not-sent": ("/outbox/", True),
        "sessions": ("/training/", True),
        # A leader's page: run it with --user leader (the worker may not read the reports).
        "reports": ("/reports/", True),
    }
    if options.pages:
        pages = {name: pages[name] for name in options.pages.split(",")}
    try:
        cookie = sign_in(base, options.user)
        config_dir = tempfile.mkdtemp(prefix="softbridge-pa11y-")
        print(f"Lighthouse {lighthouse_version()} (mobile, simulated slow 4G),", end=" ")
        print(f"pa11y {pa11y_version()} (WCAG2AA)")
        print(f"{'page':14} {'perf':>5} {'a11y':>5} {'best':>5}  pa11y errors   audits below 100")
        for name, (path, signed_in) in pages.items():
            url = base + path
            runs = [lighthouse(url, cookie if signed_in else None) for _ in range(options.runs)]
            pick = statistics.median_low if options.median else min
            scores = {c: pick([run["scores"][c] for run in runs]) for c in CATEGORIES}
            if options.median:
                performance = [run["scores"]["performance"] for run in runs]
                print(f"{'':16}performance of each run: {performance}, TBT {[run['tbt'] for run in runs]} ms")
            lost = sorted({audit for run in runs for audit in run["lost"]})
            errors = pa11y(url, cookie if signed_in else None, config_dir)
            figures = " ".join(f"{scores[category]:5}" for category in CATEGORIES)
            print(f"{name:14} {figures}  {len(errors):12}   {', '.join(lost) or '-'}")
            for shift in sorted({shift for run in runs for shift in run["shifts"]}):
                print(f"{'':16}layout shift: {shift}")
            for error in errors:
                print(f"{'':16}pa11y: {error}")
    finally:
        server.terminate()
        server.wait()


def lighthouse_version() -> str:
    return json.loads((NODE / "node_modules" / "lighthouse" / "package.json").read_text())["version"]


def pa11y_version() -> str:
    return json.loads((NODE / "node_modules" / "pa11y" / "package.json").read_text())["version"]


if __name__ == "__main__":
    main()
