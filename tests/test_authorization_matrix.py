"""The authorization matrix (issue 7, "Trust"): every URL of the site, every role, one table.

For each URL pattern the project serves (pages, admin, API, i18n, docs), TABLE says what each
role gets for GET and, where the URL writes, for POST, PATCH and DELETE, on a record of
village A of Hạ Lang (the village of `worker_a` and `head_a`). Then every record of the
same kind in village B and in the other commune is tried too: a role that may not see it
must get 404 (or the 403 or 405 it gets in A too) and nothing changes; a role that may see
it gets what it gets in A
(the outsider, an official of the other commune, gets what an official gets at home).
Every page a role may open must not show any record it may not see.

A URL pattern missing from TABLE fails the test with its key; so does a TABLE line whose
pattern is gone. Adding a URL is one line here.

Answers: "ok" a 2xx or a redirect elsewhere than the sign-in page; "login" the sign-in
page (or 401 from the API); otherwise the status code ("403", "404", "405", "400", ...).
Columns, in this order: anonymous, outsider, worker_a, head_a, leader, official, superuser.

One more role, Cao Bằng's province leader (no role in any commune), is tried on every line
too: PROVINCE_LEADER says what they get on the few pages of figures they may open
(villages.access.AGGREGATE_PAGES), and every other line must answer them 403 for each of its
methods, on every record. They read the figures of Hạ Lang (villages A and B), never Quang
Long's (another province here), and no page they open may show any record's marker.

Every GET of a record of village A by a commune's role or the province leader is watched for
statements that read the people of every commune (tests/test_distribution_key.py's rule).
"""

import copy
import re
from contextlib import nullcontext

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.matrix_data import PROVINCE_LEADER, ROLES, World, build_world
from tests.matrix_rows import Row
from tests.matrix_table import COMMUNE_WIDE, MARKERS, PROVINCE_FIGURES, PROVINCE_LEADER_ANSWERS, SEES, TABLE
from tests.test_distribution_key import ROLES as NAMING_ROLES
from tests.test_distribution_key import CommuneReads
from villages.access import AGGREGATE_PAGES

# --- The URLs the project serves ----------------------------------------------------------


def url_patterns(resolver=None, prefix="", namespace=""):
    """(key, route, pattern) for every URL pattern, included ones too.

    The key is namespace:name; a pattern that takes a `format` suffix (the API router's
    `.json` twins) adds " (format)"; an unnamed pattern is keyed by its route.
    """
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from url_patterns(entry, route, inner)
        elif isinstance(entry, URLPattern):
            if entry.name is None:
                yield route, route, entry
                continue
            key = f"{namespace}:{entry.name}" if namespace else entry.name
            if "format" in entry.pattern.regex.groupindex:
                key += " (format)"
            yield key, route, entry


def province_leader_answer(key: str, method: str, where: str) -> str | None:
    """What the province leader gets for a TABLE line, a method and a record's place."""
    if key not in PROVINCE_LEADER_ANSWERS:
        return "403"
    found = dict(zip(METHODS, PROVINCE_LEADER_ANSWERS[key], strict=False)).get(method)
    if where != "a" and where not in PROVINCE_FIGURES:
        return "hidden"
    return found


# Known faults, each told to the maintainer; strict, so that the fix makes these lines fail.
# Known bugs, each marked xfail(strict=True) until fixed; empty when there are none.
BROKEN: set[str] = set()


# --- Answers --------------------------------------------------------------------------------

REFUSED = {"login", "403", "404", "405"}
SIGN_IN_PAGES = None


def sign_in_pages():
    return (resolve_url(settings.LOGIN_URL), reverse("admin:login"))


def answer_of(response) -> str:
    code = response.status_code
    if code in (301, 302, 303, 307, 308):
        return "login" if response["Location"].startswith(sign_in_pages()) else "ok"
    if code == 401:
        return "login"
    if 200 <= code < 300:
        return "ok"
    return str(code)


def answers(cells: str) -> dict[str, str]:
    values = cells.split()
    assert len(values) == len(ROLES), cells
    return dict(zip(ROLES, values, strict=True))


def mirror(role: str, where: str) -> str:
    """Whose answer in village A a role gets on a record it may see elsewhere."""
    return "official" if role == "outsider" and where == "x" else role


def leaked(response, role) -> list[str]:
    if response.status_code != 200 or "spreadsheetml" in response.get("Content-Type", ""):
        return []
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = content.decode("utf-8", "replace")
    return [m for where, marks in MARKERS.items() if where not in SEES[role] for m in marks if m in text]


# --- What a refused request writes ----------------------------------------------------------

# Tables a refused request may write, as they hold no record of the program: signing in or out
# writes the session, and django-axes logs every sign-in attempt and failure.
NOT_RECORDS = {
    "django_session",
    "axes_accessattempt",
    "axes_accessattemptexpiration",
    "axes_accessfailurelog",
    "axes_accesslog",
}
WRITES = {"INSERT", "UPDATE", "DELETE", "REPLACE", "TRUNCATE", "MERGE"}
TABLE_NAME = re.compile(r'\b(?:INTO|UPDATE|FROM|TABLE)\s+"?(\w+)"?', re.IGNORECASE)
# Signing in stamps last_login (and nothing else); that is not a change anyone asked for.
LAST_LOGIN = re.compile(r'^UPDATE "auth_user" SET "last_login" = %s WHERE "auth_user"\."id" = %s$')


class Writes:
    """The tables written by every statement sent while installed as the connection's execute
    wrapper, but for the tables that hold no record. Cheaper than reading every table before
    and after a request, and stricter: a write undone before the answer counts too."""

    def __init__(self):
        self.tables: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        words = sql.lstrip().split(None, 1)
        first = words[0].upper() if words else ""
        # A CTE may hide a write behind WITH; a SELECT ... FOR UPDATE only locks.
        if first in WRITES or (first == "WITH" and re.search(r"\b(INSERT|UPDATE|DELETE)\b", sql, re.I)):
            found = TABLE_NAME.search(sql)
            table = found[1] if found else sql[:60]
            if table not in NOT_RECORDS and not LAST_LOGIN.match(sql.strip()):
                self.tables.append(table)
        return execute(sql, params, many, context)


# --- Running a request --------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> World:
    """One world for the module's tests: each test runs in a savepoint inside it (`db`), and
    every request of a test in one more (attempt), so each role meets the same rows."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        yield built
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def signed_in(world, django_db_blocker) -> dict[str, Client]:
    """A browser per role, signed in once for the module: their sessions are rows of the world's
    transaction, and every request runs in a savepoint (attempt) that gives back the session
    and the cookies it found, so each test meets them as they were made."""
    made = {"anonymous": Client(raise_request_exception=False)}
    with django_db_blocker.unblock():
        for role, user in world.users.items():
            made[role] = Client(raise_request_exception=False)
            made[role].force_login(user)
    return made


@pytest.fixture
def clients(signed_in, db) -> dict[str, Client]:
    return signed_in


def url_of(key: str, row: Row, world: World, where: str) -> tuple[str, dict]:
    """The URL and query string of a TABLE line for the record of `where`."""
    kwargs, query = dict(row.kwargs), {}
    if row.target is not None:
        record = world.row(row.target.kind, where)
        (query if row.target.query else kwargs).update(row.target.build(record))
    if key.endswith(" (format)"):
        kwargs["format"] = "json"
    if row.path:
        return row.path.format(**kwargs), query
    return reverse(key.removesuffix(" (format)"), kwargs=kwargs), query


def send(client: Client, method: str, url: str, query: dict):
    if method == "get":
        return client.get(url, query)
    if url.startswith("/api/"):
        return getattr(client, method)(url, {}, content_type="application/json", QUERY_STRING="")
    return getattr(client, method)(url, {})


def attempt(client: Client, method: str, url: str, query: dict, reads: CommuneReads | None = None):
    """Send the request and undo whatever it wrote, so that every role meets the same world.

    Returns the response and the record tables the request wrote to (Writes); `reads`, when
    given, watches the statements sent meanwhile."""
    cookies = copy.deepcopy(client.cookies)
    cache.clear()  # the throttles and the sign-in lockout count per address, not per role
    sid = transaction.savepoint()
    writes = Writes()
    try:
        with (
            connection.execute_wrapper(writes),
            connection.execute_wrapper(reads) if reads else nullcontext(),
        ):
            response = send(client, method, url, query)
    finally:
        transaction.savepoint_rollback(sid)
        client.cookies = cookies  # signing out or in must not change who asks next
    return response, writes.tables


def check(key, row, world, clients, method, where, expect_of, home) -> list[str]:
    problems = []
    url, query = url_of(key, row, world, where)  # the same record, whoever asks
    for role in (*ROLES, PROVINCE_LEADER):
        if role == PROVINCE_LEADER:
            expected = province_leader_answer(key, method, where)
        else:
            expected = expect_of(role)
        if expected is None:
            continue
        allowed = {expected}
        if expected == "hidden" and row.path.startswith("/admin/"):
            # The admin's bare object URL only redirects to the change page, checked itself.
            allowed = {"403", "404", "405", "ok"}
        elif expected == "hidden":
            # A record the role may not see answers as one that does not exist, 404; a role
            # refused this URL even on a record it may see (403, or 405 for a method it never
            # takes) may get that same refusal instead.
            at_home = province_leader_answer(key, method, "a") if role == PROVINCE_LEADER else home[role]
            allowed = {"404", at_home} if at_home in ("403", "405") else {"404"}
        # tests/test_distribution_key.py: its roles' GETs of village A's records (a `.json` twin
        # is the same view) must name the commune of every resident-level table they read.
        watched = method == "get" and where == "a" and role in NAMING_ROLES and not key.endswith(" (format)")
        reads = CommuneReads() if watched else None
        response, written = attempt(clients[role], method, url, query, reads)
        got = answer_of(response)
        place = f"{method.upper()} {url} {query or ''} as {role}"
        if reads and reads.found:
            problems.append(f"{place}: reads the people of every commune: {reads.found[0][:300]}")
        if got not in allowed:
            wanted = " or ".join(sorted(allowed))
            problems.append(f"{place}: expected {wanted}, got {got} ({response.status_code})")
        if written and (got in REFUSED or expected in REFUSED | {"hidden"}):
            problems.append(f"{place}: refused ({got}) but wrote to {sorted(set(written))}")
        if method == "get" and (shown := leaked(response, role)):
            problems.append(f"{place}: shows {shown}, a record this role may not see")
    return problems


METHODS = ("get", "post", "patch", "delete")


def run_row(key, row, world, clients) -> list[str]:
    problems = []
    for method in METHODS:
        cells = getattr(row, method)
        if not cells:
            continue
        table = answers(cells)
        problems += check(key, row, world, clients, method, "a", table.get, table)
        if row.target is None or key.endswith(" (format)"):
            continue  # a `.json` twin is the same view: its records were tried without the suffix
        if row.target.query and method != "get":
            continue  # a form names its commune in the body, not in the query string
        for where in world.rows[row.target.kind]:
            if where == "a":
                continue

            def elsewhere(role, where=where, table=table):
                if role == "anonymous":
                    return None  # the sign-in page, whatever the record
                if where in SEES[role] or (row.target.kind in COMMUNE_WIDE and where == "b"):
                    return table[mirror(role, where)]
                return "hidden"

            problems += check(key, row, world, clients, method, where, elsewhere, table)
    return problems


# --- The tests ------------------------------------------------------------------------------


def test_every_url_pattern_has_a_line_in_the_table():
    missing = [key for key, _route, _pattern in url_patterns() if key not in TABLE]

    assert not missing, "URL patterns without a line in TABLE: " + ", ".join(missing)


def test_the_province_leaders_answers_are_for_the_pages_of_figures():
    assert set(PROVINCE_LEADER_ANSWERS) == AGGREGATE_PAGES
    for key, cells in PROVINCE_LEADER_ANSWERS.items():
        assert len(cells) == sum(1 for method in METHODS if getattr(TABLE[key], method)), key


def test_every_line_of_the_table_has_a_url_pattern():
    served = {key for key, _route, _pattern in url_patterns()}

    stale = [key for key in TABLE if key not in served]

    assert not stale, "TABLE lines for URL patterns that no longer exist: " + ", ".join(stale)


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(key, marks=pytest.mark.xfail(strict=True, reason="500 on the .json twin"))
        if key in BROKEN
        else key
        for key in TABLE
    ],
)
def test_each_role_gets_what_the_table_says(key, world, clients):
    problems = run_row(key, TABLE[key], world, clients)

    assert not problems, "\n".join(problems)
