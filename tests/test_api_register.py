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

from mobilization.models import HomeVisit
from mobilization.services import Help, visit_log
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
    visit_log(
        household=household_a, visited_on=D(2024, 5, 1), workers=[worker], helped=[Help(resident=resident_a)]
    )
    assert api(official).delete(f"/api/residents/{resident_a.pk}/").status_code == 409
    assert Resident.objects.filter(pk=resident_a.pk).exists()
    assert HomeVisit.objects.get().helped.count() == 1


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
