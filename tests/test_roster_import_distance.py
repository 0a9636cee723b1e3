"""The roster's distance column: the household's distance to the one-stop office, imported, refused
with its row and column, and re-imported. Files are built as tests/test_roster_import.py builds them.
"""

from decimal import Decimal

import pytest

from tests.test_roster_import import counts, csv_file, located, register_snapshot, run, xlsx_file
from villages.models import Household
from villages.roster.columns import roster_template_rows

# --- the household's distance to the one-stop office -------------------------------

DISTANCE_HEADERS = ["ma_thon", "ten_thon", "ma_ho", "ho_ten", "nam_sinh", "Khoảng cách (km)"]


def distance_rows(*distances) -> list[list]:
    """Three residents of NK-001, then one of PL-007, with these distance cells."""
    people = [
        ["NK", "Nà Khau", "NK-001", "Nông Thị Hoa", "1985"],
        ["NK", "Nà Khau", "NK-001", "Lương Văn Tú", "1979"],
        ["NK", "Nà Khau", "NK-001", "Lương Thị Mai", "2010"],
        ["PL", "Pác Ly", "PL-007", "Hoàng Văn Đức", "1960"],
    ]
    return [person + [distance] for person, distance in zip(people, distances, strict=True)]


def distances() -> dict:
    return dict(Household.objects.values_list("code", "distance_km"))


def test_the_distance_column_fills_the_households_distance(commune):
    # A decimal comma, an empty cell and a decimal point agree on 7.5 km.
    result = run(commune, csv_file(distance_rows("7,5", "", "7.5", "12"), headers=DISTANCE_HEADERS))

    assert result.errors == []
    assert distances() == {"NK-001": Decimal("7.5"), "PL-007": Decimal("12.0")}


def test_an_empty_distance_is_unknown_for_a_new_household(commune):
    result = run(commune, csv_file(distance_rows("", "", "", "0"), headers=DISTANCE_HEADERS))

    assert result.errors == []
    assert distances() == {"NK-001": None, "PL-007": Decimal("0.0")}


def test_distances_as_xlsx_numbers(commune):
    rows = distance_rows(7.5, None, 7.5, 300)
    result = run(commune, xlsx_file(rows, headers=DISTANCE_HEADERS))

    assert result.errors == []
    assert distances() == {"NK-001": Decimal("7.5"), "PL-007": Decimal("300.0")}


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("-2", "A distance cannot be negative."),
        ("300,1", "300,1 km is more than 300 km: check the figure."),
        ("7,25", "7,25 has more than one decimal"),
        ("7.5 km", "7.5 km is not a distance"),
        ("bảy", "bảy is not a distance"),
        ("1.234,5", "1.234,5 is not a distance"),
    ],
)
def test_a_bad_distance_is_refused_with_its_row_and_column(commune, resident_a, cell, message):
    before = register_snapshot()
    result = run(commune, csv_file(distance_rows("7,5", "", "", cell), headers=DISTANCE_HEADERS))

    assert located(result) == [(5, "Khoảng cách (km)")]
    assert str(result.errors[0]).startswith(f"row 5, column Khoảng cách (km): {message}")
    assert not result.saved
    assert register_snapshot() == before


def test_a_bad_xlsx_distance_is_refused(commune):
    result = run(commune, xlsx_file(distance_rows(7.25, None, None, -1), headers=DISTANCE_HEADERS))

    assert located(result) == [(2, "Khoảng cách (km)"), (5, "Khoảng cách (km)")]
    assert "more than one decimal" in result.errors[0].message
    assert "negative" in result.errors[1].message
    assert not Household.objects.exists()


def test_rows_of_one_household_disagreeing_on_the_distance_are_refused(commune):
    result = run(commune, csv_file(distance_rows("7,5", "", "8", "12"), headers=DISTANCE_HEADERS))

    assert located(result) == [(4, "Khoảng cách (km)")]
    assert str(result.errors[0]) == (
        "row 4, column Khoảng cách (km): Household NK-001 is 7.5 km away on row 2, 8.0 km here."
    )
    assert not Household.objects.exists()


def test_reimporting_the_same_distances_changes_nothing(commune):
    run(commune, csv_file(distance_rows("7,5", "", "", "12"), headers=DISTANCE_HEADERS))
    before = register_snapshot()
    result = run(commune, csv_file(distance_rows("7.50", "7,5", "", "12,0"), headers=DISTANCE_HEADERS))

    assert counts(result)["households"] == (0, 0, 2)
    assert register_snapshot() == before


def test_a_new_distance_updates_the_household_and_an_empty_cell_keeps_it(commune):
    run(commune, csv_file(distance_rows("7,5", "", "", "12"), headers=DISTANCE_HEADERS))
    result = run(commune, csv_file(distance_rows("9", "", "", ""), headers=DISTANCE_HEADERS))

    assert result.errors == []
    assert counts(result)["households"] == (0, 1, 1)
    assert distances() == {"NK-001": Decimal("9.0"), "PL-007": Decimal("12.0")}
    assert Household.objects.get(code="NK-001").version == 2
    assert Household.objects.get(code="PL-007").version == 1


def test_a_distance_alone_on_a_row_asks_for_the_resident(commune):
    rows = distance_rows("7,5", "", "", "12") + [["", "", "", "", "", "3"]]
    result = run(commune, csv_file(rows, headers=DISTANCE_HEADERS))
    assert located(result) == [(6, "ma_thon"), (6, "ma_ho"), (6, "ho_ten")]


def test_the_template_example_gives_the_household_its_distance(commune):
    headers, rows = roster_template_rows()
    assert "khoang_cach_km" in headers
    result = run(commune, xlsx_file(rows, headers=headers))
    assert result.errors == []
    assert distances() == {"NK-001": Decimal("7.5")}
