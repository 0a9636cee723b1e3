"""Moves, returns, splits and the head of household through the REST API (issue 16).

POST /api/residents/{id}/move/ {"household", "on"} answers the resident as moved; a household
outside the user's area or of another commune is a 404, a date before the resident's current
stay began (or in the future, before their birth year, before they left) a 400 naming `on`.
POST /api/households/{id}/split/ and …/head/ call the same services as the pages.
"""

import datetime

import pytest

from softbridge.calendar import commune_today
from tests import factories
from tests.factories import api_client as api
from villages.models import Household, PastStay, Resident, Role

D = datetime.date


def move(user, resident, household, on, **extra):
    body = {"household": household.pk if hasattr(household, "pk") else household, "on": on, **extra}
    return api(user).post(f"/api/residents/{resident.pk}/move/", body, format="json")


def unchanged(resident) -> bool:
    before = (resident.household_id, resident.moved_in_on, resident.left_on)
    resident.refresh_from_db()
    return (resident.household_id, resident.moved_in_on, resident.left_on) == before and not (
        PastStay.objects.filter(resident=resident).exists()
    )


def test_an_official_moves_a_resident_to_another_village(official, resident_a, household_b):
    response = move(official, resident_a, household_b, "2025-03-01")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["household"], body["village"]) == (
        resident_a.pk,
        household_b.pk,
        household_b.village_id,
    )
    assert body["moved_in_on"] == "2025-03-01"
    stay = PastStay.objects.get(resident=resident_a)
    assert (stay.household_id, stay.ended_on, stay.ended_by) == (
        resident_a.household_id,
        D(2025, 3, 1),
        "moved",
    )


def test_a_village_head_moves_a_resident_within_their_village(head_a, resident_a, village_a):
    other = factories.household(village_a, code="NK-002")
    response = move(head_a, resident_a, other, "2025-03-01", relation="spouse")
    assert response.status_code == 200, response.content
    assert (response.json()["household_code"], response.json()["relation"]) == ("NK-002", "spouse")


def test_a_household_outside_the_users_area_is_a_404(head_a, resident_a, household_b):
    response = move(head_a, resident_a, household_b, "2025-03-01")
    assert response.status_code == 404
    assert unchanged(resident_a)


def test_a_household_of_another_commune_is_a_404_even_for_a_superuser(superuser, resident_a, other_commune):
    elsewhere = factories.household(factories.village(other_commune))
    assert move(superuser, resident_a, elsewhere, "2025-03-01").status_code == 404
    assert move(superuser, resident_a, 2**40, "2025-03-01").status_code == 404
    assert unchanged(resident_a)


@pytest.mark.parametrize(
    ("on", "says"),
    [
        ("2024-12-31", "before the resident's current stay began (2025-01-01)"),
        ("tomorrow", "The date is in the future."),
        ("", "Date has wrong format"),
    ],
)
def test_a_date_that_makes_no_sense_is_a_400_naming_on(official, resident_a, household_b, on, says):
    resident_a.moved_in_on = D(2025, 1, 1)
    resident_a.save()
    if on == "tomorrow":
        on = (commune_today() + datetime.timedelta(days=1)).isoformat()
    response = move(official, resident_a, household_b, on)
    assert response.status_code == 400
    assert list(response.json()) == ["on"]
    assert says in response.json()["on"][0]
    assert unchanged(resident_a)


def test_before_the_birth_year_or_after_death_is_a_400_naming_on(official, household_a, household_b):
    child = factories.resident(household_a, full_name="Bé", birth_year=2020)
    response = move(official, child, household_b, "2019-12-31")
    assert (response.status_code, list(response.json())) == (400, ["on"])
    assert "2020" in response.json()["on"][0]
    elder = factories.resident(
        household_a, full_name="Cụ", birth_year=1930, left_on=D(2024, 5, 1), left_reason="died"
    )
    response = move(official, elder, household_b, "2025-01-01")
    assert (response.status_code, list(response.json())) == (400, ["on"])
    assert unchanged(child) and unchanged(elder)


def test_the_roles_that_may_not_move_get_403_or_404(resident_a, household_b, leader, worker_a, outsider):
    assert move(leader, resident_a, household_b, "2025-03-01").status_code == 403
    assert move(worker_a, resident_a, household_b, "2025-03-01").status_code in (403, 404)
    assert move(outsider, resident_a, household_b, "2025-03-01").status_code == 404
    assert api().post(f"/api/residents/{resident_a.pk}/move/", {}, format="json").status_code == 401
    assert unchanged(resident_a)


def test_a_resident_who_moved_away_comes_back(official, resident_a, household_b):
    resident_a.national_id = "004185000123"
    resident_a.left_on, resident_a.left_reason = D(2024, 8, 20), "moved_away"
    resident_a.save()
    early = move(official, resident_a, household_b, "2024-08-19")
    assert early.status_code == 400 and "left the commune (2024-08-20)" in early.json()["on"][0]

    response = move(official, resident_a, household_b, "2025-06-05")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["national_id"], body["left_on"], body["moved_in_on"]) == (
        resident_a.pk,
        "004185000123",
        None,
        "2025-06-05",
    )
    assert PastStay.objects.get(resident=resident_a).ended_by == "moved_away"
    assert Resident.objects.count() == 1


def test_moving_to_be_the_head_where_there_is_one_is_a_400(official, resident_a, household_b):
    factories.resident(household_b, full_name="Chủ Hộ BT", relation=Resident.Relation.HEAD)
    response = move(official, resident_a, household_b, "2025-03-01", relation="head")
    assert response.status_code == 400
    assert "Chủ Hộ BT" in response.json()["relation"][0]
    assert unchanged(resident_a)


# --- Splits


def test_a_split_moves_several_members_and_names_the_head(official, household_a, village_b):
    head = factories.resident(household_a, full_name="Ông", relation="head")
    son = factories.resident(household_a, full_name="Con", relation="child")
    wife = factories.resident(household_a, full_name="Dâu", relation="other")
    body = {
        "village": village_b.pk,
        "code": "BT-099",
        "members": [son.pk, wife.pk],
        "head": son.pk,
        "on": "2025-04-10",
    }

    response = api(official).post(f"/api/households/{household_a.pk}/split/", body, format="json")

    assert response.status_code == 201, response.content
    created = Household.objects.get(code="BT-099")
    assert response.json()["id"] == created.pk
    assert (response.json()["member_count"], response.json()["head_name"]) == (2, "Con")
    assert dict(created.members.values_list("full_name", "relation")) == {"Con": "head", "Dâu": "other"}
    assert list(household_a.members.values_list("full_name", flat=True)) == [head.full_name]


@pytest.mark.parametrize(
    ("change", "field", "status"),
    [
        ({"members": []}, "members", 400),
        ({"head": "outsider"}, "head", 400),
        ({"code": "NK-001"}, "code", 400),
        ({"on": "1999-06-01"}, "on", 400),  # before the son was born
        ({"village": "other"}, None, 404),
    ],
)
def test_a_split_refused_changes_nothing(
    official, household_a, village_b, other_commune, change, field, status
):
    son = factories.resident(household_a, full_name="Con", birth_year=2000, relation="child")
    stranger = factories.resident(factories.household(village_b), full_name="Người Lạ")
    body = {
        "village": village_b.pk,
        "code": "BT-099",
        "members": [son.pk],
        "head": son.pk,
        "on": "2025-04-10",
    }
    body.update(change)
    if body["head"] == "outsider":
        body["head"] = stranger.pk
    if body["village"] == "other":
        body["village"] = factories.village(other_commune).pk

    response = api(official).post(f"/api/households/{household_a.pk}/split/", body, format="json")

    assert response.status_code == status, response.content
    if field:
        assert field in response.json()
    assert not Household.objects.filter(code="BT-099").exists()
    assert not PastStay.objects.exists()


def test_a_village_head_may_not_split_into_another_village(head_a, household_a, village_b):
    son = factories.resident(household_a, full_name="Con")
    body = {
        "village": village_b.pk,
        "code": "BT-099",
        "members": [son.pk],
        "head": son.pk,
        "on": "2025-04-10",
    }
    assert (
        api(head_a).post(f"/api/households/{household_a.pk}/split/", body, format="json").status_code == 404
    )
    assert not Household.objects.filter(code="BT-099").exists()
    son.refresh_from_db()
    assert son.household_id == household_a.pk


# --- The head of household


def test_changing_the_head_keeps_one(official, household_a):
    old = factories.resident(household_a, full_name="Cũ", relation="head")
    new = factories.resident(household_a, full_name="Mới", relation="child")
    url = f"/api/households/{household_a.pk}/head/"

    response = api(official).post(url, {"resident": new.pk, "former_head_relation": "parent"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["head_name"] == "Mới"
    assert dict(household_a.members.values_list("full_name", "relation")) == {"Cũ": "parent", "Mới": "head"}
    refused = api(official).post(url, {"resident": old.pk, "former_head_relation": "head"}, format="json")
    assert refused.status_code == 400 and "former_head_relation" in refused.json()
    stranger = factories.resident(factories.household(household_a.village))
    assert api(official).post(url, {"resident": stranger.pk}, format="json").status_code == 400


def test_a_second_head_is_refused_when_a_member_is_edited(official, household_a):
    factories.resident(household_a, full_name="Cũ", relation="head")
    child = factories.resident(household_a, full_name="Con", relation="child")
    response = api(official).patch(f"/api/residents/{child.pk}/", {"relation": "head"}, format="json")
    assert response.status_code == 400
    assert "Cũ is the head of household NK-001" in response.json()["relation"][0]


def test_officials_set_the_program_start_and_reach_factor(official, head_a, commune):
    url = f"/api/communes/{commune.pk}/"
    assert api(official).get(url).json()["program_started_on"] == "2020-01-01"
    response = api(official).patch(
        url, {"program_started_on": "2022-07-01", "reach_factor": 5}, format="json"
    )
    assert response.status_code == 200, response.content
    assert (response.json()["program_started_on"], response.json()["reach_factor"]) == ("2022-07-01", 5)
    assert api(official).patch(url, {"reach_factor": 0}, format="json").status_code == 400
    assert api(head_a).patch(url, {"reach_factor": 9}, format="json").status_code == 403
    assert Role.objects.filter(commune=commune).exists()
