"""No cell of a file we write runs as a formula: every CSV and XLSX writer, fed each formula start.

Text starting with = + - @, a tab or a carriage return is written with a leading apostrophe
(OWASP, "CSV Injection"), XLSX text is stored as text, a name that merely holds these
characters is left alone, numbers stay numbers, and the roster import reads such a cell back
as it was typed.
"""

import csv
import datetime
import io

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from mobilization.models import HomeVisit, MobilizationModel
from mobilization.services import mobilization_model_save
from softbridge.spreadsheets import FORMULA_STARTS
from tests import factories
from training.models import Topic
from villages.models import Household, Resident
from villages.roster.importing import roster_import

# Each starts a formula: at its start, or after a separator (the cell a spreadsheet splitting
# on that separator reads), or after a line break; and as each must be written.
NEUTRALISED = {
    "=1+2": "'=1+2",
    "+1+2": "'+1+2",
    "-1+2": "'-1+2",
    "@SUM(1+2)": "'@SUM(1+2)",
    # A tab or carriage return starts a formula, and is a separator or line break too.
    "\t=1+2": "'\t'=1+2",
    "\r=1+2": "'\r'=1+2",
    # Issue 28, finding 4: opened with ";" as the separator (Vietnamese settings).
    "Ghi chú;=1+2;": "Ghi chú;'=1+2;",
    # (At most 20 characters: a phone number's column holds no more, and PostgreSQL says so.)
    "Bế Hai, @SUM(1+2)": "Bế Hai, '@SUM(1+2)",
    "Gặp chủ hộ\n-1+2": "Gặp chủ hộ\n'-1+2",
}
PAYLOADS = list(NEUTRALISED)
# What a topic's or group's name, cleaned when saved, is written as: "\t=1+2" is saved as
# "=1+2" (in NEUTRALISED), and a line break as a space, where no formula starts.
SAVED_CLEANED = {"Gặp chủ hộ -1+2": "Gặp chủ hộ -1+2"}
INTACT = ["Lò Văn-Anh", "a=b"]


@pytest.fixture(
    params=PAYLOADS,
    ids=["equals", "plus", "minus", "at", "tab", "carriage-return", "semicolon", "comma", "line-break"],
)
def payload(request):
    return request.param


def quoted(text: str, extension: str) -> str:
    """What the cell must hold: an apostrophe wherever a formula would start."""
    written = {**NEUTRALISED, **SAVED_CLEANED}[text]
    if extension == "xlsx":
        # XML reads a carriage return in text as a line feed (XML 1.0, end-of-line handling).
        return written.replace("\r", "\n")
    return written


def assert_no_separator_starts_a_formula(data: str):
    """Split on each separator a spreadsheet may pick and on every line break, quotes or
    not: no piece starts a formula (after spaces and an opening quote)."""
    for separator in (",", ";", "\t"):
        for line in data.removeprefix("\ufeff").splitlines():
            for piece in line.split(separator):
                assert not piece.lstrip(' "').startswith(FORMULA_STARTS), (separator, line)


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content(response).decode("utf-8-sig"), newline="")))


def xlsx_sheets(response) -> list[list[list]]:
    return xlsx_sheets_of(content(response))


def xlsx_sheets_of(data: bytes) -> list[list[list]]:
    """The workbook's sheets as rows of cells, after checking that no cell is a formula."""
    workbook = load_workbook(io.BytesIO(data))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (sheet.title, cell.coordinate, cell.value)
    return [[list(row) for row in sheet.iter_rows()] for sheet in workbook.worksheets]


def table(response, extension: str) -> list[dict]:
    """The first sheet (or the CSV) as dicts of header -> (value, cell or None); a CSV is
    checked first with every separator (assert_no_separator_starts_a_formula)."""
    if extension == "csv":
        text = content(response).decode("utf-8-sig")
        assert_no_separator_starts_a_formula(text)
        lines = list(csv.reader(io.StringIO(text, newline="")))
        return [{h: (v, None) for h, v in zip(lines[0], line, strict=True)} for line in lines[1:]]
    lines = xlsx_sheets(response)[0]
    headers = [cell.value for cell in lines[0]]
    return [{h: (cell.value, cell) for h, cell in zip(headers, line, strict=True)} for line in lines[1:]]


def assert_number(value, cell, number):
    if cell is None:
        assert value == str(number)  # digits, no apostrophe: a spreadsheet reads a number
    else:
        assert value == number and cell.data_type == "n"


# --- The roster exports (villages.exports) ----------------------------------------------


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_households_export_neutralises_formulas(english_client, official, village_a, payload, extension):
    tainted = factories.household(village_a, code="NK-1", address=payload)
    factories.resident(tainted, full_name=INTACT[0])
    factories.resident(tainted, full_name="Lò Thị Hoa")
    factories.household(village_a, code="NK-2", address=INTACT[1])
    english_client.force_login(official)

    rows = table(english_client.get(reverse("roster:export", args=["households", extension])), extension)

    by_code = {row["household_code"][0]: row for row in rows}
    assert by_code["NK-1"]["address"][0] == quoted(payload, extension)
    assert by_code["NK-2"]["address"][0] == INTACT[1]
    assert_number(*by_code["NK-1"]["members"], 2)


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_residents_export_neutralises_formulas(english_client, official, household_a, payload, extension):
    factories.resident(household_a, full_name=INTACT[0], phone=payload, birth_year=1985)
    factories.resident(household_a, full_name=INTACT[1], phone="0912345678", birth_year=1990)
    english_client.force_login(official)

    rows = table(english_client.get(reverse("roster:export", args=["residents", extension])), extension)

    by_name = {row["full_name"][0]: row for row in rows}
    assert set(by_name) == set(INTACT)
    assert by_name[INTACT[0]]["phone"][0] == quoted(payload, extension)
    assert by_name[INTACT[1]]["phone"][0] == "0912345678"
    assert_number(*by_name[INTACT[0]]["birth_year"], 1985)


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
@pytest.mark.parametrize("name", ["=Nguyen", "+Nguyen", "-Nguyen", "@Nguyen"])
def test_a_name_starting_a_formula_imports_back_unchanged(commune, official, household_a, name, extension):
    factories.resident(household_a, full_name=name, phone="+84912345678", birth_year=1985)
    factories.resident(household_a, full_name=INTACT[0], birth_year=1990)
    client = Client()
    client.force_login(official)
    data = content(client.get(reverse("roster:export", args=["residents", extension])))
    if extension == "csv":
        assert f",'{name}," in data.decode("utf-8-sig")
    else:
        assert "'" + name in {cell.value for row in xlsx_sheets_of(data)[0] for cell in row}
    before = list(Resident.objects.order_by("pk").values_list())
    households_before = list(Household.objects.order_by("pk").values_list())

    result = roster_import(commune=commune, source=data)

    assert result.errors == []
    assert (result.residents.created, result.residents.updated, result.residents.unchanged) == (0, 0, 2)
    assert list(Resident.objects.order_by("pk").values_list()) == before
    assert list(Household.objects.order_by("pk").values_list()) == households_before
    assert Resident.objects.get(birth_year=1985).full_name == name


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_a_name_with_a_formula_after_a_separator_imports_back_unchanged(
    commune, official, household_a, extension
):
    name = "Bế Thị Hai;=1+2;"
    factories.resident(household_a, full_name=name, birth_year=1985)
    client = Client()
    client.force_login(official)
    data = content(client.get(reverse("roster:export", args=["residents", extension])))
    if extension == "csv":
        assert ",Bế Thị Hai;'=1+2;," in data.decode("utf-8-sig")
    before = list(Resident.objects.order_by("pk").values_list())

    result = roster_import(commune=commune, source=data)

    assert result.errors == []
    assert (result.residents.created, result.residents.updated, result.residents.unchanged) == (0, 0, 1)
    assert list(Resident.objects.order_by("pk").values_list()) == before


# --- The report tables (reports.exports) ------------------------------------------------


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_report_table_neutralises_formulas(english_client, official, commune, payload, extension):
    # A group's name is stored as an identifier (softbridge.text): "\t=1+2" as "=1+2".
    stored = factories.worker_group(commune, name=payload).name
    factories.worker_group(commune, name=INTACT[0])
    english_client.force_login(official)

    response = english_client.get(
        reverse("reports:export", kwargs={"table": "groups", "fmt": extension}),
        {"start": "2024-07", "end": "2024-09"},
    )

    assert response.status_code == 200
    rows = table(response, extension)
    names = [row["Group"][0] for row in rows]
    assert sorted(names) == sorted([quoted(stored, extension), INTACT[0]])
    for row in rows:
        assert_number(*row["Residents helped"], 0)


# --- The model's year-end review (frontdoor.model_pages) -----------------------------


def test_model_review_xlsx_neutralises_formulas(english_client, official, commune, village_a, payload):
    owner = factories.worker_group(commune, name=payload)
    model = mobilization_model_save(
        model=MobilizationModel(
            commune=commune,
            name=INTACT[0],
            field=MobilizationModel.Field.ONLINE_PUBLIC_SERVICES,
            owner=owner,
            started_on=datetime.date(2025, 1, 1),
        ),
        villages=[village_a],
        goals=[],
    )
    english_client.force_login(official)

    response = english_client.get(
        reverse("program:model_review_xlsx", args=[model.pk]), {"year": "2025"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    facts = {row[0].value: row[1] for row in xlsx_sheets(response)[0]}
    assert facts["Owning group"].value == quoted(owner.name, "xlsx")  # as stored: see the report test
    assert facts["Mobilization model"].value == INTACT[0]
    assert facts["Started on"].is_date


# --- The admin's exports (django-import-export, softbridge.spreadsheets.ADMIN_FORMATS) -------


def admin_export(client, user, app, model, title):
    client.force_login(user)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    model_admin = admin.site.get_model_admin(apps.get_model(app, model))
    formats = model_admin.get_export_formats()
    index = next(i for i, f in enumerate(formats) if f().get_title() == title)
    resource = model_admin.get_export_resource_classes(None)[0]
    prefix = resource.__name__.lower()
    data = {"format": str(index), "resource": "0"}
    data.update({f"{prefix}_{name}": "on" for name in resource().get_export_order()})
    response = client.post(reverse(f"admin:{app}_{model}_export"), data)
    assert response.status_code == 200, response.content[:500]
    return response


def _resident(commune, household, text):
    return factories.resident(household, full_name=INTACT[0], phone=text, birth_year=1985)


def _worker_group(commune, household, text):
    return factories.worker_group(commune, name=text)


def _topic(commune, household, text):
    return Topic.objects.create(commune=commune, name=text, skill=Topic.Skill.ONLINE_PAYMENT)


def _visit(commune, household, text):
    return HomeVisit.objects.create(
        commune=commune, household=household, visited_on=datetime.date(2024, 8, 20), notes=text
    )


ADMIN_EXPORTS = [
    ("villages", "resident", "phone", _resident),
    ("mobilization", "workergroup", "name", _worker_group),
    ("training", "topic", "name", _topic),
    ("mobilization", "homevisit", "notes", _visit),
]


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
@pytest.mark.parametrize("app,model,column,make", ADMIN_EXPORTS, ids=[m for _a, m, _c, _f in ADMIN_EXPORTS])
def test_admin_export_neutralises_formulas(
    english_client, official, commune, household_a, payload, extension, app, model, column, make
):
    tainted = make(commune, household_a, payload)
    intact = make(commune, household_a, INTACT[1])

    rows = table(admin_export(english_client, official, app, model, extension), extension)

    # A topic's name is trimmed when saved: "\t=1+2" is stored, and exported, as "=1+2".
    stored = getattr(type(tainted).objects.get(pk=tainted.pk), column)
    by_id = {int(row["id"][0]): row for row in rows}
    assert by_id[tainted.pk][column][0] == quoted(stored, extension)
    assert by_id[intact.pk][column][0] == INTACT[1]
    assert_number(*by_id[tainted.pk]["id"], tainted.pk)


def test_admin_csv_export_starts_with_a_byte_order_mark(english_client, official, resident_a):
    response = admin_export(english_client, official, "villages", "resident", "csv")

    assert response.content.startswith("\ufeff".encode())
    assert "Nông Thị Hoa" in response.content.decode("utf-8-sig")


def test_admin_csv_export_imports_back_without_the_apostrophe(english_client, official, commune):
    group = factories.worker_group(commune, name="=Đoàn Thanh niên")
    data = admin_export(english_client, official, "mobilization", "workergroup", "csv").content
    assert ",'=Đoàn Thanh niên," in data.decode("utf-8-sig")
    group.delete()
    model_admin = admin.site.get_model_admin(apps.get_model("mobilization", "workergroup"))
    index = next(i for i, f in enumerate(model_admin.get_import_formats()) if f().get_title() == "csv")
    upload = io.BytesIO(data)
    upload.name = "groups.csv"

    response = english_client.post(
        reverse("admin:mobilization_workergroup_import"), {"format": str(index), "import_file": upload}
    )
    confirm = response.context["confirm_form"]
    done = english_client.post(
        reverse("admin:mobilization_workergroup_process_import"), {**confirm.initial, "resource": "0"}
    )

    assert done.status_code == 302
    assert list(commune.worker_groups.values_list("name", flat=True)) == ["=Đoàn Thanh niên"]


def test_admin_csv_import_reads_a_neutralised_separator_back(english_client, official, commune):
    group = factories.worker_group(commune, name="Đoàn; =1+2")
    data = admin_export(english_client, official, "mobilization", "workergroup", "csv").content
    assert ",Đoàn; '=1+2," in data.decode("utf-8-sig")
    group.delete()
    model_admin = admin.site.get_model_admin(apps.get_model("mobilization", "workergroup"))
    index = next(i for i, f in enumerate(model_admin.get_import_formats()) if f().get_title() == "csv")
    upload = io.BytesIO(data)
    upload.name = "groups.csv"

    response = english_client.post(
        reverse("admin:mobilization_workergroup_import"), {"format": str(index), "import_file": upload}
    )
    confirm = response.context["confirm_form"]
    english_client.post(
        reverse("admin:mobilization_workergroup_process_import"), {**confirm.initial, "resource": "0"}
    )

    assert list(commune.worker_groups.values_list("name", flat=True)) == ["Đoàn; =1+2"]


def test_a_control_character_does_not_fail_an_xlsx_export(
    english_client, official, village_a, commune, household_a
):
    """XLSX cannot hold most control characters: they are left out, the rest of the cell kept."""
    factories.household(village_a, code="NK-9", address="Xóm\x01 Trên\x1b")
    english_client.force_login(official)
    rows = table(english_client.get(reverse("roster:export", args=["households", "xlsx"])), "xlsx")
    assert {row["household_code"][0]: row["address"][0] for row in rows}["NK-9"] == "Xóm Trên"

    _visit(commune, household_a, "=gặp\x07 lại")
    rows = table(admin_export(english_client, official, "mobilization", "homevisit", "xlsx"), "xlsx")
    assert [row["notes"][0] for row in rows] == ["'=gặp lại"]
