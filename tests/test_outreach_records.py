"""What every outreach record keeps (mobilization.models.OutreachRecord): its relations stay in
its commune whoever writes it, and the records keep their reverse names and audit trail."""

import datetime
import inspect

import pytest
from django.contrib.admin import site
from django.core.exceptions import ValidationError

from mobilization.models import Application, CommunicationActivity, HomeVisit, VisitHelp
from mobilization.resources import HomeVisitResource
from mobilization.serializers import VisitSerializer
from mobilization.services import application_record, communication_record, visit_log, visit_update
from tests import factories
from training.models import Attendance, TrainingSession
from training.services import session_record

DAY = datetime.date(2025, 3, 1)


def test_session_refuses_a_village_and_group_of_another_commune(commune, other_commune):
    session = TrainingSession(
        commune=commune,
        village=factories.village(other_commune),
        group=factories.worker_group(other_commune),
        held_on=DAY,
    )
    with pytest.raises(ValidationError) as refused:
        session.full_clean()
    assert refused.value.message_dict["village"] == ["This village is in another commune."]
    assert refused.value.message_dict["group"] == ["This group belongs to another commune."]


def test_communication_refuses_a_group_of_another_commune(commune, other_commune):
    activity = CommunicationActivity(
        commune=commune,
        channel=CommunicationActivity.Channel.LEAFLET,
        held_on=DAY,
        topic="VNeID",
        group=factories.worker_group(other_commune),
    )
    with pytest.raises(ValidationError) as refused:
        activity.full_clean()
    assert refused.value.message_dict == {"group": ["This group belongs to another commune."]}


def test_visit_refuses_a_household_of_another_commune(commune, other_commune):
    visit = HomeVisit(
        commune=commune, household=factories.household(factories.village(other_commune)), visited_on=DAY
    )
    with pytest.raises(ValidationError) as refused:
        visit.full_clean()
    assert refused.value.message_dict == {"household": ["This household is in another commune."]}


def test_application_refuses_a_resident_of_another_commune(commune, other_commune):
    application = Application(
        commune=commune,
        resident=factories.resident(factories.household(factories.village(other_commune))),
        field=Application.Field.LAND,
        channel=Application.Channel.IN_PERSON,
        submitted_on=DAY,
    )
    with pytest.raises(ValidationError) as refused:
        application.full_clean()
    assert refused.value.message_dict == {"resident": ["This resident is registered in another commune."]}


def test_records_in_their_own_commune_are_clean(commune, village_a, household_a):
    TrainingSession(
        commune=commune, village=village_a, group=factories.worker_group(commune), held_on=DAY
    ).full_clean()
    HomeVisit(commune=commune, household=household_a, visited_on=DAY).full_clean()


def test_records_keep_their_reverse_names_and_history(commune, household_a, resident_a):
    visit = HomeVisit.objects.create(commune=commune, household=household_a, visited_on=DAY)
    VisitHelp.objects.create(visit=visit, resident=resident_a, achievements=["vneid_installed"])
    session = TrainingSession.objects.create(commune=commune, village=household_a.village, held_on=DAY)
    Attendance.objects.create(session=session, resident=resident_a)
    assert list(commune.visits.all()) == [visit]
    assert list(commune.training_sessions.all()) == [session]
    assert list(resident_a.visit_helps.values_list("visit", flat=True)) == [visit.pk]
    assert list(resident_a.attendances.values_list("session", flat=True)) == [session.pk]
    assert visit.history.count() == 1
    assert resident_a.visit_helps.get().history.count() == 1
    assert resident_a.attendances.get().history.count() == 1


@pytest.mark.parametrize(
    ("model", "record"),
    [
        (HomeVisit, visit_log),
        (CommunicationActivity, communication_record),
        (TrainingSession, session_record),
        (Application, application_record),
    ],
)
def test_entered_fields_are_what_the_service_takes_and_the_admin_shows(model, record):
    # One list serves the admin's form, the API and the service call of pages, API and admin.
    assert set(model.entered_fields) <= set(inspect.signature(record).parameters)
    admin_fields = site._registry[model].fields
    assert [name for name in admin_fields if name != "commune"] == list(model.entered_fields)


def test_entered_in_leaves_absent_fields_to_the_service_defaults():
    assert TrainingSession.entered_in({"held_on": DAY, "venue": "", "model": None}) == {
        "held_on": DAY,
        "venue": "",
    }


def test_a_visits_entered_fields_are_read_by_the_api_the_export_and_visit_update():
    # A field added to a visit reaches the API's answer, the export and the corrections
    # (page, API, admin) through entered_fields alone.
    assert set(HomeVisit.entered_fields) <= set(VisitSerializer().fields)
    exported = [f.column_name for f in HomeVisitResource().get_export_fields()]
    assert set(HomeVisit.entered_fields) <= set(exported)
    assert set(HomeVisit.entered_fields) <= set(inspect.signature(visit_update).parameters)
