"""Targets per organisation (issue 29): an organisation (worker group) plans the share of the
residents it helped who reached level 3/4; the dashboard shows the plan beside what it did,
and an organisation's target never plans the commune or its villages."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from mobilization.models import HomeVisit, VisitHelp
from reports.models import Target
from reports.selectors.targets import group_plans, plan_for
from tests import factories
from tests.factories import api_client as api

D = datetime.date
LEVEL34 = Target.Indicator.LEVEL34_SHARE


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def youth(commune):
    return factories.worker_group(commune, name="Đoàn Thanh niên xã")


def test_official_sets_an_organisations_target_through_the_api(commune, official, youth):
    body = {
        "commune": commune.pk,
        "group": youth.pk,
        "indicator": LEVEL34,
        "due_on": "2024-12-31",
        "value": "0.5",
    }
    response = api(official).post("/api/targets/", body, format="json")
    assert response.status_code == 201, response.content
    saved = Target.objects.get()
    assert (saved.group, saved.village, saved.value) == (youth, None, Decimal("0.5"))
    assert api(official).get("/api/targets/", {"group": youth.pk}).json()["results"][0]["group"] == youth.pk


def test_an_organisations_target_refusals_name_the_field(commune, other_commune, official, village_a, youth):
    client = api(official)
    base = {
        "commune": commune.pk,
        "group": youth.pk,
        "indicator": LEVEL34,
        "due_on": "2024-12-31",
        "value": "0.5",
    }
    foreign = factories.worker_group(other_commune, name="Hội Phụ nữ Quang Long")
    cases = [
        ({"village": village_a.pk}, "group"),  # a village's or an organisation's, not both
        ({"indicator": "eid_share"}, "indicator"),  # an organisation plans level 3/4 only
        ({"group": foreign.pk}, "group"),  # another commune's
    ]
    for extra, field in cases:
        response = client.post("/api/targets/", {**base, **extra}, format="json")
        assert response.status_code == 400, extra
        assert field in response.json(), (extra, response.json())
    assert client.post("/api/targets/", base, format="json").status_code == 201
    duplicate = client.post("/api/targets/", base, format="json")
    assert duplicate.status_code == 400
    assert "Đoàn Thanh niên xã already has a target" in str(duplicate.json())
    # The commune may still plan the same indicator and date for itself.
    commune_wide = {**base, "group": None}
    assert client.post("/api/targets/", commune_wide, format="json").status_code == 201
    assert Target.objects.count() == 2


def test_the_targets_page_adds_an_organisations_target(client, commune, official, youth):
    client.force_login(official)
    url = f"{reverse('reports:targets')}?commune={commune.code}"
    response = client.post(
        url, {"indicator": LEVEL34, "group": youth.pk, "due_on": "2024-12-31", "value": "40"}
    )
    assert response.status_code == 302
    assert Target.objects.get().group == youth
    html = client.get(url).content.decode()
    assert "Đoàn Thanh niên xã" in html


def test_an_organisations_target_plans_neither_the_commune_nor_a_village(commune, village_a, youth):
    mine = Target(
        commune=commune, group=youth, indicator=LEVEL34, due_on=D(2024, 9, 30), value=Decimal("0.5")
    )
    theirs = Target(commune=commune, indicator=LEVEL34, due_on=D(2024, 9, 30), value=Decimal("0.3"))
    assert plan_for([mine, theirs], LEVEL34) == [theirs]
    assert plan_for([mine, theirs], LEVEL34, village_a) == [theirs]
    assert group_plans([mine, theirs], D(2024, 9, 1)) == {youth.pk: Decimal("0.5")}


def test_the_dashboard_shows_each_organisations_plan_and_who_is_behind_it(
    client, commune, leader, household_a, youth
):
    """Two residents helped by the youth union in September, one reached level 3/4 that day:
    50 %, against a plan of 60 % for the youth union and 40 % for the women's union."""
    worker = factories.worker(commune)
    youth.memberships.create(worker=worker)
    women = factories.worker_group(commune, name="Hội Phụ nữ xã")
    day = D(2024, 9, 10)
    helped = [
        factories.resident(household_a, birth_year=1980, eid_on=day, online_on=day, level34_on=day),
        factories.resident(household_a, birth_year=1982),
    ]
    visit = HomeVisit.objects.create(commune=commune, household=household_a, visited_on=day)
    visit.workers.add(worker)
    for resident in helped:
        VisitHelp.objects.create(visit=visit, resident=resident)
    for group, value in ((youth, "0.6"), (women, "0.4")):
        Target.objects.create(
            commune=commune, group=group, indicator=LEVEL34, due_on=D(2024, 9, 1), value=value
        )
    client.force_login(leader)
    response = client.get(reverse("reports:dashboard"), {"start": "2024-09", "end": "2024-09"})
    table = response.context["tables"]["groups"]
    keys = [column.key for column in table.columns]
    row = next(r for r in table.rows if r[0] == "Đoàn Thanh niên xã")
    assert row[keys.index("reached_share")] == 0.5
    assert row[keys.index("planned")] == 0.6
    assert row[keys.index("behind")] == ["behind plan"]
    # The commune has no plan of its own: the organisations' targets do not make one.
    assert all(item["planned"] is None for item in response.context["headline"])


def test_the_organisations_over_time_one_line_each_on_one_scale(client, commune, leader, household_a, youth):
    """The youth union helped one resident in July and two in September, none in August."""
    worker = factories.worker(commune)
    youth.memberships.create(worker=worker)
    people = [factories.resident(household_a, birth_year=1980) for _ in range(2)]
    for day, helped in ((D(2024, 7, 3), people[:1]), (D(2024, 9, 4), people)):
        visit = HomeVisit.objects.create(commune=commune, household=household_a, visited_on=day)
        visit.workers.add(worker)
        for resident in helped:
            VisitHelp.objects.create(visit=visit, resident=resident)
    client.force_login(leader)
    response = client.get(reverse("reports:dashboard"), {"start": "2024-07", "end": "2024-09"})
    [item] = response.context["group_trends"]
    assert (item["group"], item["helped"], item["top"]) == (youth, [1, 0, 2], 2)
    html = response.content.decode()
    assert 'aria-label="Đoàn Thanh niên xã: residents helped per month, from 1 to 2"' in html
