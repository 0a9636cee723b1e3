"""The roster import recognises moves, splits and returns (issue 16), and refuses dates that
make no sense, each refusal with its row and column and nothing saved.

A row whose ID number (or household, name and birth year) belongs to a resident of another
household is that resident moving there on the row's moved_in_on, required then; a row of
someone who moved away with a later moved_in_on is their return. Re-importing the same
file changes nothing.
"""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from tests.test_reports_ledger import assert_in_step
from villages import roster_views
from villages.models import Household, PastStay, Resident
from villages.roster.importing import roster_import
from villages.roster.writing import HISTORY_REASON

D = datetime.date
HEADER = [
    "village_code",
    "household_code",
    "full_name",
    "relation",
    "birth_year",
    "national_id",
    "moved_in_on",
    "left_on",
    "left_reason",
    "eid_on",
    "level34_on",
]


def roster(*rows: dict) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([row.get(name, "") for name in HEADER])
    return out.getvalue().encode()


def run(commune, *rows, **kwargs):
    return roster_import(commune=commune, source=roster(*rows), **kwargs)


def errors(result) -> list[tuple[int, str]]:
    return [(e.row, e.column) for e in result.errors]


@pytest.fixture
def hoa(household_a):
    return factories.resident(
        household_a, full_name="Nông Thị Hoa", birth_year=1985, national_id="004185000123", relation="head"
    )


HOA = {"full_name": "Nông Thị Hoa", "birth_year": "1985", "national_id": "004185000123"}


def test_the_preview_page_lists_each_move_with_what_changes(
    client, commune, hoa, household_b, official, tmp_path, monkeypatch
):
    monkeypatch.setattr(roster_views, "upload_dir", lambda: tmp_path)
    row = {**HOA, "village_code": "BT", "household_code": household_b.code, "moved_in_on": "2025-03-01"}
    client.force_login(official)
    upload = SimpleUploadedFile("roster.csv", roster(row), content_type="text/csv")

    sent = client.post(reverse("roster:upload"), {"commune": commune.pk, "file": upload})
    html = client.get(sent["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()

    moves = html[html.index('id="roster-moves"') :]
    moves = moves[: moves.index("</table>")]
    assert "Nông Thị Hoa" in moves and "NK-001 → BT-001" in moves


def test_a_row_naming_another_household_is_a_move_on_its_date(commune, hoa, household_b, official):
    row = {**HOA, "village_code": "BT", "household_code": household_b.code, "moved_in_on": "2025-03-01"}

    preview = run(commune, row, dry_run=True)
    assert (preview.moved, preview.residents.updated) == (1, 1)
    assert [(c.row, c.household_code, c.full_name) for c in preview.moves] == [(2, "BT-001", "Nông Thị Hoa")]
    assert ("household", "NK-001", "BT-001") in [
        (str(label), b, a) for label, b, a in preview.moves[0].changes
    ]
    assert not PastStay.objects.exists()

    result = run(commune, row, user=official)

    assert result.saved and result.moved == 1
    hoa.refresh_from_db()
    assert (hoa.household_id, hoa.moved_in_on) == (household_b.pk, D(2025, 3, 1))
    # A head who joins another household is no longer its head, unless the row says so.
    assert hoa.relation == Resident.Relation.OTHER
    stay = PastStay.objects.get()
    assert (stay.household.code, stay.relation, stay.ended_on, stay.ended_by) == (
        "NK-001",
        "head",
        D(2025, 3, 1),
        "moved",
    )
    audit = stay.history.get()
    assert (audit.history_type, audit.history_change_reason, audit.history_user) == (
        "+",
        HISTORY_REASON,
        official,
    )
    assert_in_step(commune)

    again = run(commune, row)
    assert (again.moved, again.residents.unchanged, again.residents.updated) == (0, 1, 0)
    assert PastStay.objects.count() == 1


def test_a_move_without_its_date_is_a_row_error(commune, hoa, household_b):
    result = run(commune, {**HOA, "village_code": "BT", "household_code": household_b.code})
    assert errors(result) == [(2, "moved_in_on")]
    assert "lives in household NK-001: give the day they moved to BT-001" in result.errors[0].message
    hoa.refresh_from_db()
    assert hoa.household.code == "NK-001" and not PastStay.objects.exists()


@pytest.mark.parametrize(
    ("moved_in_on", "says"),
    [
        ("2024-12-31", "current stay began (2025-01-01)"),
        ("1984-06-01", "1985, the year the resident was born"),
    ],
)
def test_a_move_on_a_day_that_makes_no_sense_is_a_row_error(commune, hoa, household_b, moved_in_on, says):
    hoa.moved_in_on = D(2025, 1, 1) if moved_in_on.startswith("2024") else None
    hoa.save()
    result = run(
        commune, {**HOA, "village_code": "BT", "household_code": "BT-001", "moved_in_on": moved_in_on}
    )
    assert errors(result) == [(2, "moved_in_on")]
    assert says in result.errors[0].message
    assert not PastStay.objects.exists()


def test_a_new_household_code_is_a_split(commune, village_a, hoa):
    """The son, known by his ID number, sets up household NK-077 as its head."""
    son = factories.resident(
        hoa.household, full_name="Nông Văn Con", birth_year=2000, relation="child", national_id="001200000777"
    )
    row = {"village_code": "NK", "household_code": "NK-077", "full_name": son.full_name, "birth_year": "2000"}
    row |= {"national_id": "001200000777", "relation": "chủ hộ", "moved_in_on": "2025-04-10"}

    result = run(commune, row)

    assert result.errors == [] and (result.households.created, result.moved) == (1, 1)
    split = Household.objects.get(code="NK-077")
    assert list(split.members.values_list("full_name", "relation")) == [("Nông Văn Con", "head")]
    assert list(hoa.household.members.values_list("full_name", flat=True)) == ["Nông Thị Hoa"]
    assert_in_step(commune)


def test_a_resident_who_moved_away_comes_back(commune, hoa, household_b):
    hoa.left_on, hoa.left_reason = D(2024, 8, 20), "moved_away"
    hoa.save()
    row = {**HOA, "village_code": "BT", "household_code": household_b.code, "moved_in_on": "2025-06-05"}

    result = run(commune, row)

    assert result.errors == [] and result.moved == 1
    hoa.refresh_from_db()
    assert (hoa.household_id, hoa.moved_in_on, hoa.left_on, hoa.left_reason) == (
        household_b.pk,
        D(2025, 6, 5),
        None,
        "",
    )
    assert PastStay.objects.get().ended_by == "moved_away"
    assert Resident.objects.count() == 1
    assert run(commune, row).residents.unchanged == 1
    assert_in_step(commune)


def test_a_return_to_the_same_household_needs_a_later_date(commune, hoa, village_b):
    hoa.left_on, hoa.left_reason = D(2024, 8, 20), "moved_away"
    hoa.save()
    elsewhere = run(
        commune, {**HOA, "village_code": "BT", "household_code": "BT-009", "moved_in_on": "2024-08-01"}
    )
    assert errors(elsewhere) == [(2, "moved_in_on")]
    assert "left the commune on 2024-08-20: give the day they came back" in elsewhere.errors[0].message
    home = run(
        commune, {**HOA, "village_code": "NK", "household_code": "NK-001", "moved_in_on": "2025-01-02"}
    )
    assert home.errors == [] and home.moved == 1
    hoa.refresh_from_db()
    assert hoa.left_on is None


def test_someone_who_died_does_not_move(commune, hoa, household_b):
    hoa.left_on, hoa.left_reason = D(2024, 8, 20), "died"
    hoa.save()
    result = run(
        commune, {**HOA, "village_code": "BT", "household_code": "BT-001", "moved_in_on": "2025-01-01"}
    )
    assert errors(result) == [(2, "household_code")]
    assert "died on 2024-08-20" in result.errors[0].message


@pytest.mark.parametrize(
    ("changes", "column", "says"),
    [
        ({"eid_on": "2006-05-01"}, "eid_on", "2007, the year the resident was born"),
        ({"left_on": "2006-12-31"}, "left_on", "2007, the year the resident was born"),
    ],
)
def test_dates_before_the_birth_year_are_row_errors(commune, village_a, changes, column, says):
    row = {
        "village_code": "NK",
        "household_code": "NK-001",
        "full_name": "Lò Văn Trẻ",
        "birth_year": "2007",
        **changes,
    }
    result = run(commune, row)
    assert errors(result) == [(2, column)]
    assert says in result.errors[0].message
    assert not Resident.objects.exists()


def test_a_recorded_date_that_breaks_a_new_rule_does_not_refuse_an_unrelated_row(commune, household_a):
    """What was recorded before the rule (check_records lists it) imports back unchanged."""
    factories.resident(household_a, full_name="Lò Văn Cũ", birth_year=2007, eid_on=D(2006, 5, 1))
    row = {"village_code": "NK", "household_code": "NK-001", "full_name": "Lò Văn Cũ", "birth_year": "2007"}
    assert run(commune, {**row, "eid_on": "2006-05-01"}).residents.unchanged == 1
    assert errors(run(commune, {**row, "eid_on": "2006-05-02"})) == [(2, "eid_on")]


def test_a_household_has_one_head(commune, hoa):
    rows = [
        {**HOA, "village_code": "NK", "household_code": "NK-001", "relation": "chủ hộ"},
        {"village_code": "NK", "household_code": "NK-001", "full_name": "Lương Văn Tú", "relation": "chủ hộ"},
    ]
    result = run(commune, *rows)
    assert errors(result) == [(2, "relation"), (3, "relation")]
    assert "Household NK-001 has one head" in result.errors[0].message
    alone = run(commune, rows[1])  # Hoa, the register's head, is not in the file but stays head
    assert errors(alone) == [(2, "relation")]
    assert not Resident.objects.filter(full_name="Lương Văn Tú").exists()
