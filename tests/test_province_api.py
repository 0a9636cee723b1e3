"""GET /api/reports/adoption/?province=CODE: the province's series is its communes' series
summed (shares from the sums), for its province leaders only; &commune=CODE one of them."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests import factories

D = datetime.date
URL = "/api/reports/adoption/"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def province(db):
    return factories.province("04", "Tỉnh Cao Bằng")


@pytest.fixture
def people(village_a, village_b):
    """Hạ Lang, as tests/test_reports_api.py has it: at the end of 2024-08 3 eligible, 1 e-ID,
    1 online; of 2024-09 4 eligible, 2 e-ID, 2 online, 1 level 3/4."""
    ha, hb = factories.household(village_a), factories.household(village_b)
    factories.resident(ha, birth_year=1980, moved_in_on=D(2024, 8, 1), eid_on=D(2024, 8, 31))
    factories.resident(ha, birth_year=1990, moved_in_on=D(2024, 8, 1), online_on=D(2024, 8, 10))
    factories.resident(
        ha, birth_year=2000, moved_in_on=D(2024, 8, 1), online_on=D(2024, 9, 1), level34_on=D(2024, 9, 30)
    )
    factories.resident(hb, birth_year=1970, moved_in_on=D(2024, 9, 1), eid_on=D(2024, 9, 1))


@pytest.fixture
def ly_quoc(province):
    """A second commune of the province, counting from 18: at the end of 2024-07, 2 eligible
    (the 17-year-old is not), 2 e-ID, 1 online; 2024-08, 1 eligible (one left), 1 e-ID, 1
    online; 2024-09, 1 eligible, 1 e-ID, 1 online, 1 level 3/4."""
    commune = factories.commune("01537", "Xã Lý Quốc", min_age=18)
    household = factories.household(factories.village(commune, code="LQ"))
    factories.resident(
        household, birth_year=1960, eid_on=D(2024, 1, 5), online_on=D(2024, 2, 1), level34_on=D(2024, 9, 10)
    )
    factories.resident(household, birth_year=2007, eid_on=D(2024, 1, 5))
    factories.resident(
        household, birth_year=1975, eid_on=D(2024, 7, 1), left_on=D(2024, 8, 15), left_reason="moved_away"
    )
    return commune


@pytest.fixture
def elsewhere(db):
    """A commune of another province, everyone at level 3/4: never in Cao Bằng's sums."""
    commune = factories.commune("99001", "Xã Khác", province=factories.province("20", "Tỉnh Lạng Sơn"))
    household = factories.household(factories.village(commune, code="KH"))
    for _ in range(5):
        factories.resident(
            household,
            birth_year=1980,
            eid_on=D(2024, 1, 1),
            online_on=D(2024, 1, 1),
            level34_on=D(2024, 1, 1),
        )
    return commune


@pytest.fixture
def province_leader(province):
    return factories.province_leader(province, username="tinh")


def get(api, user, **params):
    api.force_login(user)
    return api.get(URL, params)


def month(name, eligible, eid, online, level34, eid_share, online_share, level34_share):
    return {
        "month": name,
        "eligible": eligible,
        "eid": eid,
        "online": online,
        "level34": level34,
        "eid_share": eid_share,
        "online_share": online_share,
        "level34_share": level34_share,
        "suppressed": False,
    }


def test_the_province_is_its_communes_summed_with_shares_from_the_sums(
    api, province_leader, people, ly_quoc, elsewhere
):
    response = get(api, province_leader, province="04", start="2024-07", end="2024-09")

    assert response.status_code == 200
    assert response.json() == {
        "province": "04",
        "commune": None,
        "village": None,
        "min_age": None,  # 15 in Hạ Lang, 18 in Lý Quốc
        "months": [
            month("2024-07", 2, 2, 1, 0, 1.0, 0.5, 0.0),
            month("2024-08", 4, 2, 2, 0, 0.5, 0.5, 0.0),
            # Not the average of the communes' shares (0.25 and 1.0): 2 of 5.
            month("2024-09", 5, 3, 3, 2, 0.6, 0.6, 0.4),
        ],
    }


def test_the_province_min_age_is_its_communes_when_they_share_one(api, province_leader, people, province):
    body = get(api, province_leader, province="04", start="2024-09", end="2024-09").json()

    assert body["min_age"] == 15
    assert body["months"] == [month("2024-09", 4, 2, 2, 1, 0.5, 0.5, 0.25)]


def test_one_commune_of_the_province(api, superuser, people, ly_quoc):
    # A superuser sees its residents by name: every figure (the province leader's are withheld,
    # tests/test_small_cells.py).
    response = get(api, superuser, province="04", commune="01537", start="2024-08", end="2024-09")

    assert response.json() == {
        "commune": "01537",
        "village": None,
        "min_age": 18,
        "months": [month("2024-08", 1, 1, 1, 0, 1.0, 1.0, 0.0), month("2024-09", 1, 1, 1, 1, 1.0, 1.0, 1.0)],
    }


def test_one_small_commune_of_the_province_is_withheld_from_its_leader(api, province_leader, people, ly_quoc):
    response = get(api, province_leader, province="04", commune="01537", start="2024-08", end="2024-09")

    assert [
        (m["month"], m["eligible"], m["level34"], m["suppressed"]) for m in response.json()["months"]
    ] == [
        ("2024-08", None, None, True),
        ("2024-09", None, None, True),
    ]


def test_a_province_leader_reads_a_commune_as_its_officials_do(
    api, province_leader, official, people, household_b
):
    for _ in range(5):  # five more, so that no month holds fewer than 5 (tests/test_small_cells.py)
        factories.resident(household_b, birth_year=1985)
    theirs = get(api, province_leader, commune="01558", start="2024-07", end="2024-09").json()
    api.logout()
    officials = get(api, official, commune="01558", start="2024-07", end="2024-09").json()

    assert theirs == officials


def test_a_province_leader_with_a_token(api, province_leader, people):
    token = Token.objects.create(user=province_leader)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = api.get(URL, {"province": "04", "start": "2024-09", "end": "2024-09"})

    assert response.status_code == 200
    assert response.json()["months"][0]["eligible"] == 4


def test_a_commune_of_another_province_is_refused_naming_commune(api, province_leader, people, elsewhere):
    response = get(api, province_leader, province="04", commune="99001", start="2024-09", end="2024-09")

    assert response.status_code == 400
    assert list(response.json()) == ["commune"]


def test_another_province_answers_404(api, province_leader, elsewhere):
    response = get(api, province_leader, province="20", start="2024-09", end="2024-09")

    assert response.status_code == 404
    assert "eligible" not in response.content.decode()


def test_a_commune_of_another_province_alone_answers_404(api, province_leader, elsewhere):
    response = get(api, province_leader, commune="99001", start="2024-09", end="2024-09")

    assert response.status_code == 404
    assert "eligible" not in response.content.decode()


@pytest.mark.parametrize("role", ["official", "leader", "head_a"])
def test_commune_roles_do_not_read_the_province(api, request, role, people):
    user = request.getfixturevalue(role)

    response = get(api, user, province="04", start="2024-09", end="2024-09")

    assert response.status_code == 404
    assert "eligible" not in response.content.decode()


def test_a_superuser_reads_any_province(api, superuser, people, elsewhere):
    body = get(api, superuser, province="20", start="2024-09", end="2024-09").json()

    assert body["months"][0]["level34"] == 5


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"province": "77"}, "province"),
        ({"province": ""}, "commune"),
        ({"province": "04", "village": "NK"}, "village"),
    ],
)
def test_bad_province_parameters_answer_400_naming_the_parameter(
    api, province_leader, people, params, parameter
):
    response = get(api, province_leader, start="2024-09", end="2024-09", **params)

    assert response.status_code == 400
    assert list(response.json()) == [parameter]


def test_the_province_series_costs_the_same_queries_whatever_the_communes_and_months(
    api, province_leader, people, ly_quoc
):
    api.force_login(province_leader)

    def queries(start, end):
        with CaptureQueriesContext(connection) as context:
            assert api.get(URL, {"province": "04", "start": start, "end": end}).status_code == 200
        return len(context.captured_queries)

    two_communes = queries("2024-07", "2024-09")
    assert queries("2022-10", "2024-09") == two_communes
    factories.commune("01561", "Xã Vinh Quý")
    three_communes = queries("2024-07", "2024-09")
    factories.commune("01552", "Xã Quang Long")
    # The communes' own series all at once (reports.selectors.adoption.adoption_at_each):
    # one compaction and one read, however many communes.
    assert queries("2024-07", "2024-09") == three_communes == two_communes
