"""The roster import: good files, bad rows (all reported, nothing saved), re-imports, the command."""

import csv
import datetime
import hashlib
import io
import unicodedata

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from tests import factories
from villages.models import Household, Resident, Village
from villages.roster.columns import COLUMNS, roster_template_rows
from villages.roster.importing import roster_import

D = datetime.date
ENGLISH = [
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
    "eid_on",
    "online_on",
    "level34_on",
]
GOOD = [
    ["NK", "Nà Khau", "NK-001", "Nông Thị Hoa", "chủ hộ", "Nữ", "1985", "004185000123", "0912345678"]
    + ["", "", "20/05/2024", "2024-06-03", "2024-09-12"],
    ["NK", "", "NK-001", "  Lương Văn  Tú ", "Chồng", "nam", "1979", "", "", "", "", "", "", ""],
    ["NK", "", "NK-001", "Lương Thị Mai", "con", "F", "2010", "", "", "", "", "", "", ""],
    # A level 3/4 application before the first online use: online use began then.
    [
        "PL",
        "Pác Ly",
        "PL-007",
        "Hoàng Văn Đức",
        "head",
        "M",
        "1960",
        "",
        "",
        "01/03/2015",
        "",
        "",
        "2024-08-01",
    ]
    + ["2024-07-15"],
    ["PL", "Pác Ly", "PL-007", "Hoàng Thị Lan", "bố", "", "1932", "", "", "", "10/01/2023", "", "", ""],
]


def csv_file(rows, headers=ENGLISH, bom=False, delimiter=",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode()


def xlsx_file(rows, headers=ENGLISH) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def register_snapshot() -> tuple:
    """Counts and a checksum of every village, household and resident row, versions included."""
    digest = hashlib.sha256()
    counts = []
    for model in (Village, Household, Resident):
        rows = list(model.objects.order_by("pk").values_list())
        counts.append(len(rows))
        digest.update(repr(rows).encode())
    return (*counts, digest.hexdigest())


def run(commune, data, **kwargs):
    return roster_import(commune=commune, source=data, **kwargs)


def counts(result) -> dict:
    return {
        kind: (c.created, c.updated, c.unchanged)
        for kind, c in (
            ("villages", result.villages),
            ("households", result.households),
            ("residents", result.residents),
        )
    }


def located(result) -> list[tuple[int, str]]:
    return [(error.row, error.column) for error in result.errors]


# --- good files ---------------------------------------------------------------------


@pytest.mark.parametrize("bom", [False, True], ids=["csv", "csv-with-bom"])
def test_good_csv_creates_the_register(commune, village_a, bom):
    result = run(commune, csv_file(GOOD, bom=bom))

    assert result.errors == []
    assert result.saved
    assert counts(result) == {"villages": (1, 0, 1), "households": (2, 0, 0), "residents": (5, 0, 0)}
    hoa = Resident.objects.get(national_id="004185000123")
    assert (hoa.household.code, hoa.household.village, hoa.commune) == ("NK-001", village_a, commune)
    assert (hoa.relation, hoa.sex, hoa.birth_year, hoa.phone) == ("head", "F", 1985, "0912345678")
    assert (hoa.eid_on, hoa.online_on, hoa.level34_on) == (D(2024, 5, 20), D(2024, 6, 3), D(2024, 9, 12))
    tu = Resident.objects.get(full_name="Lương Văn Tú")
    assert (tu.relation, tu.sex, tu.search_name) == ("spouse", "M", "luong van tu")
    duc = Resident.objects.get(full_name="Hoàng Văn Đức")
    assert duc.moved_in_on == D(2015, 3, 1)
    assert (duc.online_on, duc.level34_on) == (D(2024, 7, 15), D(2024, 7, 15))
    lan = Resident.objects.get(full_name="Hoàng Thị Lan")
    assert (lan.relation, lan.left_on, lan.left_reason) == ("parent", D(2023, 1, 10), "moved_away")
    assert Village.objects.get(code="PL").name == "Pác Ly"
    assert Village.objects.get(code="NK").name == "Nà Khau"


def test_semicolon_csv_as_excel_writes_it_with_vietnamese_settings(commune):
    result = run(commune, csv_file(GOOD, delimiter=";"))
    assert result.errors == []
    assert Resident.objects.count() == 5


def test_xlsx_with_real_date_cells_and_numbers(commune):
    rows = [
        ["NK", "Nà Khau", "NK-001", "Nông Thị Hoa", "Chủ hộ", "Nữ", 1985.0, "004185000123", 912345678]
        + [None, None, datetime.datetime(2024, 5, 20), D(2024, 6, 3), "12/09/2024"],
        [
            "NK",
            None,
            "NK-001",
            "Lương Văn Tú",
            "vợ/chồng",
            "Nam",
            1979,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ],
    ]
    result = run(commune, xlsx_file(rows))

    assert result.errors == []
    hoa = Resident.objects.get(full_name="Nông Thị Hoa")
    assert (hoa.birth_year, hoa.national_id, hoa.phone) == (1985, "004185000123", "0912345678")
    assert (hoa.eid_on, hoa.online_on, hoa.level34_on) == (D(2024, 5, 20), D(2024, 6, 3), D(2024, 9, 12))
    assert Resident.objects.get(full_name="Lương Văn Tú").relation == "spouse"


def test_vietnamese_headers_in_any_order_case_and_diacritics_ignored(commune):
    headers = ["Họ Tên", "MÃ HỘ", "Mã thôn", "ten thon", "Năm sinh", "Giới tính", "Quan hệ", "Số định danh"]
    headers += ["Ngày định danh", "ngay_dvc_truc_tuyen", "Ngày mức 3/4", "STT"]
    rows = [["Nông Thị Hoa", "NK-001", "NK", "Nà Khau", "1985", "Nữ", "Chủ hộ", "004185000123"]]
    rows[0] += ["20/05/2024", "03/06/2024", "12/09/2024", "1"]
    result = run(commune, csv_file(rows, headers=headers))

    assert result.errors == []
    assert result.ignored_columns == ["STT"]
    hoa = Resident.objects.get()
    assert (hoa.household.code, hoa.birth_year, hoa.sex, hoa.relation) == ("NK-001", 1985, "F", "head")
    assert hoa.level34_on == D(2024, 9, 12)


def test_english_headers_with_spaces_and_capitals(commune):
    headers = ["Full Name", "Household Code", "Village Code", "Village Name", "Birth Year"]
    result = run(commune, csv_file([["Nông Thị Hoa", "NK-001", "NK", "Nà Khau", "1985"]], headers=headers))
    assert result.errors == []
    assert Resident.objects.get().birth_year == 1985


def test_imported_rows_are_what_the_models_would_save(commune):
    """The fast path writes plain values: they must be what Household/Resident.prepare() give."""
    run(commune, csv_file(GOOD))
    for household in Household.objects.select_related("village"):
        code, commune_id = household.code, household.commune_id
        household.prepare()
        assert (household.code, household.commune_id) == (code, commune_id)
        household.full_clean()
    for resident in Resident.objects.select_related("household"):
        before = (resident.full_name, resident.search_name, resident.commune_id)
        resident.prepare()
        assert (resident.full_name, resident.search_name, resident.commune_id) == before
        resident.full_clean()
        assert resident.version == 1


def test_a_new_household_gets_the_models_defaults_for_what_a_roster_does_not_carry(commune):
    """The model says what a new household holds before anyone records it; the import follows it."""
    run(commune, csv_file(GOOD))
    not_in_roster = ["address", "phone", "has_smartphone", "has_internet", "worker_in_charge_id", "version"]
    blank = Household()

    households = list(Household.objects.values_list(*not_in_roster))

    assert len(households) == 2
    assert set(households) == {tuple(getattr(blank, name) for name in not_in_roster)}


def test_template_example_row_imports(commune):
    headers, rows = roster_template_rows()
    assert headers == [column.vietnamese for column in COLUMNS]
    result = run(commune, xlsx_file(rows, headers=headers))
    assert result.errors == []
    assert Resident.objects.get().national_id == "004185000123"


# --- bad files: every error reported, nothing saved ---------------------------------

BAD = [
    [
        "NK",
        "Nà Khau",
        "NK-001",
        "Nông Thị Hoa",
        "chủ hộ",
        "Nữ",
        "1985",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ],  # row 2 ok
    ["NK", "", "NK-002", "Lò Văn A", "em họ", "", "1990", "", "", "", "", "", "", ""],  # 3: relation
    ["NK", "", "NK-002", "Lò Văn B", "", "", "1991", "04118500012", "", "", "", "", "", ""],  # 4: 11 digits
    ["NK", "", "NK-002", "Lò Văn C", "", "", "2099", "", "", "", "", "", "", ""],  # 5: future year
    ["NK", "", "NK-002", "Lò Văn D", "", "", "1992", "", "", "", "", "31/02/2024", "", ""],  # 6: no such date
    ["NK", "", "NK-001", "Nông Thị Hoa", "", "", "1985", "", "", "", "", "", "", ""],  # 7: duplicate of row 2
    ["NK", "", "", "Lò Văn E", "", "", "1993", "", "", "", "", "", "", ""],  # 8: no household code
    ["NK", "", "NK-003", "", "", "", "1994", "", "", "", "", "", "", ""],  # 9: no full name
    ["XX", "", "XX-001", "Lò Văn G", "", "", "1995", "", "", "", "", "", "", ""],  # 10: new village, no name
    ["NK", "", "NK-004", "Lò Văn H", "", "X", "1996", "", "", "2020-01-01", "2019-01-01", "", "", ""],  # 11
    ["NK", "", "NK-005", "Lò Văn I", "", "", "85", "", "", "", "", "2024/05/01", "", ""],  # 12
    [
        "BT",
        "",
        "NK-004",
        "Lò Văn K",
        "",
        "",
        "1997",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ],  # 13: household in 2 villages
]


def test_bad_rows_are_all_reported_and_nothing_is_saved(commune, village_a, village_b, resident_a):
    before = register_snapshot()
    result = run(commune, csv_file(BAD))

    assert not result.saved
    assert located(result) == [
        (3, "relation"),
        (4, "national_id"),
        (5, "birth_year"),
        (6, "eid_on"),
        (7, "full_name"),
        (8, "household_code"),
        (9, "full_name"),
        (10, "village_name"),
        (11, "sex"),
        (11, "left_on"),
        (12, "birth_year"),
        (12, "eid_on"),
        (13, "village_code"),
    ]
    messages = [str(error) for error in result.errors]
    assert messages[0].startswith("row 3, column relation: Unknown value em họ")
    assert "exactly 12 digits; this one has 11" in messages[1]
    assert "2099 is in the future" in messages[2]
    assert "31/02/2024 is not a date of the calendar" in messages[3]
    assert "already on row 2" in messages[4]
    assert "A value is required" in messages[5] and "A value is required" in messages[6]
    assert "Village XX is new" in messages[7]
    assert "before the moving-in date" in messages[9]
    assert "four digits" in messages[10]
    assert "YYYY-MM-DD or DD/MM/YYYY" in messages[11]
    assert "Household NK-004 is in village NK on row 11" in messages[12]
    assert result.refused_rows == 11
    assert register_snapshot() == before


def test_a_bad_row_at_the_very_end_of_a_large_file_refuses_everything(commune, resident_a):
    rows = [
        [f"V{i // 4 % 7}", f"Xóm {i // 4 % 7}", f"H{i // 4:04d}", f"Nông Văn {i}", "", "", "1980"]
        + ["", "", "", "", "", "", ""]
        for i in range(2999)
    ]
    rows.append(["V1", "", "H9999", "Nông Văn Cuối", "", "", "1980", "1234", "", "", "", "", "", ""])
    before = register_snapshot()
    result = run(commune, csv_file(rows))

    assert [str(error)[:33] for error in result.errors] == ["row 3001, column national_id: A p"]
    assert result.rows == 3000
    assert register_snapshot() == before


def test_a_national_id_of_another_resident_is_refused(commune, household_a, resident_a):
    resident_a.national_id = "004185000999"
    resident_a.save()
    factories.resident(household_a, full_name="Lương Văn Tú", birth_year=1979)
    before = register_snapshot()
    rows = [["NK", "", "NK-001", "Lương Văn Tú", "", "", "1979", "004185000999", "", "", "", "", "", ""]]
    result = run(commune, csv_file(rows))

    assert located(result) == [(2, "national_id")]
    assert "belongs to another resident of the commune: Nông Thị Hoa" in result.errors[0].message
    assert register_snapshot() == before


def test_the_same_national_id_twice_in_a_file_is_refused(commune):
    rows = [
        ["NK", "Nà Khau", "NK-001", "Nông Thị Hoa", "", "", "1985", "004185000123", "", "", "", "", "", ""],
        ["NK", "Nà Khau", "NK-002", "Lò Văn A", "", "", "1990", "004185000123", "", "", "", "", "", ""],
    ]
    result = run(commune, csv_file(rows))
    assert located(result) == [(3, "national_id")]
    assert not Resident.objects.exists()


def test_a_reason_without_a_leaving_date_is_refused(commune):
    headers = ["village_code", "village_name", "household_code", "full_name", "left_reason"]
    result = run(commune, csv_file([["NK", "Nà Khau", "NK-001", "Nông Thị Hoa", "chết"]], headers=headers))
    # The register's one rule (villages.models.departure_problem) names the missing date.
    assert located(result) == [(2, "left_on")]
    assert result.errors[0].message == "Give the date the resident left or died."
    assert not Resident.objects.exists()


def test_a_death_is_recorded_with_its_reason(commune):
    headers = ["ma_thon", "ten_thon", "ma_ho", "ho_ten", "ngay_chuyen_di", "ly_do_chuyen_di"]
    result = run(
        commune, csv_file([["NK", "Nà Khau", "NK-001", "Nông Thị Hoa", "02/01/2024", "Chết"]], headers)
    )
    assert result.errors == []
    assert Resident.objects.values_list("left_on", "left_reason").get() == (D(2024, 1, 2), "died")


def test_missing_and_unknown_columns_are_refused_at_row_one(commune):
    headers = ["ma_thon", "ho_ten", "nam_snh"]
    result = run(commune, csv_file([["NK", "Nông Thị Hoa", "1985"]], headers=headers))
    # Rows are still checked: the village is new and the file has no village name column.
    assert located(result) == [(1, "nam_snh"), (1, "ma_ho"), (2, "ten_thon")]
    assert "Unknown column" in result.errors[0].message
    assert "missing" in result.errors[1].message
    assert not Village.objects.exists()


def test_a_column_given_twice_is_refused(commune):
    headers = ["village_code", "village_name", "household_code", "full_name", "Họ tên"]
    result = run(commune, csv_file([["NK", "Nà Khau", "NK-001", "Nông Thị Hoa", "Nông Thị Hoa"]], headers))
    assert located(result) == [(1, "Họ tên")]


def test_a_village_named_two_ways_in_one_file_is_refused(commune):
    rows = [
        ["NK", "Nà Khau", "NK-001", "Nông Thị Hoa", "", "", "", "", "", "", "", "", "", ""],
        ["NK", "Na Khao", "NK-002", "Lò Văn A", "", "", "", "", "", "", "", "", "", ""],
    ]
    result = run(commune, csv_file(rows))
    assert located(result) == [(3, "village_name")]


def test_an_unreadable_file_is_refused_with_a_message(commune):
    result = run(commune, b"\xff\xfe\x00garbage\x00\x00")
    assert result.errors and "UTF-8" in result.errors[0].message
    result = run(commune, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    assert ".xls" in result.errors[0].message
    result = run(commune, b"PK\x03\x04 not a real workbook")
    assert "Excel" in result.errors[0].message


def test_an_empty_file_is_refused(commune):
    assert run(commune, csv_file([])).errors[0].message == "The file has no residents."
    assert run(commune, b"").errors


# --- re-imports ---------------------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(commune):
    run(commune, csv_file(GOOD))
    before = register_snapshot()
    result = run(commune, csv_file(GOOD))

    assert result.errors == []
    assert counts(result) == {"villages": (0, 0, 2), "households": (0, 0, 2), "residents": (0, 0, 5)}
    assert register_snapshot() == before


def test_reimporting_as_nfd_text_changes_nothing(commune):
    run(commune, csv_file(GOOD))
    before = register_snapshot()
    nfd = [[unicodedata.normalize("NFD", cell) for cell in row] for row in GOOD]
    assert nfd != GOOD
    result = run(commune, csv_file(nfd, headers=[unicodedata.normalize("NFD", h) for h in ENGLISH]))

    assert counts(result)["residents"] == (0, 0, 5)
    assert register_snapshot() == before


def test_reimporting_an_xlsx_after_a_csv_changes_nothing(commune):
    run(commune, csv_file(GOOD))
    before = register_snapshot()
    rows = [[cell or None for cell in row] for row in GOOD]
    rows[0][11] = datetime.datetime(2024, 5, 20)  # a real date cell where the CSV had 20/05/2024
    rows[0][6] = 1985
    result = run(commune, xlsx_file(rows))
    assert counts(result)["residents"] == (0, 0, 5)
    assert register_snapshot() == before


def test_a_corrected_file_updates_and_counts_the_changes(commune):
    run(commune, csv_file(GOOD))
    hoa = Resident.objects.get(national_id="004185000123")
    corrected = [list(row) for row in GOOD]
    corrected[0][12] = "2024-05-30"  # online use earlier... no: later than before, as the file says
    corrected[1][3] = "Lương Văn Tú"
    corrected[1][6] = "1979"
    corrected[1][8] = "0987654321"  # Tú gets a phone
    corrected[2][3] = "Luong Thi Mai"  # typed without diacritics: still Mai, renamed
    result = run(commune, csv_file(corrected))

    assert result.errors == []
    assert counts(result)["residents"] == (0, 3, 2)
    hoa.refresh_from_db()
    assert (hoa.online_on, hoa.version) == (D(2024, 5, 30), 2)
    assert Resident.objects.get(full_name="Lương Văn Tú").phone == "0987654321"
    assert Resident.objects.filter(search_name="luong thi mai").get().full_name == "Luong Thi Mai"
    assert Resident.objects.count() == 5
    changed = {change.row: [label for label, _before, _after in change.changes] for change in result.updated}
    assert [str(label) for label in changed[2]] == ["first online service use"]


def test_an_empty_cell_keeps_what_the_register_holds(commune):
    run(commune, csv_file(GOOD))
    blanked = [row[:4] + [""] * 10 for row in GOOD]
    blanked = [row[:6] + [GOOD[i][6]] + row[7:] for i, row in enumerate(blanked)]
    before = register_snapshot()
    result = run(commune, csv_file(blanked))
    assert counts(result)["residents"] == (0, 0, 5)
    assert register_snapshot() == before


def test_the_national_id_follows_a_resident_into_another_household(commune):
    """A move (issue 16): the row gives the day; without it the row is refused."""
    run(commune, csv_file(GOOD))
    moved = [["PL", "", "PL-007", "Nông Thị Hoa", "", "", "1985", "004185000123", "", "", "", "", "", ""]]
    refused = run(commune, csv_file(moved))
    assert [(e.row, e.column) for e in refused.errors] == [(2, "moved_in_on")]
    assert "give the day they moved to PL-007" in refused.errors[0].message
    moved[0][9] = "2025-03-01"  # moved_in_on
    result = run(commune, csv_file(moved))

    assert result.errors == []
    assert counts(result)["residents"] == (0, 1, 0)
    assert result.moved == 1
    hoa = Resident.objects.get(national_id="004185000123")
    assert hoa.household.code == "PL-007"
    assert Resident.objects.count() == 5


def test_a_birth_year_fills_in_for_a_resident_who_had_none(commune, household_a):
    factories.resident(household_a, full_name="Nông Văn Sáng")
    rows = [["NK", "", "NK-001", "Nông Văn Sáng", "", "", "1990", "", "", "", "", "", "", ""]]
    result = run(commune, csv_file(rows))
    assert counts(result)["residents"] == (0, 1, 0)
    assert Resident.objects.get().birth_year == 1990


def test_a_household_named_in_another_village_moves_there(commune, household_a, village_b):
    rows = [["BT", "", "NK-001", "Nông Thị Hoa", "", "", "1985", "", "", "", "", "", "", ""]]
    result = run(commune, csv_file(rows))
    assert counts(result)["households"] == (0, 1, 0)
    household_a.refresh_from_db()
    assert (household_a.village, household_a.version) == (village_b, 2)


def test_a_village_is_renamed_by_the_file(commune, village_a):
    rows = [["NK", "Nà Khau Mới", "NK-001", "Nông Thị Hoa", "", "", "1985", "", "", "", "", "", "", ""]]
    result = run(commune, csv_file(rows))
    assert counts(result)["villages"] == (0, 1, 0)
    village_a.refresh_from_db()
    assert village_a.name == "Nà Khau Mới"


def test_households_of_another_commune_are_not_touched(commune, other_commune):
    other = factories.household(factories.village(other_commune, code="NK", name="Nà Khau"), code="NK-001")
    factories.resident(other, full_name="Nông Thị Hoa", birth_year=1985, national_id="004185000123")
    result = run(commune, csv_file(GOOD))
    assert result.errors == []  # the same codes and ID number may exist in another commune
    assert counts(result)["households"] == (2, 0, 0)
    assert Resident.objects.filter(commune=other_commune).count() == 1


def test_a_row_changed_by_someone_else_during_the_import_refuses_it(commune):
    run(commune, csv_file(GOOD))
    corrected = [list(row) for row in GOOD] + [
        ["NK", "", "NK-009", "Lò Văn Mới", "", "", "2001", "", "", "", "", "", "", ""]
    ]
    corrected[0][12] = "2024-05-30"
    hoa = Resident.objects.get(national_id="004185000123")
    before_count = Resident.objects.count()

    def someone_saves(phase, done, total):
        if phase == "write":  # between the check and the update of Hoa's row
            Resident.objects.filter(pk=hoa.pk).update(version=F("version") + 1)

    result = run(commune, csv_file(corrected), progress=someone_saves)

    assert not result.saved
    assert "changed while the file was being imported" in result.errors[0].message
    assert Resident.objects.count() == before_count
    hoa.refresh_from_db()
    assert hoa.online_on == D(2024, 6, 3)


def test_dry_run_reports_and_saves_nothing(commune):
    result = run(commune, csv_file(GOOD), dry_run=True)
    assert result.errors == []
    assert not result.saved
    assert counts(result)["residents"] == (5, 0, 0)
    assert [change.row for change in result.created] == [2, 3, 4, 5, 6]
    assert not Village.objects.exists()


# --- the command --------------------------------------------------------------------


def test_command_imports_and_prints_the_summary(commune, roster_path, capsys):
    call_command("import_roster", "--commune", "01558", roster_path(csv_file(GOOD)))
    out = capsys.readouterr().out
    assert "Villages: 2 created, 0 updated, 0 unchanged." in out
    assert "Households: 2 created, 0 updated, 0 unchanged." in out
    assert "Residents: 5 created, 0 updated, 0 unchanged." in out
    assert Resident.objects.count() == 5

    call_command("import_roster", "--commune", "01558", roster_path(csv_file(GOOD)))
    assert "Residents: 0 created, 0 updated, 5 unchanged." in capsys.readouterr().out


def test_command_refuses_a_bad_file_with_every_error_and_a_nonzero_status(
    commune, village_a, village_b, roster_path, capsys
):
    with pytest.raises(CommandError, match="13 errors") as refused:
        call_command("import_roster", "--commune", "01558", roster_path(csv_file(BAD)))
    assert refused.value.returncode != 0
    out = capsys.readouterr().out
    assert "row 3, column relation: Unknown value em họ" in out
    assert "row 13, column village_code: Household NK-004" in out
    assert len(out.splitlines()) == 13
    assert not Resident.objects.exists()


def test_command_dry_run_saves_nothing(commune, roster_path, capsys):
    call_command("import_roster", "--commune", "01558", "--dry-run", roster_path(csv_file(GOOD)))
    out = capsys.readouterr().out
    assert "Dry run" in out and "Residents: 5 created" in out
    assert not Village.objects.exists()


def test_command_refuses_an_unknown_commune_and_a_missing_file(commune, roster_path, tmp_path):
    with pytest.raises(CommandError, match="No commune with code 99999"):
        call_command("import_roster", "--commune", "99999", roster_path(csv_file(GOOD)))
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_roster", "--commune", "01558", str(tmp_path / "nothing.csv"))


def test_command_reads_xlsx(commune, roster_path, capsys):
    call_command("import_roster", "--commune", "01558", roster_path(xlsx_file(GOOD), "roster.xlsx"))
    assert Resident.objects.count() == 5


def test_command_shows_a_progress_bar_for_a_large_file(commune, roster_path, capsys):
    rows = [
        ["NK", "Nà Khau", f"H{i // 4:05d}", f"Nông Văn {i}", "", "", "1980"] + [""] * 7 for i in range(12000)
    ]
    call_command("import_roster", "--commune", "01558", roster_path(csv_file(rows)))
    captured = capsys.readouterr()
    assert "100%" in captured.err
    assert "Residents: 12000 created" in captured.out


def test_an_id_number_matching_someone_of_another_name_and_year_is_refused(commune, household_a, resident_a):
    resident_a.national_id = "004185000123"
    resident_a.save()
    before = register_snapshot()
    rows = [["NK", "", "NK-001", "Lò Văn Lạ", "", "", "1950", "004185000123", "", "", "", "", "", ""]]
    result = run(commune, csv_file(rows))
    assert located(result) == [(2, "national_id")]
    assert "belongs to another resident of the commune: Nông Thị Hoa" in result.errors[0].message
    assert register_snapshot() == before


def test_an_id_number_with_a_corrected_name_updates_the_name(commune, household_a, resident_a):
    resident_a.national_id = "004185000123"
    resident_a.save()
    version = Resident.objects.get(pk=resident_a.pk).version
    rows = [["NK", "", "NK-001", "Nông Thị Hoà", "", "", "1985", "004185000123", "", "", "", "", "", ""]]
    result = run(commune, csv_file(rows))
    assert counts(result)["residents"] == (0, 1, 0)
    resident_a.refresh_from_db()
    assert (resident_a.full_name, resident_a.version) == ("Nông Thị Hoà", version + 1)


def test_progress_bar_redraws_one_line_per_phase_on_a_terminal():
    from django.core.management.base import OutputWrapper

    from villages.management.commands.import_roster import ProgressBar

    out = io.StringIO()
    bar = ProgressBar(OutputWrapper(out), terminal=True)
    bar("check", 0, 200)
    bar("check", 200, 200)
    bar("check", 200, 200)  # said twice: drawn once
    bar("write", 200, 200)
    lines = out.getvalue().split("\n")
    assert lines[0].startswith("\rChecking rows [") and lines[0].endswith("100% 200/200")
    assert lines[0].count("\r") == 2
    assert lines[1] == "\rWriting [" + "#" * 30 + "] 100% 200/200"
    assert lines[2:] == [""]
    assert "\x1b" not in out.getvalue()  # no colours in the bar


def test_progress_bar_stays_quiet_for_a_small_file_off_a_terminal():
    from django.core.management.base import OutputWrapper

    from villages.management.commands.import_roster import ProgressBar

    out = io.StringIO()
    bar = ProgressBar(OutputWrapper(out), terminal=False)
    bar("check", 200, 200)
    assert out.getvalue() == ""


def test_a_row_with_only_a_bad_cell_also_says_what_is_missing(commune):
    rows = [
        ["NK", "Nà Khau", "NK-001", "Nông Thị Hoa", "", "", "1985", "", "", "", "", "", "", ""],
        ["", "", "", "", "", "", "19x5", "", "", "", "", "", "", ""],
        ["", "", "", "", "", "", "", "", "", "", "", "", "", ""],  # an empty line: ignored
    ]
    result = run(commune, csv_file(rows))
    assert located(result) == [
        (3, "village_code"),
        (3, "household_code"),
        (3, "full_name"),
        (3, "birth_year"),
    ]
