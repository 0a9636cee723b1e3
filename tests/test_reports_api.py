"""GET /api/reports/adoption/: the contract, authentication, scoping and every refusal."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests import factories

D = datetime.date
URL = "/api/reports/adoption/"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def people(village_a, village_b):
    """Village A: three adults from August 2024, one with an e-ID, two online, one level 3/4
    (shares 1/3 and 2/3, to be rounded). Village B: one adult, moved in on 1 September."""
    ha, hb = factories.household(village_a), factories.household(village_b)
    factories.resident(ha, birth_year=1980, moved_in_on=D(2024, 8, 1), eid_on=D(2024, 8, 31))
    factories.resident(ha, birth_year=1990, moved_in_on=D(2024, 8, 1), online_on=D(2024, 8, 10))
    factories.resident(
        ha, birth_year=2000, moved_in_on=D(2024, 8, 1), online_on=D(2024, 9, 1), level34_on=D(2024, 9, 30)
    )
    factories.resident(hb, birth_year=1970, moved_in_on=D(2024, 9, 1), eid_on=D(2024, 9, 1))


def get(api, user=None, **params):
    if user is not None:
        api.force_login(user)
    return api.get(URL, params)


def test_the_route_is_where_the_contract_says():
    assert reverse("reports_api:adoption") == URL


def test_contract_for_the_commune(api, official, people):
    response = get(api, official, commune="01558", start="2024-07", end="2024-09")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "commune": "01558",
        "village": None,
        "min_age": 15,
        "months": [
            {
                "month": "2024-07",
                "eligible": 0,
                "eid": 0,
                "online": 0,
                "level34": 0,
                "eid_share": None,
                "online_share": None,
                "level34_share": None,
                "suppressed": False,
            },
            {
                "month": "2024-08",
                "eligible": 3,
                "eid": 1,
                "online": 1,
                "level34": 0,
                "eid_share": 0.3333,
                "online_share": 0.3333,
                "level34_share": 0.0,
                "suppressed": False,
            },
            {
                "month": "2024-09",
                "eligible": 4,
                "eid": 2,
                "online": 2,
                "level34": 1,
                "eid_share": 0.5,
                "online_share": 0.5,
                "level34_share": 0.25,
                "suppressed": False,
            },
        ],
    }


def test_contract_for_a_village_and_types(api, official, people):
    body = get(api, official, commune="01558", start="2024-09", end="2024-09", village="NK").json()
    assert body["village"] == "NK"
    [month] = body["months"]
    assert month == {
        "month": "2024-09",
        "eligible": 3,
        "eid": 1,
        "online": 2,
        "level34": 1,
        "eid_share": 0.3333,
        "online_share": 0.6667,
        "level34_share": 0.3333,
        "suppressed": False,
    }
    assert all(isinstance(month[k], int) for k in ("eligible", "eid", "online", "level34"))
    assert all(isinstance(month[k], float) for k in ("eid_share", "online_share", "level34_share"))


def test_min_age_is_the_communes(api, official, commune, people):
    commune.min_age = 18
    commune.save()
    assert get(api, official, commune="01558", start="2024-09", end="2024-09").json()["min_age"] == 18


def test_one_entry_per_month_inclusive_across_a_year(api, official, people):
    months = get(api, official, commune="01558", start="2024-11", end="2025-02").json()["months"]
    assert [m["month"] for m in months] == ["2024-11", "2024-12", "2025-01", "2025-02"]


def test_token_authentication(api, official, people):
    token = Token.objects.create(user=official)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get(URL, {"commune": "01558", "start": "2024-09", "end": "2024-09"})
    assert response.status_code == 200
    assert response.json()["months"][0]["eligible"] == 4


def test_a_wrong_token_is_refused(api, official):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = api.get(URL, {"commune": "01558", "start": "2024-09", "end": "2024-09"})
    assert response.status_code == 401
    assert "eligible" not in response.content.decode()


def test_anonymous_is_refused(api, commune):
    response = api.get(URL, {"commune": "01558", "start": "2024-09", "end": "2024-09"})
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_leader_reads_the_commune(api, leader, people):
    response = get(api, leader, commune="01558", start="2024-09", end="2024-09")
    assert response.status_code == 200
    assert response.json()["months"][0]["eligible"] == 4  # both villages' adults


def test_village_head_reads_their_village(api, head_a, people):
    response = get(api, head_a, commune="01558", start="2024-09", end="2024-09", village="NK")
    assert response.status_code == 200
    assert response.json()["months"][0]["eligible"] == 3


def test_village_head_cannot_read_the_commune(api, head_a, people):
    response = get(api, head_a, commune="01558", start="2024-09", end="2024-09")
    assert response.status_code == 403
    assert "village" in response.json()["detail"]


def test_village_head_cannot_read_another_village(api, head_a, people):
    response = get(api, head_a, commune="01558", start="2024-09", end="2024-09", village="BT")
    assert response.status_code == 404
    assert "eligible" not in response.content.decode()


def test_official_of_another_commune_gets_404(api, outsider, people):
    response = get(api, outsider, commune="01558", start="2024-09", end="2024-09")
    assert response.status_code == 404
    assert "eligible" not in response.content.decode()


def test_user_without_any_role_gets_404(api, commune, people):
    nobody = factories.user()
    response = get(api, nobody, commune="01558", start="2024-09", end="2024-09")
    assert response.status_code == 404
    assert "eligible" not in response.content.decode()


@pytest.mark.parametrize(
    "params,parameter",
    [
        ({"start": "2024-13", "end": "2024-12"}, "start"),
        ({"start": "abc", "end": "2024-12"}, "start"),
        ({"start": "2024-01", "end": "2024-1"}, "end"),
        ({"start": "2024-01", "end": ""}, "end"),
        ({"start": "2024-05", "end": "2024-04"}, "end"),
        ({"start": "2000-01", "end": "2024-04"}, "start"),
        ({"start": "2024-01", "end": "2024-04", "commune": "99999"}, "commune"),
        ({"start": "2024-01", "end": "2024-04", "commune": None}, "commune"),
        ({"start": "2024-01", "end": "2024-04", "village": "ZZ"}, "village"),
    ],
)
def test_bad_parameters_answer_400_naming_the_parameter(api, official, people, params, parameter):
    query = {"commune": "01558", **params}
    query = {k: v for k, v in query.items() if v is not None}
    response = get(api, official, **query)
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [parameter]
    assert body[parameter][0]


def test_a_bad_month_message_says_the_format(api, official, people):
    body = get(api, official, commune="01558", start="2024-13", end="2024-12").json()
    assert "YYYY-MM" in body["start"][0]


def test_a_village_of_another_commune_is_unknown_here(api, official, other_commune, people):
    factories.village(other_commune, code="XX")
    response = get(api, official, commune="01558", start="2024-09", end="2024-09", village="XX")
    assert response.status_code == 400
    assert list(response.json()) == ["village"]


def test_query_count_does_not_grow_with_months(api, official, people):
    api.force_login(official)

    def queries(start, end):
        with CaptureQueriesContext(connection) as context:
            assert api.get(URL, {"commune": "01558", "start": start, "end": end}).status_code == 200
        return len(context.captured_queries)

    assert queries("2024-07", "2024-09") == queries("2022-10", "2024-09")


def test_an_empty_village_means_the_commune(api, official, people):
    response = get(api, official, commune="01558", start="2024-09", end="2024-09", village="")
    assert response.status_code == 200
    assert response.json()["village"] is None
    assert response.json()["months"][0]["eligible"] == 4
