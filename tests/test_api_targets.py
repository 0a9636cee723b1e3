"""Targets through the REST API: read as the targets page shows them, kept by officials,
validated by the targets page's own form."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.models import Target
from tests.factories import api_client as api

D = datetime.date
APRIL_END = D(2025, 4, 30)


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def target(commune, village=None, indicator="level34_share", due_on=APRIL_END, value="0.6"):
    return Target.objects.create(
        commune=commune, village=village, indicator=indicator, due_on=due_on, value=value
    )


def test_targets_are_scoped_like_the_targets_page(
    commune, other_commune, village_a, village_b, official, head_a, outsider
):
    wide, in_a, in_b = target(commune), target(commune, village_a), target(commune, village_b)
    elsewhere = target(other_commune)
    assert ids(api(official).get("/api/targets/")) == {wide.pk, in_a.pk, in_b.pk}
    assert ids(api(head_a).get("/api/targets/")) == {wide.pk, in_a.pk}
    assert ids(api(outsider).get("/api/targets/")) == {elsewhere.pk}
    assert api(head_a).get(f"/api/targets/{in_b.pk}/").status_code == 404


def test_official_sets_a_target(commune, village_a, official):
    body = {
        "commune": commune.pk,
        "village": village_a.pk,
        "indicator": "eid_share",
        "due_on": "2025-12-31",
        "value": "0.9",
    }
    response = api(official).post("/api/targets/", body, format="json")
    assert response.status_code == 201, response.content
    saved = Target.objects.get()
    assert (saved.village, saved.value, saved.recorded_by) == (village_a, Decimal("0.9"), official)
    assert response.json()["value"] == "0.9000"


def test_target_refusals_name_the_field(commune, other_commune, official):
    target(commune)
    client = api(official)
    base = {"commune": commune.pk, "indicator": "level34_share", "due_on": "2025-06-30", "value": "0.5"}
    foreign_village = other_commune.villages.create(code="QL", name="Quang Long")
    cases = [
        ({"value": "1.5"}, "value"),
        ({"value": "-0.1"}, "value"),
        ({"indicator": "happiness"}, "indicator"),
        ({"due_on": "someday"}, "due_on"),
        ({"village": foreign_village.pk}, "village"),
    ]
    for extra, field in cases:
        response = client.post("/api/targets/", {**base, **extra}, format="json")
        assert response.status_code == 400, extra
        assert field in response.json(), (extra, response.json())
    duplicate = client.post("/api/targets/", {**base, "due_on": "2025-04-30"}, format="json")
    assert duplicate.status_code == 400
    assert Target.objects.count() == 1


def test_a_duplicate_is_explained_in_words_as_on_the_page(commune, official):
    first, second = target(commune), target(commune, due_on=D(2025, 6, 30), value="0.65")
    client = api(official)
    base = {"commune": commune.pk, "indicator": "level34_share", "due_on": "2025-04-30", "value": "0.7"}
    expected = [
        "The whole commune already has a target for the level 3/4 share due on 30/04/2025 (60\u00a0%). "
        "Change that target in the list instead of adding a second one for the same date."
    ]
    added = client.post("/api/targets/", base, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert (added.status_code, added.json()) == (400, {"non_field_errors": expected})
    moved = client.patch(
        f"/api/targets/{second.pk}/", {"due_on": "2025-04-30"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert (moved.status_code, moved.json()) == (400, {"non_field_errors": expected})
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.due_on == D(2025, 6, 30) and first.value == Decimal("0.6")


@pytest.mark.parametrize("role", ["leader", "head_a", "worker_a"])
def test_only_officials_keep_targets(request, commune, role):
    existing = target(commune)
    client = api(request.getfixturevalue(role))
    body = {"commune": commune.pk, "indicator": "eid_share", "due_on": "2025-12-31", "value": "0.9"}
    assert client.post("/api/targets/", body, format="json").status_code == 403
    assert client.patch(f"/api/targets/{existing.pk}/", {"value": "0.1"}, format="json").status_code == 403
    assert client.delete(f"/api/targets/{existing.pk}/").status_code == 403
    existing.refresh_from_db()
    assert existing.value == Decimal("0.6") and Target.objects.count() == 1


def test_outsider_cannot_set_a_target_in_another_commune(commune, outsider):
    body = {"commune": commune.pk, "indicator": "eid_share", "due_on": "2025-12-31", "value": "0.9"}
    assert api(outsider).post("/api/targets/", body, format="json").status_code == 404
    assert not Target.objects.exists()


def test_official_corrects_and_deletes_a_target(commune, official):
    existing = target(commune)
    client = api(official)
    response = client.patch(f"/api/targets/{existing.pk}/", {"value": "0.65"}, format="json")
    assert response.status_code == 200, response.content
    existing.refresh_from_db()
    assert existing.value == Decimal("0.65")
    assert client.delete(f"/api/targets/{existing.pk}/").status_code == 204
    assert not Target.objects.exists()


def test_target_filters(commune, village_a, official):
    wide, in_a = target(commune), target(commune, village_a, indicator="eid_share", due_on=D(2025, 9, 30))
    client = api(official)
    assert ids(client.get("/api/targets/", {"commune_wide": "true"})) == {wide.pk}
    assert ids(client.get("/api/targets/", {"indicator": "eid_share"})) == {in_a.pk}
    assert ids(client.get("/api/targets/", {"due_after": "2025-06-01"})) == {in_a.pk}


def test_target_list_queries_do_not_grow_with_rows(commune, official):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api(official).get("/api/targets/").status_code == 200
        return len(queries)

    for day in range(1, 4):
        target(commune, due_on=D(2025, 1, day))
    few = count()
    for day in range(1, 28):
        target(commune, due_on=D(2025, 2, day))
    assert count() == few
