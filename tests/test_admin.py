"""The admin: scoped by role like every other page, searchable without diacritics, exports masked."""

import csv
import datetime
import io

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mobilization.models import (
    Application,
    CommunicationActivity,
    Communicator,
    HomeVisit,
    Membership,
    VisitHelp,
    Worker,
)
from softbridge.versions import StaleWrite
from tests import factories
from training.models import Attendance, Topic, TrainingSession
from villages.models import Household, Resident, Role

DAY = datetime.date(2024, 9, 1)

ADMIN_MODELS = [
    ("villages", "commune"),
    ("villages", "village"),
    ("villages", "household"),
    ("villages", "resident"),
    ("villages", "role"),
    ("mobilization", "workergroup"),
    ("mobilization", "worker"),
    ("mobilization", "membership"),
    ("mobilization", "communicator"),
    ("mobilization", "homevisit"),
    ("mobilization", "visithelp"),
    ("mobilization", "communicationactivity"),
    ("mobilization", "application"),
    ("training", "topic"),
    ("training", "trainingsession"),
    ("training", "attendance"),
]


def url(app, model, view="changelist", *args):
    return reverse(f"admin:{app}_{model}_{view}", args=args)


def staff_client(client, user):
    """Log in as a role user; the demo and the grant flow make role users staff."""
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    return client


def shown(response):
    """The rows of a changelist page."""
    return list(response.context["cl"].result_list)


def management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def household_form(household, **changes):
    data = {
        "village": household.village_id,
        "code": household.code,
        "address": household.address,
        "phone": household.phone,
        "worker_in_charge": "",
        "read_version": household.version,
        **management("members", total=0, initial=0),
    }
    data.update(changes)
    return data


@pytest.fixture
def program(commune, village_a, household_a, resident_a, worker_a):
    """One row of every program model, in village A."""
    worker = Worker.objects.get(user=worker_a)
    group = factories.worker_group(commune, name="Đoàn Thanh niên Nà Khau")
    Membership.objects.create(worker=worker, group=group, position="member")
    Communicator.objects.create(
        commune=commune, worker=worker, village=village_a, reason=Communicator.Reason.YOUTH_UNION_MEMBER
    )
    visit = HomeVisit.objects.create(commune=commune, household=household_a, visited_on=DAY)
    visit.workers.set([worker])
    VisitHelp.objects.create(visit=visit, resident=resident_a, achievements=["eid_activated"])
    activity = CommunicationActivity.objects.create(
        commune=commune, channel="loudspeaker", held_on=DAY, topic="VNeID", reach=120
    )
    activity.villages.set([village_a])
    topic = Topic.objects.create(
        commune=commune, name="Dịch vụ công trực tuyến", skill="online_public_services"
    )
    session = TrainingSession.objects.create(commune=commune, village=village_a, held_on=DAY)
    session.topics.set([topic])
    Attendance.objects.create(session=session, resident=resident_a, achievements=[])
    Application.objects.create(
        commune=commune,
        resident=resident_a,
        village=village_a,
        field="land",
        channel="in_person",
        submitted_on=DAY,
    )
    return {"worker": worker, "group": group, "visit": visit, "session": session, "topic": topic}


# --- Every page opens ------------------------------------------------------------------


@pytest.mark.parametrize("app,model", ADMIN_MODELS)
def test_official_opens_every_list_page(client, official, program, app, model):
    response = staff_client(client, official).get(url(app, model))

    assert response.status_code == 200
    assert len(shown(response)) >= 1


# That each role opens (or is refused) every change, add, delete and history page, on records of
# every place, is the authorization matrix's (tests/matrix_admin_table.py).


def test_user_without_a_role_sees_no_register(client, resident_a):
    stranger = factories.user(username="stranger")

    response = staff_client(client, stranger).get(url("villages", "resident"))

    assert response.status_code == 403
    assert resident_a.full_name not in response.content.decode()


# --- Scope ------------------------------------------------------------------------------


def test_village_head_sees_only_own_village_residents_in_admin(client, head_a, resident_a, resident_b):
    response = staff_client(client, head_a).get(url("villages", "resident"))

    assert shown(response) == [resident_a]


def test_village_head_sees_only_own_village_households_in_admin(client, head_a, household_a, household_b):
    response = staff_client(client, head_a).get(url("villages", "household"))

    assert shown(response) == [household_a]


def test_outsider_cannot_open_household_of_another_commune_in_admin(
    client, outsider, household_a, resident_a
):
    client = staff_client(client, outsider)

    assert client.get(url("villages", "household", "change", household_a.pk)).status_code == 404
    assert client.get(url("villages", "resident", "change", resident_a.pk)).status_code == 404
    assert shown(client.get(url("villages", "resident"))) == []


def test_village_filter_lists_only_villages_the_user_can_see(client, head_a, commune, village_a, village_b):
    # Django hides a filter with a single choice: give the head a second village.
    village_c = factories.village(commune, code="KC", name="Khau Cải")
    Role.objects.get(user=head_a).villages.add(village_c)

    response = staff_client(client, head_a).get(url("villages", "resident"))

    village_filter = next(
        spec
        for spec in response.context["cl"].filter_specs
        if getattr(spec, "field_path", "") == "household__village"
    )
    assert sorted(name for _pk, name in village_filter.lookup_choices) == sorted(
        [str(village_a), str(village_c)]
    )


def test_village_head_household_form_offers_only_own_villages(client, head_a, village_a, village_b):
    response = staff_client(client, head_a).get(url("villages", "household", "add"))

    assert list(response.context["adminform"].form.fields["village"].queryset) == [village_a]


def test_village_head_adds_household_in_own_village_in_admin(client, head_a, village_a):
    data = {"village": village_a.pk, "code": "NK-777", **management("members")}

    response = staff_client(client, head_a).post(url("villages", "household", "add"), data)

    assert response.status_code == 302
    assert Household.objects.get(code="NK-777").commune_id == village_a.commune_id


def test_village_head_cannot_add_household_in_other_village_in_admin(client, head_a, village_b):
    data = {"village": village_b.pk, "code": "BT-777", **management("members")}

    response = staff_client(client, head_a).post(url("villages", "household", "add"), data)

    assert response.status_code == 200
    assert "village" in response.context["adminform"].form.errors
    assert not Household.objects.filter(code="BT-777").exists()


def test_duplicate_household_code_is_a_form_error_in_admin(client, official, household_a, village_b):
    data = {"village": village_b.pk, "code": household_a.code, **management("members")}

    response = staff_client(client, official).post(url("villages", "household", "add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert Household.objects.filter(code=household_a.code).count() == 1


def test_stale_household_change_is_refused_in_admin(client, official, household_a):
    read = household_form(household_a, address="Lane 1")
    household_a.address = "Lane 2"
    household_a.save()  # a colleague saves in between

    response = staff_client(client, official).post(
        url("villages", "household", "change", household_a.pk), read
    )

    assert response.status_code == 200
    household_a.refresh_from_db()
    assert household_a.address == "Lane 2"


def as_opened(response, **changes):
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


def test_household_inline_refuses_a_resident_saved_since_the_page_was_opened(
    client, official, head_a, household_a, resident_a
):
    """Two admin sessions: mine opens the household, the other renames a member, mine saves."""
    change_url = url("villages", "household", "change", household_a.pk)
    opened = as_opened(staff_client(client, official).get(change_url), address="Lane 1")
    other = staff_client(Client(headers={"accept-language": "en"}), head_a)
    resident_url = url("villages", "resident", "change", resident_a.pk)
    renamed = {**as_opened(other.get(resident_url)), "full_name": "Nông Thị Hoà"}
    assert other.post(resident_url, renamed).status_code == 302

    response = client.post(change_url, opened)

    assert response.status_code == 200
    resident_a.refresh_from_db()
    assert resident_a.full_name == "Nông Thị Hoà"  # the other's change stands
    assert StaleWrite(resident_a).message in response.content.decode()
    household_a.refresh_from_db()
    assert household_a.address == ""  # and nothing of mine was saved


def test_household_inline_saves_a_member_nobody_changed_meanwhile(client, official, household_a, resident_a):
    change_url = url("villages", "household", "change", household_a.pk)
    opened = as_opened(staff_client(client, official).get(change_url))
    assert opened["members-0-read_version"] == resident_a.version  # each row says what it read

    response = client.post(change_url, {**opened, "members-0-full_name": "Nông Thị Hoà"})

    assert response.status_code == 302
    resident_a.refresh_from_db()
    assert (resident_a.full_name, resident_a.version) == ("Nông Thị Hoà", 2)


def test_the_admin_answers_a_stale_household_with_the_one_message(client, official, household_a):
    opened = as_opened(
        staff_client(client, official).get(url("villages", "household", "change", household_a.pk))
    )
    household_a.save()  # a colleague saves in between

    response = client.post(url("villages", "household", "change", household_a.pk), opened)

    assert response.context["adminform"].form.non_field_errors() == [StaleWrite(household_a).message]


def test_a_save_racing_the_admin_check_is_refused_and_saves_nothing(
    client, official, household_a, resident_a, monkeypatch
):
    """The form's check passed, but another save lands before ours: the row lock decides."""
    change_url = url("villages", "household", "change", household_a.pk)
    opened = as_opened(staff_client(client, official).get(change_url), address="Lane 1")
    opened["members-0-full_name"] = "Nông Thị Hoà"
    original = Resident.save_unless_stale

    def someone_saves_first(self, read_version, **kwargs):
        Resident.objects.get(pk=self.pk).save()
        return original(self, read_version, **kwargs)

    monkeypatch.setattr(Resident, "save_unless_stale", someone_saves_first)
    response = client.post(change_url, opened, follow=True)

    assert StaleWrite(resident_a).message in [str(m) for m in response.context["messages"]]
    resident_a.refresh_from_db()
    household_a.refresh_from_db()
    assert (resident_a.full_name, household_a.address) == ("Nông Thị Hoa", "")


def test_leader_can_view_household_but_not_change_it_in_admin(client, leader, household_a):
    client = staff_client(client, leader)
    change_url = url("villages", "household", "change", household_a.pk)

    assert household_a.code in client.get(change_url).content.decode()
    assert client.post(change_url, household_form(household_a, address="Changed")).status_code == 403
    household_a.refresh_from_db()
    assert household_a.address != "Changed"
    household_a.refresh_from_db()
    assert household_a.address == ""


def test_leader_cannot_add_household_in_admin(client, leader, village_a):
    client = staff_client(client, leader)
    data = {"village": village_a.pk, "code": "NK-900", **management("members")}

    assert client.get(url("villages", "household", "add")).status_code == 403
    assert client.post(url("villages", "household", "add"), data).status_code == 403
    assert not Household.objects.filter(code="NK-900").exists()


def test_worker_views_but_cannot_change_village_register_in_admin(client, worker_a, household_a):
    client = staff_client(client, worker_a)
    change_url = url("villages", "household", "change", household_a.pk)

    assert client.get(change_url).status_code == 200
    assert client.post(change_url, household_form(household_a, address="Changed")).status_code == 403


def test_only_superusers_change_communes_and_roles(client, official, superuser, commune):
    role = Role.objects.get(user=official)
    client = staff_client(client, official)

    assert client.get(url("villages", "commune", "change", commune.pk)).status_code == 200
    assert client.post(url("villages", "commune", "change", commune.pk), {"name": "X"}).status_code == 403
    assert client.get(url("villages", "role", "add")).status_code == 403
    client.force_login(superuser)
    assert client.get(url("villages", "role", "change", role.pk)).status_code == 200
    commune.refresh_from_db()
    assert commune.name == "Xã Hạ Lang"


# --- Search and export, read as a person would (their tests: tests/test_admin_search_export.py) ---


def search(client, user, term, model="resident", app="villages"):
    return shown(staff_client(client, user).get(url(app, model), {"q": term}))


def export_csv(client, user, app="villages", model="resident"):
    model_admin = admin.site.get_model_admin(apps.get_model(app, model))
    formats = model_admin.get_export_formats()
    csv_index = next(i for i, f in enumerate(formats) if f().get_title() == "csv")
    resource = model_admin.get_export_resource_classes(None)[0]
    prefix = resource.__name__.lower()
    data = {"format": str(csv_index), "resource": "0"}
    data.update({f"{prefix}_{name}": "on" for name in resource().get_export_order()})
    response = staff_client(client, user).post(url(app, model, "export"), data)
    assert response.status_code == 200, response.content[:500]
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


# --- Writes go through the services ---------------------------------------------------


def test_adding_online_application_in_admin_moves_the_ladder(client, official, commune, resident_a):
    data = {
        "commune": commune.pk,
        "resident": resident_a.pk,
        "field": Application.Field.JUSTICE_CIVIL_STATUS,
        "submitted_on": "2024-09-01",
        "channel": Application.Channel.ONLINE_LEVEL3,
    }

    response = staff_client(client, official).post(url("mobilization", "application", "add"), data)

    assert response.status_code == 302
    resident_a.refresh_from_db()
    assert resident_a.level34_on == DAY
    assert resident_a.online_on == DAY
    application = Application.objects.get()
    assert (application.village, application.recorded_by) == (resident_a.household.village, official)


def test_worker_logs_visit_in_admin_and_the_ladder_moves(client, worker_a, household_a, resident_a):
    worker = Worker.objects.get(user=worker_a)
    data = {
        "household": household_a.pk,
        "visited_on": "2024-09-01",
        "workers": [worker.pk],
        "outcome": HomeVisit.Outcome.DONE,
        **management("helped", total=1),
        "helped-0-resident": resident_a.pk,
        "helped-0-achievements": ["eid_activated"],
    }

    response = staff_client(client, worker_a).post(url("mobilization", "homevisit", "add"), data)

    assert response.status_code == 302
    visit = HomeVisit.objects.get()
    assert (visit.commune_id, visit.recorded_by) == (household_a.commune_id, worker_a)
    resident_a.refresh_from_db()
    assert resident_a.eid_on == DAY


def test_worker_cannot_log_visit_in_other_village(client, worker_a, household_b):
    worker = Worker.objects.get(user=worker_a)
    data = {
        "household": household_b.pk,
        "visited_on": "2024-09-01",
        "workers": [worker.pk],
        "outcome": HomeVisit.Outcome.DONE,
        **management("helped"),
    }

    response = staff_client(client, worker_a).post(url("mobilization", "homevisit", "add"), data)

    assert response.status_code == 200
    assert not HomeVisit.objects.exists()


def test_official_corrects_ladder_in_admin(client, official, resident_a):
    resident_a.eid_on = datetime.date(2024, 5, 1)
    resident_a.save()
    data = {
        "household": resident_a.household_id,
        "full_name": resident_a.full_name,
        "eid_on": "2024-06-01",
        "read_version": resident_a.version,
    }

    response = staff_client(client, official).post(url("villages", "resident", "change", resident_a.pk), data)

    assert response.status_code == 302
    resident_a.refresh_from_db()
    assert resident_a.eid_on == datetime.date(2024, 6, 1)


# --- Query counts -----------------------------------------------------------------------


def _households(n, village, commune):
    worker = factories.worker(commune)
    for _ in range(n):
        household = factories.household(village, worker_in_charge=worker)
        factories.resident(household)


def _visits(n, village, commune):
    worker = factories.worker(commune)
    for _ in range(n):
        visit = HomeVisit.objects.create(
            commune=commune, household=factories.household(village), visited_on=DAY
        )
        visit.workers.set([worker])


def _sessions(n, village, commune):
    topic = Topic.objects.create(
        commune=commune, name=f"Topic {Topic.objects.count()}", skill="online_payment"
    )
    for _ in range(n):
        TrainingSession.objects.create(commune=commune, village=village, held_on=DAY).topics.set([topic])


def _workers(n, village, commune):
    group = factories.worker_group(commune)
    for _ in range(n):
        Membership.objects.create(worker=factories.worker(commune), group=group)


def _activities(n, village, commune):
    for _ in range(n):
        CommunicationActivity.objects.create(
            commune=commune, channel="leaflet", held_on=DAY, topic="VNeID"
        ).villages.set([village])


def _applications(n, village, commune):
    for _ in range(n):
        resident = factories.resident(factories.household(village))
        Application.objects.create(
            commune=commune,
            resident=resident,
            village=village,
            field="land",
            channel="in_person",
            submitted_on=DAY,
        )


@pytest.mark.parametrize(
    "app,model,build",
    [
        ("villages", "household", _households),
        ("villages", "resident", _households),
        ("villages", "village", _households),
        ("mobilization", "homevisit", _visits),
        ("mobilization", "worker", _workers),
        ("mobilization", "workergroup", _workers),
        ("mobilization", "membership", _workers),
        ("mobilization", "communicationactivity", _activities),
        ("mobilization", "application", _applications),
        ("training", "trainingsession", _sessions),
    ],
)
def test_list_page_query_count_does_not_grow_with_rows(
    client, head_a, official, commune, village_a, app, model, build
):
    client = staff_client(client, official)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(app, model)).status_code == 200
        return len(queries)

    build(2, village_a, commune)
    with_two = count_queries()
    build(18, village_a, commune)
    with_twenty = count_queries()

    assert with_twenty == with_two


# --- More of the same rules -------------------------------------------------------------


def test_household_search_through_members_keeps_member_count(client, official, household_a):
    for name in ("Nông Văn Một", "Nông Thị Hai", "Lý Văn Ba"):
        factories.resident(household_a, full_name=name)

    rows = search(client, official, "nong", model="household")

    assert rows == [household_a]
    assert rows[0].member_count == 3


@pytest.mark.parametrize("app,model", ADMIN_MODELS)
def test_official_exports_every_model(client, official, program, app, model):
    assert len(export_csv(client, official, app, model)) >= 1


def import_csv(client, user, app, model, text):
    """Upload a CSV, then confirm the import if the dry run found no error; return the dry run."""
    model_admin = admin.site.get_model_admin(apps.get_model(app, model))
    formats = model_admin.get_import_formats()
    csv_index = next(i for i, f in enumerate(formats) if f().get_title() == "csv")
    upload = io.BytesIO(text.encode())
    upload.name = "rows.csv"
    client = staff_client(client, user)
    response = client.post(url(app, model, "import"), {"format": str(csv_index), "import_file": upload})
    assert response.status_code == 200
    result = response.context["result"]
    if "confirm_form" in response.context:
        confirm = response.context["confirm_form"]
        done = client.post(url(app, model, "process_import"), {**confirm.initial, "resource": "0"})
        assert done.status_code == 302
    return result


def test_official_imports_households_into_own_commune(client, official, village_a):
    result = import_csv(client, official, "villages", "household", f"village,code\n{village_a.pk},NK-501\n")

    assert not result.has_validation_errors()
    assert Household.objects.get(code="NK-501").village == village_a


def test_import_refuses_village_of_another_commune(client, outsider, village_a):
    result = import_csv(client, outsider, "villages", "household", f"village,code\n{village_a.pk},NK-502\n")

    assert result.has_errors() or result.has_validation_errors()
    assert not Household.objects.filter(code="NK-502").exists()


def test_imported_online_application_moves_the_ladder(client, official, commune, resident_a):
    text = (
        "commune,resident,field,channel,submitted_on\n"
        f"{commune.pk},{resident_a.pk},land,online_level4,2024-09-01\n"
    )

    result = import_csv(client, official, "mobilization", "application", text)

    assert not result.has_validation_errors()
    resident_a.refresh_from_db()
    assert resident_a.level34_on == DAY
    assert Application.objects.get().recorded_by == official


def test_resident_autocomplete_stays_in_scope(client, head_a, resident_a, resident_b):
    params = {"app_label": "mobilization", "model_name": "application", "field_name": "resident", "term": ""}

    response = staff_client(client, head_a).get(reverse("admin:autocomplete"), params)

    assert [item["id"] for item in response.json()["results"]] == [str(resident_a.pk)]


def test_superuser_grants_a_worker_role_in_admin(client, superuser, commune, village_a):
    newcomer = factories.user(username="newcomer")
    data = {"user": newcomer.pk, "commune": commune.pk, "kind": Role.Kind.WORKER, "villages": [village_a.pk]}

    response = staff_client(client, superuser).post(url("villages", "role", "add"), data)

    assert response.status_code == 302
    assert list(Role.objects.get(user=newcomer).villages.all()) == [village_a]
    assert Worker.objects.filter(user=newcomer, commune=commune).exists()  # role_grant made the worker


def test_worker_records_session_in_admin_and_the_ladder_moves(
    client, worker_a, commune, village_a, resident_a
):
    data = {
        "commune": commune.pk,
        "village": village_a.pk,
        "venue_kind": TrainingSession.VenueKind.CULTURAL_HOUSE,
        "held_on": "2024-09-01",
        **management("attendances", total=1),
        "attendances-0-resident": resident_a.pk,
        "attendances-0-achievements": ["online_service"],
    }

    response = staff_client(client, worker_a).post(url("training", "trainingsession", "add"), data)

    assert response.status_code == 302
    session = TrainingSession.objects.get()
    assert list(session.attendances.values_list("resident", flat=True)) == [resident_a.pk]
    resident_a.refresh_from_db()
    assert resident_a.online_on == DAY


def test_official_adds_help_to_existing_visit_and_the_ladder_moves(client, official, program, resident_a):
    visit = program["visit"]
    help = visit.helped.get()
    data = {
        "household": visit.household_id,
        "visited_on": "2024-09-01",
        "workers": [program["worker"].pk],
        "outcome": HomeVisit.Outcome.DONE,
        **management("helped", total=1, initial=1),
        "helped-0-id": help.pk,
        "helped-0-visit": visit.pk,
        "helped-0-resident": resident_a.pk,
        "helped-0-achievements": ["eid_activated", "application_submitted"],
    }

    response = staff_client(client, official).post(url("mobilization", "homevisit", "change", visit.pk), data)

    assert response.status_code == 302
    resident_a.refresh_from_db()
    assert resident_a.level34_on == DAY
    assert Application.objects.filter(visit=visit, resident=resident_a).count() == 1
