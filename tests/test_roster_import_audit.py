"""The roster importer and the audit trail: what an import records, and nothing when it saves nothing;
the importer and the register refuse alike. Files are built as tests/test_roster_import.py builds them.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.models import F

from softbridge.calendar import commune_today
from tests.test_roster_import import BAD, GOOD, D, counts, csv_file, run
from tests.test_roster_import_distance import DISTANCE_HEADERS, distance_rows
from villages.models import Household, Resident

# --- the audit trail ----------------------------------------------------------------


def history(model, *fields) -> list[tuple]:
    return list(
        model.history.order_by("history_id").values_list(
            "id", "history_type", "history_user", "history_change_reason", *fields
        )
    )


def test_an_import_records_every_created_household_and_resident_in_the_audit_trail(commune, official):
    result = run(
        commune, csv_file(distance_rows("7,5", "", "", "12"), headers=DISTANCE_HEADERS), user=official
    )

    assert result.saved
    households = dict(Household.objects.values_list("code", "pk"))
    assert sorted(history(Household, "code", "distance_km", "village__code")) == sorted(
        [
            (households["NK-001"], "+", official.pk, "roster import", "NK-001", Decimal("7.5"), "NK"),
            (households["PL-007"], "+", official.pk, "roster import", "PL-007", Decimal("12.0"), "PL"),
        ]
    )
    residents = list(
        Resident.objects.order_by("pk").values_list("pk", "full_name", "birth_year", "household")
    )
    recorded = history(Resident, "full_name", "birth_year", "household")
    assert sorted(recorded) == [
        (pk, "+", official.pk, "roster import", name, year, household)
        for pk, name, year, household in residents
    ]
    # What simple-history shows as the record's state is the register's row.
    hoa = Resident.objects.get(full_name="Nông Thị Hoa")
    assert hoa.history.get().instance.search_name == "nong thi hoa"


def test_a_reimport_changing_one_phone_records_exactly_that_change(commune, official):
    run(commune, csv_file(GOOD), user=official)
    households_before, residents_before = Household.history.count(), Resident.history.count()
    changed = [list(row) for row in GOOD]
    changed[1][8] = "0987654321"  # Tú's phone

    result = run(commune, csv_file(changed), user=official)

    assert counts(result)["residents"] == (0, 1, 4)
    tu = Resident.objects.get(full_name="Lương Văn Tú")
    assert Household.history.count() == households_before
    assert Resident.history.count() == residents_before + 1
    latest = Resident.history.order_by("-history_id").first()
    assert (latest.id, latest.history_type, latest.history_user, latest.history_change_reason) == (
        tu.pk,
        "~",
        official,
        "roster import",
    )
    assert latest.phone == "0987654321"
    assert [change.field for change in latest.diff_against(latest.prev_record).changes] == ["phone"]


def test_a_reimport_changing_one_distance_records_that_household_only(commune, official):
    run(commune, csv_file(distance_rows("7,5", "", "", "12"), headers=DISTANCE_HEADERS))
    before = history(Household, "distance_km")

    run(commune, csv_file(distance_rows("", "", "", "14,5"), headers=DISTANCE_HEADERS), user=official)

    after = history(Household, "distance_km")
    pl = Household.objects.get(code="PL-007").pk
    assert after[: len(before)] == before
    assert after[len(before) :] == [(pl, "~", official.pk, "roster import", Decimal("14.5"))]
    assert Resident.history.filter(history_type="~").count() == 0


def test_a_household_moved_by_the_file_is_recorded(commune, household_a, village_b, official):
    rows = [["BT", "", "NK-001", "Nông Thị Hoa", "", "", "1985", "", "", "", "", "", "", ""]]
    run(commune, csv_file(rows), user=official)
    latest = household_a.history.order_by("-history_id").first()
    assert (latest.history_type, latest.village_id, latest.history_user) == ("~", village_b.pk, official)


def test_a_reimport_that_changes_nothing_records_nothing(commune):
    run(commune, csv_file(GOOD))
    before = (Household.history.count(), Resident.history.count())
    run(commune, csv_file(GOOD))
    assert (Household.history.count(), Resident.history.count()) == before == (2, 5)


def test_a_refused_import_records_nothing(commune, official, village_a, village_b, resident_a):
    before = (Household.history.count(), Resident.history.count())
    result = run(commune, csv_file(BAD), user=official)
    assert result.refused
    assert (Household.history.count(), Resident.history.count()) == before


def test_an_import_refused_at_the_write_records_nothing(commune, official):
    run(commune, csv_file(GOOD))
    before = (Household.history.count(), Resident.history.count())
    changed = [list(row) for row in GOOD] + [
        ["NK", "", "NK-009", "Lò Văn Mới", "", "", "2001", "", "", "", "", "", "", ""]
    ]
    changed[0][12] = "2024-05-30"
    hoa = Resident.objects.get(national_id="004185000123")

    def someone_saves(phase, done, total):
        if phase == "write":
            Resident.objects.filter(pk=hoa.pk).update(version=F("version") + 1)

    result = run(commune, csv_file(changed), progress=someone_saves, user=official)

    assert not result.saved
    assert (Household.history.count(), Resident.history.count()) == before


def test_a_dry_run_records_nothing(commune, official):
    run(commune, csv_file(GOOD), dry_run=True, user=official)
    assert not Household.history.exists() and not Resident.history.exists()


def test_the_command_records_the_import_in_no_ones_name(commune, roster_path, official):
    call_command("import_roster", "--commune", "01558", roster_path(csv_file(GOOD)))
    assert set(Resident.history.values_list("history_type", "history_user", "history_change_reason")) == {
        ("+", None, "roster import")
    }
    assert Resident.history.count() == 5


@pytest.mark.parametrize(
    "moved_in_on, left_on, left_reason",
    [("", "", "died"), ("2020-05-01", "2019-01-01", "died")],
    ids=["reason-without-date", "left-before-moving-in"],
)
def test_the_importer_and_the_register_refuse_a_departure_alike(
    commune, household_a, moved_in_on, left_on, left_reason
):
    day = lambda text: D.fromisoformat(text) if text else None  # noqa: E731
    resident = Resident(
        household=household_a,
        full_name="Nông Thị Hoa",
        moved_in_on=day(moved_in_on),
        left_on=day(left_on),
        left_reason=left_reason,
    )
    with pytest.raises(ValidationError) as refused:
        resident.full_clean()
    headers = [
        "village_code",
        "village_name",
        "household_code",
        "full_name",
        "moved_in_on",
        "left_on",
        "left_reason",
    ]
    row = ["NK", "Nà Khau", "NK-009", "Nông Thị Hoa", moved_in_on, left_on, left_reason]
    result = run(commune, csv_file([row], headers=headers))
    ((field, messages),) = refused.value.message_dict.items()
    assert [(error.column, error.message) for error in result.errors] == [(field, messages[0])]


@pytest.mark.parametrize("year", [1899, "next"])
def test_the_importer_and_the_register_refuse_a_birth_year_alike(commune, household_a, year):
    year = commune_today().year + 1 if year == "next" else year
    with pytest.raises(ValidationError) as refused:
        Resident(household=household_a, full_name="Nông Thị Hoa", birth_year=year).full_clean()
    headers = ["village_code", "village_name", "household_code", "full_name", "birth_year"]
    result = run(commune, csv_file([["NK", "Nà Khau", "NK-009", "Nông Thị Hoa", str(year)]], headers=headers))
    assert [(error.column, error.message) for error in result.errors] == [
        ("birth_year", refused.value.message_dict["birth_year"][0])
    ]
    assert str(year) in result.errors[0].message
