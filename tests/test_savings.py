"""What online applications saved residents: the rule, the dashboard, the settings page."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mobilization.models import Application
from reports import savings
from tests import factories
from villages.models import Household

D = datetime.date
Channel = Application.Channel


def dossier(commune, day, channel, resident=None, village=None):
    return Application.objects.create(
        commune=commune,
        resident=resident,
        village=village or (resident.household.village if resident else None),
        field=Application.Field.LAND,
        submitted_on=day,
        channel=channel,
    )


@pytest.fixture
def dossiers(commune, village_a, village_b):
    """January and February 2025, distances chosen so that the sums are easy to check by hand."""
    village_a.default_distance_km = Decimal("4.0")
    village_a.save()
    far = factories.resident(factories.household(village_a, distance_km=Decimal("7.5")))
    usual = factories.resident(factories.household(village_a))  # village A's 4 km
    unknown = factories.resident(factories.household(village_b))  # village B has no usual distance
    # January: level 3 from 7.5 km (1 trip, 15 km), level 4 from 4 km (2 trips, 16 km),
    # level 3 with no distance (1 trip, km unknown), in person (saves nothing).
    dossier(commune, D(2025, 1, 1), Channel.ONLINE_LEVEL3, far)
    dossier(commune, D(2025, 1, 31), Channel.ONLINE_LEVEL4, usual)
    dossier(commune, D(2025, 1, 15), Channel.ONLINE_LEVEL3, unknown)
    dossier(commune, D(2025, 1, 20), Channel.IN_PERSON, far)
    # February: level 4 from 7.5 km (2 trips, 30 km); a dossier with no resident from
    # village A (1 trip, 8 km).
    dossier(commune, D(2025, 2, 1), Channel.ONLINE_LEVEL4, far)
    dossier(commune, D(2025, 2, 28), Channel.ONLINE_LEVEL3, village=village_a)
    # March: nothing. April: outside the period asked for.
    dossier(commune, D(2025, 4, 1), Channel.ONLINE_LEVEL4, far)


def test_trips_km_hours_and_money_follow_the_rule(commune, dossiers):
    found = savings.savings_of_area(commune=commune, start=D(2025, 1, 1), end=D(2025, 3, 1))
    rows = [(s.month, s.applications, s.trips, s.km, s.unknown_distance, s.hours, s.money) for s in found]
    # Defaults: 2,000 VND per km, 3 hours per trip.
    assert rows == [
        (D(2025, 1, 1), 3, 4, Decimal("31.0"), 1, Decimal("12.0"), 62_000),
        (D(2025, 2, 1), 2, 3, Decimal("38.0"), 0, Decimal("9.0"), 76_000),
        (D(2025, 3, 1), 0, 0, Decimal("0"), 0, Decimal("0"), 0),
    ]
    total = savings.savings_total(commune, found)
    assert (total.applications, total.trips, total.km, total.hours, total.money) == (
        5,
        7,
        Decimal("69.0"),
        Decimal("21.0"),
        138_000,
    )


def test_the_communes_own_cost_and_time_are_used(commune, dossiers):
    commune.travel_cost_per_km = 1500
    commune.hours_per_trip = Decimal("2.5")
    commune.save()
    [january] = savings.savings_of_area(commune=commune, start=D(2025, 1, 1), end=D(2025, 1, 1))
    assert (january.money, january.hours) == (46_500, Decimal("10.0"))  # 31 km x 1,500; 4 trips x 2.5


def test_a_village_view_counts_only_its_dossiers(commune, dossiers, village_b):
    [january] = savings.savings_of_area(
        commune=commune, start=D(2025, 1, 1), end=D(2025, 1, 1), villages=[village_b]
    )
    assert (january.applications, january.trips, january.km, january.unknown_distance) == (1, 1, 0, 1)


def test_one_query_whatever_the_number_of_months(commune, dossiers):
    for end in (D(2025, 1, 1), D(2026, 12, 1)):
        with CaptureQueriesContext(connection) as queries:
            savings.savings_of_area(commune=commune, start=D(2025, 1, 1), end=end)
        assert len(queries) == 1


def test_dashboard_shows_the_savings_and_the_rule(client, official, commune, dossiers):
    client.force_login(official)
    response = client.get(
        reverse("reports:dashboard"), {"start": "2025-01", "end": "2025-03"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    table = response.context["tables"]["savings"]
    assert table.rows[-1][0] == "Total"
    assert table.rows[-1][1:] == [5, 7, Decimal("69.0"), Decimal("21.0"), 138_000, 0 + 1]
    page = response.content.decode()
    assert "2,000 VND per km" in page and "3.0 hours per trip" in page
    assert "138,000" in page


@pytest.mark.parametrize(
    "language, money, rule",
    [("vi", "1.380.000", "20.000 đồng mỗi km"), ("en", "1,380,000", "20,000 VND per km")],
)
def test_the_dashboard_groups_money_in_the_language(
    client, official, commune, dossiers, language, money, rule
):
    # 69 km at 20,000 VND: seven digits, ungrouped ("1380000") in Vietnamese before.
    commune.travel_cost_per_km = 20_000
    commune.save()
    client.force_login(official)
    response = client.get(
        reverse("reports:dashboard"), {"start": "2025-01", "end": "2025-03"}, HTTP_ACCEPT_LANGUAGE=language
    )
    page = response.content.decode()
    assert response.context["tables"]["savings"].rows[-1][5] == 1_380_000
    assert f'<div class="value">{money}</div>' in page  # the headline figure
    assert f'<td class="num">{money}</td>' in page  # the table's total
    assert "1380000" not in page
    assert rule in page


def test_savings_export_as_csv(client, leader, commune, dossiers):
    client.force_login(leader)
    url = reverse("reports:export", kwargs={"table": "savings", "fmt": "csv"})
    response = client.get(url, {"start": "2025-01", "end": "2025-02"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()
    assert any(line.startswith("2025-01,3,4,31.0,12.0,62000,1") for line in lines), lines


# --- The settings page ---------------------------------------------------------------------


def settings_post(commune, villages, cost="1800", hours="2.5", distances=None):
    data = {
        "travel-travel_cost_per_km": cost,
        "travel-hours_per_trip": hours,
        "villages-TOTAL_FORMS": str(len(villages)),
        "villages-INITIAL_FORMS": str(len(villages)),
        "villages-MIN_NUM_FORMS": "0",
        "villages-MAX_NUM_FORMS": "1000",
    }
    for i, village in enumerate(villages):
        data[f"villages-{i}-id"] = str(village.pk)
        data[f"villages-{i}-default_distance_km"] = (distances or {}).get(village.pk, "")
    return data


def test_official_sets_cost_time_and_village_distances(client, official, commune, village_a, village_b):
    client.force_login(official)
    url = reverse("reports:savings_settings")
    assert client.get(url).status_code == 200
    data = settings_post(commune, [village_a, village_b], distances={village_a.pk: "12.5"})
    response = client.post(url, data)
    assert response.status_code == 302
    commune.refresh_from_db()
    village_a.refresh_from_db()
    assert (commune.travel_cost_per_km, commune.hours_per_trip) == (1800, Decimal("2.5"))
    assert village_a.default_distance_km == Decimal("12.5")


@pytest.mark.parametrize(
    "change, field",
    [
        ({"cost": "-5"}, "travel_cost_per_km"),
        ({"hours": "abc"}, "hours_per_trip"),
        ({"hours": "30"}, "hours_per_trip"),
        ({"distance": "-1"}, "default_distance_km"),
        ({"distance": "301"}, "default_distance_km"),
    ],
)
def test_bad_figures_are_refused_with_the_field_and_nothing_saved(
    client, official, commune, village_a, change, field
):
    client.force_login(official)
    distance = change.pop("distance", "5")
    data = settings_post(commune, [village_a], distances={village_a.pk: distance}, **change)
    response = client.post(reverse("reports:savings_settings"), data)
    assert response.status_code == 200
    errors = dict(response.context["form"].errors)
    for row in response.context["distances"].forms:
        errors.update(row.errors)
    assert field in errors
    commune.refresh_from_db()
    village_a.refresh_from_db()
    assert (commune.travel_cost_per_km, commune.hours_per_trip, village_a.default_distance_km) == (
        2000,
        Decimal("3.0"),
        None,
    )


def test_a_village_of_another_commune_cannot_be_changed(client, official, commune, village_a, other_commune):
    client.force_login(official)
    stranger = factories.village(other_commune, code="XX")
    data = settings_post(commune, [village_a, stranger], distances={stranger.pk: "9"})
    client.post(reverse("reports:savings_settings"), data)
    stranger.refresh_from_db()
    assert stranger.default_distance_km is None  # outside the formset's villages: ignored


def test_village_head_enters_a_households_distance(client, head_a, household_a):
    client.force_login(head_a)
    url = reverse("villages:household_edit", args=[household_a.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"distance_km": "6.5", "has_smartphone": "", "has_internet": ""})
    response = client.post(url, data)
    assert response.status_code == 302
    assert Household.objects.get(pk=household_a.pk).distance_km == Decimal("6.5")
    data["distance_km"] = "-2"
    data["version"] = Household.objects.get(pk=household_a.pk).version
    response = client.post(url, data)
    assert response.status_code == 200 and "distance_km" in response.context["form"].errors


# --- A mobilization model's page --------------------------------------------------------


def test_model_page_counts_the_dossiers_of_its_tagged_visits(
    client, official, commune, village_a, household_a
):
    from mobilization.models import HomeVisit
    from tests.test_mobilization_models import a_model

    model = a_model(commune, village_a, started_on=D(2025, 1, 1), ended_on=D(2025, 2, 28))
    household_a.distance_km = Decimal("9.0")
    household_a.save()
    resident = factories.resident(household_a)
    worker = factories.worker(commune)
    tagged = factories.visit(household_a, visited_on=D(2025, 1, 10), workers=[worker], model=model)
    untagged = factories.visit(household_a, visited_on=D(2025, 1, 11), workers=[worker])
    assert isinstance(tagged, HomeVisit)
    for visit, channel in ((tagged, Channel.ONLINE_LEVEL4), (untagged, Channel.ONLINE_LEVEL3)):
        Application.objects.create(
            commune=commune,
            resident=resident,
            village=village_a,
            field=Application.Field.LAND,
            submitted_on=visit.visited_on,
            channel=channel,
            visit=visit,
        )
    client.force_login(official)
    response = client.get(reverse("program:model", args=[model.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    table = response.context["savings_table"]
    # Only the tagged level 4 dossier: 2 round trips of 2 x 9 km, 2 x 3 hours, 36 km x 2,000 VND.
    assert table.rows[-1][1:] == [1, 2, Decimal("36.0"), Decimal("6.0"), 72_000, 0]
    assert "What online services saved residents" in response.content.decode()
    review = client.get(reverse("program:model_review", args=[model.pk]), {"year": "2025"})
    assert review.context["savings_table"].rows[-1][2] == 2
    workbook = client.get(
        reverse("program:model_review_xlsx", args=[model.pk]), {"year": "2025"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(workbook.content))["Savings"]
    assert [c.value for c in sheet[1]][:3] == ["Month", "Applications submitted online", "Round trips saved"]
