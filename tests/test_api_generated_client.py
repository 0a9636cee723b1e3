"""A Python client generated from the live /api/schema/ with openapi-python-client (pinned in
requirements.txt, as docs/api.md tells integrators to run it) imports whole and does the work
of an integrator against the test server; the schemas read in Vietnamese and in English give
the same names, and so the same client (issue 32).

Slow (the generator runs ruff over what it writes, twice): in the fuzz lane of
tests/conftest.py, which `make check` leaves out and `make test` runs.
"""

import datetime
import importlib
import importlib.metadata
import json
import os
import pkgutil
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path

import httpx
import pytest

from mobilization.models import HomeVisit
from softbridge.calendar import commune_today
from tests import factories
from tests.api_schema_names import is_ascii, machine_names

GENERATOR_VERSION = "0.29.1"
LANGUAGES = ["vi", "en"]
# What each language's run writes to the household, so that the second run changes it too.
PHONES = {"vi": "0912345678", "en": "0987654321"}
PASSWORD = "pass-word-123"  # tests/factories.py's
# Seconds: httpx's default of 5 is short for a loaded machine building the schema.
TIMEOUT = 60


def read_schema(base_url: str, language: str) -> dict:
    response = httpx.get(
        f"{base_url}/api/schema/",
        params={"format": "json"},
        headers={"Accept-Language": language},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200
    assert response.headers["Content-Language"] == language
    return response.json()


def generate(schema: dict, where: Path, package: str) -> Path:
    """Run the generator as docs/api.md says; the package's name is ours to choose."""
    source = where / f"{package}.json"
    source.write_text(json.dumps(schema))
    # The generator formats what it writes with the ruff beside this Python.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    command = [sys.executable, "-m", "openapi_python_client", "generate", "--meta", "none"]
    command += ["--path", str(source), "--output-path", str(where / package)]
    result = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, "PATH": path}, timeout=600
    )
    said = result.stdout + result.stderr
    assert result.returncode == 0, said
    # It warns of each operation or model it had to leave out.
    assert "Warning" not in said, said
    return where / package


def import_everything(package: str) -> dict:
    """Every module of the generated package, imported: {name: module}."""
    root = importlib.import_module(package)
    modules = {package: root}
    for found in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
        modules[found.name] = importlib.import_module(found.name)
    return modules


def module_files(package_dir: Path) -> list[str]:
    return sorted(str(p.relative_to(package_dir)) for p in package_dir.rglob("*.py"))


def work_as_an_integrator(modules: dict, package: str, base_url: str, *, household, worker, phone) -> None:
    """Sign in with a token, list households, log a visit, read it back, correct it, change the
    household with the version read, and read the adoption series, through the generated client."""

    def api(name):
        return modules[f"{package}.api.{name}"]

    models = modules[f"{package}.models"]
    client_module = modules[f"{package}.client"]

    options = {"base_url": base_url, "timeout": httpx.Timeout(TIMEOUT), "raise_on_unexpected_status": True}
    with client_module.Client(**options) as anonymous:
        token = api("token.token_create").sync(
            client=anonymous, body=models.AuthTokenRequest(username="official", password=PASSWORD)
        )
    # The token and when it ends (frontdoor.api_routes.TokenView).
    assert isinstance(token, models.IssuedToken)
    assert token.expires > datetime.datetime.now(datetime.UTC)
    with client_module.AuthenticatedClient(token=token.token, prefix="Token", **options) as client:
        work_with_a_token(api, models, client, household=household, worker=worker, note=package, phone=phone)


def work_with_a_token(api, models, client, *, household, worker, note: str, phone: str) -> None:
    households = api("households.households_list").sync(client=client)
    assert [(h.id, h.code) for h in households.results] == [(household.pk, "NK-001")]

    yesterday = commune_today() - datetime.timedelta(days=1)
    created = api("visits.visits_create").sync_detailed(
        client=client,
        body=models.VisitInputRequest(
            household=household.pk, visited_on=yesterday, workers=[worker.pk], notes=f"{note}: first"
        ),
    )
    assert created.status_code == HTTPStatus.CREATED
    visit_id = str(created.parsed.id)
    read = api("visits.visits_retrieve").sync(id=visit_id, client=client)
    assert (read.household, read.visited_on, read.workers) == (household.pk, yesterday, [worker.pk])
    assert read.outcome == models.VisitOutcomeEnum.DONE
    changed = api("visits.visits_partial_update").sync(
        id=visit_id,
        client=client,
        body=models.PatchedVisitUpdateRequest(notes=f"{note}: corrected", follow_up_on=commune_today()),
    )
    assert (changed.notes, changed.follow_up_on) == (f"{note}: corrected", commune_today())
    assert HomeVisit.objects.get(pk=visit_id).notes == f"{note}: corrected"

    # Visits carry no version; households do: a write based on the version read is saved, a
    # second one based on the same read is refused.
    before = api("households.households_retrieve").sync(id=str(household.pk), client=client)
    update = api("households.households_partial_update")
    saved = update.sync(
        id=str(household.pk),
        client=client,
        body=models.PatchedHouseholdUpdateRequest(phone=phone, version=before.version),
    )
    assert (saved.phone, saved.version) == (phone, before.version + 1)
    stale = update.sync_detailed(
        id=str(household.pk),
        client=client,
        body=models.PatchedHouseholdUpdateRequest(phone="0900000000", version=before.version),
    )
    assert stale.status_code == HTTPStatus.CONFLICT
    assert isinstance(stale.parsed, models.Error)
    household.refresh_from_db()
    assert household.phone == phone

    adoption = api("reports.reports_adoption_retrieve").sync(
        client=client, commune="01558", start="2025-01", end="2025-03"
    )
    assert isinstance(adoption, models.Adoption)
    # One adult living there since 2024 with an e-ID from 10 February 2025.
    assert [(m.month, m.eligible, m.eid) for m in adoption.months] == [
        ("2025-01", 1, 0),
        ("2025-02", 1, 1),
        ("2025-03", 1, 1),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_client_generated_in_either_language_imports_whole_and_works(
    live_server, tmp_path, monkeypatch, official, household_a
):
    assert importlib.metadata.version("openapi-python-client") == GENERATOR_VERSION
    worker = factories.worker(household_a.commune)
    factories.resident(
        household_a,
        birth_year=1985,
        moved_in_on=datetime.date(2024, 1, 1),
        eid_on=datetime.date(2025, 2, 10),
    )
    schemas = {language: read_schema(live_server.url, language) for language in LANGUAGES}
    names = {language: machine_names(schema) for language, schema in schemas.items()}
    assert names["vi"] == names["en"]
    assert is_ascii(names["vi"])
    assert names["vi"]["titles"] == []

    monkeypatch.syspath_prepend(str(tmp_path))
    files = {}
    for language in LANGUAGES:
        package = f"softbridge_client_{language}"
        package_dir = generate(schemas[language], tmp_path, package)
        files[language] = module_files(package_dir)
        try:
            modules = import_everything(package)
            # Every file the generator wrote is a module that imported (24 did not: issue 32).
            assert len(modules) == len(files[language])
            work_as_an_integrator(
                modules,
                package,
                live_server.url,
                household=household_a,
                worker=worker,
                phone=PHONES[language],
            )
        finally:
            for name in [m for m in sys.modules if m == package or m.startswith(f"{package}.")]:
                del sys.modules[name]
    # Two teams, one in each language, get the same modules and classes.
    assert files["vi"] == files["en"]
    assert "api/visits/visits_create.py" in files["vi"]
    assert all(name.isascii() for name in files["vi"])
