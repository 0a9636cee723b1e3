"""Each rule of a change or a delete holds through every door.

A record is changed and deleted by one service (visit_update, session_update,
communication_update, resident_delete, ...), and the page, the API and the admin only
translate its refusals. Each test below is one rule, parametrized over the doors that offer
the operation: each door refuses, says why, and stores nothing of the refused write.
"""

import datetime
import html
import io
import uuid

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mobilization.models import (
    Application,
    CommunicationActivity,
    HomeVisit,
    Membership,
    MobilizationModel,
    VisitHelp,
    Worker,
    WorkerGroup,
)
from mobilization.services import (
    Help,
    application_record,
    communication_record,
    mobilization_model_save,
    visit_log,
)
from tests import factories
from training.models import Attendance
from training.services import attendance_record, session_record
from villages.models import Achievement, Resident

TODAY = timezone.localdate()
LAST_WEEK = TODAY - datetime.timedelta(days=7)

DECLINED_WITH_ACHIEVEMENTS = "Nobody at home, or help declined: a visit like this records no achievement."
PARTLY_DONE = "Partly done: give the day to come back."
RESIDENT_IN_USE = "This resident has visits, sessions or applications on record; record a departure instead."
SESSION_DATE = "Achievements are recorded on this date and moved residents' ladders"
REACH = "An estimated reach of 22 is more than 3 times the 1 residents"


def english(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    user.is_staff = True  # role users are staff (villages.services.role_grant)
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    return client


def admin_url(model, view, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def as_opened(response, **changes) -> dict:
    """What a browser posts back from an admin change page it opened, with `changes` typed."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    for form in forms:
        for field in form:
            value = field.value()
            if value is True:
                data[field.html_name] = "on"
            elif value is not None and value is not False:
                data[field.html_name] = value
    data.update(changes)
    return data


def admin_change(user, record, **changes):
    """Open the record's admin change page and save it with `changes`."""
    client = english(user)
    change_url = admin_url(type(record), "change", record.pk)
    return client.post(change_url, as_opened(client.get(change_url), **posted(changes)))


def admin_errors(response) -> str:
    """The admin's refusal: the messages of a redirect, or the errors of the form shown again."""
    if response.status_code == 302:
        return " ".join(str(m) for m in get_messages(response.wsgi_request))
    errors = [response.context["adminform"].form.errors]
    errors += [inline.formset.errors for inline in response.context.get("inline_admin_formsets", ())]
    return str(errors)


def admin_import(user, model, text: str):
    """Upload a CSV to the model's admin import, as an official does: the dry run's page."""
    model_admin = admin.site.get_model_admin(model)
    formats = model_admin.get_import_formats()
    csv_index = next(i for i, f in enumerate(formats) if f().get_title() == "csv")
    upload = io.BytesIO(text.encode())
    upload.name = "rows.csv"
    return english(user).post(admin_url(model, "import"), {"format": str(csv_index), "import_file": upload})


def refusal_of(response) -> str:
    """What a refused write says, whichever door answered it."""
    if response.headers.get("Content-Type", "").startswith("application/json"):
        return str(response.json())
    if response.status_code == 200 and "result" in response.context:
        result = response.context["result"]
        assert "confirm_form" not in response.context  # a refused import offers nothing to confirm
        return " ".join(message for row in result.invalid_rows for message in row.error.messages)
    if response.status_code == 302 or "adminform" in response.context:
        return html.unescape(admin_errors(response))
    return html.unescape(str(response.context["form"].errors))


def posted(changes: dict) -> dict:
    """`changes` as a form posts them: an empty field for None."""
    return {name: "" if value is None else value for name, value in changes.items()}


# --- Visits


@pytest.fixture
def visit_helping(worker_a, household_a, resident_a):
    """A visit done last week at which resident A activated their e-ID."""
    worker = Worker.objects.get(user=worker_a)
    return visit_log(
        household=household_a,
        visited_on=LAST_WEEK,
        workers=[worker],
        helped=[Help(resident_a, [Achievement.EID_ACTIVATED])],
        recorded_by=worker_a,
    )


def visit_state(visit):
    visit.refresh_from_db()
    helps = list(VisitHelp.objects.filter(visit=visit).values_list("resident", "achievements"))
    return (visit.outcome, visit.follow_up_on, visit.notes, helps, HomeVisit.objects.count())


def visit_page_log(user, visit, **changes):
    """The visit form logs a second visit like `visit`, with its achievements and `changes`."""
    helped = visit.helped.get()
    data = {
        "submission_key": str(uuid.uuid4()),
        "household": visit.household_id,
        "visited_on": visit.visited_on.isoformat(),
        "workers": [w.pk for w in visit.workers.all()],
        "outcome": HomeVisit.Outcome.DONE,
        "follow_up_on": "",
        "notes": "",
        f"achievements_{helped.resident_id}": [Achievement.ONLINE_SERVICE],
        **posted(changes),
    }
    return english(user).post(reverse("visits:new"), data)


def visit_api_change(user, visit, **changes):
    return factories.api_client(user).patch(f"/api/visits/{visit.pk}/", changes, format="json")


def visit_admin_change(user, visit, **changes):
    return admin_change(user, visit, **changes)


@pytest.mark.parametrize("door", [visit_page_log, visit_api_change, visit_admin_change])
def test_a_visit_that_recorded_achievements_cannot_be_declined(door, official, visit_helping):
    before = visit_state(visit_helping)

    response = door(official, visit_helping, outcome=HomeVisit.Outcome.DECLINED)

    assert response.status_code in (200, 302, 400)
    assert DECLINED_WITH_ACHIEVEMENTS in refusal_of(response)
    assert visit_state(visit_helping) == before
    assert not Application.objects.exists()


@pytest.mark.parametrize("door", [visit_page_log, visit_api_change, visit_admin_change])
def test_a_partly_done_visit_names_the_day_to_come_back(door, official, visit_helping):
    before = visit_state(visit_helping)

    response = door(official, visit_helping, outcome=HomeVisit.Outcome.PARTLY_DONE, follow_up_on=None)

    assert response.status_code in (200, 302, 400)
    assert PARTLY_DONE in refusal_of(response)
    assert visit_state(visit_helping) == before


def test_the_api_still_corrects_a_visit_within_the_rules(official, visit_helping):
    """The refusals above are the rules, not a closed door: a day to come back is accepted."""
    follow_up = (TODAY + datetime.timedelta(days=3)).isoformat()
    response = visit_api_change(
        official, visit_helping, outcome=HomeVisit.Outcome.PARTLY_DONE, follow_up_on=follow_up, notes="Mưa"
    )
    assert response.status_code == 200, response.content
    visit_helping.refresh_from_db()
    assert (visit_helping.outcome, visit_helping.follow_up_on.isoformat(), visit_helping.notes) == (
        HomeVisit.Outcome.PARTLY_DONE,
        follow_up,
        "Mưa",
    )


# --- Residents


@pytest.fixture
def resident_with_application(resident_a):
    application_record(
        commune=resident_a.commune,
        resident=resident_a,
        field="land",
        channel="in_person",
        submitted_on=LAST_WEEK,
    )
    return resident_a


def resident_state(resident):
    return (
        Resident.objects.filter(pk=resident.pk).exists(),
        list(Application.objects.values_list("resident", flat=True)),
    )


def resident_api_delete(user, resident):
    return factories.api_client(user).delete(f"/api/residents/{resident.pk}/")


def resident_admin_delete(user, resident):
    return english(user).post(admin_url(Resident, "delete", resident.pk), {"post": "yes"})


def resident_admin_bulk_delete(user, resident):
    """The changelist's "delete selected", confirmed."""
    return english(user).post(
        admin_url(Resident, "changelist"),
        {"action": "delete_selected", "_selected_action": [resident.pk], "post": "yes"},
    )


def resident_admin_household_inline(user, resident):
    """The member's row ticked for deletion on their household's admin page."""
    client = english(user)
    change_url = admin_url(type(resident.household), "change", resident.household_id)
    data = as_opened(client.get(change_url), **{"members-0-DELETE": "on"})
    return client.post(change_url, data)


@pytest.mark.parametrize(
    "door",
    [resident_api_delete, resident_admin_delete, resident_admin_bulk_delete, resident_admin_household_inline],
)
def test_a_resident_with_an_application_cannot_be_deleted(door, head_a, resident_with_application):
    before = resident_state(resident_with_application)

    response = door(head_a, resident_with_application)

    assert response.status_code in (302, 409)
    assert RESIDENT_IN_USE in refusal_of(response)
    assert resident_state(resident_with_application) == before == (True, [resident_with_application.pk])


def test_a_resident_entered_by_mistake_is_deleted_through_the_admin(head_a, household_a):
    mistake = factories.resident(household_a, full_name="Nhập nhầm")
    response = resident_admin_delete(head_a, mistake)
    assert response.status_code == 302
    assert not Resident.objects.filter(pk=mistake.pk).exists()


# --- Sessions


@pytest.fixture
def session_with_achievement(village_a, resident_a):
    session = session_record(commune=village_a.commune, village=village_a, held_on=LAST_WEEK)
    attendance_record(session=session, help=Help(resident_a, [Achievement.EID_ACTIVATED]))
    return session


def session_state(session):
    session.refresh_from_db()
    return (session.held_on, list(Attendance.objects.values_list("resident", "achievements")))


def session_page_change(user, session, held_on):
    data = {
        "held_on": held_on.isoformat(),
        "village": session.village_id,
        "venue_kind": session.venue_kind,
        "venue": session.venue,
        "notes": session.notes,
    }
    return english(user).post(reverse("training:edit", args=[session.pk]), data)


def session_api_change(user, session, held_on):
    return factories.api_client(user).patch(
        f"/api/training-sessions/{session.pk}/", {"held_on": held_on.isoformat()}, format="json"
    )


def session_admin_change(user, session, held_on):
    return admin_change(user, session, held_on=held_on.isoformat())


@pytest.mark.parametrize("door", [session_page_change, session_api_change, session_admin_change])
def test_the_date_of_a_session_whose_attendance_moved_ladders_stays(door, official, session_with_achievement):
    before = session_state(session_with_achievement)

    response = door(official, session_with_achievement, LAST_WEEK - datetime.timedelta(days=1))

    assert response.status_code in (200, 302, 400)
    assert SESSION_DATE in refusal_of(response)
    assert session_state(session_with_achievement) == before


# --- Communication activities


@pytest.fixture
def loudspeaker(official, village_a, resident_a):
    """An announcement in village A, where one resident lives: a reach above 3 is a typing mistake."""
    return communication_record(
        commune_id=village_a.commune_id,
        channel=CommunicationActivity.Channel.LOUDSPEAKER,
        held_on=LAST_WEEK,
        villages=[village_a],
        topic="VNeID",
        reach=2,
        recorded_by=official,
    )


def activity_state(activity):
    activity.refresh_from_db()
    return (activity.reach, activity.topic, list(activity.villages.values_list("pk", flat=True)))


def activity_page_change(user, activity, **changes):
    data = {
        "channel": activity.channel,
        "held_on": activity.held_on.isoformat(),
        "villages": [v.pk for v in activity.villages.all()],
        "topic": activity.topic,
        "reach": activity.reach,
        "group": "",
        "model": "",
        **posted(changes),
    }
    return english(user).post(reverse("program:communication_edit", args=[activity.pk]), data)


def activity_api_change(user, activity, **changes):
    return factories.api_client(user).patch(f"/api/communications/{activity.pk}/", changes, format="json")


def activity_admin_change(user, activity, **changes):
    return admin_change(user, activity, **changes)


def activity_admin_import(user, activity, **changes):
    """The activity's row imported again through the admin, with `changes`."""
    row = {
        "id": activity.pk,
        "commune": activity.commune_id,
        "channel": activity.channel,
        "held_on": activity.held_on.isoformat(),
        "villages": ",".join(str(v.pk) for v in activity.villages.all()),
        "topic": activity.topic,
        "reach": activity.reach,
        "group": "",
        **changes,
    }
    values = [f'"{value}"' for value in row.values()]
    return admin_import(user, CommunicationActivity, ",".join(row) + "\n" + ",".join(values) + "\n")


@pytest.mark.parametrize(
    "door", [activity_page_change, activity_api_change, activity_admin_change, activity_admin_import]
)
def test_a_communication_reach_beyond_belief_is_refused_on_change(door, official, loudspeaker):
    before = activity_state(loudspeaker)

    response = door(official, loudspeaker, reach=22, topic="VNeID mức 2")

    assert response.status_code in (200, 302, 400)
    assert REACH in refusal_of(response)
    assert activity_state(loudspeaker) == before


@pytest.mark.parametrize("door", [activity_page_change, activity_api_change, activity_admin_change])
def test_a_communication_group_of_another_commune_is_refused_on_change(
    door, official, loudspeaker, other_commune
):
    stranger = factories.worker_group(other_commune)
    before = activity_state(loudspeaker)

    response = door(official, loudspeaker, group=stranger.pk, topic="VNeID mức 2")

    assert response.status_code in (200, 302, 400, 404)
    # The API and the admin offer only the groups the user may see: another commune's is not
    # even a choice there; the page offers only the commune's.
    assert "group" in refusal_of(response)
    assert activity_state(loudspeaker) == before


# --- Groups and workers


def worker_api_delete(user, worker):
    return factories.api_client(user).delete(f"/api/workers/{worker.pk}/")


def worker_admin_delete(user, worker):
    return english(user).post(admin_url(Worker, "delete", worker.pk), {"post": "yes"})


@pytest.mark.parametrize("door", [worker_api_delete, worker_admin_delete])
def test_a_worker_with_visits_cannot_be_deleted(door, official, worker_a, visit_helping):
    worker = Worker.objects.get(user=worker_a)
    group = factories.worker_group(worker.commune)
    Membership.objects.create(worker=worker, group=group, position="member")

    response = door(official, worker)

    assert response.status_code in (302, 409)
    assert "This worker has visits, sessions or applications on record" in refusal_of(response)
    assert list(visit_helping.workers.all()) == [worker]
    assert Membership.objects.filter(worker=worker).exists()


# --- Worker groups


def group_page_change(user, group, **changes):
    data = {"kind": group.kind, "name": group.name, "village": group.village_id or "", **posted(changes)}
    return english(user).post(reverse("program:group_edit", args=[group.pk]), data)


def group_api_change(user, group, **changes):
    return factories.api_client(user).patch(f"/api/worker-groups/{group.pk}/", changes, format="json")


def group_admin_change(user, group, **changes):
    return admin_change(user, group, **changes)


def group_admin_import(user, group, **changes):
    row = {"id": group.pk, "commune": group.commune_id, "kind": group.kind, "name": group.name, **changes}
    row["village"] = group.village_id or ""
    return admin_import(
        user, WorkerGroup, ",".join(row) + "\n" + ",".join(str(v) for v in row.values()) + "\n"
    )


@pytest.mark.parametrize(
    "door", [group_page_change, group_api_change, group_admin_change, group_admin_import]
)
def test_a_village_keeps_one_digital_technology_team(door, official, commune, village_a):
    factories.worker_group(commune, kind=WorkerGroup.Kind.DIGITAL_TECH_TEAM, village=village_a, name="Tổ 1")
    youth = factories.worker_group(commune, name="Đoàn Thanh niên Nà Khau", village=village_a)

    response = door(official, youth, kind=WorkerGroup.Kind.DIGITAL_TECH_TEAM, name="Tổ 2")

    assert response.status_code in (200, 302, 400)
    assert "This village already has a community digital technology team." in refusal_of(response)
    youth.refresh_from_db()
    assert (youth.kind, youth.name) == (WorkerGroup.Kind.YOUTH_UNION, "Đoàn Thanh niên Nà Khau")


# --- Mobilization models


@pytest.fixture
def model_with_a_visit(commune, village_a, household_a, worker_a):
    """A model running in village A for a month, and a visit last week tagged with it."""
    model = mobilization_model_save(
        model=MobilizationModel(
            commune=commune,
            name="Tổ công nghệ số Nà Khau",
            field=MobilizationModel.Field.ONLINE_PUBLIC_SERVICES,
            owner=factories.worker_group(commune),
            started_on=LAST_WEEK - datetime.timedelta(days=30),
        ),
        villages=[village_a],
    )
    visit_log(
        household=household_a, visited_on=LAST_WEEK, workers=[Worker.objects.get(user=worker_a)], model=model
    )
    return model


def page_as_opened(response, **changes) -> dict:
    """What a browser posts back from a page's form (and its goals' formset) it opened."""
    forms = [response.context["form"]]
    if "goals" in response.context:
        forms += [response.context["goals"].management_form, *response.context["goals"].forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is not None and value is not False:
                data[field.html_name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    data.update(posted(changes))
    return data


def model_page_change(user, model, **changes):
    client = english(user)
    edit = reverse("program:model_edit", args=[model.pk])
    return client.post(edit, page_as_opened(client.get(edit), **changes))


def model_admin_change(user, model, **changes):
    return admin_change(user, model, **changes)


@pytest.mark.parametrize("door", [model_page_change, model_admin_change])
def test_a_model_keeps_the_dates_of_its_tagged_work(door, official, model_with_a_visit):
    started = model_with_a_visit.started_on

    response = door(official, model_with_a_visit, started_on=TODAY.isoformat())

    assert response.status_code in (200, 302)
    assert "Activities tagged with this model fall outside these dates" in refusal_of(response)
    model_with_a_visit.refresh_from_db()
    assert model_with_a_visit.started_on == started
