"""Rules that pages, reports and the API once stated each their own way, now one method each.

- A worker counts for a group from the day they joined to the day before they left
  (mobilization.models.MembershipQuerySet.active_on): the group page and the reports agree
  on a visit made on the leaving day (it counts for neither).
- A member "short of an e-ID" (or of level 3/4) is present and of the commune's minimum age
  (villages.models.short_of_eid_q): the household list's filter, the API's and Today agree
  on a child below that age (short of nothing).
- The online channels of an application are one list (mobilization.models.ONLINE_CHANNELS),
  which the forms, the API, its schema and the dossier counts read.
- A follow-up is overdue when it is dated before today (mobilization.selectors.follow_up_overdue_q):
  Today, the household filters, the API, the follow-ups page and the reports agree on one dated today.
- A village or a group of another commune is refused with one message, the model's
  (Village.other_commune_refusal, WorkerGroup.other_commune_refusal), written once.
- Every label and note naming the reach window says reports.selectors.helped.REACH_WINDOW_DAYS.
- The adoption measures are one list (reports.ledger.MEASURES).
- A level 3/4 use is an online use (villages.models.online_from): the services, the roster
  import and the reports read it there.
"""

import dataclasses
import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator

from frontdoor import model_pages
from mobilization.forms import VisitForm
from mobilization.models import ONLINE_CHANNELS, Application, Membership, MobilizationModel, WorkerGroup
from mobilization.selectors import Due, households_due
from mobilization.serializers import HelpSerializer
from mobilization.services import Help, communication_record, visit_log
from reports import ledger, province_tables, tables
from reports.selectors import adoption, helped
from reports.selectors.activity import activity_series
from reports.selectors.adoption import adoption_breakdowns
from reports.selectors.dossiers import _dossier_counts
from reports.selectors.helped import group_help
from softbridge.calendar import commune_today
from tests import factories
from villages.models import Achievement, LadderStep, Resident, Village, online_from
from villages.services import resident_ladder_advance, resident_ladder_correct

# --- A worker's group, on the day they left it


@pytest.fixture
def left_today(commune, village_a):
    """A worker who left their group on `left_on`, with a visit the day before and one that day."""
    left_on = commune_today() - datetime.timedelta(days=3)
    group = factories.worker_group(commune)
    worker = factories.worker(commune)
    Membership.objects.create(
        worker=worker, group=group, joined_on=left_on - datetime.timedelta(days=20), left_on=left_on
    )
    for day, code in ((left_on - datetime.timedelta(days=1), "NK-before"), (left_on, "NK-leaving-day")):
        household = factories.household(village_a, code=code)
        member = factories.resident(household, birth_year=1980)
        visit_log(
            household=household,
            visited_on=day,
            workers=[worker],
            helped=[Help(resident=member, achievements=[Achievement.SMARTPHONE])],
        )
    return group, left_on


def test_a_membership_counts_from_joining_to_the_day_before_leaving(left_today):
    group, left_on = left_today
    membership = group.memberships.get()
    active = Membership.objects.filter(pk=membership.pk)
    assert active.active_on(membership.joined_on).exists()
    assert active.active_on(left_on - datetime.timedelta(days=1)).exists()
    assert not active.active_on(left_on).exists()
    assert not active.active_on(membership.joined_on - datetime.timedelta(days=1)).exists()


def test_the_group_page_counts_no_visit_of_the_leaving_day(client, official, left_today):
    group, _ = left_today
    client.force_login(official)
    totals = client.get(reverse("program:group", args=[group.pk])).context["totals"]
    assert totals["visits"] == 1
    assert totals["households"] == 1
    assert totals["residents"] == 1


def test_the_group_list_and_the_api_count_members_as_the_group_page_does(client, official, commune):
    """Members today are memberships active today (active_on): one who leaves tomorrow still is,
    one who left today no longer is (the list counted only those with no leaving date)."""
    today = commune_today()
    group = factories.worker_group(commune)
    Membership.objects.create(
        worker=factories.worker(commune), group=group, joined_on=today - datetime.timedelta(days=9)
    )
    for left in (today, today + datetime.timedelta(days=1)):
        Membership.objects.create(
            worker=factories.worker(commune),
            group=group,
            joined_on=today - datetime.timedelta(days=9),
            left_on=left,
        )
    expected = Membership.objects.filter(group=group).active_on(today).count()
    assert expected == 2
    client.force_login(official)
    listed = client.get(reverse("program:groups")).context["page"].object_list
    assert [g.member_count for g in listed if g.pk == group.pk] == [expected]
    api = factories.api_client(official).get(f"/api/worker-groups/{group.pk}/")
    assert api.json()["member_count"] == expected


def test_the_reports_count_no_help_of_the_leaving_day(commune, left_today):
    group, left_on = left_today
    [figures] = [
        g
        for g in group_help(commune=commune, start=left_on - datetime.timedelta(days=40), end=left_on)
        if g.group == group
    ]
    assert figures.helped == 1


# --- Members short of an e-ID


@pytest.fixture
def households_short(village_a):
    """A household whose only member without e-ID is a child, one with an adult without e-ID,
    one whose member has no birth year (counted, as in the figures)."""
    year = commune_today().year
    child_only = factories.household(village_a, code="NK-child")
    factories.resident(child_only, birth_year=year - 5)
    factories.resident(child_only, birth_year=1980, eid_on=datetime.date(2024, 5, 1), level34_on=None)
    adult = factories.household(village_a, code="NK-adult")
    factories.resident(adult, birth_year=1980)
    unknown = factories.household(village_a, code="NK-unknown")
    factories.resident(unknown, birth_year=None)
    return {"NK-adult", "NK-unknown"}


def test_the_household_list_filter_leaves_out_a_child_below_the_minimum_age(
    client, official, households_short
):
    client.force_login(official)
    page = client.get(reverse("villages:households"), {"without_eid": "on"}).context["page"]
    assert {h.code for h in page.object_list} == households_short


def test_the_api_filter_leaves_out_a_child_below_the_minimum_age(official, households_short):
    response = factories.api_client(official).get("/api/households/", {"without_eid": "true"})
    assert {row["code"] for row in response.json()["results"]} == households_short
    response = factories.api_client(official).get("/api/households/", {"without_eid": "false"})
    assert {row["code"] for row in response.json()["results"]} == {"NK-child"}


def test_today_counts_the_same_members_short(worker_a, households_short):
    short = {h.code: h.short for h in households_due(worker_a, today=commune_today())}
    # The child's household: its adult has an e-ID but is not yet level 3/4.
    assert short == {"NK-child": 1, "NK-adult": 1, "NK-unknown": 1}


def test_the_not_level34_filters_count_as_today_does(client, official, households_short):
    year = commune_today().year
    done = factories.household(Resident.objects.get(birth_year=1980, eid_on__isnull=True).household.village)
    factories.resident(done, birth_year=year - 3)  # a child: not counted short of level 3/4
    client.force_login(official)
    page = client.get(reverse("villages:households"), {"not_level34": "on"}).context["page"]
    listed = {h.code for h in page.object_list}
    response = factories.api_client(official).get("/api/households/", {"not_level34": "true"})
    assert listed == {row["code"] for row in response.json()["results"]} == {"NK-child", *households_short}


# --- Which channels are online: mobilization.models.ONLINE_CHANNELS


def test_every_surface_offers_and_counts_the_same_online_channels(official, commune, household_a, resident_a):
    online = {channel.value for channel in ONLINE_CHANNELS}
    # The rule itself: every channel but the one-stop office's counter.
    assert online == set(Application.Channel.values) - {Application.Channel.IN_PERSON}

    form = VisitForm(user=official, household=household_a, initial={"household": household_a.pk})
    assert {value for value, _ in form.fields[f"channel_{resident_a.pk}"].choices} == online
    assert set(HelpSerializer().fields["application_channel"].choices) == online
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert set(schema["components"]["schemas"]["OnlineApplicationChannelEnum"]["enum"]) == online

    for channel in Application.Channel.values:
        Application.objects.create(
            commune=commune,
            channel=channel,
            field=Application.Field.OTHER,
            submitted_on=datetime.date(2025, 3, 4),
        )
    assert Application.objects.aggregate(**_dossier_counts())["online"] == len(online)


# --- Overdue: a follow-up dated before today (mobilization.selectors.follow_up_overdue_q)


@pytest.fixture
def follow_ups(village_a, worker_a):
    """Two households visited a week ago: one to come back yesterday, one to come back today."""
    today = commune_today()
    worker = worker_a.workers.get()
    for code, day in (("NK-yesterday", today - datetime.timedelta(days=1)), ("NK-today", today)):
        household = factories.household(village_a, code=code)
        factories.resident(household, birth_year=1980, eid_on=today, level34_on=today, online_on=today)
        visit_log(
            household=household,
            visited_on=today - datetime.timedelta(days=7),
            workers=[worker],
            outcome="partly_done",
            follow_up_on=day,
        )
    return today


def test_overdue_means_dated_before_today_on_every_surface(client, official, worker_a, commune, follow_ups):
    today = follow_ups
    due = {h.code: h.due for h in households_due(worker_a, today=today)}
    assert due == {"NK-yesterday": Due.OVERDUE, "NK-today": Due.THIS_WEEK}

    client.force_login(official)
    page = client.get(reverse("villages:households"), {"overdue": "on"}).context["page"]
    assert [h.code for h in page.object_list] == ["NK-yesterday"]
    response = factories.api_client(official).get("/api/households/", {"overdue": "true"})
    assert [row["code"] for row in response.json()["results"]] == ["NK-yesterday"]

    listed = client.get(reverse("visits:follow_ups")).context["page"].object_list
    assert {v.household.code: v.overdue for v in listed} == {"NK-yesterday": True, "NK-today": False}

    [month] = activity_series(commune=commune, start=today, end=today, today=today)
    assert month.overdue == 1


# --- One refusal of a village or a group of another commune


SOURCES = [
    path
    for top in ("villages", "mobilization", "training", "reports", "softbridge", "frontdoor")
    for path in (Path(__file__).resolve().parent.parent / top).rglob("*.py")
    if "migrations" not in path.parts
]


@pytest.mark.parametrize(
    "refusal", [Village.other_commune_refusal, WorkerGroup.other_commune_refusal], ids=["village", "group"]
)
def test_each_refusal_of_another_communes_record_is_written_once(refusal):
    message = f'"{refusal}"'  # in English, the catalogue's msgid
    assert sum(path.read_text().count(message) for path in SOURCES) == 1


def test_the_api_and_the_service_refuse_another_communes_records_alike(superuser, village_a, other_commune):
    # A superuser sees both communes: for anyone else the group is not even a choice.
    group = factories.worker_group(other_commune)
    body = {"channel": "loudspeaker", "held_on": "2025-03-04", "villages": [village_a.pk], "topic": "VNeID"}
    response = factories.api_client(superuser).post(
        "/api/communications/", {**body, "group": group.pk}, format="json"
    )
    assert response.json() == {"group": [str(WorkerGroup.other_commune_refusal)]}
    with pytest.raises(ValidationError) as refused:
        communication_record(
            commune_id=village_a.commune_id,
            channel="loudspeaker",
            held_on=datetime.date(2025, 3, 4),
            villages=[village_a, factories.village(other_commune)],
            topic="VNeID",
            group=group,
        )
    assert refused.value.message_dict == {
        "villages": [str(Village.other_commune_refusal)],
        "group": [str(WorkerGroup.other_commune_refusal)],
    }


# --- The reach window's number: reports.selectors.helped.REACH_WINDOW_DAYS


def test_every_label_of_the_reach_window_says_its_number(monkeypatch):
    labels = [
        helped.REACHED_WITHIN_WINDOW,
        province_tables.MODEL_COLUMNS[2].label,
        province_tables.MODEL_COLUMNS[5].label,
        province_tables.MODEL_NOTE,
        tables.GROUP_NOTE,
        model_pages.MONTH_COLUMNS[9],
    ]
    assert all("30 days" in str(label) for label in labels)
    monkeypatch.setattr(helped, "REACH_WINDOW_DAYS", 45)
    assert all("45 days" in str(label) and "30" not in str(label) for label in labels)
    with translation.override("vi"):
        assert str(helped.REACHED_WITHIN_WINDOW) == "Nộp hồ sơ mức 3/4 trong 45 ngày"


def test_no_page_writes_the_window_by_hand():
    root = Path(__file__).resolve().parent.parent
    sources = [*SOURCES, *(root / "templates").rglob("*.html")]
    assert [path.name for path in sources if "30 days" in path.read_text()] == []


def test_the_model_page_names_the_window(client, official, commune, village_a):
    group = factories.worker_group(commune)
    model = MobilizationModel.objects.create(
        commune=commune,
        name="Mô hình",
        field="online_public_services",
        owner=group,
        started_on=datetime.date(2024, 1, 1),
    )
    model.villages.set([village_a])
    client.force_login(official)
    page = client.get(reverse("program:model", args=[model.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Reached level 3/4 within {helped.REACH_WINDOW_DAYS} days" in page


# --- The adoption measures: reports.ledger.MEASURES


def test_the_ledger_and_the_figures_read_one_list_of_measures():
    assert adoption.MEASURES is ledger.MEASURES
    # A month's figures hold each measure, in the ledger's order, after the month.
    assert tuple(field.name for field in dataclasses.fields(adoption.MonthFigures))[1:] == ledger.MEASURES


# --- A level 3/4 use is an online use: villages.models.online_from


def test_a_level34_use_counts_as_an_online_use_everywhere(commune, village_a):
    day = datetime.date(2025, 3, 4)
    assert online_from(None, day) == day
    assert online_from(day + datetime.timedelta(days=9), day) == day
    assert online_from(day - datetime.timedelta(days=9), day) == day - datetime.timedelta(days=9)
    assert online_from(day, None) == day

    household = factories.household(village_a)
    advanced = resident_ladder_advance(
        resident=factories.resident(household, birth_year=1980), step=LadderStep.LEVEL34, on=day
    )
    assert Resident.objects.get(pk=advanced.pk).online_on == day
    corrected = factories.resident(household, birth_year=1980, online_on=day, level34_on=day)
    resident_ladder_correct(resident=corrected, step=LadderStep.LEVEL34, on=day - datetime.timedelta(days=2))
    assert Resident.objects.get(pk=corrected.pk).online_on == day - datetime.timedelta(days=2)
    with pytest.raises(ValidationError):
        resident_ladder_correct(resident=corrected, step=LadderStep.ONLINE, on=day)

    figures = adoption_breakdowns(commune=commune, month=day)["sex"]
    assert sum(b.figures.online for b in figures) == sum(b.figures.level34 for b in figures) == 2
