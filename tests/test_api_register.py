"""The register through the REST API: communes, villages, households and residents.

Each role's scope, the 404 outside it, writes refused (403/404) with nothing changed, bad
input naming the field, stale writes refused (412 for If-Match, 409 for `version`), the
ladder and departure actions matching the services, search, filters and query counts.
"""

import datetime
import unicodedata
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from softbridge.calendar import commune_today
from softbridge.versions import StaleWrite
from tests import factories
from tests.factories import api_client as api
from villages.models import Commune, Household, LadderStep, Resident, Village
from villages.services import resident_ladder_advance

D = datetime.date
TODAY = commune_today()


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# --- Communes


def test_communes_are_those_where_the_user_has_a_role(commune, other_commune, official, outsider, head_a):
    assert ids(api(official).get("/api/communes/")) == {commune.pk}
    assert ids(api(head_a).get("/api/communes/")) == {commune.pk}
    assert ids(api(outsider).get("/api/communes/")) == {other_commune.pk}
    assert api(outsider).get(f"/api/communes/{commune.pk}/").status_code == 404


def test_anonymous_is_asked_to_authenticate(commune):
    response = api().get("/api/communes/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


def test_official_corrects_the_commune_minimum_age(commune, official):
    response = api(official).patch(f"/api/communes/{commune.pk}/", {"min_age": 16}, format="json")
    assert response.status_code == 200
    assert response.json()["min_age"] == 16
    commune.refresh_from_db()
    assert commune.min_age == 16


@pytest.mark.parametrize("role", ["leader", "head_a", "worker_a"])
def test_only_officials_change_the_commune(request, commune, role):
    response = api(request.getfixturevalue(role)).patch(
        f"/api/communes/{commune.pk}/", {"min_age": 16}, format="json"
    )
    assert response.status_code == 403
    commune.refresh_from_db()
    assert commune.min_age == 15


def test_outsider_cannot_change_another_commune(commune, outsider):
    response = api(outsider).patch(f"/api/communes/{commune.pk}/", {"min_age": 16}, format="json")
    assert response.status_code == 404
    assert Commune.objects.get(pk=commune.pk).min_age == 15


def test_commune_bad_minimum_age_names_the_field(commune, official):
    response = api(official).patch(f"/api/communes/{commune.pk}/", {"min_age": 500}, format="json")
    assert response.status_code == 400
    assert "min_age" in response.json()


def test_communes_are_not_created_through_the_api(commune, official):
    response = api(official).post("/api/communes/", {"code": "01234", "name": "X"}, format="json")
    assert response.status_code == 405
    assert not Commune.objects.filter(code="01234").exists()


# --- Villages


def test_village_scope_by_role(village_a, village_b, official, leader, head_a, worker_a, outsider):
    both = {village_a.pk, village_b.pk}
    assert ids(api(official).get("/api/villages/")) == both
    assert ids(api(leader).get("/api/villages/")) == both
    assert ids(api(head_a).get("/api/villages/")) == {village_a.pk}
    assert ids(api(worker_a).get("/api/villages/")) == {village_a.pk}
    assert ids(api(outsider).get("/api/villages/")) == set()
    assert api(head_a).get(f"/api/villages/{village_b.pk}/").status_code == 404


def test_official_adds_a_village(commune, official):
    response = api(official).post(
        "/api/villages/",
        {"commune": commune.pk, "code": "CL", "name": " Cốc  Lùng ", "kind": "xom"},
        format="json",
    )
    assert response.status_code == 201, response.content
    village = Village.objects.get(commune=commune, code="CL")
    assert village.name == "Cốc Lùng"
    assert response.json()["id"] == village.pk


def test_village_code_taken_names_the_field(commune, village_a, official):
    response = api(official).post(
        "/api/villages/", {"commune": commune.pk, "code": "NK", "name": "Again", "kind": "xom"}, format="json"
    )
    assert response.status_code == 400
    assert "code" in response.json()
    assert Village.objects.filter(commune=commune, code="NK").count() == 1


@pytest.mark.parametrize("role", ["leader", "head_a", "worker_a"])
def test_only_officials_add_villages(request, commune, village_a, role):
    response = api(request.getfixturevalue(role)).post(
        "/api/villages/", {"commune": commune.pk, "code": "CL", "name": "Cốc Lùng"}, format="json"
    )
    assert response.status_code == 403
    assert not Village.objects.filter(code="CL").exists()


def test_outsider_cannot_add_a_village_to_another_commune(commune, outsider):
    response = api(outsider).post(
        "/api/villages/", {"commune": commune.pk, "code": "CL", "name": "Cốc Lùng"}, format="json"
    )
    assert response.status_code == 404
    assert not Village.objects.filter(code="CL").exists()


def test_a_village_with_households_is_not_deleted(village_a, household_a, official):
    response = api(official).delete(f"/api/villages/{village_a.pk}/")
    assert response.status_code == 409
    assert Village.objects.filter(pk=village_a.pk).exists()


def test_official_deletes_an_empty_village(commune, official):
    empty = factories.village(commune, code="EM")
    assert api(official).delete(f"/api/villages/{empty.pk}/").status_code == 204
    assert not Village.objects.filter(pk=empty.pk).exists()


# --- Households: scope


def test_household_scope_by_role(household_a, household_b, official, leader, head_a, worker_a, outsider):
    both = {household_a.pk, household_b.pk}
    assert ids(api(official).get("/api/households/")) == both
    assert ids(api(leader).get("/api/households/")) == both
    assert ids(api(head_a).get("/api/households/")) == {household_a.pk}
    assert ids(api(worker_a).get("/api/households/")) == {household_a.pk}
    assert ids(api(outsider).get("/api/households/")) == set()
    assert api().get("/api/households/").status_code == 401


@pytest.mark.parametrize("role", ["head_a", "worker_a", "outsider"])
def test_household_outside_the_area_answers_404(request, household_b, role):
    response = api(request.getfixturevalue(role)).get(f"/api/households/{household_b.pk}/")
    assert response.status_code == 404
    assert "Household" not in response.content.decode()


def test_household_shows_its_members_counts(household_a, official):
    factories.resident(household_a, full_name="Nông Văn Chủ", relation="head", eid_on=D(2024, 5, 1))
    factories.resident(household_a, left_on=D(2024, 1, 1), left_reason="moved_away")
    body = api(official).get(f"/api/households/{household_a.pk}/").json()
    assert body["head_name"] == "Nông Văn Chủ"
    assert body["member_count"] == 1
    assert body["eid_count"] == 1
    assert body["village_code"] == "NK"


# --- Households: writes


def test_village_head_adds_a_household_in_their_village(village_a, head_a):
    response = api(head_a).post(
        "/api/households/",
        {"village": village_a.pk, "code": " NK-009 ", "phone": "0912 345 678"},
        format="json",
    )
    assert response.status_code == 201, response.content
    household = Household.objects.get(code="NK-009")
    assert household.village == village_a
    assert household.commune_id == village_a.commune_id
    assert response["ETag"] == '"1"'


def test_village_head_cannot_add_a_household_in_another_village(village_b, head_a):
    response = api(head_a).post(
        "/api/households/", {"village": village_b.pk, "code": "BT-009"}, format="json"
    )
    assert response.status_code == 404
    assert not Household.objects.filter(code="BT-009").exists()


@pytest.mark.parametrize("role", ["leader", "worker_a"])
def test_readers_cannot_add_households(request, village_a, role):
    response = api(request.getfixturevalue(role)).post(
        "/api/households/", {"village": village_a.pk, "code": "NK-009"}, format="json"
    )
    assert response.status_code == 403
    assert not Household.objects.filter(code="NK-009").exists()


def test_household_bad_input_names_each_field(village_a, household_a, official):
    response = api(official).post(
        "/api/households/", {"village": village_a.pk, "code": "NK-001", "phone": "call me"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"phone"}
    response = api(official).post(
        "/api/households/", {"village": village_a.pk, "code": "NK-001"}, format="json"
    )
    assert response.status_code == 400
    assert "code" in response.json()
    assert Household.objects.filter(code="NK-001").count() == 1


def test_worker_in_charge_of_another_commune_is_refused(village_a, other_commune, official):
    stranger = factories.worker(other_commune)
    response = api(official).post(
        "/api/households/",
        {"village": village_a.pk, "code": "NK-010", "worker_in_charge": stranger.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "worker_in_charge" in response.json()


def test_village_head_edits_a_household(household_a, head_a):
    response = api(head_a).patch(
        f"/api/households/{household_a.pk}/", {"has_smartphone": True}, format="json"
    )
    assert response.status_code == 200
    household_a.refresh_from_db()
    assert household_a.has_smartphone
    assert household_a.version == 2
    assert response["ETag"] == '"2"'


@pytest.mark.parametrize("role", ["leader", "worker_a"])
def test_readers_cannot_edit_a_household(request, household_a, role):
    response = api(request.getfixturevalue(role)).patch(
        f"/api/households/{household_a.pk}/", {"address": "changed"}, format="json"
    )
    assert response.status_code == 403
    household_a.refresh_from_db()
    assert household_a.address == "" and household_a.version == 1


def test_village_head_cannot_edit_another_village_household(household_b, head_a):
    response = api(head_a).patch(f"/api/households/{household_b.pk}/", {"address": "changed"}, format="json")
    assert response.status_code == 404
    household_b.refresh_from_db()
    assert household_b.address == ""


def test_a_household_with_members_is_not_deleted(household_a, resident_a, official):
    assert api(official).delete(f"/api/households/{household_a.pk}/").status_code == 409
    assert Household.objects.filter(pk=household_a.pk).exists()


def test_an_empty_household_is_deleted_by_the_village_head(village_a, head_a):
    empty = factories.household(village_a)
    assert api(head_a).delete(f"/api/households/{empty.pk}/").status_code == 204
    assert not Household.objects.filter(pk=empty.pk).exists()


# --- Households: lost updates


def test_household_read_answers_an_etag(household_a, official):
    response = api(official).get(f"/api/households/{household_a.pk}/")
    assert response["ETag"] == '"1"'
    assert response.json()["version"] == 1


def test_stale_if_match_is_refused_with_412_and_changes_nothing(household_a, official, head_a):
    etag = api(official).get(f"/api/households/{household_a.pk}/")["ETag"]
    # Someone else saves in between.
    assert (
        api(head_a)
        .patch(f"/api/households/{household_a.pk}/", {"address": "first"}, format="json")
        .status_code
        == 200
    )
    response = api(official).patch(
        f"/api/households/{household_a.pk}/", {"address": "second"}, format="json", headers={"If-Match": etag}
    )
    assert response.status_code == 412
    household_a.refresh_from_db()
    assert household_a.address == "first"
    assert household_a.version == 2


def test_current_if_match_is_accepted(household_a, official):
    response = api(official).put(
        f"/api/households/{household_a.pk}/",
        {"code": "NK-001", "address": "Bản trên", "phone": "", "has_smartphone": True, "has_internet": False},
        format="json",
        headers={"If-Match": 'W/"1"'},
    )
    assert response.status_code == 200, response.content
    household_a.refresh_from_db()
    assert household_a.address == "Bản trên"


def test_stale_version_field_is_refused_with_409(household_a, official, head_a):
    api(head_a).patch(f"/api/households/{household_a.pk}/", {"address": "first"}, format="json")
    response = api(official).patch(
        f"/api/households/{household_a.pk}/", {"address": "second", "version": 1}, format="json"
    )
    assert response.status_code == 409
    household_a.refresh_from_db()
    assert household_a.address == "first"


def test_a_stale_write_is_answered_with_the_one_message_naming_the_record(resident_a, official, head_a):
    """409 for `version`, 412 for If-Match: the message the pages and the admin show."""
    url = f"/api/residents/{resident_a.pk}/"
    api(head_a).patch(url, {"full_name": "Nông Thị Hoà"}, format="json")
    resident_a.refresh_from_db()
    with translation.override("en"):
        message = StaleWrite(resident_a).message

    by_version = api(official).patch(url, {"phone": "0922", "version": 1}, format="json")
    by_etag = api(official).patch(url, {"phone": "0922"}, format="json", headers={"If-Match": '"1"'})

    assert (by_version.status_code, by_version.json()) == (409, {"detail": message})
    assert (by_etag.status_code, by_etag.json()) == (412, {"detail": message})
    assert "Nông Thị Hoà" in message


def test_a_save_racing_the_version_check_answers_409_with_the_one_message(household_a, official, monkeypatch):
    """`version` matched when read, but another save lands before ours: the row lock decides."""
    from softbridge.api_endpoints import VersionedWrites

    original = VersionedWrites.expected_version

    def expected_then_someone_saves(self, request, instance, sent_version):
        result = original(self, request, instance, sent_version)
        Household.objects.filter(pk=instance.pk).update(address="theirs", version=2)
        return result

    monkeypatch.setattr(VersionedWrites, "expected_version", expected_then_someone_saves)
    response = api(official).patch(
        f"/api/households/{household_a.pk}/", {"address": "mine", "version": 1}, format="json"
    )
    household_a.refresh_from_db()
    with translation.override("en"):
        assert (response.status_code, response.json()) == (409, {"detail": StaleWrite(household_a).message})
    assert household_a.address == "theirs"


@pytest.mark.parametrize(
    ("model", "fixture", "url", "field", "theirs_field"),
    [
        (Household, "household_a", "/api/households/{}/", "address", "phone"),
        (Resident, "resident_a", "/api/residents/{}/", "phone", "full_name"),
    ],
)
def test_a_write_with_no_version_applies_to_the_record_as_it_is_now(
    request, official, monkeypatch, model, fixture, url, field, theirs_field
):
    """No version and no If-Match: someone else's save between our read and our write is not a
    conflict; ours lands on the record as it is now and keeps what they saved to other fields."""
    from softbridge.api_endpoints import VersionedWrites

    record = request.getfixturevalue(fixture)
    original = VersionedWrites.expected_version

    def expected_then_someone_saves(self, request, instance, sent_version):
        result = original(self, request, instance, sent_version)
        model.objects.filter(pk=instance.pk).update(**{theirs_field: "Theirs 0911"}, version=7)
        return result

    monkeypatch.setattr(VersionedWrites, "expected_version", expected_then_someone_saves)
    response = api(official).patch(url.format(record.pk), {field: "0933 111"}, format="json")

    assert response.status_code == 200, response.content
    record.refresh_from_db()
    assert getattr(record, field) == "0933 111"
    assert getattr(record, theirs_field) == "Theirs 0911"
    assert record.version == 8
    assert response["ETag"] == '"8"'


def test_stale_if_match_refuses_a_delete(village_a, official):
    empty = factories.household(village_a)
    empty.save()  # version 2
    response = api(official).delete(f"/api/households/{empty.pk}/", headers={"If-Match": '"1"'})
    assert response.status_code == 412
    assert Household.objects.filter(pk=empty.pk).exists()


def test_a_write_racing_the_check_is_still_refused(household_a, official, monkeypatch):
    """If-Match matched when read, but another save lands before ours: the row lock decides."""
    from softbridge.api_endpoints import VersionedWrites

    original = VersionedWrites.expected_version

    def expected_then_someone_saves(self, request, instance, sent_version):
        result = original(self, request, instance, sent_version)
        Household.objects.get(pk=instance.pk).save()
        return result

    monkeypatch.setattr(VersionedWrites, "expected_version", expected_then_someone_saves)
    response = api(official).patch(
        f"/api/households/{household_a.pk}/", {"address": "mine"}, format="json", headers={"If-Match": '"1"'}
    )
    assert response.status_code == 412
    household_a.refresh_from_db()
    assert household_a.address == ""


def test_reading_a_household_is_one_query(household_a, resident_a, official, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = api(official).get(f"/api/households/{household_a.pk}/")
    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    assert response.json()["member_count"] == 1


def test_changing_a_household_costs_a_fixed_number_of_queries(
    household_a, official, django_assert_num_queries
):
    audit_entries = household_a.history.count()
    # The household and whether the user may change it; the code's uniqueness; under the row
    # lock (savepoint) the version, the update and its audit row. Not read back: the answer
    # is the household as saved, with its members' counts as read.
    with django_assert_num_queries(8):
        response = api(official).patch(
            f"/api/households/{household_a.pk}/",
            {"address": "Bản trên"},
            format="json",
            headers={"If-Match": '"1"'},
        )
    assert response.status_code == 200, response.content
    assert response["ETag"] == '"2"'
    assert response.json()["version"] == 2
    household_a.refresh_from_db()
    assert (household_a.address, household_a.version) == ("Bản trên", 2)
    assert household_a.history.count() == audit_entries + 1


def test_a_household_update_answers_what_a_read_then_gives(household_a, resident_a, official, village_b):
    """The answer to a PATCH is not read back: it must be what a GET gives afterwards,
    moved village, version, members' counts and all."""
    client = api(official)
    response = client.patch(
        f"/api/households/{household_a.pk}/",
        {"address": "  Bản dưới ", "village": village_b.pk},
        format="json",
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200, response.content
    read = client.get(f"/api/households/{household_a.pk}/")
    assert response.json() == read.json()
    assert response["ETag"] == read["ETag"] == '"2"'
    assert read.json()["member_count"] == 1


# --- Households: search, filters, paging, query counts


def test_household_search_by_name_without_diacritics(household_a, household_b, resident_a, official):
    assert ids(api(official).get("/api/households/", {"search": "nong thi hoa"})) == {household_a.pk}
    decomposed = unicodedata.normalize("NFD", "Nông Thị")
    assert ids(api(official).get("/api/households/", {"search": decomposed})) == {household_a.pk}
    assert ids(api(official).get("/api/households/", {"search": "BT-00"})) == {household_b.pk}


def test_household_filters(household_a, household_b, resident_a, resident_b, village_a, official):
    resident_ladder_advance(resident=resident_b, step=LadderStep.EID, on=D(2024, 3, 1))
    client = api(official)
    assert ids(client.get("/api/households/", {"village": village_a.pk})) == {household_a.pk}
    assert ids(client.get("/api/households/", {"without_eid": "true"})) == {household_a.pk}
    assert ids(client.get("/api/households/", {"without_eid": "false"})) == {household_b.pk}
    assert ids(client.get("/api/households/", {"visited": "false"})) == {household_a.pk, household_b.pk}


def test_bad_filter_value_names_the_parameter(household_a, official):
    response = api(official).get("/api/households/", {"village": "abc"})
    assert response.status_code == 400
    assert "village" in response.json()


def test_household_ordering(village_a, official):
    for code in ("NK-003", "NK-001", "NK-002"):
        factories.household(village_a, code=code)
    rows = api(official).get("/api/households/", {"ordering": "-code"}).json()["results"]
    assert [row["code"] for row in rows] == ["NK-003", "NK-002", "NK-001"]


def _household_list_queries(user) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api(user).get("/api/households/")
    assert response.status_code == 200
    return len(queries)


def test_household_list_queries_do_not_grow_with_rows(village_a, official):
    for _ in range(3):
        factories.resident(factories.household(village_a))
    few = _household_list_queries(official)
    for _ in range(27):
        factories.resident(factories.household(village_a))
    assert _household_list_queries(official) == few


# --- Households: the distance to the one-stop office


def test_household_read_shows_the_distance(household_a, household_b, official):
    Household.objects.filter(pk=household_a.pk).update(distance_km=Decimal("7.5"))
    client = api(official)
    assert client.get(f"/api/households/{household_a.pk}/").json()["distance_km"] == "7.5"
    assert client.get(f"/api/households/{household_b.pk}/").json()["distance_km"] is None
    listed = {row["code"]: row["distance_km"] for row in client.get("/api/households/").json()["results"]}
    assert listed == {"NK-001": "7.5", "BT-001": None}


def test_a_household_is_added_with_its_distance(village_a, head_a):
    response = api(head_a).post(
        "/api/households/", {"village": village_a.pk, "code": "NK-009", "distance_km": 12.5}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["distance_km"] == "12.5"
    assert Household.objects.get(code="NK-009").distance_km == Decimal("12.5")


def test_the_distance_is_corrected_and_cleared(household_a, head_a):
    client = api(head_a)
    response = client.patch(f"/api/households/{household_a.pk}/", {"distance_km": "300"}, format="json")
    assert response.status_code == 200, response.content
    household_a.refresh_from_db()
    assert household_a.distance_km == Decimal("300")

    response = client.patch(f"/api/households/{household_a.pk}/", {"distance_km": None}, format="json")
    assert response.status_code == 200, response.content
    household_a.refresh_from_db()
    assert household_a.distance_km is None
    assert household_a.version == 3


@pytest.mark.parametrize("value", [-1, "-0.5", "300.1", 7.25, "7,5 km", "far"])
def test_a_bad_distance_names_the_field_and_changes_nothing(household_a, village_a, official, value):
    Household.objects.filter(pk=household_a.pk).update(distance_km=Decimal("4.0"))
    client = api(official)
    response = client.patch(f"/api/households/{household_a.pk}/", {"distance_km": value}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["distance_km"]
    household_a.refresh_from_db()
    assert (household_a.distance_km, household_a.version) == (Decimal("4.0"), 1)

    response = client.post(
        "/api/households/", {"village": village_a.pk, "code": "NK-010", "distance_km": value}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["distance_km"]
    assert not Household.objects.filter(code="NK-010").exists()


def test_readers_and_other_villages_cannot_set_a_distance(household_a, household_b, head_a, leader):
    response = api(leader).patch(f"/api/households/{household_a.pk}/", {"distance_km": "2"}, format="json")
    assert response.status_code == 403
    response = api(head_a).patch(f"/api/households/{household_b.pk}/", {"distance_km": "2"}, format="json")
    assert response.status_code == 404
    assert (
        api().patch(f"/api/households/{household_a.pk}/", {"distance_km": "2"}, format="json").status_code
        == 401
    )
    assert set(Household.objects.values_list("distance_km", flat=True)) == {None}
