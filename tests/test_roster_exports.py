"""Exports of households and residents: scoped to the user's area, ID numbers masked, re-importable."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from villages.models import Household, Resident
from villages.roster.importing import roster_import

D = datetime.date


def client_in(language: str) -> Client:
    """A browser whose person picked `language` with the switch (the default is Vietnamese)."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def register(resident_a, resident_b):
    resident_a.national_id = "004185000123"
    resident_a.relation = "head"
    resident_a.eid_on = D(2024, 5, 20)
    resident_a.save()
    resident_b.national_id = "004179000456"
    resident_b.save()
    return resident_a, resident_b


def signed_in(client, user):
    client.force_login(user)
    return client


def csv_rows(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def xlsx_rows(response) -> list[dict]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    lines = list(sheet.iter_rows(values_only=True))
    return [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]


def export(client, kind, extension="csv"):
    return client.get(reverse("roster:export", args=[kind, extension]))


def test_village_head_exports_only_their_village_with_ids_masked(english_client, head_a, register):
    rows = csv_rows(export(signed_in(english_client, head_a), "residents"))
    assert [(row["household_code"], row["full_name"], row["national_id"]) for row in rows] == [
        ("NK-001", "Nông Thị Hoa", "********0123")
    ]
    assert rows[0]["eid_on"] == "2024-05-20"
    assert rows[0]["relation"] == "head"


def test_official_exports_the_whole_commune_with_full_ids(english_client, official, register):
    rows = csv_rows(export(signed_in(english_client, official), "residents"))
    assert [(row["village_code"], row["national_id"]) for row in rows] == [
        ("BT", "004179000456"),
        ("NK", "004185000123"),
    ]


def test_leader_reads_the_whole_commune_with_ids_masked(english_client, leader, register):
    rows = csv_rows(export(signed_in(english_client, leader), "residents"))
    assert [row["national_id"] for row in rows] == ["********0456", "********0123"]


def test_outsider_gets_nothing_of_this_commune(english_client, outsider, register, other_commune):
    theirs = factories.household(factories.village(other_commune, code="QL"), code="QL-001")
    factories.resident(theirs, full_name="Bế Văn Sơn", national_id="004190000789")
    rows = csv_rows(export(signed_in(english_client, outsider), "residents"))
    assert [(row["full_name"], row["national_id"]) for row in rows] == [("Bế Văn Sơn", "004190000789")]
    households = csv_rows(export(english_client, "households"))
    assert [row["household_code"] for row in households] == ["QL-001"]


def test_superuser_sees_full_ids(english_client, superuser, register):
    rows = csv_rows(export(signed_in(english_client, superuser), "residents"))
    assert {row["national_id"] for row in rows} == {"004185000123", "004179000456"}


def test_residents_xlsx_has_real_dates_and_masked_ids(english_client, head_a, register):
    response = export(signed_in(english_client, head_a), "residents", "xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    rows = xlsx_rows(response)
    assert len(rows) == 1
    assert rows[0]["national_id"] == "********0123"
    assert rows[0]["eid_on"] == datetime.datetime(2024, 5, 20)
    assert rows[0]["birth_year"] == 1985


def test_households_export_has_the_ladder_counts_of_present_members(
    english_client, head_a, household_a, register
):
    factories.resident(household_a, full_name="Lương Văn Tú", eid_on=D(2024, 6, 1), online_on=D(2024, 6, 2))
    factories.resident(
        household_a, full_name="Lương Thị Cũ", eid_on=D(2020, 1, 1), left_on=D(2021, 1, 1), left_reason="died"
    )
    rows = csv_rows(export(signed_in(english_client, head_a), "households"))
    assert rows == [
        {
            "village_code": "NK",
            "village_name": "Nà Khau",
            "household_code": "NK-001",
            "address": "",
            "phone": "",
            "head": "Nông Thị Hoa",
            "members": "2",
            "with_smartphone": "0",
            "with_eid": "2",
            "online_users": "1",
            "level34_users": "0",
            "has_smartphone": "0",
            "has_internet": "0",
            "distance_km": "",
        }
    ]
    assert [row["household_code"] for row in xlsx_rows(export(english_client, "households", "xlsx"))] == [
        "NK-001"
    ]


def test_headers_and_words_are_vietnamese_on_a_vietnamese_page(official, register):
    client = client_in("vi")
    rows = csv_rows(export(signed_in(client, official), "residents"))
    hoa = next(row for row in rows if row["ho_ten"] == "Nông Thị Hoa")
    assert (hoa["ma_thon"], hoa["ma_ho"], hoa["quan_he"], hoa["so_dinh_danh"]) == (
        "NK",
        "NK-001",
        "chủ hộ",
        "004185000123",
    )
    assert "ma_ho" in csv_rows(export(client, "households"))[0]


@pytest.mark.parametrize("language", ["en", "vi"])
@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_an_officials_export_imports_back_unchanged(
    commune, official, register, household_a, language, extension
):
    factories.resident(
        household_a, full_name="Lương Văn Tú", sex="M", relation="spouse", birth_year=1979, phone="0912345678"
    )
    factories.resident(household_a, full_name="Lương Thị Cũ", left_on=D(2021, 1, 1), left_reason="died")
    Household.objects.filter(pk=household_a.pk).update(distance_km=Decimal("7.5"))
    client = client_in(language)
    response = export(signed_in(client, official), "residents", extension)
    data = response.content if extension == "xlsx" else b"".join(response.streaming_content)
    before = list(Resident.objects.order_by("pk").values_list())
    households_before = list(Household.objects.order_by("pk").values_list())

    result = roster_import(commune=commune, source=data)

    assert result.errors == []
    assert (result.residents.created, result.residents.updated, result.residents.unchanged) == (0, 0, 4)
    assert (result.households.updated, result.households.unchanged) == (0, 2)
    assert list(Resident.objects.order_by("pk").values_list()) == before
    assert list(Household.objects.order_by("pk").values_list()) == households_before


def test_a_masked_export_imports_back_without_touching_the_ids(commune, head_a, register):
    data = b"".join(export(signed_in(Client(), head_a), "residents").streaming_content)
    result = roster_import(commune=commune, source=data)
    assert result.errors == []
    assert result.residents.unchanged == 1
    assert Resident.objects.get(full_name="Nông Thị Hoa").national_id == "004185000123"


def test_unknown_export_is_404(english_client, official):
    signed_in(english_client, official)
    assert export(english_client, "roles").status_code == 404
    assert export(english_client, "residents", "pdf").status_code == 404


def test_a_user_without_a_role_gets_an_empty_list(english_client, register):
    rows = csv_rows(export(signed_in(english_client, factories.user()), "residents"))
    assert rows == []


@pytest.mark.parametrize("kind", ["residents", "households"])
@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_export_queries_do_not_grow_with_rows(english_client, official, village_a, kind, extension):
    signed_in(english_client, official)

    def queries_for_export() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = export(english_client, kind, extension)
            if extension == "csv":
                b"".join(response.streaming_content)
        return len(queries)

    for n in range(3):
        factories.resident(factories.household(village_a), national_id=f"0041850001{n:02d}")
    few = queries_for_export()
    for n in range(3, 30):
        factories.resident(factories.household(village_a), national_id=f"0041850001{n:02d}")
    assert queries_for_export() == few


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_both_exports_give_the_households_distance(
    english_client, official, register, household_a, household_b, extension
):
    Household.objects.filter(pk=household_a.pk).update(distance_km=Decimal("7.5"))
    Household.objects.filter(pk=household_b.pk).update(distance_km=Decimal("0"))
    read = csv_rows if extension == "csv" else xlsx_rows
    signed_in(english_client, official)
    # CSV text "7.5"; XLSX numbers.
    seven, zero = ("7.5", "0.0") if extension == "csv" else (7.5, 0)

    households = read(export(english_client, "households", extension))
    assert {row["household_code"]: row["distance_km"] for row in households} == {
        "NK-001": seven,
        "BT-001": zero,
    }
    residents = read(export(english_client, "residents", extension))
    assert {row["full_name"]: row["distance_km"] for row in residents} == {
        "Nông Thị Hoa": seven,
        "Lương Văn Tú": zero,
    }


def test_an_unknown_distance_is_an_empty_cell_with_the_vietnamese_header(official, register):
    client = client_in("vi")
    signed_in(client, official)
    assert {row["khoang_cach_km"] for row in csv_rows(export(client, "households"))} == {""}
    assert {row["khoang_cach_km"] for row in csv_rows(export(client, "residents"))} == {""}
