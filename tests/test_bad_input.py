"""Random bad input at the importer, the web forms and the API: clear errors, no 5xx, nothing half-saved.

Hypothesis throws text people and tools really produce at every field: Vietnamese with
diacritics in NFC and NFD, emoji, right-to-left text, NUL bytes (PostgreSQL refuses them
in text), control characters, 10,000-character strings, dates that are not dates, and
numbers too large for any column. Each example must end in either a clean success or an
error that names the field (and the row, for imports), with the database unchanged.

Runs are derandomized (the same examples every run, so CI is reproducible) and kept
small; HYPOTHESIS_PROFILE is not read: raise max_examples here to search longer (`make check`
tries a quarter of them, tests/lanes.py).
"""

import csv
import datetime
import io
import json
import unicodedata
import uuid

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from mobilization.models import CommunicationActivity, HomeVisit
from softbridge.calendar import commune_today
from tests import factories
from tests.lanes import examples
from training.models import TrainingSession
from villages.roster.importing import roster_import

FUZZ = settings(
    max_examples=examples(40),
    deadline=None,
    derandomize=True,
    # No shrinking: a failure shows the example as generated, at once, instead of after
    # minutes of shrinking 10,000-character strings through HTTP requests.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FEW = settings(FUZZ, max_examples=examples(15))

VIETNAMESE = ["Nguyễn Thị Ngọc Ánh", "Đặng Văn Hùng", "Hoàng Thị Phượng", "Lương Văn Tú", "Bế Thị Ðào"]
NASTY = [
    "",
    " ",
    "\x00",
    "Nông\x00Thị Hoa",
    "\x01\x02\x1b[31m\x7f",
    "\r\n\t",
    "\u202eأهلاً بالعالم",
    "שלום עולם",
    "🇻🇳👩🏽‍🌾📱💯",
    "\ufeffBOM",
    "\u200b\u200d\ufffd",
    "' OR 1=1; --",
    "<script>alert(1)</script>",
    "%s %(name)s {0}",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "x" * 10_000,
    "Ạ" * 5_000,
]

vietnamese = st.sampled_from(VIETNAMESE).flatmap(
    lambda name: st.sampled_from([name, unicodedata.normalize("NFD", name), name.upper(), f"  {name}  "])
)
any_text = st.text(max_size=60)
nasty_text = st.one_of(st.sampled_from(NASTY), vietnamese, any_text)
huge_numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([2**31, 2**63, -(2**63) - 1, 10**100]),
).map(str)
date_texts = st.one_of(
    st.dates(min_value=datetime.date(1, 1, 1)).map(datetime.date.isoformat),
    st.dates(min_value=datetime.date(1800, 1, 1)).map(lambda d: d.strftime("%d/%m/%Y")),
    st.sampled_from(
        [
            "2024-02-30",
            "31/31/2024",
            "0000-00-00",
            "9999-12-31",
            "2024-13-01",
            "24-01-01",
            "1e10",
            "-1",
            "today",
        ]
    ),
    huge_numbers,
    nasty_text,
)
numbers = st.one_of(huge_numbers, st.floats(allow_nan=True).map(str), nasty_text)
# Ids for multiple-choice fields: beyond 64 bits they crash the form (see the xfail tests
# below); they stay out of the random runs until that is fixed, so the runs find other bugs.
ids = st.one_of(st.integers(min_value=-(2**63), max_value=2**63 - 1).map(str), nasty_text)
anything = st.one_of(nasty_text, date_texts, numbers)


def row_counts() -> dict[str, int]:
    """Rows of every table of the register, the program and training."""
    labels = ("villages", "mobilization", "training", "reports")
    return {
        m._meta.label: m._base_manager.count()
        for label in labels
        for m in apps.get_app_config(label).get_models(include_auto_created=True)
    }


def changed(before: dict[str, int]) -> dict[str, int]:
    after = row_counts()
    return {label: after[label] - before[label] for label in after if after[label] != before[label]}


# --- the roster importer -------------------------------------------------------------

COLUMNS = [
    "village_code",
    "village_name",
    "household_code",
    "full_name",
    "relation",
    "sex",
    "birth_year",
    "national_id",
    "phone",
    "moved_in_on",
    "left_on",
    "left_reason",
    "eid_on",
    "online_on",
    "level34_on",
]
CELL = {
    "village_code": st.one_of(st.just("NK"), nasty_text),
    "village_name": st.one_of(st.just("Nà Khau"), nasty_text),
    "household_code": st.one_of(st.just("NK-001"), nasty_text),
    "full_name": st.one_of(vietnamese, nasty_text),
    "relation": st.one_of(st.sampled_from(["head", "chủ hộ", "con"]), nasty_text),
    "sex": st.one_of(st.sampled_from(["M", "Nữ"]), nasty_text),
    "birth_year": st.one_of(st.just("1985"), numbers),
    "national_id": st.one_of(st.just("004185000123"), numbers, nasty_text),
    "phone": st.one_of(st.just("0912345678"), nasty_text, huge_numbers),
    "moved_in_on": date_texts,
    "left_on": st.one_of(st.just(""), date_texts),
    "left_reason": st.one_of(st.just(""), nasty_text),
    "eid_on": date_texts,
    "online_on": date_texts,
    "level34_on": date_texts,
}
roster_rows = st.lists(st.fixed_dictionaries(CELL), min_size=1, max_size=4)


def roster_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row[c] for c in COLUMNS])
    # surrogatepass: st.text never makes lone surrogates, but keep the encoder honest.
    return out.getvalue().encode("utf-8", "surrogatepass")


def assert_import_refused_or_saved(result, before, rows: int):
    if result.errors:
        assert not result.saved
        assert changed(before) == {}, "a refused import saved something"
        for error in result.errors:
            assert 1 <= error.row <= rows + 1, error
            assert error.column and error.message, error
            assert "\x00" not in error.message + error.column, error
            assert len(error.message) < 500, error
    else:
        assert result.saved


@FUZZ
@given(rows=roster_rows)
def test_importer_refuses_random_cells_by_row_and_column(commune, rows):
    before = row_counts()
    result = roster_import(commune=commune, source=roster_csv(rows))
    assert_import_refused_or_saved(result, before, len(rows))


@FEW
@given(data=st.binary(max_size=2000))
def test_importer_refuses_random_bytes_as_a_file(commune, data):
    before = row_counts()
    result = roster_import(commune=commune, source=data)
    assert_import_refused_or_saved(result, before, rows=10_000)


@FEW
@given(header=st.lists(nasty_text, min_size=1, max_size=6), cells=st.lists(anything, max_size=6))
def test_importer_refuses_a_random_header(commune, header, cells):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerow(cells)
    before = row_counts()
    result = roster_import(commune=commune, source=out.getvalue().encode())
    assert_import_refused_or_saved(result, before, rows=2)


@FEW
@given(rows=roster_rows)
def test_importer_reads_random_cells_from_excel(commune, rows):
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    for row in rows:
        # Excel itself cannot hold control characters; a file never carries them.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", row[c]) for c in COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    before = row_counts()
    result = roster_import(commune=commune, source=out.getvalue())
    assert_import_refused_or_saved(result, before, len(rows))


@FEW
@given(rows=roster_rows)
def test_upload_page_answers_random_files_without_a_server_error(commune, official, rows):
    client = Client(headers={"accept-language": "en"})
    client.force_login(official)
    before = row_counts()
    upload = io.BytesIO(roster_csv(rows))
    upload.name = "roster.csv"
    response = client.post(reverse("roster:upload"), {"commune": commune.pk, "file": upload}, follow=True)
    assert response.status_code == 200
    assert changed(before) == {}, "the upload saved before the confirmation"


def test_import_command_reports_bad_rows_and_exits_non_zero(commune, tmp_path):
    blank = dict.fromkeys(COLUMNS, "")
    path = tmp_path / "roster.csv"
    path.write_bytes(
        roster_csv(
            [
                {**blank, "village_code": "NK", "household_code": "NK\x00-1", "full_name": "Nông Thị Hoa"},
                {
                    **blank,
                    "village_code": "NK",
                    "household_code": "NK-2",
                    "full_name": "A",
                    "birth_year": "9" * 50,
                },
            ]
        )
    )
    before = row_counts()
    out = io.StringIO()
    with pytest.raises(CommandError, match="refused"):
        call_command("import_roster", "--commune", commune.code, str(path), stdout=out, stderr=io.StringIO())
    assert changed(before) == {}
    assert "row 2, column household_code: The cell holds a control character (\\x00)" in out.getvalue()
    assert "row 3, column birth_year: " + "9" * 39 + "… is not a birth year" in out.getvalue()


# --- the web forms -------------------------------------------------------------------


@pytest.fixture
def browser(official):
    client = Client(headers={"accept-language": "en"})
    client.force_login(official)
    return client


def assert_form_refused_or_saved(response, before, saved: dict[str, int]):
    """A 200 re-shows the form with each error beside its field; a redirect saved exactly `saved`."""
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:
        form = response.context["form"]
        assert form.errors, "the form came back without saying what is wrong"
        assert set(form.errors) <= set(form.fields) | {"__all__"}, form.errors
        assert b"errorlist" in response.content
        assert changed(before) == {}, "a refused form saved something"
    else:
        delta = changed(before)
        assert {label: delta.get(label, 0) for label in saved} == saved, delta


household_fields = st.fixed_dictionaries(
    {
        "address": nasty_text,
        "phone": st.one_of(nasty_text, huge_numbers),
        "worker_in_charge": st.one_of(st.just(""), huge_numbers, nasty_text),
        "has_smartphone": st.sampled_from(["on", "", "\x00", "yes"]),
    }
)


@FUZZ
@given(fields=household_fields)
def test_household_form_refuses_random_fields(browser, household_a, fields):
    household_a.refresh_from_db()
    before = row_counts()
    url = reverse("villages:household_edit", args=[household_a.pk])
    response = browser.post(url, {**fields, "version": household_a.version})
    assert_form_refused_or_saved(response, before, saved={})


@FUZZ
@given(fields=household_fields, code=st.one_of(nasty_text, st.just("NK-NEW")))
def test_new_household_form_refuses_random_fields(browser, village_a, fields, code):
    before = row_counts()
    response = browser.post(
        reverse("villages:household_new"), {**fields, "village": village_a.pk, "code": code}
    )
    assert_form_refused_or_saved(response, before, saved={"villages.Household": 1})


@FUZZ
@given(
    fields=st.fixed_dictionaries(
        {
            "full_name": st.one_of(vietnamese, nasty_text),
            "sex": st.one_of(st.sampled_from(["M", "F", ""]), nasty_text),
            "birth_year": numbers,
            "national_id": st.one_of(huge_numbers, nasty_text),
            "phone": nasty_text,
            "relation": st.one_of(st.sampled_from(["head", "child"]), nasty_text),
            "moved_in_on": date_texts,
        }
    )
)
def test_member_form_refuses_random_fields(browser, household_a, fields):
    before = row_counts()
    response = browser.post(reverse("villages:member_new", args=[household_a.pk]), fields)
    assert_form_refused_or_saved(response, before, saved={"villages.Resident": 1})


@pytest.fixture
def visitor(commune):
    return factories.worker(commune, full_name="Hoàng Văn Đức")


@FUZZ
@given(
    fields=st.fixed_dictionaries(
        {
            "visited_on": date_texts,
            "outcome": st.one_of(st.sampled_from(HomeVisit.Outcome.values), nasty_text),
            "follow_up_on": st.one_of(st.just(""), date_texts),
            "notes": nasty_text,
            "workers": st.one_of(st.just("ME"), ids),
            "achievements": st.one_of(st.just("eid_activated"), nasty_text),
        }
    )
)
def test_visit_form_refuses_random_fields(browser, household_a, resident_a, visitor, fields):
    # A garbage key is refused but not shown (xfail test below), and a key already answered is
    # answered the same again (softbridge.submissions): each example is a new submission.
    data = {**fields, "household": household_a.pk, "submission_key": str(uuid.uuid4())}
    data["workers"] = visitor.pk if fields["workers"] == "ME" else fields["workers"]
    data[f"achievements_{resident_a.pk}"] = data.pop("achievements")
    before = row_counts()
    response = browser.post(reverse("visits:new"), data)
    assert_form_refused_or_saved(response, before, saved={"mobilization.HomeVisit": 1})


@FEW
@given(
    household=st.one_of(huge_numbers, nasty_text).filter(lambda text: not text.isdigit() or text.isascii())
)
def test_visit_form_with_a_random_household_is_not_found(browser, household_a, household):
    before = row_counts()
    response = browser.post(reverse("visits:new"), {"household": household})
    assert response.status_code in (200, 404)
    assert changed(before) == {}


@FUZZ
@given(
    fields=st.fixed_dictionaries(
        {
            "held_on": date_texts,
            "venue_kind": st.one_of(st.sampled_from(TrainingSession.VenueKind.values), nasty_text),
            "venue": nasty_text,
            "notes": nasty_text,
            "topics": st.one_of(st.just(""), ids),
            "facilitators": st.one_of(st.just(""), ids),
            "group": st.one_of(st.just(""), huge_numbers, nasty_text),
        }
    )
)
def test_session_form_refuses_random_fields(browser, village_a, fields):
    before = row_counts()
    # Each example is a first send: a key sent before gets the first answer (answered_once).
    data = {**fields, "village": village_a.pk, "submission_key": str(uuid.uuid4())}
    response = browser.post(reverse("training:new"), data)
    assert_form_refused_or_saved(response, before, saved={"training.TrainingSession": 1})


@FUZZ
@given(
    fields=st.fixed_dictionaries(
        {
            "channel": st.one_of(st.sampled_from(CommunicationActivity.Channel.values), nasty_text),
            "held_on": date_texts,
            "topic": st.one_of(vietnamese, nasty_text),
            "reach": numbers,
            "group": st.one_of(st.just(""), huge_numbers, nasty_text),
        }
    )
)
def test_communication_form_refuses_random_fields(browser, village_a, fields):
    before = row_counts()
    data = {**fields, "villages": [village_a.pk], "submission_key": str(uuid.uuid4())}
    response = browser.post(reverse("program:communication_new"), data)
    assert_form_refused_or_saved(
        response,
        before,
        saved={"mobilization.CommunicationActivity": 1, "mobilization.CommunicationActivity_villages": 1},
    )


@FEW
@given(q=anything, village=st.one_of(huge_numbers, nasty_text), month=date_texts)
def test_list_filters_take_random_text(browser, household_a, q, village, month):
    for name, params in (
        ("villages:households", {"q": q, "village": village}),
        ("visits:list", {"village": village, "month": month}),
        # A NUL in this search is a known crash on PostgreSQL (xfail test below).
        ("visits:household_options", {"q": q.replace("\x00", "")}),
    ):
        response = browser.get(reverse(name), params)
        assert response.status_code in (200, 400), (name, response.status_code)


# --- the API -------------------------------------------------------------------------

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), nasty_text),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(any_text, children, max_size=3)
    ),
    max_leaves=8,
)
field_value = st.one_of(
    nasty_text, date_texts, json_values, st.integers(min_value=-(10**30), max_value=10**30)
)


@pytest.fixture
def api(official):
    client = APIClient(headers={"accept-language": "en"})
    client.force_authenticate(official)
    return client


def assert_api_refused_or_saved(response, before, fields: set[str], saved: dict[str, int]):
    assert response.status_code < 500, response.content[:500]
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body, dict) and body, body
        if response.status_code == 400:
            assert set(body) <= fields | {"non_field_errors", "detail"}, body
        assert changed(before) == {}, "a refused request saved something"
    else:
        delta = changed(before)
        assert {label: delta.get(label, 0) for label in saved} == saved, delta


def _post(api, url, payload):
    # json.dumps here, not the client's encoder: floats such as 1e308 and any text go as written.
    return api.generic("POST", url, json.dumps(payload), content_type="application/json")


HOUSEHOLD_API = ["village", "code", "address", "phone", "has_smartphone", "has_internet", "worker_in_charge"]


@FUZZ
@given(payload=st.fixed_dictionaries({}, optional={name: field_value for name in HOUSEHOLD_API}))
def test_api_household_create_refuses_random_json(api, village_a, payload):
    payload.setdefault("village", village_a.pk)
    before = row_counts()
    response = _post(api, "/api/households/", payload)
    assert_api_refused_or_saved(response, before, set(HOUSEHOLD_API), saved={"villages.Household": 1})


@FUZZ
@given(
    payload=st.fixed_dictionaries(
        {}, optional={name: field_value for name in [*HOUSEHOLD_API[1:], "version"]}
    )
)
def test_api_household_patch_refuses_random_json(api, household_a, payload):
    before = row_counts()
    response = api.generic(
        "PATCH", f"/api/households/{household_a.pk}/", json.dumps(payload), content_type="application/json"
    )
    assert_api_refused_or_saved(response, before, {*HOUSEHOLD_API, "version"}, saved={})


RESIDENT_API = [
    "household",
    "full_name",
    "sex",
    "birth_year",
    "national_id",
    "phone",
    "relation",
    "moved_in_on",
]


@FUZZ
@given(
    payload=st.fixed_dictionaries(
        {"full_name": st.one_of(vietnamese, field_value)},
        optional={name: field_value for name in RESIDENT_API[2:]},
    )
)
def test_api_resident_create_refuses_random_json(api, household_a, payload):
    payload["household"] = household_a.pk
    before = row_counts()
    response = _post(api, "/api/residents/", payload)
    assert_api_refused_or_saved(response, before, set(RESIDENT_API), saved={"villages.Resident": 1})


@FUZZ
@given(step=field_value, on=field_value)
def test_api_ladder_refuses_random_json(api, resident_a, step, on):
    before = row_counts()
    response = _post(api, f"/api/residents/{resident_a.pk}/ladder/", {"step": step, "on": on})
    assert_api_refused_or_saved(response, before, {"step", "on"}, saved={})


VISIT_API = [
    "household",
    "visited_on",
    "workers",
    "helped",
    "outcome",
    "notes",
    "follow_up_on",
    "submission_key",
]


@FUZZ
@given(
    payload=st.fixed_dictionaries(
        {"visited_on": date_texts},
        optional={
            "workers": field_value,
            "helped": field_value,
            "outcome": field_value,
            "notes": field_value,
            "follow_up_on": field_value,
            "submission_key": st.one_of(st.uuids().map(str), field_value),
        },
    ),
    with_worker=st.booleans(),
)
def test_api_visit_create_refuses_random_json(api, household_a, resident_a, visitor, payload, with_worker):
    payload["household"] = household_a.pk
    if with_worker:
        payload["workers"] = [visitor.pk]
    before = row_counts()
    response = _post(api, "/api/visits/", payload)
    assert_api_refused_or_saved(response, before, {*VISIT_API, "model"}, saved={"mobilization.HomeVisit": 1})


@FUZZ
@given(
    payload=st.fixed_dictionaries(
        {"channel": st.one_of(st.sampled_from(CommunicationActivity.Channel.values), field_value)},
        optional={
            "held_on": date_texts,
            "topic": field_value,
            "reach": field_value,
            "group": field_value,
            "submission_key": field_value,
        },
    )
)
def test_api_communication_create_refuses_random_json(api, village_a, payload):
    payload["villages"] = [village_a.pk]
    before = row_counts()
    response = _post(api, "/api/communications/", payload)
    fields = {"channel", "held_on", "villages", "topic", "reach", "group", "model", "submission_key"}
    assert_api_refused_or_saved(response, before, fields, saved={"mobilization.CommunicationActivity": 1})


@FUZZ
@given(
    payload=st.fixed_dictionaries(
        {"held_on": date_texts},
        optional={
            "venue_kind": field_value,
            "venue": field_value,
            "notes": field_value,
            "topics": field_value,
            "facilitators": field_value,
            "submission_key": field_value,
        },
    )
)
def test_api_session_create_refuses_random_json(api, village_a, payload):
    payload["village"] = village_a.pk
    before = row_counts()
    response = _post(api, "/api/training-sessions/", payload)
    fields = {
        "held_on",
        "village",
        "venue_kind",
        "venue",
        "notes",
        "topics",
        "facilitators",
        "group",
        "model",
        "submission_key",
    }
    assert_api_refused_or_saved(response, before, fields, saved={"training.TrainingSession": 1})


@FUZZ
@given(search=anything, village=anything, after=date_texts, ordering=anything, page=anything)
def test_api_lists_take_random_query_parameters(
    api, household_a, resident_a, search, village, after, ordering, page
):
    for url, params in (
        ("/api/residents/", {"search": search, "village": village, "ordering": ordering, "page": page}),
        ("/api/households/", {"search": search, "village": village, "page_size": page}),
        ("/api/visits/", {"visited_after": after, "visited_before": after, "ordering": ordering}),
    ):
        response = api.get(url, params)
        assert response.status_code in (200, 400, 404), (url, response.status_code, response.content[:300])


@FEW
@given(body=st.one_of(st.binary(max_size=300), nasty_text.map(str.encode)))
def test_api_refuses_bodies_that_are_not_json(api, village_a, body):
    before = row_counts()
    response = api.generic("POST", "/api/households/", body, content_type="application/json")
    assert response.status_code == 400
    assert changed(before) == {}


def test_api_refuses_a_nul_byte_in_a_name_with_a_field_error(api, household_a):
    before = row_counts()
    response = _post(api, "/api/residents/", {"household": household_a.pk, "full_name": "Nông\x00Hoa"})
    assert response.status_code == 400
    assert "full_name" in response.json()
    assert changed(before) == {}


def test_visit_form_refuses_a_nul_byte_in_the_notes(browser, household_a, visitor):
    data = {
        "submission_key": str(uuid.uuid4()),
        "household": household_a.pk,
        "visited_on": commune_today().isoformat(),
        "workers": [visitor.pk],
        "outcome": HomeVisit.Outcome.DONE,
        "notes": "gặp\x00chủ hộ",
    }
    before = row_counts()
    response = browser.post(reverse("visits:new"), data)
    assert response.status_code == 200
    assert "notes" in response.context["form"].errors
    assert changed(before) == {}


# --- bugs found here, in files this suite's author does not own (strict: they fail once fixed)


ON_SQLITE = connection.vendor == "sqlite"
ON_POSTGRESQL = connection.vendor == "postgresql"


@pytest.mark.parametrize("field", ["topics", "facilitators"])
def test_session_form_refuses_an_id_beyond_64_bits(browser, village_a, field):
    data = {
        "submission_key": str(uuid.uuid4()),
        "held_on": commune_today().isoformat(),
        "village": village_a.pk,
        "venue_kind": TrainingSession.VenueKind.CULTURAL_HOUSE,
        field: str(2**63),
    }
    before = row_counts()
    response = browser.post(reverse("training:new"), data)
    assert response.status_code == 200 and field in response.context["form"].errors
    assert changed(before) == {}


def test_visit_form_refuses_a_worker_id_beyond_64_bits(browser, household_a, visitor):
    data = {
        "submission_key": str(uuid.uuid4()),
        "household": household_a.pk,
        "visited_on": commune_today().isoformat(),
        "workers": [str(2**63)],
        "outcome": HomeVisit.Outcome.DONE,
    }
    before = row_counts()
    response = browser.post(reverse("visits:new"), data)
    assert response.status_code == 200 and "workers" in response.context["form"].errors
    assert changed(before) == {}


def test_visit_form_with_a_superscript_digit_for_household_is_not_found(browser, household_a):
    assert browser.post(reverse("visits:new"), {"household": "³"}).status_code == 404
    assert not HomeVisit.objects.exists()


def test_visit_form_shows_a_refused_submission_key(browser, household_a, visitor):
    data = {
        "submission_key": "not-a-uuid",
        "household": household_a.pk,
        "visited_on": commune_today().isoformat(),
        "workers": [visitor.pk],
        "outcome": HomeVisit.Outcome.DONE,
    }
    response = browser.post(reverse("visits:new"), data)
    assert response.status_code == 200 and b"errorlist" in response.content
    assert not HomeVisit.objects.exists()


def test_communication_form_shows_a_refused_submission_key(browser, village_a):
    data = {
        "submission_key": "not-a-uuid",
        "channel": CommunicationActivity.Channel.LOUDSPEAKER,
        "held_on": commune_today().isoformat(),
        "villages": [village_a.pk],
        "topic": "Đăng ký định danh",
        "reach": "10",
    }
    response = browser.post(reverse("program:communication_new"), data)
    assert response.status_code == 200 and b"errorlist" in response.content
    assert not CommunicationActivity.objects.exists()


def test_household_search_for_a_visit_takes_a_nul_byte(browser, household_a):
    response = browser.get(reverse("visits:household_options"), {"q": "NK\x00001"})
    assert response.status_code in (200, 400)
