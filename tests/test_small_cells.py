"""Small cells: a province leader reads no figure about fewer than 5 eligible residents of a
village (or commune, or sex, or age band) on any page, export, chart or the API, while the
commune's official reads them all; the wholes stay exact (reports.disclosure)."""

import csv
import datetime
import io

import pytest
from openpyxl import load_workbook

from reports.disclosure import SMALL_CELL, SUPPRESSED, withheld_among
from reports.services import monthly_report_prepare, monthly_report_sign
from tests import factories
from villages.access import AGGREGATE_PAGES
from villages.models import Role

D = datetime.date
PERIOD = {"start": "2024-07", "end": "2024-09"}
SIZES = {"TINY": 1, "FOUR": 4, "FIVE": 5, "BIG": 6}  # 16 in the commune


def people(commune, code: str, count: int, sex: str = "M"):
    """A village of `count` eligible residents, every one at every step since January 2024."""
    household = factories.household(factories.village(commune, code=code, name=f"Xóm {code}"))
    for _ in range(count):
        factories.resident(
            household,
            birth_year=1980,
            sex=sex,
            eid_on=D(2024, 1, 5),
            online_on=D(2024, 1, 6),
            level34_on=D(2024, 1, 7),
        )


@pytest.fixture
def ha_lang(commune):
    for code, count in SIZES.items():
        people(commune, code, count)
    return commune


@pytest.fixture
def client(english_client):
    """Pages in English, so that assertions read the source strings."""
    return english_client


@pytest.fixture
def tinh(db):
    return factories.province_leader(factories.province("04"), username="tinh")


def dashboard(client, user, village: str | None = None, **more):
    client.force_login(user)
    params = {"commune": "01558", **PERIOD, **more}
    if village:
        params["village"] = village
    return client.get("/reports/", params)


def column(table, key: str) -> list:
    return table.column_values(key)


def by_village(table) -> dict[str, dict]:
    keys = [c.key for c in table.columns]
    return {row[keys.index("code")]: dict(zip(keys, row, strict=True)) for row in table.rows}


def adoption_api(user, village: str | None = None):
    params = {"province": "04", "commune": "01558", **PERIOD}
    if village:
        params["village"] = village
    return factories.api_client(user).get("/api/reports/adoption/", params)


# --- The rule ---------------------------------------------------------------------------


def test_the_threshold_is_five():
    assert SMALL_CELL == 5


def test_small_parts_are_withheld_and_none_is_not():
    assert withheld_among({"a": 0, "b": 1, "c": 4, "d": 5}) == {"b", "c"}


def test_one_small_part_takes_the_next_smallest_with_it():
    # The whole minus the shown parts would otherwise be the small one.
    assert withheld_among({"one": 1, "seven": 7, "six": 6, "none": 0}) == {"one", "six"}


def test_small_parts_go_on_taking_others_until_five_are_hidden_together():
    assert withheld_among({"a": 1, "b": 1, "c": 2, "d": 9, "e": 10}) == {"a", "b", "c", "d"}


def test_parts_the_reader_sees_by_name_are_neither_withheld_nor_complements():
    assert withheld_among({"one": 1, "six": 6, "seven": 7}, named={"one"}) == set()
    assert withheld_among({"one": 1, "six": 6, "seven": 7}, named={"six"}) == {"one", "seven"}


# --- The commune dashboard ----------------------------------------------------------------


@pytest.mark.parametrize("village", ["TINY", "FOUR"])
def test_a_small_village_shows_no_figure_to_a_province_leader(client, tinh, ha_lang, village):
    response = dashboard(client, tinh, village)

    assert response.status_code == 200
    table = response.context["tables"]["adoption"]
    for key in ("eligible", "eid", "eid_share", "online", "online_share", "level34", "level34_share"):
        assert set(column(table, key)) == {SUPPRESSED}
    for item in response.context["headline"]:
        assert (item["share"], item["count"], item["eligible"], item["change"]) == (SUPPRESSED,) * 4
        assert item["behind"] is False
    assert all(v is None for series in response.context["charts"]["adoption"] for v in series["data"])
    for key in ("quarters", "years"):
        assert set(column(response.context["tables"][key], "eligible")) == {SUPPRESSED}
    page = response.content.decode()
    assert "&lt; 5" in page
    assert "fewer than 5 eligible residents, hidden to protect them" in page


@pytest.mark.parametrize(("village", "count"), [("TINY", 1), ("FOUR", 4)])
def test_the_commune_official_reads_the_small_village(client, official, ha_lang, village, count):
    response = dashboard(client, official, village)

    table = response.context["tables"]["adoption"]
    assert column(table, "eligible") == [count, count, count]
    assert column(table, "level34_share") == [1.0, 1.0, 1.0]
    assert "hidden to protect them" not in response.content.decode()


def test_a_village_of_five_is_shown_to_a_province_leader(client, tinh, ha_lang):
    table = dashboard(client, tinh, "FIVE").context["tables"]["adoption"]

    assert column(table, "eligible") == [5, 5, 5]
    assert column(table, "eid_share") == [1.0, 1.0, 1.0]
    assert "hidden to protect them" not in table.note


def test_the_villages_league_withholds_small_villages_and_the_commune_stays_exact(client, tinh, ha_lang):
    response = dashboard(client, tinh)

    rows = by_village(response.context["tables"]["villages"])
    for code in ("TINY", "FOUR"):
        assert (rows[code]["eligible"], rows[code]["level34_share"], rows[code]["eid_share_change"]) == (
            SUPPRESSED,
        ) * 3
        assert rows[code]["behind"] == []
    assert (rows["FIVE"]["eligible"], rows["BIG"]["eligible"]) == (5, 6)
    # Withheld villages rank last: their place would tell their share.
    assert {rows["TINY"]["rank"], rows["FOUR"]["rank"]} == {3, 4}
    assert column(response.context["tables"]["adoption"], "eligible") == [16, 16, 16]
    assert [item["count"] for item in response.context["headline"]] == [16, 16, 16]


def test_one_small_village_is_hidden_with_the_next_smallest_against_differencing(client, tinh, commune):
    people(commune, "ONE", 1)
    people(commune, "SIX", 6)
    people(commune, "SEVEN", 7)

    response = dashboard(client, tinh)

    rows = by_village(response.context["tables"]["villages"])
    assert (rows["ONE"]["eligible"], rows["SIX"]["eligible"], rows["SEVEN"]["eligible"]) == (
        SUPPRESSED,
        SUPPRESSED,
        7,
    )
    assert column(response.context["tables"]["adoption"], "eligible") == [14, 14, 14]
    six = adoption_api(tinh, "SIX").json()["months"]
    assert {m["suppressed"] for m in six} == {True}
    assert {m["eligible"] for m in six} == {None}


def test_a_province_leader_who_is_the_communes_official_reads_every_village(client, tinh, ha_lang):
    Role.objects.create(user=tinh, commune=ha_lang, kind=Role.Kind.OFFICIAL)

    rows = by_village(dashboard(client, tinh).context["tables"]["villages"])

    assert (rows["TINY"]["eligible"], rows["FOUR"]["eligible"]) == (1, 4)


def test_a_village_head_reads_their_own_small_village(client, ha_lang):
    head = factories.role_user(Role.Kind.VILLAGE_HEAD, ha_lang, villages=[ha_lang.villages.get(code="TINY")])

    table = dashboard(client, head, "TINY").context["tables"]["adoption"]

    assert column(table, "eligible") == [1, 1, 1]


# --- The monthly report -------------------------------------------------------------------


def test_the_monthly_report_of_a_small_village_shows_no_figure(client, tinh, official, ha_lang):
    params = {"commune": "01558", "village": "TINY", "month": "2024-09"}
    client.force_login(tinh)

    tables = client.get("/reports/monthly/", params).context["tables"]

    assert set(column(tables["indicators"], "numerator")) == {SUPPRESSED}
    assert set(column(tables["indicators"], "denominator")) == {SUPPRESSED}
    assert set(column(tables["indicators"], "share")) == {SUPPRESSED}
    assert set(column(tables["sex"], "eligible")) == {SUPPRESSED}
    assert set(column(tables["age"], "eligible")) == {SUPPRESSED}
    client.force_login(official)
    tables = client.get("/reports/monthly/", params).context["tables"]
    assert column(tables["indicators"], "numerator") == [1, 1, 1]


def test_a_small_sex_or_age_band_of_the_commune_is_withheld_with_its_complement(client, tinh, commune):
    people(commune, "W", 1, sex="F")
    people(commune, "M", 9, sex="M")
    client.force_login(tinh)

    tables = client.get("/reports/monthly/", {"commune": "01558", "month": "2024-09"}).context["tables"]

    sexes = dict(zip(column(tables["sex"], "group"), column(tables["sex"], "eligible"), strict=True))
    assert (sexes["female"], sexes["male"]) == (SUPPRESSED, SUPPRESSED)
    assert column(tables["indicators"], "denominator") == [10, 10, 10]
    ages = dict(zip(column(tables["age"], "group"), column(tables["age"], "eligible"), strict=True))
    # Everyone is 44 in 2024: the one band holds all ten, the others nobody.
    assert (ages["30–44"], ages["45–59"]) == (10, 0)


# --- Exports ------------------------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_village_csv_shows_no_figure_to_a_province_leader(client, tinh, official, ha_lang):
    params = {"commune": "01558", "village": "TINY", **PERIOD}
    client.force_login(tinh)

    rows = csv_rows(client.get("/reports/export/adoption.csv", params))

    figures = [i for i, label in enumerate(rows[0]) if label not in ("Month", "planned")]
    assert len(figures) == 7
    assert [[row[i] for i in figures] for row in rows[1:]] == [["< 5"] * 7] * 3
    client.force_login(official)
    rows = csv_rows(client.get("/reports/export/adoption.csv", params))
    assert [row[1] for row in rows[1:]] == ["1", "1", "1"]


def test_the_villages_xlsx_says_why_a_cell_is_hidden(client, tinh, ha_lang):
    client.force_login(tinh)

    response = client.get("/reports/export/villages.xlsx", {"commune": "01558", **PERIOD})

    book = load_workbook(io.BytesIO(response.content))
    table, about = book.worksheets
    header = [c.value for c in table[1]]
    eligible = {
        row[header.index("Code")]: row[header.index("Eligible residents")]
        for row in table.iter_rows(2, values_only=True)
    }
    assert eligible == {"FIVE": 5, "BIG": 6, "TINY": "< 5", "FOUR": "< 5"}
    assert any("hidden to protect them" in str(row[0]) for row in about.iter_rows(values_only=True))


def test_the_monthly_sex_csv_of_a_small_village_shows_no_figure(client, tinh, ha_lang):
    client.force_login(tinh)

    rows = csv_rows(
        client.get(
            "/reports/monthly/export/sex.csv", {"commune": "01558", "village": "FOUR", "month": "2024-09"}
        )
    )

    assert {cell for row in rows[1:] for cell in row[1:]} == {"< 5"}


# --- The API ------------------------------------------------------------------------------


@pytest.mark.parametrize("village", ["TINY", "FOUR"])
def test_the_api_gives_a_province_leader_nulls_and_says_why(tinh, ha_lang, village):
    response = adoption_api(tinh, village)

    assert response.status_code == 200
    for month in response.json()["months"]:
        assert month == {
            "month": month["month"],
            "eligible": None,
            "eid": None,
            "online": None,
            "level34": None,
            "eid_share": None,
            "online_share": None,
            "level34_share": None,
            "suppressed": True,
        }


def test_the_api_gives_the_official_the_small_village(official, ha_lang):
    months = (
        factories.api_client(official)
        .get("/api/reports/adoption/", {"commune": "01558", "village": "TINY", **PERIOD})
        .json()["months"]
    )

    assert [(m["eligible"], m["level34_share"], m["suppressed"]) for m in months] == [(1, 1.0, False)] * 3


def test_the_api_gives_a_province_leader_a_village_of_five_and_the_exact_commune(tinh, ha_lang):
    five = adoption_api(tinh, "FIVE").json()["months"]
    whole = adoption_api(tinh).json()["months"]

    assert [(m["eligible"], m["suppressed"]) for m in five] == [(5, False)] * 3
    assert [(m["eligible"], m["level34"], m["suppressed"]) for m in whole] == [(16, 16, False)] * 3


# --- The province dashboard ---------------------------------------------------------------


@pytest.fixture
def ly_quoc(db):
    """A second commune of the province with two residents."""
    commune = factories.commune("01537", "Xã Lý Quốc", province=factories.province("04"))
    people(commune, "LQ", 2)
    return commune


def league(response) -> dict[str, dict]:
    table = response.context["tables"]["communes"]
    keys = [c.key for c in table.columns]
    return {row[1]: dict(zip(keys, row, strict=True)) for row in table.rows}


def test_the_province_league_withholds_a_small_commune_and_its_complement(client, tinh, ha_lang, ly_quoc):
    client.force_login(tinh)

    response = client.get("/reports/province/", {"province": "04", **PERIOD})

    rows = league(response)
    # Lý Quốc (2) is small; the province's total minus Hạ Lang would tell it, so Hạ Lang goes too.
    for code in ("01537", "01558"):
        assert (
            rows[code]["eligible"],
            rows[code]["level34_share"],
            rows[code]["level34_share_change_3"],
        ) == (SUPPRESSED,) * 3
    assert "hidden to protect them" in response.context["tables"]["communes"].note
    assert column(response.context["tables"]["series"], "eligible") == [18, 18, 18]
    assert [item["count"] for item in response.context["headline"]] == [18, 18, 18]
    assert response.context["charts"]["adoption"][2]["data"] == [100.0, 100.0, 100.0]
    rows = csv_rows(client.get("/reports/province/export/communes.csv", {"province": "04", **PERIOD}))
    assert {row[3] for row in rows[1:]} == {"< 5"}


def test_the_province_league_shows_communes_of_five_and_more(client, tinh, ha_lang):
    other = factories.commune("01537", "Xã Lý Quốc", province=factories.province("04"))
    people(other, "LQ", 5)
    client.force_login(tinh)

    rows = league(client.get("/reports/province/", {"province": "04", **PERIOD}))

    assert (rows["01537"]["eligible"], rows["01558"]["eligible"]) == (5, 16)


def test_a_small_communes_own_dashboard_and_series_are_withheld_like_its_league_row(
    client, tinh, ha_lang, ly_quoc
):
    response = dashboard(client, tinh, commune="01537")

    assert set(column(response.context["tables"]["adoption"], "eligible")) == {SUPPRESSED}
    months = (
        factories.api_client(tinh)
        .get("/api/reports/adoption/", {"province": "04", "commune": "01537", **PERIOD})
        .json()["months"]
    )
    assert {m["suppressed"] for m in months} == {True}


# --- Every figure a province leader reads -------------------------------------------------

# Each page and export a province leader may open that shows residents' figures, asked about
# the village of one resident (or, for the province's, about a province with a small commune).
SURFACES = {
    "reports:dashboard": ("/reports/", {"village": "TINY"}),
    "reports:export": ("/reports/export/adoption.csv", {"village": "TINY"}),
    "reports:monthly": ("/reports/monthly/", {"village": "TINY", "month": "2024-09"}),
    "reports:monthly_export": (
        "/reports/monthly/export/indicators.csv",
        {"village": "TINY", "month": "2024-09"},
    ),
    "reports_api:adoption": ("/api/reports/adoption/", {"village": "TINY", "province": "04"}),
    "reports:province": ("/reports/province/", {"province": "04"}),
    "reports:province_export": ("/reports/province/export/communes.csv", {"province": "04"}),
    # The signed monthly report (reports.signed) of 2024-09, signed first.
    "reports:signed": ("/reports/signed/", {"month": "2024-09"}),
    "reports_api:signed": ("/api/reports/signed/", {"province": "04", "month": "2024-09"}),
}
SIGNED = {"reports:signed", "reports_api:signed"}
# What a province leader may open and that holds no resident's figure: the way in and out,
# the API's description, and the official figures (the commune's dossiers as reported upward,
# not its residents' ladders).
NO_RESIDENT_FIGURES = {
    "home",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "set_language",
    "api:token",
    "api:schema",
    "api:docs",
    "reports:official",
    "reports:official_export",
    # The app's own files, so that a province leader can install it; their device keeps no page.
    "service_worker",
    "manifest",
    "offline",
    "device_pages",
    # Ending one's own API token.
    "api:token-revoke",
    "api_token_end",
}


def test_every_page_a_province_leader_opens_is_a_figure_surface_checked_here_or_holds_no_figure():
    assert set(SURFACES) | NO_RESIDENT_FIGURES == AGGREGATE_PAGES
    assert not set(SURFACES) & NO_RESIDENT_FIGURES


@pytest.mark.parametrize("name", sorted(SURFACES))
def test_no_surface_shows_a_province_leader_a_small_cell(client, tinh, ha_lang, ly_quoc, name):
    path, params = SURFACES[name]
    if name in SIGNED:
        official = factories.role_user(Role.Kind.OFFICIAL, ha_lang)
        leader = factories.role_user(Role.Kind.LEADER, ha_lang)
        report = monthly_report_prepare(commune=ha_lang, month=D(2024, 9, 1), by=official)
        monthly_report_sign(report=report, by=leader, title="Chủ tịch UBND xã")
    client.force_login(tinh)

    response = client.get(path, {"commune": "01558", **PERIOD, **params})

    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    if name == "reports_api:adoption":
        assert {m["suppressed"] for m in response.json()["months"]} == {True}
    elif name == "reports_api:signed":
        villages = response.json()["results"][0]["villages"]
        assert {v["code"]: (v["eligible"], v["suppressed"]) for v in villages}["TINY"] == (None, True)
    else:
        assert "< 5" in body or "&lt; 5" in body
    if response["Content-Type"].startswith("text/html"):
        assert "fewer than 5 eligible residents, hidden to protect them" in body
