"""The register API's residents: scope and masking, writes, the ladder and departures through the
services, search, filters and query counts. Households are in tests/test_api_register.py.
"""

import datetime
import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mobilization.models import HomeVisit
from mobilization.services import Help
from tests import factories
from tests.factories import api_client as api
from tests.test_api_register import TODAY, D, ids
from villages.models import LadderStep, Resident
from villages.services import resident_ladder_advance

# --- Residents: scope and masking


def test_resident_scope_by_role(resident_a, resident_b, official, leader, head_a, worker_a, outsider):
    both = {resident_a.pk, resident_b.pk}
    assert ids(api(official).get("/api/residents/")) == both
    assert ids(api(leader).get("/api/residents/")) == both
    assert ids(api(head_a).get("/api/residents/")) == {resident_a.pk}
    assert ids(api(worker_a).get("/api/residents/")) == {resident_a.pk}
    assert ids(api(outsider).get("/api/residents/")) == set()
    assert api(head_a).get(f"/api/residents/{resident_b.pk}/").status_code == 404


def test_id_numbers_in_full_only_to_the_communes_officials(resident_a, official, head_a, leader, worker_a):
    Resident.objects.filter(pk=resident_a.pk).update(national_id="004185001234")
    url = f"/api/residents/{resident_a.pk}/"
    assert api(official).get(url).json()["national_id"] == "004185001234"
    assert api(head_a).get(url).json()["national_id"] == "********1234"
    assert api(leader).get(url).json()["national_id"] == "********1234"
    assert api(worker_a).get(url).json()["national_id"] == "********1234"


# --- Residents: writes


def test_village_head_adds_a_member(household_a, head_a):
    response = api(head_a).post(
        "/api/residents/",
        {
            "household": household_a.pk,
            "full_name": "  Hoàng  Văn Nam ",
            "birth_year": 1990,
            "national_id": "0041 8500 1234",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    resident = Resident.objects.get(full_name="Hoàng Văn Nam")
    assert resident.national_id == "004185001234"
    assert resident.search_name == "hoang van nam"
    assert resident.commune_id == household_a.commune_id


def test_village_head_cannot_add_a_member_in_another_village(household_b, head_a):
    response = api(head_a).post(
        "/api/residents/", {"household": household_b.pk, "full_name": "X Y"}, format="json"
    )
    assert response.status_code == 404
    assert not Resident.objects.filter(full_name="X Y").exists()


@pytest.mark.parametrize("role", ["leader", "worker_a"])
def test_readers_cannot_add_members(request, household_a, role):
    response = api(request.getfixturevalue(role)).post(
        "/api/residents/", {"household": household_a.pk, "full_name": "X Y"}, format="json"
    )
    assert response.status_code == 403
    assert not Resident.objects.filter(full_name="X Y").exists()


def test_resident_bad_input_names_each_field(household_a, resident_a, official):
    Resident.objects.filter(pk=resident_a.pk).update(national_id="004185001234")
    client = api(official)
    cases = [
        ({"national_id": "12345"}, "national_id"),
        ({"national_id": "004185001234"}, "national_id"),
        ({"birth_year": TODAY.year + 1}, "birth_year"),
        ({"birth_year": 1850}, "birth_year"),
        ({"moved_in_on": str(TODAY + datetime.timedelta(days=1))}, "moved_in_on"),
        ({"sex": "X"}, "sex"),
        ({"full_name": "   "}, "full_name"),
    ]
    for extra, field in cases:
        body = {"household": household_a.pk, "full_name": "Hoàng Văn Nam", **extra}
        response = client.post("/api/residents/", body, format="json")
        assert response.status_code == 400, extra
        assert field in response.json(), (extra, response.json())
    assert not Resident.objects.filter(full_name="Hoàng Văn Nam").exists()


def test_ladder_dates_are_not_fields(resident_a, official):
    response = api(official).patch(
        f"/api/residents/{resident_a.pk}/", {"phone": "0912345678", "eid_on": "2024-01-01"}, format="json"
    )
    assert response.status_code == 200
    resident_a.refresh_from_db()
    assert resident_a.phone == "0912345678"
    assert resident_a.eid_on is None


def test_stale_resident_writes_are_refused(resident_a, official, head_a):
    etag = api(official).get(f"/api/residents/{resident_a.pk}/")["ETag"]
    api(head_a).patch(f"/api/residents/{resident_a.pk}/", {"phone": "0911111111"}, format="json")
    url = f"/api/residents/{resident_a.pk}/"
    assert (
        api(official).patch(url, {"phone": "0922"}, format="json", headers={"If-Match": etag}).status_code
        == 412
    )
    assert api(official).patch(url, {"phone": "0922", "version": 1}, format="json").status_code == 409
    resident_a.refresh_from_db()
    assert resident_a.phone == "0911111111"


def test_leader_cannot_edit_a_resident(resident_a, leader):
    response = api(leader).patch(f"/api/residents/{resident_a.pk}/", {"phone": "0911"}, format="json")
    assert response.status_code == 403
    resident_a.refresh_from_db()
    assert resident_a.phone == ""


# --- Residents: the ladder and departures through the services


def ladder(user, resident, step, on, **extra):
    return api(user).post(
        f"/api/residents/{resident.pk}/ladder/", {"step": step, "on": on, **extra}, format="json"
    )


def test_ladder_action_advances_like_the_service(household_a, head_a):
    through_api, through_service = factories.resident(household_a), factories.resident(household_a)
    for step, on in [("eid", D(2024, 5, 1)), ("level34", D(2024, 6, 1)), ("eid", D(2024, 7, 1))]:
        response = ladder(head_a, through_api, step, str(on))
        assert response.status_code == 200, response.content
        resident_ladder_advance(resident=through_service, step=LadderStep(step), on=on)
    a, b = Resident.objects.get(pk=through_api.pk), Resident.objects.get(pk=through_service.pk)
    assert [a.smartphone_on, a.eid_on, a.online_on, a.level34_on] == [
        b.smartphone_on,
        b.eid_on,
        b.online_on,
        b.level34_on,
    ]
    # The later e-ID tick (a record kept on a phone, sent late) leaves the earliest date.
    assert (a.eid_on, a.online_on, a.level34_on) == (D(2024, 5, 1), D(2024, 6, 1), D(2024, 6, 1))
    assert response.json()["eid_on"] == "2024-05-01"
    assert response.json()["level34_on"] == "2024-06-01"
    assert response["ETag"] == f'"{a.version}"'


def test_ladder_correction_clears_a_step(resident_a, official):
    resident_ladder_advance(resident=resident_a, step=LadderStep.EID, on=D(2024, 5, 1))
    assert ladder(official, resident_a, "eid", None, correct=True).status_code == 200
    resident_a.refresh_from_db()
    assert resident_a.eid_on is None


def test_official_correction_moves_a_date_later(resident_a, official):
    resident_ladder_advance(resident=resident_a, step=LadderStep.EID, on=D(2024, 5, 1))
    response = ladder(official, resident_a, "eid", "2024-08-01", correct=True)
    assert response.status_code == 200, response.content
    resident_a.refresh_from_db()
    assert resident_a.eid_on == D(2024, 8, 1)


def test_only_officials_correct_a_ladder_date(resident_a, head_a):
    resident_ladder_advance(resident=resident_a, step=LadderStep.EID, on=D(2024, 5, 1))
    assert ladder(head_a, resident_a, "eid", "2024-08-01", correct=True).status_code == 403
    assert ladder(head_a, resident_a, "eid", None, correct=True).status_code == 403
    resident_a.refresh_from_db()
    assert resident_a.eid_on == D(2024, 5, 1)


def test_ladder_refusals_name_the_field(resident_a, official):
    resident_ladder_advance(resident=resident_a, step=LadderStep.LEVEL34, on=D(2024, 5, 1))
    assert "on" in ladder(official, resident_a, "eid", str(TODAY + datetime.timedelta(days=2))).json()
    assert "step" in ladder(official, resident_a, "flying", "2024-01-01").json()
    response = ladder(official, resident_a, "online", None)  # a tick without a date
    assert response.status_code == 400
    assert "on" in response.json()
    response = ladder(official, resident_a, "online", None, correct=True)
    assert response.status_code == 400
    assert "on" in response.json()
    response = ladder(official, resident_a, "online", "2024-06-01", correct=True)
    assert response.status_code == 400
    assert "the online date cannot be later" in str(response.json()["on"])
    resident_a.refresh_from_db()
    assert resident_a.online_on == D(2024, 5, 1)


def test_ladder_action_refused_outside_the_role(resident_a, resident_b, leader, worker_a, head_a):
    assert ladder(leader, resident_a, "eid", "2024-01-01").status_code == 403
    assert ladder(worker_a, resident_a, "eid", "2024-01-01").status_code == 403
    assert ladder(head_a, resident_b, "eid", "2024-01-01").status_code == 404
    assert Resident.objects.filter(eid_on__isnull=False).count() == 0


def test_departure_action(resident_a, head_a):
    response = api(head_a).post(
        f"/api/residents/{resident_a.pk}/departure/",
        {"reason": "moved_away", "on": "2024-09-01"},
        format="json",
    )
    assert response.status_code == 200, response.content
    resident_a.refresh_from_db()
    assert (resident_a.left_on, resident_a.left_reason) == (D(2024, 9, 1), "moved_away")


def test_departure_refusals_name_the_field(resident_a, head_a, leader):
    Resident.objects.filter(pk=resident_a.pk).update(moved_in_on=D(2024, 5, 1))
    url = f"/api/residents/{resident_a.pk}/departure/"
    assert "reason" in api(head_a).post(url, {"reason": "vanished", "on": "2024-09-01"}, format="json").json()
    response = api(head_a).post(url, {"reason": "died", "on": "2024-01-01"}, format="json")
    assert response.status_code == 400
    assert "on" in response.json()
    assert api(leader).post(url, {"reason": "died", "on": "2024-09-01"}, format="json").status_code == 403
    resident_a.refresh_from_db()
    assert resident_a.left_on is None


# --- Residents: search, filters, query counts


def test_resident_search(resident_a, resident_b, official):
    client = api(official)
    assert ids(client.get("/api/residents/", {"search": "NONG thi"})) == {resident_a.pk}
    assert ids(client.get("/api/residents/", {"search": unicodedata.normalize("NFD", "Lương")})) == {
        resident_b.pk
    }
    Resident.objects.filter(pk=resident_b.pk).update(phone="0912.345.678")
    assert ids(client.get("/api/residents/", {"search": "0912 345"})) == {resident_b.pk}
    assert ids(client.get("/api/residents/", {"search": "NK-001"})) == {resident_a.pk}


def test_resident_ladder_and_presence_filters(resident_a, resident_b, household_a, official):
    resident_ladder_advance(resident=resident_a, step=LadderStep.LEVEL34, on=D(2024, 5, 1))
    gone = factories.resident(household_a, left_on=D(2024, 1, 1), left_reason="died")
    client = api(official)
    assert ids(client.get("/api/residents/", {"has_level34": "true"})) == {resident_a.pk}
    assert ids(client.get("/api/residents/", {"has_level34": "false"})) == {resident_b.pk, gone.pk}
    assert ids(client.get("/api/residents/", {"has_online": "true"})) == {resident_a.pk}
    assert ids(client.get("/api/residents/", {"present": "false"})) == {gone.pk}
    assert ids(client.get("/api/residents/", {"present": "true", "has_eid": "false"})) == {
        resident_a.pk,
        resident_b.pk,
    }
    assert ids(client.get("/api/residents/", {"household": household_a.pk, "present": "true"})) == {
        resident_a.pk
    }


def _resident_list_queries(user) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api(user).get("/api/residents/")
    assert response.status_code == 200
    return len(queries)


def test_resident_list_queries_do_not_grow_with_rows(village_a, head_a):
    household = factories.household(village_a)
    for _ in range(3):
        factories.resident(household)
    few = _resident_list_queries(head_a)
    for _ in range(27):
        factories.resident(factories.household(village_a))
    assert _resident_list_queries(head_a) == few


def test_visited_filter_sees_visits(household_a, household_b, official):
    HomeVisit.objects.create(commune=household_a.commune, household=household_a, visited_on=D(2024, 5, 1))
    assert ids(api(official).get("/api/households/", {"visited": "true"})) == {household_a.pk}


def test_a_resident_entered_by_mistake_is_deleted(household_a, head_a, leader):
    mistake = factories.resident(household_a)
    assert api(leader).delete(f"/api/residents/{mistake.pk}/").status_code == 403
    assert api(head_a).delete(f"/api/residents/{mistake.pk}/").status_code == 204
    assert not Resident.objects.filter(pk=mistake.pk).exists()


def test_a_resident_with_history_is_not_deleted(household_a, resident_a, official):
    worker = factories.worker(household_a.commune)
    factories.visit(
        household_a, visited_on=D(2024, 5, 1), workers=[worker], helped=[Help(resident=resident_a)]
    )
    assert api(official).delete(f"/api/residents/{resident_a.pk}/").status_code == 409
    assert Resident.objects.filter(pk=resident_a.pk).exists()
    assert HomeVisit.objects.get().helped.count() == 1
