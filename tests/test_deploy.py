"""Production settings: `manage.py check --deploy` is clean under production environment
variables, a missing secret key stops start-up with a clear message, and a production process
answers with HTTPS-only cookies, HSTS, the Content-Security-Policy and hashed static files
served by WhiteNoise.

Each case runs Django in a subprocess, because settings are read from the environment once,
at start-up.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOST = "softbridge.example.vn"
# Long and varied enough for check --deploy; made up here, used nowhere else.
SECRET = "x8Gq-2vN_p7Lr4sWz9Kc1Tb6Hy3Md5Fa0Je8Uo2Ri7Xl4Qn9Vg1Ze6Yw3Pk5Bs0Ct"


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # Nothing of the developer's or the test run's own configuration leaks in.
        if key in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV"}
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS=HOST,
        CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
        TRUSTED_PROXIES="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
        DJANGO_SETTINGS_MODULE="softbridge.settings",
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def python(env: dict[str, str], code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_check_deploy_reports_nothing_under_production_settings(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr + result.stdout


def test_check_deploy_flags_the_development_defaults(tmp_path):
    env = production_env(tmp_path, DEBUG=None, SECRET_KEY=None, ALLOWED_HOSTS=None)
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W009", "security.W012", "security.W018"):
        assert warning in result.stderr


def test_a_missing_secret_key_stops_production_with_a_clear_message(tmp_path):
    result = manage(production_env(tmp_path, SECRET_KEY=None), "check", "--deploy")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_a_number_setting_that_is_not_a_number_is_a_clear_error(tmp_path):
    result = manage(production_env(tmp_path, SIGNIN_FAILURE_LIMIT="five"), "check")
    assert result.returncode != 0
    assert "SIGNIN_FAILURE_LIMIT must be a whole number, not 'five'" in result.stderr


SHOW_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "debug": s.DEBUG,
    "hosts": s.ALLOWED_HOSTS,
    "origins": s.CSRF_TRUSTED_ORIGINS,
    "proxy_header": s.SECURE_PROXY_SSL_HEADER,
    "ssl_redirect": s.SECURE_SSL_REDIRECT,
    "session_secure": s.SESSION_COOKIE_SECURE,
    "csrf_secure": s.CSRF_COOKIE_SECURE,
    "hsts": [s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD],
    "static": s.STORAGES["staticfiles"]["BACKEND"],
    "session_age": s.SESSION_COOKIE_AGE,
    "browser_close": s.SESSION_EXPIRE_AT_BROWSER_CLOSE,
    "failure_limit": s.AXES_FAILURE_LIMIT,
    "cool_off": s.AXES_COOLOFF_TIME.total_seconds(),
    "min_length": [v.get("OPTIONS", {}).get("min_length") for v in s.AUTH_PASSWORD_VALIDATORS],
    "database": s.DATABASES["default"]["ENGINE"],
}))
"""


def show_settings(env):
    result = python(env, SHOW_SETTINGS)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_settings_come_from_the_environment(tmp_path):
    env = production_env(
        tmp_path,
        ALLOWED_HOSTS=f"{HOST}, www.{HOST}",
        SESSION_HOURS="2",
        SESSION_EXPIRE_AT_BROWSER_CLOSE="1",
        SIGNIN_FAILURE_LIMIT="3",
        SIGNIN_LOCKOUT_MINUTES="30",
        PASSWORD_MIN_LENGTH="12",
        DATABASE_URL="postgres://softbridge:pw@db.internal:5432/softbridge",
    )
    shown = show_settings(env)
    assert shown["debug"] is False
    assert shown["hosts"] == [HOST, f"www.{HOST}"]
    assert shown["origins"] == [f"https://{HOST}"]
    assert shown["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert shown["ssl_redirect"] and shown["session_secure"] and shown["csrf_secure"]
    assert shown["hsts"] == [31_536_000, True, True]
    assert shown["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert shown["session_age"] == 7200
    assert shown["browser_close"] is True
    assert shown["failure_limit"] == 3
    assert shown["cool_off"] == 1800
    assert 12 in shown["min_length"]
    assert shown["database"] == "django.db.backends.postgresql"


def test_development_defaults_need_no_environment(tmp_path):
    shown = show_settings(production_env(tmp_path, DEBUG=None, SECRET_KEY=None, TRUSTED_PROXIES=None))
    assert shown["debug"] is True
    assert shown["proxy_header"] is None
    assert not shown["ssl_redirect"] and not shown["session_secure"] and not shown["csrf_secure"]
    assert shown["hsts"][0] == 0
    assert shown["static"] == "django.contrib.staticfiles.storage.StaticFilesStorage"
    assert shown["session_age"] == 12 * 3600
    assert shown["failure_limit"] == 5
    assert shown["cool_off"] == 15 * 60
    assert 10 in shown["min_length"]


REQUESTS = """
import json, re, django
django.setup()
from django.test import Client
client = Client()
host = %(host)r
plain = client.get("/accounts/login/", HTTP_HOST=host)
secure = client.get("/accounts/login/", HTTP_HOST=host, HTTP_X_FORWARDED_PROTO="https")
page = secure.content.decode()
css = re.search(r'href="(/static/css/softbridge\\.[0-9a-f]{12}\\.css)"', page).group(1)
static = client.get(css, HTTP_HOST=host, HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "secure": secure.status_code,
    "hsts": secure.get("Strict-Transport-Security"),
    "csp": secure.get("Content-Security-Policy"),
    "frame": secure.get("X-Frame-Options"),
    "nosniff": secure.get("X-Content-Type-Options"),
    "referrer": secure.get("Referrer-Policy"),
    "csrf_cookie": secure.cookies["csrftoken"]["secure"],
    "static": [static.status_code, static.get("Cache-Control"), static.get("Content-Type")],
}))
"""


def test_collectstatic_succeeds_under_production_settings(tmp_path):
    collected = manage(production_env(tmp_path), "collectstatic", "--noinput", "-v", "0")
    assert collected.returncode == 0, collected.stderr


# collectstatic without following source-map comments: the case above covers those.
COLLECT_IGNORING_SOURCE_MAPS = """
import django
django.setup()
from django.core.management import call_command
from whitenoise.storage import CompressedManifestStaticFilesStorage as Storage
Storage.patterns = tuple(
    (glob, tuple(p for p in patterns if "sourceMappingURL" not in str(p)))
    for glob, patterns in Storage.patterns
)
call_command("collectstatic", "--noinput", "-v", "0")
"""


def test_a_production_process_answers_over_https_only_with_the_security_headers(tmp_path):
    env = production_env(tmp_path)
    collected = python(env, COLLECT_IGNORING_SOURCE_MAPS)
    assert collected.returncode == 0, collected.stderr
    result = python(env, REQUESTS % {"host": HOST})
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["plain"] == [301, f"https://{HOST}/accounts/login/"]
    assert shown["secure"] == 200
    assert shown["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in shown["csp"] and "default-src 'self'" in shown["csp"]
    assert "unsafe-inline" not in shown["csp"]
    assert shown["frame"] == "DENY"
    assert shown["nosniff"] == "nosniff"
    assert shown["referrer"] == "same-origin"
    assert shown["csrf_cookie"] is True
    # WhiteNoise serves the hashed copy, cached for a year.
    assert shown["static"][0] == 200
    assert "max-age=315360000" in shown["static"][1] and "immutable" in shown["static"][1]
    assert shown["static"][2].startswith("text/css")


@pytest.mark.parametrize(
    "forwarded, expected", [("203.0.113.9", "203.0.113.9"), ("1.1.1.1, 203.0.113.9", "203.0.113.9")]
)
def test_behind_two_proxies_the_second_entry_from_the_right_is_the_client(tmp_path, forwarded, expected):
    header = forwarded + ", 10.0.0.1"  # the second proxy appends the first one's address
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.test import RequestFactory\n"
        f"request = RequestFactory().get('/', REMOTE_ADDR='10.0.0.2', HTTP_X_FORWARDED_FOR={header!r})\n"
        "from django.utils.module_loading import import_string\n"
        "print(import_string(settings.AXES_CLIENT_IP_CALLABLE)(request))\n"
    )
    result = python(production_env(tmp_path, TRUSTED_PROXIES="2"), code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


# --- the Content-Security-Policy, in process (tests/browser/test_csp.py runs the pages) ---------


def test_pages_carry_a_policy_without_inline_script(client, official):
    client.force_login(official)
    policy = client.get("/").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"


def test_pages_hold_no_inline_script_or_event_attribute(client, official):
    client.force_login(official)
    page = client.get("/").content.decode()
    assert "<script>" not in page and "onchange=" not in page and "onclick=" not in page
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' in page


def test_the_api_docs_load_their_start_up_script_as_a_file(client, official):
    import base64
    import hashlib
    import re

    client.force_login(official)
    response = client.get("/api/docs/")
    page = response.content.decode()
    assert "<script>" not in page
    script_url = re.search(r'<script src="(/api/docs/\?[^"]*script=[^"]*)"', page).group(1)
    style = re.search(r"<style>(.*?)</style>", page, re.DOTALL).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"style-src 'self' 'sha256-{digest}'" in response.headers["Content-Security-Policy"]
    script = client.get(script_url.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()
