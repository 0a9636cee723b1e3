"""A phone-first day (issue 17): the Today list of those who visit, the figures of those who lead,
the visit form that offers only what is left, and attendance a page at a time."""

import datetime
import uuid

import pytest
from django.urls import reverse

from mobilization.models import HomeVisit
from mobilization.selectors import Due, households_due
from reports.models import Target
from softbridge.calendar import add_months, commune_today
from tests import factories
from training.models import Attendance
from training.selectors import ATTENDANCE_PAGE_HOUSEHOLDS
from villages.models import Achievement, Resident

DAY = datetime.timedelta(days=1)


@pytest.fixture
def me(worker_a):
    return worker_a.workers.get()


@pytest.fixture
def households(village_a, me):
    """Five households of village A, each due for another reason (and one with nothing due)."""
    today = commune_today()
    made = {}
    for name in ("overdue", "this_week", "never", "short", "nothing", "later_overdue"):
        household = factories.household(village_a, code=f"NK-{name}")
        factories.resident(
            household, full_name=f"Chủ hộ {name}", relation=Resident.Relation.HEAD, birth_year=1980
        )
        made[name] = household
    factories.visit(made["overdue"], visited_on=today - 20 * DAY, workers=[me], follow_up_on=today - 10 * DAY)
    factories.visit(
        made["later_overdue"],
        visited_on=today - 9 * DAY,
        workers=[me],
        follow_up_on=today - 2 * DAY,
    )
    factories.visit(made["this_week"], visited_on=today - 2 * DAY, workers=[me], follow_up_on=today + 3 * DAY)
    factories.visit(made["short"], visited_on=today - 30 * DAY, workers=[me])
    factories.resident(made["short"], full_name="Con", birth_year=2000)  # of age, no e-ID yet
    factories.resident(made["short"], full_name="Cháu", birth_year=today.year - 5)  # too young: not counted
    # Everyone of age in "nothing" has reached e-ID and level 3/4; it was visited.
    head = made["nothing"].members.get()
    head.eid_on = head.level34_on = head.online_on = today - 40 * DAY
    head.save()
    factories.visit(made["nothing"], visited_on=today - 30 * DAY, workers=[me])
    for name in ("overdue", "this_week", "later_overdue"):
        for member in made[name].members.all():
            member.eid_on = member.level34_on = member.online_on = today - 40 * DAY
            member.save()
    return made


# --- the Today list -----


def test_today_lists_the_households_most_due_first(english_client, worker_a, households):
    english_client.force_login(worker_a)

    response = english_client.get(reverse("home"))

    listed = [h.code for h in response.context["page"].object_list]
    assert listed == [
        "NK-overdue",  # overdue the longest
        "NK-later_overdue",
        "NK-this_week",
        "NK-never",
        "NK-short",
        "NK-nothing",
    ]
    due = {h.code: h.due for h in response.context["page"].object_list}
    assert due["NK-never"] == Due.NEVER_VISITED and due["NK-nothing"] == Due.NOTHING
    # The head and the son; the grandchild is under the minimum age.
    assert {h.code: h.short for h in response.context["page"].object_list}["NK-short"] == 2
    html = response.content.decode()
    assert html.count(f'href="{reverse("visits:new")}?household=') == 6  # one "Log a visit" each
    assert "Chủ hộ overdue" in html  # the head's name


def test_a_later_visit_takes_a_household_off_its_follow_up(english_client, worker_a, households, me):
    factories.visit(households["overdue"], visited_on=commune_today(), workers=[me])
    english_client.force_login(worker_a)

    due = {h.code: h.due for h in english_client.get(reverse("home")).context["page"].object_list}

    assert due["NK-overdue"] == Due.NOTHING


def test_today_shows_only_the_users_villages(english_client, worker_a, households, household_b):
    english_client.force_login(worker_a)

    listed = [h.code for h in english_client.get(reverse("home")).context["page"].object_list]

    assert household_b.code not in listed


def test_a_village_heads_today_shows_their_villages_status_too(
    english_client, head_a, households, village_a, village_b
):
    english_client.force_login(head_a)

    response = english_client.get(reverse("home"))

    assert response.templates[0].name == "today.html"
    assert list(response.context["villages"]) == [village_a]


def test_the_today_list_costs_the_same_queries_for_more_households(
    english_client, worker_a, village_a, django_assert_max_num_queries
):
    factories.resident(factories.household(village_a, code="NK-1"))
    english_client.force_login(worker_a)
    english_client.get(reverse("home"))
    with django_assert_max_num_queries(12) as few:
        english_client.get(reverse("home"))
    for n in range(15):
        factories.resident(factories.household(village_a, code=f"NK-2{n:02}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        english_client.get(reverse("home"))


def visits_each(households, me, count: int, *, since: datetime.date) -> None:
    """`count` visits to each household, a day apart from `since`, each asking a follow-up a
    week after it (so that every one but the latest is closed by the next)."""
    for household in households:
        for n in range(count):
            day = since + n * DAY
            factories.visit(household, visited_on=day, workers=[me], follow_up_on=day + 7 * DAY)


TODAY_QUERIES = 5  # the session and user (with its roles), the list in order, its page in full


def test_the_today_list_costs_the_same_queries_at_2_and_20_visits_a_household(
    english_client, worker_a, village_a, me, django_assert_num_queries
):
    today = commune_today()
    charge = [factories.household(village_a, code=f"NK-{n}") for n in range(3)]
    visits_each(charge, me, 2, since=today - 40 * DAY)
    english_client.force_login(worker_a)

    with django_assert_num_queries(TODAY_QUERIES):
        at_2 = english_client.get(reverse("home")).context["page"].object_list
    visits_each(charge, me, 18, since=today - 30 * DAY)
    with django_assert_num_queries(TODAY_QUERIES):
        at_20 = english_client.get(reverse("home")).context["page"].object_list

    # Only the latest visit's follow-up is open: at 2 visits the one asked for 32 days ago, at
    # 20 the one asked for 6 days ago (the latest visit's, 13 days ago), both overdue.
    assert {h.due for h in at_2} == {Due.OVERDUE} and [h.follow_up_on for h in at_2] == [today - 32 * DAY] * 3
    assert {h.due for h in at_20} == {Due.OVERDUE} and [h.follow_up_on for h in at_20] == [
        today - 6 * DAY
    ] * 3


def test_the_today_list_counts_what_is_due_as_it_lists_it(worker_a, households):
    listed = list(households_due(worker_a, today=commune_today()))

    assert [h.code for h in listed if h.due == Due.OVERDUE] == ["NK-overdue", "NK-later_overdue"]


def test_an_official_opens_today_from_their_home_and_a_leader_may_not(
    english_client, official, leader, households
):
    english_client.force_login(official)
    assert f'href="{reverse("today")}"' in english_client.get(reverse("home")).content.decode()
    assert len(english_client.get(reverse("today")).context["page"].object_list) == 6
    english_client.force_login(leader)
    assert english_client.get(reverse("today")).status_code == 403


# --- the figures of those who lead -----


def test_leaders_land_on_the_shares_the_plan_and_whats_overdue(
    english_client, leader, households, commune, village_a
):
    Target.objects.create(
        commune=commune,
        village=village_a,
        indicator="eid_share",
        # Due at the start of the last complete month, the month a leader's home opens on (issue
        # 29): the plan of 100 % stands at its end.
        due_on=add_months(commune_today().replace(day=1), -1),
        value="1",
    )
    english_client.force_login(leader)

    response = english_client.get(reverse("home"))

    [figures] = response.context["communes"]
    assert [item["indicator"] for item in figures["headline"]] == [
        "eid_share",
        "online_share",
        "level34_share",
    ]
    assert [row[2] for row in figures["behind"]] == [village_a.name]
    # As the follow-ups page lists them: the two households whose follow-up day passed.
    assert figures["overdue"] == 2
    listed = english_client.get(reverse("visits:follow_ups")).context["page"].object_list
    assert len([v for v in listed if v.follow_up_on < commune_today()]) == figures["overdue"]
    html = response.content.decode()
    assert f'href="{reverse("visits:follow_ups")}"' in html and reverse("reports:dashboard") in html


# --- the visit form -----


def test_the_visit_form_offers_each_member_only_what_is_left(english_client, worker_a, household_a):
    today = commune_today()
    done = factories.resident(household_a, full_name="Đã xong", eid_on=today, smartphone_on=today)
    new = factories.resident(household_a, full_name="Chưa có gì")
    english_client.force_login(worker_a)

    form = english_client.get(reverse("visits:new"), {"household": household_a.pk}).context["form"]

    offered = {member.pk: [c.data["value"] for c in boxes] for member, boxes, _f, _c in form.member_rows}
    assert offered[new.pk] == list(Achievement.values)
    # Smartphone, VNeID, e-ID and the portal account are behind her; the rest is left.
    assert offered[done.pk] == [
        Achievement.ONLINE_SERVICE,
        Achievement.APPLICATION_SUBMITTED,
        Achievement.RESULT_BY_PHONE,
        Achievement.CASHLESS_PAYMENT,
    ]


def test_a_visit_with_nobody_at_home_records_no_achievement(
    english_client, worker_a, me, household_a, resident_a
):
    english_client.force_login(worker_a)
    data = {
        "submission_key": str(uuid.uuid4()),
        "household": household_a.pk,
        "visited_on": commune_today().isoformat(),
        "workers": [me.pk],
        "outcome": HomeVisit.Outcome.NOT_HOME,
        f"achievements_{resident_a.pk}": [Achievement.EID_ACTIVATED],
    }

    response = english_client.post(reverse("visits:new"), data)

    assert response.status_code == 200
    assert "Nobody at home" in " ".join(response.context["form"].errors["outcome"])
    assert not HomeVisit.objects.exists()


def test_a_visit_partly_done_names_the_day_to_come_back(english_client, worker_a, me, household_a):
    english_client.force_login(worker_a)
    data = {
        "submission_key": str(uuid.uuid4()),
        "household": household_a.pk,
        "visited_on": commune_today().isoformat(),
        "workers": [me.pk],
        "outcome": HomeVisit.Outcome.PARTLY_DONE,
    }

    response = english_client.post(reverse("visits:new"), data)

    assert response.context["form"].errors["follow_up_on"] == ["Partly done: give the day to come back."]
    data["follow_up_on"] = (commune_today() + 7 * DAY).isoformat()
    assert english_client.post(reverse("visits:new"), data).status_code == 302


def test_the_api_refuses_achievements_when_nobody_was_home(worker_a, me, household_a, resident_a):
    api = factories.api_client(worker_a)

    response = api.post(
        "/api/visits/",
        {
            "household": household_a.pk,
            "visited_on": commune_today().isoformat(),
            "workers": [me.pk],
            "outcome": HomeVisit.Outcome.DECLINED,
            "helped": [{"resident": resident_a.pk, "achievements": [Achievement.SMARTPHONE]}],
        },
        format="json",
    )

    assert response.status_code == 400 and "outcome" in response.json()
    assert not HomeVisit.objects.exists()


# --- attendance a page at a time -----


@pytest.fixture
def big_village(village_a):
    """Thirty households of five: three pages of attendance."""
    for n in range(30):
        household = factories.household(village_a, code=f"NK-{n:03}")
        for m in range(5):
            factories.resident(household, full_name=f"Người {n} {m}", birth_year=1990)
    return village_a


def test_a_villages_attendance_comes_a_few_households_a_page_under_60_kb(
    english_client, worker_a, big_village
):
    session = factories.session(big_village.commune, village=big_village, held_on=commune_today())
    english_client.force_login(worker_a)

    first = english_client.get(reverse("training:attendance", args=[session.pk]))
    last = english_client.get(reverse("training:attendance", args=[session.pk]), {"page": 3})

    assert first.context["page"].paginator.num_pages == 3
    assert len(first.context["village_list"]) == ATTENDANCE_PAGE_HOUSEHOLDS * 5
    assert len(first.content) < 60 * 1024 and len(last.content) < 60 * 1024
    codes = {row["resident"].household.code for row in last.context["village_list"]}
    assert codes == {f"NK-{n:03}" for n in range(20, 30)}


def test_saving_a_page_of_attendance_leaves_the_other_pages_as_they_are(
    english_client, worker_a, big_village
):
    session = factories.session(big_village.commune, village=big_village, held_on=commune_today())
    url = reverse("training:attendance", args=[session.pk])
    english_client.force_login(worker_a)
    first_page = [row["resident"].pk for row in english_client.get(url).context["village_list"]]
    second_page = [row["resident"].pk for row in english_client.get(url, {"page": 2}).context["village_list"]]

    saved = english_client.post(
        url, {"action": "save", "page": 1, "resident": first_page[:2], "next_page": 2}
    )
    # Page 2 as it opens now: nobody of page 1 is on it, so saving it cannot remove them.
    opened = english_client.get(url, {"page": 2}).context
    english_client.post(
        url, {"action": "save", "page": 2, "resident": second_page[:1], "was_present": opened["was_present"]}
    )

    assert saved.status_code == 302 and saved["Location"] == f"{url}?page=2"
    assert sorted(Attendance.objects.values_list("resident", flat=True)) == sorted(
        first_page[:2] + second_page[:1]
    )
    assert opened["was_present"] == []


def test_a_session_of_the_commune_is_one_page(english_client, official, household_a, resident_a):
    session = factories.session(
        household_a.commune, village=None, held_on=commune_today(), venue_kind="commune_office"
    )
    Attendance.objects.create(session=session, resident=resident_a)
    english_client.force_login(official)

    response = english_client.get(reverse("training:attendance", args=[session.pk]))

    assert response.context["page"] is None
    assert [row["resident"] for row in response.context["ticked"]] == [resident_a]


def test_an_attendance_record_moves_the_ladder_once_whatever_page(english_client, worker_a, big_village):
    session = factories.session(big_village.commune, village=big_village, held_on=commune_today())
    url = reverse("training:attendance", args=[session.pk])
    english_client.force_login(worker_a)
    resident = english_client.get(url, {"page": 3}).context["village_list"][0]["resident"]

    english_client.post(
        url, {"action": "save", "page": 3, "resident": [resident.pk], f"ach-{resident.pk}": ["smartphone"]}
    )

    resident.refresh_from_db()
    assert resident.smartphone_on == commune_today()
    assert Attendance.objects.get().resident == resident
