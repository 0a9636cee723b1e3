"""Dates that make sense (issue 16), refused the same way on the pages, in the API, the admin
and the importer, each with a message naming the field, nothing saved:

- no ladder step, visit, session, application or departure before the person's birth year;
- no visit or session before the commune's program started (a commune setting, 2020-01-01
  unless it sets another);
- no departure before the stay began;
- no communication reach above the commune's reach_factor (3) times the residents of its
  villages, with the figure in the message; a reach over the commune's population never counts.

The rules are stated once, softbridge.calendar.date_refusal (and mobilization.services.reach_refusal);
`manage.py check_records` lists what was recorded before them.
"""

import datetime
import io
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from mobilization.models import Application, CommunicationActivity, HomeVisit
from mobilization.services import Help, communication_record, visit_log
from reports.selectors.activity import activity_series
from softbridge.calendar import PROGRAM_START, commune_today, date_refusal
from tests import factories
from tests.factories import api_client as api
from training.models import Attendance, TrainingSession
from training.services import attendance_record, session_record
from villages.models import Resident

D = datetime.date
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
BEFORE_PROGRAM = D(2019, 12, 31)


def staff(client, user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    return client


@pytest.fixture
def visitor(commune, worker_a):
    return worker_a.workers.get()


@pytest.fixture
def child(household_a):
    return factories.resident(household_a, full_name="Nông Văn Bé", birth_year=2017)


# --- The rule itself


def test_the_one_rule_names_what_is_wrong():
    assert (
        date_refusal(D(2016, 12, 31), birth_year=2017)
        == "2016-12-31 is before 2017, the year the resident was born."
    )
    assert (
        date_refusal(D(2016, 12, 31), birth_year=2017, who="Bé")
        == "2016-12-31 is before 2017, the year Bé was born."
    )
    assert date_refusal(D(2017, 1, 1), birth_year=2017) is None
    assert date_refusal(BEFORE_PROGRAM, program_start=PROGRAM_START) == (
        "2019-12-31 is before the commune's program started (2020-01-01)."
    )
    assert date_refusal(D(2024, 4, 30), stay_began=D(2024, 5, 1)).endswith("current stay began (2024-05-01).")
    assert date_refusal(commune_today() + datetime.timedelta(days=1)) == "The date is in the future."
    assert date_refusal(None, birth_year=2017) is None


# --- Visits and sessions before the program started


def test_a_visit_before_the_program_started_is_refused_everywhere(
    client, commune, household_a, visitor, worker_a
):
    with pytest.raises(ValidationError) as refused:
        visit_log(household=household_a, visited_on=BEFORE_PROGRAM, workers=[visitor])
    assert "program started (2020-01-01)" in refused.value.message_dict["visited_on"][0]

    client.force_login(worker_a)
    data = {
        "submission_key": str(uuid.uuid4()),
        "household": household_a.pk,
        "visited_on": BEFORE_PROGRAM.isoformat(),
        "workers": [visitor.pk],
        "outcome": HomeVisit.Outcome.DONE,
    }
    page = client.post(reverse("visits:new"), data, **EN)
    assert page.status_code == 200
    assert "program started (2020-01-01)" in page.context["form"].errors["visited_on"][0]

    body = {"household": household_a.pk, "visited_on": BEFORE_PROGRAM.isoformat()}
    response = api(worker_a).post("/api/visits/", body, format="json")
    assert response.status_code == 400 and "program started" in response.json()["visited_on"][0]

    admin = staff(client, worker_a).post(
        reverse("admin:mobilization_homevisit_add"),
        {
            "household": household_a.pk,
            "visited_on": BEFORE_PROGRAM.isoformat(),
            "workers": [visitor.pk],
            "outcome": "done",
            "helped-TOTAL_FORMS": "0",
            "helped-INITIAL_FORMS": "0",
            "helped-MIN_NUM_FORMS": "0",
            "helped-MAX_NUM_FORMS": "1000",
        },
        **EN,
    )
    assert admin.status_code == 200
    assert "program started" in str(admin.context["adminform"].form.errors["visited_on"])
    assert not HomeVisit.objects.exists()


def test_the_program_start_is_the_communes_own(commune, household_a, visitor):
    commune.program_started_on = D(2024, 7, 1)
    commune.save()
    household_a.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        visit_log(household=household_a, visited_on=D(2024, 6, 30), workers=[visitor])
    assert "(2024-07-01)" in refused.value.message_dict["visited_on"][0]
    assert visit_log(household=household_a, visited_on=D(2024, 7, 1), workers=[visitor]).pk


def test_a_session_before_the_program_started_is_refused_everywhere(client, commune, village_a, official):
    with pytest.raises(ValidationError) as refused:
        session_record(commune=commune, village=village_a, held_on=BEFORE_PROGRAM)
    assert "program started" in refused.value.message_dict["held_on"][0]

    client.force_login(official)
    data = {
        "submission_key": str(uuid.uuid4()),
        "held_on": BEFORE_PROGRAM.isoformat(),
        "village": village_a.pk,
        "venue_kind": TrainingSession.VenueKind.CULTURAL_HOUSE,
    }
    page = client.post(reverse("training:new"), data, **EN)
    assert page.status_code == 200 and "program started" in page.content.decode()

    body = {"held_on": BEFORE_PROGRAM.isoformat(), "village": village_a.pk}
    response = api(official).post("/api/training-sessions/", body, format="json")
    assert response.status_code == 400 and "program started" in response.json()["held_on"][0]
    assert not TrainingSession.objects.exists()


# --- Before the year the person was born


def test_helping_someone_before_they_were_born_is_refused(
    commune, household_a, village_a, visitor, child, worker_a
):
    commune.program_started_on = D(2010, 1, 1)  # so that only the birth year is in the way
    commune.save()
    with pytest.raises(ValidationError) as refused:
        visit_log(
            household=household_a,
            visited_on=D(2016, 5, 1),
            workers=[visitor],
            helped=[Help(child, ["smartphone"])],
        )
    assert refused.value.message_dict["visited_on"] == [
        "2016-05-01 is before 2017, the year Nông Văn Bé was born."
    ]
    helped = [{"resident": child.pk, "achievements": ["smartphone"]}]
    body = {"household": household_a.pk, "visited_on": "2016-05-01", "helped": helped}
    assert "visited_on" in api(worker_a).post("/api/visits/", body, format="json").json()

    session = session_record(commune=commune, village=village_a, held_on=D(2020, 3, 1))
    session.held_on = D(2016, 3, 1)  # as recorded before the rule
    TrainingSession.objects.filter(pk=session.pk).update(held_on=session.held_on)
    with pytest.raises(ValidationError) as refused:
        attendance_record(session=session, help=Help(child))
    assert "2017, the year Nông Văn Bé was born" in refused.value.message_dict["resident"][0]
    assert not HomeVisit.objects.exists() and not Attendance.objects.exists()
    child.refresh_from_db()
    assert child.smartphone_on is None


def test_a_ladder_step_before_the_birth_year_is_refused_everywhere(client, official, household_a, child):
    step = reverse("villages:member_ladder", args=[household_a.pk, child.pk])
    client.force_login(official)
    page = client.post(step, {"step": "eid", "on": "2016-12-31"}, **EN)
    assert page.status_code == 200 and "2017, the year the resident was born" in page.content.decode()

    response = api(official).post(
        f"/api/residents/{child.pk}/ladder/", {"step": "eid", "on": "2016-12-31"}, format="json"
    )
    assert response.status_code == 400 and "2017" in response.json()["on"][0]

    change = reverse("admin:villages_resident_change", args=[child.pk])
    data = {
        "full_name": child.full_name,
        "birth_year": "2017",
        "eid_on": "2016-12-31",
        "read_version": child.version,
    }
    admin = staff(client, official).post(change, data, **EN)
    assert admin.status_code == 200
    assert "2017, the year the resident was born" in str(admin.context["adminform"].form.errors["eid_on"])
    child.refresh_from_db()
    assert child.eid_on is None


def test_a_birth_year_after_recorded_ladder_dates_is_refused_on_the_birth_year(
    client, official, household_a, child
):
    Resident.objects.filter(pk=child.pk).update(birth_year=2010, eid_on=D(2015, 3, 1))
    child.refresh_from_db()
    client.force_login(official)
    url = reverse("villages:member_edit", args=[household_a.pk, child.pk])
    data = {"full_name": child.full_name, "birth_year": "2017", "version": child.version}
    page = client.post(url, data, **EN)
    assert page.status_code == 200
    assert "2015-03-01 is before 2017" in str(page.context["form"].errors["birth_year"])
    response = api(official).patch(f"/api/residents/{child.pk}/", {"birth_year": 2017}, format="json")
    assert response.status_code == 400 and "birth_year" in response.json()
    # An unrelated correction of a resident recorded before the rule is not blocked.
    assert (
        api(official).patch(f"/api/residents/{child.pk}/", {"phone": "0912345678"}, format="json").status_code
        == 200
    )


def test_an_application_before_the_birth_year_is_refused(client, official, commune, child):
    body = {"resident": child.pk, "field": "land", "submitted_on": "2016-06-01", "channel": "online_level3"}
    response = api(official).post("/api/applications/", body, format="json")
    assert response.status_code == 400 and "2017" in response.json()["submitted_on"][0]
    admin = staff(client, official).post(
        reverse("admin:mobilization_application_add"),
        {
            "commune": commune.pk,
            "resident": child.pk,
            "field": "land",
            "submitted_on": "2016-06-01",
            "channel": "in_person",
        },
        **EN,
    )
    assert admin.status_code == 200 and "2017" in str(admin.context["adminform"].form.errors["submitted_on"])
    assert not Application.objects.exists()


def test_a_departure_before_the_birth_year_or_the_stay_is_refused(client, official, household_a, child):
    url = reverse("villages:member_departure", args=[household_a.pk, child.pk])
    client.force_login(official)
    page = client.post(url, {"reason": "died", "on": "2016-12-31"}, **EN)
    assert page.status_code == 200 and "2017, the year the resident was born" in page.content.decode()
    body = {"reason": "moved_away", "on": "2016-12-31"}
    response = api(official).post(f"/api/residents/{child.pk}/departure/", body, format="json")
    assert response.status_code == 400 and "2017" in response.json()["on"][0]
    child.moved_in_on = D(2024, 5, 1)
    child.save()
    body = {"reason": "moved_away", "on": "2024-04-30"}
    response = api(official).post(f"/api/residents/{child.pk}/departure/", body, format="json")
    assert response.status_code == 400 and "before the moving-in date" in response.json()["on"][0]
    child.refresh_from_db()
    assert child.left_on is None


# --- A reach the villages' residents cannot give


@pytest.fixture
def seven(village_a):
    """Village A has seven residents: a reach of at most 21 (3 times)."""
    household = factories.household(village_a)
    return [factories.resident(household, full_name=f"Người {n}") for n in range(7)]


def test_a_reach_above_three_times_the_residents_is_refused_with_the_figure(
    client, official, commune, village_a, seven
):
    figure = "An estimated reach of 22 is more than 3 times the 7 residents of its villages (21)"
    refusal = f"{figure}: check the figure."
    with pytest.raises(ValidationError) as refused:
        communication_record(
            commune_id=commune.pk,
            channel="loudspeaker",
            held_on=D(2025, 1, 5),
            villages=[village_a],
            topic="VNeID",
            reach=22,
        )
    assert refused.value.message_dict["reach"] == [refusal]

    client.force_login(official)
    data = {
        "submission_key": str(uuid.uuid4()),
        "channel": "loudspeaker",
        "held_on": "2025-01-05",
        "villages": [village_a.pk],
        "topic": "VNeID",
        "reach": "22",
        "group": "",
    }
    page = client.post(reverse("program:communication_new"), data, **EN)
    assert page.status_code == 200 and page.context["form"].errors["reach"] == [refusal]

    body = {
        "channel": "loudspeaker",
        "held_on": "2025-01-05",
        "villages": [village_a.pk],
        "topic": "VNeID",
        "reach": 22,
    }
    response = api(official).post("/api/communications/", body, format="json")
    assert (response.status_code, response.json()) == (400, {"reach": [refusal]})

    admin = staff(client, official).post(
        reverse("admin:mobilization_communicationactivity_add"),
        {
            "commune": commune.pk,
            "channel": "loudspeaker",
            "held_on": "2025-01-05",
            "villages": [village_a.pk],
            "topic": "VNeID",
            "reach": "22",
        },
        **EN,
    )
    assert admin.status_code == 200 and refusal in str(admin.context["adminform"].form.errors["reach"])
    assert not CommunicationActivity.objects.exists()

    body["reach"] = 21
    created = api(official).post("/api/communications/", body, format="json")
    assert created.status_code == 201, created.content
    grown = api(official).patch(f"/api/communications/{created.json()['id']}/", {"reach": 22}, format="json")
    assert grown.status_code == 400 and grown.json()["reach"] == [refusal]


def test_the_factor_is_the_communes_and_empty_registers_set_no_limit(commune, village_a, village_b, seven):
    commune.reach_factor = 10
    commune.save()
    activity = communication_record(
        commune_id=commune.pk,
        channel="leaflet",
        held_on=D(2025, 1, 5),
        villages=[village_a],
        topic="VNeID",
        reach=70,
    )
    assert activity.reach == 70
    # Nobody on record in village B yet: nothing to compare the figure with.
    assert communication_record(
        commune_id=commune.pk,
        channel="leaflet",
        held_on=D(2025, 1, 5),
        villages=[village_b],
        topic="VNeID",
        reach=900,
    ).pk


def test_a_reach_over_the_communes_population_never_counts(commune, village_a, seven):
    """Recorded before the rule (straight into the table): 5000 people in a commune of 7."""
    for reach in (5, 5000):
        activity = CommunicationActivity.objects.create(
            commune=commune, channel="loudspeaker", held_on=D(2025, 1, 5), topic="VNeID", reach=reach
        )
        activity.villages.set([village_a])
    [january] = activity_series(commune=commune, start=D(2025, 1, 1), end=D(2025, 1, 1))
    assert (january.communications, january.reach) == (2, 5)


# --- What was recorded before the rules


def test_check_records_lists_what_breaks_a_rule_and_changes_nothing(
    commune, household_a, village_a, visitor, child
):
    Resident.objects.filter(pk=child.pk).update(eid_on=D(2016, 5, 1))
    visit = visit_log(household=household_a, visited_on=D(2020, 6, 1), workers=[visitor])
    HomeVisit.objects.filter(pk=visit.pk).update(visited_on=BEFORE_PROGRAM)
    activity = CommunicationActivity.objects.create(
        commune=commune, channel="loudspeaker", held_on=D(2025, 1, 5), topic="VNeID", reach=999
    )
    activity.villages.set([village_a])
    factories.resident(household_a, full_name="Chủ Một", relation="head")
    factories.resident(household_a, full_name="Chủ Hai", relation="head")
    out = io.StringIO()

    call_command("check_records", "--commune", commune.code, stdout=out)

    lines = out.getvalue().splitlines()
    assert any("Nông Văn Bé" in line and "eid_on: 2016-05-01 is before 2017" in line for line in lines)
    assert any(f"visit #{visit.pk} of 2019-12-31" in line and "program started" in line for line in lines)
    assert any(f"communication activity #{activity.pk}" in line and "reach of 999" in line for line in lines)
    assert any("household NK-001" in line and "2 heads" in line for line in lines)
    assert lines[-1] == "4 record(s) break a rule."
    assert Resident.objects.get(pk=child.pk).eid_on == D(2016, 5, 1)
