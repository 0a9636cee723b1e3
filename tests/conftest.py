"""The people every test talks about: a commune with two villages, and a user per role.

- `official`: commune official of Hạ Lang (everything in the commune)
- `head_a`: village head of village A only
- `worker_a`: worker assigned to village A
- `leader`: leader of Hạ Lang (read-only, whole commune)
- `outsider`: official of another commune
"""

import datetime
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from _pytest.mark.expression import Expression
from django.core.cache import cache
from django.test import Client
from django.test.utils import override_settings
from django.utils import translation

from softbridge.calendar import commune_today
from tests import factories
from tests.migrated import FromKeptCopy, kept_copy
from villages.models import Role

TESTS = Path(__file__).parent
# The slow lanes, by where they live, so that a new browser test cannot land in `make check` by
# forgetting a decorator. The fuzz lane holds what works from the whole API schema: schemathesis,
# and the client generated from it.
LANES = {
    "browser": [TESTS / "browser"],
    "fuzz": [TESTS / "test_api_fuzz.py", TESTS / "test_api_generated_client.py"],
}


def pytest_collection_modifyitems(items):
    for item in items:
        for marker, paths in LANES.items():
            if any(item.path == path or path in item.path.parents for path in paths):
                item.add_marker(marker)


def _lane_left_out(config, lane: str) -> bool:
    """Whether `-m` deselects every test of the lane, whatever other markers a test has."""
    chosen = config.getoption("markexpr")
    if not chosen:
        return False
    expression = Expression.compile(chosen)
    return not any(
        expression.evaluate(lambda name, others=others, **_: name == lane or others)
        for others in (False, True)
    )


def pytest_ignore_collect(collection_path, config):
    """A lane `-m` leaves out is not even imported: `make check` then skips reading the browser
    tests and schemathesis's (with its pytest plugin, `-p no:schemathesis`): 2.5 CPU seconds of
    collecting in each of its processes."""
    for lane, paths in LANES.items():
        if collection_path in paths and _lane_left_out(config, lane):
            return True
    return None


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings, django_db_createdb):
    """pytest-django builds the test database right after this fixture: on SQLite it then loads
    the migrated copy kept for this state of the code (tests/migrated.py) rather than migrating,
    unless `--create-db`."""
    if django_db_createdb:
        yield
        return
    with FromKeptCopy():
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """The test database as pytest-django builds it; `migrate` is itself again once it is built,
    for the tests that run it."""
    FromKeptCopy.restore()
    yield


@pytest.fixture(autouse=True, scope="session")
def fast_password_hasher():
    """PBKDF2 costs a tenth of a second of CPU per account and sign-in, minutes over the suite.

    What the suite checks of passwords (the validators, the lockout, token exchange) does not
    depend on the hash; the production hasher stays in settings.py.
    """
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def fresh_cache():
    """The API throttles and the sign-in lockout count in the cache, which outlives a test's
    database: every test starts with none counted."""
    cache.clear()


@pytest.fixture(autouse=True)
def today_is_the_communes_today(request):
    """A module's `TODAY` is the commune's day when each test starts, not when the module was
    read: a run that crosses midnight in the commune (17:00 UTC) compared the pages' today with
    yesterday's. (A date a `parametrize` computes is still read once, at collection.)"""
    if isinstance(getattr(request.module, "TODAY", None), datetime.date):
        request.module.TODAY = today = commune_today()
        for name, days in (("YESTERDAY", 1), ("LAST_WEEK", 7)):
            if hasattr(request.module, name):
                setattr(request.module, name, today - datetime.timedelta(days=days))


@pytest.fixture(autouse=True)
def english_outside_requests():
    """Code run outside a request (services, the importer) speaks the default language,
    Vietnamese; the suite reads those messages in English. Pages pick their language per
    request (Accept-Language, the switch's cookie, else Vietnamese) whatever this says."""
    with translation.override("en"):
        yield


@pytest.fixture
def commune(db):
    return factories.commune("01558", "Xã Hạ Lang")


@pytest.fixture
def other_commune(db):
    return factories.commune("01561", "Xã Quang Long")


@pytest.fixture
def village_a(commune):
    return factories.village(commune, code="NK", name="Nà Khau")


@pytest.fixture
def village_b(commune):
    return factories.village(commune, code="BT", name="Bản Thang")


@pytest.fixture
def household_a(village_a):
    return factories.household(village_a, code="NK-001")


@pytest.fixture
def household_b(village_b):
    return factories.household(village_b, code="BT-001")


@pytest.fixture
def resident_a(household_a):
    return factories.resident(household_a, full_name="Nông Thị Hoa", birth_year=1985)


@pytest.fixture
def resident_b(household_b):
    return factories.resident(household_b, full_name="Lương Văn Tú", birth_year=1979)


@pytest.fixture
def official(commune):
    return factories.role_user(Role.Kind.OFFICIAL, commune, username="official")


@pytest.fixture
def head_a(commune, village_a):
    return factories.role_user(Role.Kind.VILLAGE_HEAD, commune, [village_a], username="head_a")


@pytest.fixture
def worker_a(commune, village_a):
    user = factories.role_user(Role.Kind.WORKER, commune, [village_a], username="worker_a")
    factories.worker(commune, full_name="Hoàng Văn Đức", user=user)
    return user


@pytest.fixture
def leader(commune):
    return factories.role_user(Role.Kind.LEADER, commune, username="leader")


@pytest.fixture
def outsider(other_commune):
    return factories.role_user(Role.Kind.OFFICIAL, other_commune, username="outsider")


@pytest.fixture
def superuser(db):
    return factories.user(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def roster_path(tmp_path):
    """Writes a file for the roster commands (tests/test_roster_import*.py) and gives its path."""

    def write(data: bytes, name="roster.csv"):
        path = tmp_path / name
        path.write_bytes(data)
        return str(path)

    return write


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory):
    """Gives a function that copies an empty, migrated SQLite register to a path, for the
    commands a test runs in a process of its own on a file (tests/test_roster_limits.py,
    tests/test_sqlite_writers.py). The test database's migrated copy kept for this state of the
    code (tests/migrated.py) when there is one; else migrated once per test process by
    `manage.py migrate` (about 7 CPU seconds, each time). Then copied."""
    made = tmp_path_factory.mktemp("migrated") / "db.sqlite3"
    if (kept := kept_copy()).exists():
        shutil.copyfile(kept, made)
    else:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"],
            cwd=TESTS.parent,
            env={**os.environ, "DATABASE_URL": f"sqlite:///{made}"},
            check=True,
            capture_output=True,
        )

    def copy_to(path: Path) -> Path:
        shutil.copyfile(made, path)
        return path

    return copy_to


@pytest.fixture
def english_client():
    """A browser that asks for English pages (Accept-Language), so that assertions read the source
    strings whatever the catalogues say. pytest-django's `client` asks for nothing: Vietnamese."""
    return Client(headers={"accept-language": "en"})
