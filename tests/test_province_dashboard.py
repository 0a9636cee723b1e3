"""The province dashboard: the league of communes against their targets, the province's
series, activity per commune and the mobilization models compared, with their exports; and
the gate that keeps a province leader to figures."""

import datetime
import io
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from mobilization.models import CommunicationActivity, MobilizationModel
from mobilization.services import Help, mobilization_model_save
from reports.disclosure import SUPPRESSED
from reports.models import Target
from tests import factories
from training.models import Attendance
from villages.models import Resident

D = datetime.date
URL = "/reports/province/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
PERIOD = {"province": "04", "start": "2024-07", "end": "2024-09"}


@pytest.fixture
def province(db):
    return factories.province("04", "Tỉnh Cao Bằng")


@pytest.fixture
def ha_lang(commune, village_a, village_b):
    """At the end of 2024-09: 4 eligible, 2 e-ID, 2 online, 1 level 3/4 (none before August)."""
    ha, hb = factories.household(village_a, code="NK-001"), factories.household(village_b, code="BT-001")
    factories.resident(
        ha, full_name="Nông Thị Hoa", birth_year=1980, moved_in_on=D(2024, 8, 1), eid_on=D(2024, 8, 31)
    )
    factories.resident(
        ha, full_name="Lương Văn Tú", birth_year=1990, moved_in_on=D(2024, 8, 1), online_on=D(2024, 8, 10)
    )
    factories.resident(
        ha,
        full_name="Hoàng Thị Mai",
        birth_year=2000,
        moved_in_on=D(2024, 8, 1),
        online_on=D(2024, 9, 1),
        level34_on=D(2024, 9, 30),
    )
    factories.resident(
        hb, full_name="Đàm Văn Sáng", birth_year=1970, moved_in_on=D(2024, 9, 1), eid_on=D(2024, 9, 1)
    )
    return commune


@pytest.fixture
def ly_quoc(province):
    """At the end of 2024-09 one eligible resident, at every step; in 2024-06, 2 eligible, 1
    e-ID, 1 online; in 2023-09, 2 eligible and no step (min age 18)."""
    commune = factories.commune("01537", "Xã Lý Quốc", min_age=18)
    household = factories.household(factories.village(commune, code="LQ"), code="LQ-001")
    factories.resident(
        household,
        full_name="Bế Văn Lý",
        birth_year=1960,
        eid_on=D(2024, 1, 5),
        online_on=D(2024, 2, 1),
        level34_on=D(2024, 9, 10),
    )
    factories.resident(household, full_name="Bế Thị Nhỏ", birth_year=2007, eid_on=D(2024, 1, 5))
    factories.resident(
        household,
        full_name="Bế Văn Đi",
        birth_year=1975,
        eid_on=D(2024, 7, 1),
        left_on=D(2024, 8, 15),
        left_reason="moved_away",
    )
    return commune


@pytest.fixture
def leader_of_province(province):
    return factories.province_leader(province, username="tinh")


def league(response) -> dict[str, list]:
    table = response.context["tables"]["communes"]
    return {row[1]: dict(zip([c.key for c in table.columns], row, strict=True)) for row in table.rows}


def test_the_league_ranks_communes_by_level34_share_with_changes_over_3_and_12_months(
    client, superuser, ha_lang, ly_quoc
):
    # A superuser, who sees these communes' few residents by name: a province leader reads
    # none of their figures (tests/test_small_cells.py).
    client.force_login(superuser)

    response = client.get(URL, PERIOD)

    assert response.status_code == 200
    rows = league(response)
    assert (rows["01537"]["rank"], rows["01558"]["rank"]) == (1, 2)
    ly = rows["01537"]
    assert (ly["eligible"], ly["eid_share"], ly["online_share"], ly["level34_share"]) == (1, 1.0, 1.0, 1.0)
    # 2024-06: 1 of 2 with an e-ID and online, none at level 3/4; 2023-09: none of 2.
    assert (ly["eid_share_change_3"], ly["online_share_change_3"], ly["level34_share_change_3"]) == (
        50.0,
        50.0,
        100.0,
    )
    assert (ly["eid_share_change_12"], ly["level34_share_change_12"]) == (100.0, 100.0)
    ha = rows["01558"]
    assert (ha["eligible"], ha["eid_share"], ha["level34_share"]) == (4, 0.5, 0.25)
    assert ha["level34_share_change_3"] is None  # nobody was eligible in June


def test_communes_behind_their_plan_are_flagged(client, superuser, ha_lang, ly_quoc):
    for commune, value in ((ha_lang, "0.5"), (ly_quoc, "0.9")):
        Target.objects.create(
            commune=commune, indicator="level34_share", due_on=D(2024, 1, 1), value=Decimal(value)
        )
    client.force_login(superuser)  # who sees these few residents' figures

    response = client.get(URL, PERIOD, **EN)

    rows = league(response)
    assert (rows["01558"]["level34_share_plan"], rows["01558"]["behind"]) == (0.5, ["level 3/4 share"])
    assert (rows["01537"]["level34_share_plan"], rows["01537"]["behind"]) == (0.9, [])
    assert response.context["behind"] == 1


def test_the_province_series_sums_the_communes(client, leader_of_province, ha_lang, ly_quoc):
    client.force_login(leader_of_province)

    table = client.get(URL, PERIOD).context["tables"]["series"]
    # Read in this order whatever the table's (it puts the headline, level 3/4, first).
    order = ("month", "eligible", "eid", "eid_share", "online", "online_share", "level34", "level34_share")
    at = [[c.key for c in table.columns].index(key) for key in order]

    assert [[row[i] for i in at] for row in table.rows] == [
        ["2024-07", 2, 2, 1.0, 1, 0.5, 0, 0.0],
        ["2024-08", 4, 2, 0.5, 2, 0.5, 0, 0.0],
        ["2024-09", 5, 3, 0.6, 3, 0.6, 2, 0.4],
    ]


def test_the_headline_is_the_province_at_the_end_with_its_changes(
    client, leader_of_province, ha_lang, ly_quoc
):
    client.force_login(leader_of_province)

    headline = {item["indicator"]: item for item in client.get(URL, PERIOD).context["headline"]}

    # 2024-06: Lý Quốc alone, 2 eligible, 1 with an e-ID, 1 online, none at level 3/4.
    assert (headline["level34_share"]["share"], headline["level34_share"]["change_3"]) == (0.4, 40.0)
    assert (headline["eid_share"]["share"], headline["eid_share"]["change_3"]) == (0.6, 10.0)


@pytest.fixture
def worked(ha_lang, village_a, ly_quoc):
    """In Hạ Lang, a model tagged on two visits in September: the first helped Hoàng Thị Mai,
    who reached level 3/4 nine days later; the second left a follow-up now overdue. A session
    of the model with one attendee already at level 3/4. Nothing in Lý Quốc."""
    worker = factories.worker(ha_lang, full_name="Hoàng Văn Đức")
    model = mobilization_model_save(
        model=MobilizationModel(
            commune=ha_lang,
            name="Tổ công nghệ số Nà Khau",
            field=MobilizationModel.Field.COMMUNITY_TECH_TEAM,
            owner=factories.worker_group(ha_lang),
            started_on=D(2024, 1, 1),
        ),
        villages=[village_a],
        goals=[],
    )
    household = village_a.households.get()
    mai = Resident.objects.get(full_name="Hoàng Thị Mai")
    factories.visit(
        household,
        visited_on=D(2024, 9, 21),
        workers=[worker],
        helped=[Help(resident=mai)],
        model=model,
    )
    factories.visit(
        household,
        visited_on=D(2024, 9, 22),
        workers=[worker],
        follow_up_on=D(2024, 9, 25),
        model=model,
    )
    session = factories.session(ha_lang, held_on=D(2024, 9, 5), village=village_a, model=model)
    Attendance.objects.create(session=session, resident=Resident.objects.get(full_name="Lương Văn Tú"))
    Resident.objects.filter(full_name="Lương Văn Tú").update(level34_on=D(2024, 8, 20))
    return model


def test_activity_per_commune(client, leader_of_province, worked):
    client.force_login(leader_of_province)

    table = client.get(URL, PERIOD).context["tables"]["activity"]

    columns = [c.key for c in table.columns]
    rows = {row[0]: dict(zip(columns, row, strict=True)) for row in table.rows}
    ha = rows["01558"]
    assert (ha["visits"], ha["households"], ha["residents_helped"]) == (2, 1, 1)
    assert (ha["sessions"], ha["attendance"], ha["overdue"]) == (1, 1, 1)
    assert rows["01537"]["visits"] == 0


def test_each_communes_reach_is_held_to_its_own_population(client, leader_of_province, ha_lang, ly_quoc):
    """Read for all communes in one query, a reach larger than the commune's population (a
    typing mistake) still never counts, whatever another commune's population."""
    for commune, reach in ((ha_lang, 4), (ha_lang, 3), (ha_lang, 5), (ly_quoc, 2), (ly_quoc, 3)):
        CommunicationActivity.objects.create(
            commune=commune, channel="loudspeaker", held_on=D(2024, 9, 2), topic="VNeID", reach=reach
        )
    client.force_login(leader_of_province)

    table = client.get(URL, PERIOD).context["tables"]["activity"]

    columns = [c.key for c in table.columns]
    rows = {row[0]: dict(zip(columns, row, strict=True)) for row in table.rows}
    # Hạ Lang: 4 residents living there, so 5 never counts; Lý Quốc: 2 (one left), so 3 never does.
    assert (rows["01558"]["communications"], rows["01558"]["reach"]) == (3, 4 + 3)
    assert (rows["01537"]["communications"], rows["01537"]["reach"]) == (2, 2)


def test_models_are_compared_by_what_they_achieved(client, leader_of_province, worked):
    client.force_login(leader_of_province)

    tables = client.get(URL, PERIOD, **EN).context["tables"]

    [row] = tables["models"].rows
    columns = [c.key for c in tables["models"].columns]
    found = dict(zip(columns, row, strict=True))
    assert (found["commune"], found["model"]) == ("Xã Hạ Lang", "Tổ công nghệ số Nà Khau")
    # Two visits; reached Mai (visit) and Tú (session, already at level 3/4): 2 reached, 1 within 30 days.
    assert (found["visits"], found["reached"], found["reached_level34"], found["reached_share"]) == (
        2,
        2,
        1,
        0.5,
    )
    assert (found["reached_per_100"], found["level34_per_100"]) == (100.0, 50.0)
    [by_field] = tables["fields"].rows
    assert by_field[:3] == ["community technology team", 1, 2]


def test_the_page_shows_no_person(client, leader_of_province, worked):
    client.force_login(leader_of_province)

    page = client.get(URL, PERIOD).content.decode()

    assert "Xã Lý Quốc" in page and "Tổ công nghệ số Nà Khau" in page
    for person in ("Nông Thị Hoa", "Hoàng Thị Mai", "Bế Văn Lý", "Hoàng Văn Đức", "NK-001", "LQ-001"):
        assert person not in page


@pytest.mark.parametrize("table", ["communes", "series", "activity", "models", "fields"])
def test_each_table_downloads_as_csv_and_xlsx(client, leader_of_province, worked, table):
    client.force_login(leader_of_province)

    csv = client.get(f"/reports/province/export/{table}.csv", PERIOD)
    xlsx = client.get(f"/reports/province/export/{table}.xlsx", PERIOD)

    assert csv.status_code == xlsx.status_code == 200
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "Hoàng Thị Mai" not in text
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert sheet.max_row == len(text.strip().splitlines())


def test_the_league_csv_holds_the_communes(client, superuser, ha_lang, ly_quoc):
    client.force_login(superuser)  # who sees these few residents' figures

    lines = (
        client.get("/reports/province/export/communes.csv", PERIOD).content.decode("utf-8-sig").splitlines()
    )

    assert lines[1].startswith("1,01537,Xã Lý Quốc,1,")
    assert lines[2].startswith("2,01558,Xã Hạ Lang,4,")


def test_an_unknown_table_answers_404(client, leader_of_province, ha_lang):
    client.force_login(leader_of_province)

    assert client.get("/reports/province/export/residents.csv", PERIOD).status_code == 404


def test_the_page_prints(client, leader_of_province, ha_lang):
    client.force_login(leader_of_province)

    page = client.get(URL, PERIOD).content.decode()

    assert "data-print" in page and 'class="actions no-print"' in page


def test_a_bad_period_falls_back_to_the_default_and_says_so(client, leader_of_province, ha_lang):
    client.force_login(leader_of_province)

    response = client.get(URL, {"province": "04", "start": "2024-13", "end": "2024-09"}, **EN)

    assert response.status_code == 200
    assert "could not be used" in response.content.decode()
    assert client.get("/reports/province/export/series.csv", {"start": "2024-13"}).status_code == 400


def test_anonymous_is_sent_to_sign_in(client, ha_lang):
    response = client.get(URL, PERIOD)

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_query_count_is_fixed_whatever_the_communes_months_and_models(client, leader_of_province, worked):
    client.force_login(leader_of_province)

    def queries(**params):
        with CaptureQueriesContext(connection) as context:
            assert client.get(URL, {**PERIOD, **params}).status_code == 200
        return len(context.captured_queries)

    two = queries()
    assert queries(start="2022-10") == two
    for n in range(3):
        mobilization_model_save(
            model=MobilizationModel(
                commune=worked.commune,
                name=f"Model {n}",
                field=MobilizationModel.Field.OTHER,
                owner=worked.owner,
                started_on=D(2024, 1, 1),
            ),
            villages=[worked.villages.get()],
            goals=[],
        )
    assert queries() == two
    factories.commune("01561", "Xã Vinh Quý")
    three = queries()
    factories.commune("01552", "Xã Quang Long")
    assert queries() == three == two


# --- The gate: figures only


def test_a_province_leader_lands_on_the_province(client, leader_of_province, ha_lang):
    client.force_login(leader_of_province)

    response = client.get("/")

    assert (response.status_code, response["Location"]) == (302, "/reports/province/")


def test_a_province_leader_reads_a_commune_dashboard_of_the_province(
    client, leader_of_province, ha_lang, ly_quoc
):
    client.force_login(leader_of_province)

    response = client.get("/reports/", {"commune": "01537", "start": "2024-07", "end": "2024-09"})

    assert response.status_code == 200
    assert response.context["latest"].level34 is SUPPRESSED  # one resident: tests/test_small_cells.py
    assert "Bế Văn Lý" not in response.content.decode()
    assert "/reports/targets/" not in response.content.decode()  # a page they may not open
    assert client.get("/reports/monthly/", {"commune": "01537", "month": "2024-09"}).status_code == 200


def test_the_menu_keeps_a_province_leader_to_figures(client, leader_of_province, ha_lang):
    client.force_login(leader_of_province)

    page = client.get(URL, PERIOD).content.decode()

    assert 'href="/reports/province/"' in page
    assert 'href="/households/"' not in page


@pytest.mark.parametrize("path", ["/api/residents/", "/api/households/", "/api/visits/", "/api/communes/"])
def test_api_endpoints_answer_403_with_a_session_and_with_a_token(leader_of_province, ha_lang, path):
    session = APIClient()
    session.force_login(leader_of_province)
    token = APIClient()
    token.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=leader_of_province).key}")

    for api in (session, token):
        response = api.get(path)
        assert response.status_code == 403
        assert "detail" in response.json()
        assert "Nông" not in response.content.decode()


def test_a_province_leader_who_is_also_an_official_keeps_the_officials_pages(
    client, province, ha_lang, official
):
    from villages.models import ProvinceRole

    ProvinceRole.objects.create(user=official, province=province)
    client.force_login(official)

    households = client.get("/households/")
    assert households.status_code == 200
    assert "NK-001" in households.content.decode() and "BT-001" in households.content.decode()
    province_page = client.get(URL, PERIOD)
    assert province_page.status_code == 200
    assert "Xã Hạ Lang" in province_page.content.decode()


def test_a_user_with_no_role_at_all_is_not_held_by_the_gate(client, ha_lang):
    client.force_login(factories.user(username=f"x{uuid.uuid4().hex[:6]}"))

    response = client.get("/households/")

    assert response.status_code == 200  # the list, with nothing in it: no role, no household
    assert "NK-001" not in response.content.decode()
