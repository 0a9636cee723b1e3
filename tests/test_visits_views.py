"""Logging a home visit in the browser, the visit list and the follow-ups."""

import datetime
import unicodedata
import uuid

import pytest
from django.db import connection
from django.templatetags.static import static
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mobilization.models import Application, HomeVisit, VisitHelp
from mobilization.services import Help
from tests import factories
from villages.access import may_log_outreach, villages_open_to_outreach
from villages.models import Achievement, Resident
from villages.selectors import households_open_to_outreach

D = datetime.date
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def me(worker_a):
    return worker_a.workers.get()


def visit_data(household, workers, **changes):
    data = {
        "submission_key": str(uuid.uuid4()),
        "household": household.pk,
        "visited_on": TODAY.isoformat(),
        "workers": [w.pk for w in workers],
        "outcome": HomeVisit.Outcome.DONE,
        "follow_up_on": "",
        "notes": "",
    }
    data.update(changes)
    return data


# --- who may log -----


def test_leader_may_not_log_a_visit(english_client, leader, household_a, resident_a, commune):
    worker = factories.worker(commune)
    english_client.force_login(leader)
    assert english_client.get(reverse("visits:new")).status_code == 403
    assert english_client.get(reverse("visits:new"), {"household": household_a.pk}).status_code == 403
    assert english_client.get(reverse("visits:household_options"), {"q": "hoa"}).status_code == 403
    assert english_client.post(reverse("visits:new"), visit_data(household_a, [worker])).status_code == 403
    assert not HomeVisit.objects.exists()
    assert english_client.get(reverse("visits:list")).status_code == 200  # but reads them


def test_worker_cannot_log_a_visit_in_another_village(english_client, worker_a, me, household_b):
    english_client.force_login(worker_a)
    assert english_client.get(reverse("visits:new"), {"household": household_b.pk}).status_code == 404
    assert english_client.get(reverse("visits:household"), {"household": household_b.pk}).status_code == 404
    assert english_client.post(reverse("visits:new"), visit_data(household_b, [me])).status_code == 404
    assert not HomeVisit.objects.exists()


def test_official_of_another_commune_gets_404(english_client, outsider, household_a, other_commune):
    factories.village(other_commune)  # they log visits there, not here
    stranger = factories.worker(other_commune)
    english_client.force_login(outsider)
    assert english_client.get(reverse("visits:new")).status_code == 200
    assert english_client.get(reverse("visits:new"), {"household": household_a.pk}).status_code == 404
    assert english_client.post(reverse("visits:new"), visit_data(household_a, [stranger])).status_code == 404
    assert not HomeVisit.objects.exists()


def test_outreach_querysets_agree_with_the_access_rules(
    official, head_a, worker_a, leader, outsider, superuser, village_a, village_b, household_a, household_b
):
    for user in (official, head_a, worker_a, leader, outsider, superuser):
        villages = set(villages_open_to_outreach(user))
        households = set(households_open_to_outreach(user))
        for village, household in ((village_a, household_a), (village_b, household_b)):
            assert (village in villages) == may_log_outreach(user, village), (user, village)
            assert (household in households) == may_log_outreach(user, village), (user, village)


# --- the form -----


def test_visit_form_defaults_to_me_today_and_a_fresh_submission_key(
    english_client, worker_a, me, commune, household_a
):
    factories.worker(commune, full_name="Lã Thị Mai")
    english_client.force_login(worker_a)
    response = english_client.get(reverse("visits:new"), {"household": household_a.pk})
    form = response.context["form"]
    assert response.status_code == 200
    assert form["workers"].value() == [me.pk]
    assert form["visited_on"].value() == TODAY
    assert uuid.UUID(str(form["submission_key"].value()))
    another = english_client.get(reverse("visits:new")).context["form"]["submission_key"].value()
    assert another != form["submission_key"].value()


def test_preselected_household_shows_its_present_members(english_client, worker_a, household_a, resident_a):
    factories.resident(household_a, full_name="Đinh Văn Lâm", left_on=D(2024, 1, 1), left_reason="died")
    english_client.force_login(worker_a)
    html = english_client.get(reverse("visits:new"), {"household": household_a.pk}).content.decode()
    assert "Nông Thị Hoa" in html and f'name="achievements_{resident_a.pk}"' in html
    assert "Đinh Văn Lâm" not in html


@pytest.mark.parametrize(
    "typed", ["nong thi", "NONG THI HOA", unicodedata.normalize("NFD", "Nông Thị"), "nk-001", "hoa"]
)
def test_household_search_as_you_type(
    english_client, worker_a, household_a, resident_a, household_b, resident_b, typed
):
    english_client.force_login(worker_a)
    response = english_client.get(reverse("visits:household_options"), {"q": typed})
    assert response.status_code == 200
    assert [h.code for h in response.context["options"]] == ["NK-001"]
    assert f"?household={household_a.pk}" in response.content.decode()


def test_household_search_offers_only_households_the_user_may_log(
    english_client, worker_a, household_a, household_b, resident_b
):
    english_client.force_login(worker_a)
    response = english_client.get(reverse("visits:household_options"), {"q": "luong van tu"})
    assert response.context["options"] == []
    assert "No household matches" in response.content.decode()


def test_household_search_works_without_javascript(english_client, worker_a, household_a, resident_a):
    english_client.force_login(worker_a)
    response = english_client.get(reverse("visits:new"), {"q": "nong thi"})
    assert [h.code for h in response.context["options"]] == ["NK-001"]
    html = response.content.decode()
    assert 'id="household-search" method="get"' in html and 'form="household-search"' in html


def test_the_picker_loads_htmx_at_the_first_focus_in_the_search_not_with_the_page(
    english_client, worker_a, household_a, resident_a
):
    """htmx (16 KB) was the visit picker's heaviest script and most of its blocking time on a slow
    phone (Lighthouse): it comes when the household search is first touched (static/js/site.js),
    and the visit form of a chosen household has no search at all."""
    english_client.force_login(worker_a)
    htmx = static("django_htmx/htmx-2.min.js")

    picker = english_client.get(reverse("visits:new")).content.decode()
    form = english_client.get(reverse("visits:new"), {"household": household_a.pk}).content.decode()

    assert f'id="visit-household" class="card" data-htmx-later="{htmx}"' in picker
    assert f'src="{htmx}"' not in picker
    assert 'hx-get="/visits/new/households/"' in picker  # the search htmx then runs
    assert "data-htmx-later" not in form and f'src="{htmx}"' not in form


def test_picking_a_household_swaps_in_its_members(english_client, worker_a, me, household_a, resident_a):
    english_client.force_login(worker_a)
    response = english_client.get(
        reverse("visits:household"), {"household": household_a.pk}, headers={"hx-request": "true"}
    )
    names = [t.name for t in response.templates]
    assert names[0] == "mobilization/visit_household.html" and "base.html" not in names
    html = response.content.decode()
    assert f'name="achievements_{resident_a.pk}"' in html and 'name="household"' in html
    assert f'value="{me.pk}"' in html and "checked" in html


# --- saving -----


def test_worker_logs_a_visit_and_the_ladder_moves(english_client, worker_a, me, household_a, resident_a):
    english_client.force_login(worker_a)
    data = visit_data(
        household_a,
        [me],
        visited_on=(TODAY - DAY).isoformat(),
        follow_up_on=(TODAY + 3 * DAY).isoformat(),
        outcome=HomeVisit.Outcome.PARTLY_DONE,
        notes="Chưa có sim chính chủ",
        **{f"achievements_{resident_a.pk}": [Achievement.EID_ACTIVATED, Achievement.VNEID_INSTALLED]},
    )
    response = english_client.post(reverse("visits:new"), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("villages:household", args=[household_a.pk])
    visit = HomeVisit.objects.get()
    assert (visit.visited_on, visit.follow_up_on, visit.outcome, visit.recorded_by) == (
        TODAY - DAY,
        TODAY + 3 * DAY,
        HomeVisit.Outcome.PARTLY_DONE,
        worker_a,
    )
    assert list(visit.workers.all()) == [me]
    assert VisitHelp.objects.get().achievements == [Achievement.EID_ACTIVATED, Achievement.VNEID_INSTALLED]
    resident_a.refresh_from_db()
    assert resident_a.eid_on == TODAY - DAY
    page = english_client.get(response["Location"])
    assert "Visit to household NK-001 logged." in page.content.decode()


def test_an_application_at_a_visit_records_its_field_and_channel(
    english_client, worker_a, me, household_a, resident_a
):
    english_client.force_login(worker_a)
    data = visit_data(
        household_a,
        [me],
        **{
            f"achievements_{resident_a.pk}": [Achievement.APPLICATION_SUBMITTED],
            f"field_{resident_a.pk}": "justice_civil_status",
            f"channel_{resident_a.pk}": "online_level4",
        },
    )
    assert english_client.post(reverse("visits:new"), data).status_code == 302
    application = Application.objects.get()
    assert (application.field, application.channel, application.helped_by) == (
        "justice_civil_status",
        "online_level4",
        me,
    )
    resident_a.refresh_from_db()
    assert resident_a.level34_on == TODAY and resident_a.online_on == TODAY


def test_members_not_helped_are_not_recorded(english_client, worker_a, me, household_a, resident_a):
    factories.resident(household_a, full_name="Nông Văn Bảo")
    english_client.force_login(worker_a)
    english_client.post(
        reverse("visits:new"),
        visit_data(household_a, [me], **{f"achievements_{resident_a.pk}": ["smartphone"]}),
    )
    assert [h.resident for h in VisitHelp.objects.all()] == [resident_a]


def test_a_double_submit_logs_one_visit(english_client, worker_a, me, household_a, resident_a):
    english_client.force_login(worker_a)
    data = visit_data(
        household_a, [me], **{f"achievements_{resident_a.pk}": [Achievement.APPLICATION_SUBMITTED]}
    )
    first = english_client.post(reverse("visits:new"), data)
    second = english_client.post(reverse("visits:new"), data)
    assert first.status_code == second.status_code == 302
    assert HomeVisit.objects.count() == 1 and Application.objects.count() == 1


def test_village_head_logs_a_visit_naming_a_worker(english_client, head_a, household_a, commune):
    worker = factories.worker(commune, full_name="Lã Thị Mai")
    english_client.force_login(head_a)
    assert english_client.post(reverse("visits:new"), visit_data(household_a, [worker])).status_code == 302
    assert HomeVisit.objects.get().household == household_a


def test_official_logs_a_visit_anywhere_in_the_commune(english_client, official, household_b, commune):
    worker = factories.worker(commune)
    english_client.force_login(official)
    assert english_client.post(reverse("visits:new"), visit_data(household_b, [worker])).status_code == 302
    visit = HomeVisit.objects.get()
    assert (visit.household, list(visit.workers.all()), visit.recorded_by) == (
        household_b,
        [worker],
        official,
    )


@pytest.mark.parametrize(
    "changes,field,message",
    [
        ({"visited_on": (TODAY + DAY).isoformat()}, "visited_on", "in the future"),
        ({"visited_on": "31/31/2024"}, "visited_on", "valid date"),
        ({"workers": []}, "workers", "at least one worker"),
        ({"follow_up_on": (TODAY - DAY).isoformat()}, "follow_up_on", "before the visit"),
        ({"household": ""}, "household", "Pick the household"),
        ({"outcome": "teleported"}, "outcome", "valid choice"),
    ],
)
def test_bad_visit_input_comes_back_next_to_the_field(
    english_client, worker_a, me, household_a, resident_a, changes, field, message
):
    english_client.force_login(worker_a)
    data = visit_data(
        household_a, [me], notes="giữ lại", **{f"achievements_{resident_a.pk}": ["eid_activated"]}
    )
    data.update(changes)
    response = english_client.post(reverse("visits:new"), data)
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    html = response.content.decode()
    assert "giữ lại" in html  # what was typed is kept
    assert not HomeVisit.objects.exists()
    resident_a.refresh_from_db()
    assert resident_a.eid_on is None


def test_a_worker_of_another_commune_cannot_be_named(english_client, official, household_a, other_commune):
    stranger = factories.worker(other_commune)
    english_client.force_login(official)
    response = english_client.post(reverse("visits:new"), visit_data(household_a, [stranger]))
    assert response.status_code == 200 and response.context["form"].errors["workers"]
    assert not HomeVisit.objects.exists()


def test_an_unknown_achievement_is_refused(english_client, worker_a, me, household_a, resident_a):
    english_client.force_login(worker_a)
    response = english_client.post(
        reverse("visits:new"), visit_data(household_a, [me], **{f"achievements_{resident_a.pk}": ["flying"]})
    )
    assert response.status_code == 200 and response.context["form"].errors[f"achievements_{resident_a.pk}"]
    assert not HomeVisit.objects.exists()


# --- the list of visits -----


def visits_listed(response):
    return [v.household.code for v in response.context["page"].object_list]


def test_visit_list_is_scoped_to_the_users_villages(
    english_client, worker_a, me, household_a, household_b, commune
):
    factories.visit(household_a, visited_on=TODAY, workers=[me])
    factories.visit(household_b, visited_on=TODAY)
    english_client.force_login(worker_a)
    assert visits_listed(english_client.get(reverse("visits:list"))) == ["NK-001"]


def test_visit_list_filters_by_village_and_month(
    english_client, official, household_a, household_b, village_b, commune
):
    worker = factories.worker(commune)
    factories.visit(household_a, visited_on=D(2024, 3, 5), workers=[worker])
    factories.visit(household_b, visited_on=D(2024, 3, 20), workers=[worker])
    factories.visit(household_b, visited_on=D(2024, 4, 1), workers=[worker])
    english_client.force_login(official)
    assert visits_listed(english_client.get(reverse("visits:list"), {"month": "2024-03"})) == [
        "BT-001",
        "NK-001",
    ]
    response = english_client.get(reverse("visits:list"), {"month": "2024-03", "village": village_b.pk})
    assert [v.visited_on for v in response.context["page"].object_list] == [D(2024, 3, 20)]


def test_a_bad_month_is_shown_and_ignored(english_client, official, household_a, commune):
    factories.visit(household_a, visited_on=TODAY)
    english_client.force_login(official)
    response = english_client.get(reverse("visits:list"), {"month": "March"})
    assert response.status_code == 200 and response.context["form"].errors["month"]
    assert visits_listed(response) == ["NK-001"]


def test_visit_list_pages(english_client, official, household_a, commune):
    worker = factories.worker(commune)
    for n in range(30):
        factories.visit(household_a, visited_on=TODAY - n * DAY, workers=[worker])
    english_client.force_login(official)
    first = english_client.get(reverse("visits:list"), {"month": ""})
    assert len(first.context["page"].object_list) == 25 and "page=2" in first.content.decode()
    assert len(english_client.get(reverse("visits:list"), {"page": 2}).context["page"].object_list) == 5


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def _log_visits(village, worker, count, follow_up_on=None):
    for _n in range(count):
        household = factories.household(village)
        head = factories.resident(household, relation=Resident.Relation.HEAD)
        factories.visit(
            household,
            visited_on=TODAY,
            workers=[worker],
            helped=[Help(head, [Achievement.EID_ACTIVATED])],
            follow_up_on=follow_up_on,
        )


def test_visit_list_query_count_does_not_grow_with_rows(english_client, official, village_a, commune):
    worker = factories.worker(commune)
    _log_visits(village_a, worker, 3)
    english_client.force_login(official)
    few = _queries(english_client, reverse("visits:list"))
    _log_visits(village_a, worker, 27)
    assert _queries(english_client, reverse("visits:list")) == few


# --- follow-ups -----


def followed(response):
    return [v.household.code for v in response.context["page"].object_list]


def test_follow_ups_lists_due_and_overdue_without_a_later_visit(english_client, official, village_a, commune):
    worker = factories.worker(commune)
    overdue, today, in_a_week, later, closed = (
        factories.household(village_a, code=c)
        for c in ("H-overdue", "H-today", "H-week", "H-later", "H-closed")
    )
    factories.visit(overdue, visited_on=TODAY - 9 * DAY, workers=[worker], follow_up_on=TODAY - 2 * DAY)
    factories.visit(today, visited_on=TODAY - DAY, workers=[worker], follow_up_on=TODAY)
    factories.visit(in_a_week, visited_on=TODAY, workers=[worker], follow_up_on=TODAY + 7 * DAY)
    factories.visit(later, visited_on=TODAY, workers=[worker], follow_up_on=TODAY + 8 * DAY)
    factories.visit(closed, visited_on=TODAY - 9 * DAY, workers=[worker], follow_up_on=TODAY - DAY)
    factories.visit(closed, visited_on=TODAY - 2 * DAY, workers=[worker])
    english_client.force_login(official)
    response = english_client.get(reverse("visits:follow_ups"))
    assert followed(response) == ["H-overdue", "H-today", "H-week"]
    html = response.content.decode()
    assert "overdue" in html and f"?household={overdue.pk}" in html


def test_worker_sees_their_own_follow_ups_and_may_see_all_in_their_villages(
    english_client, worker_a, me, village_a, village_b, commune
):
    colleague = factories.worker(commune)
    mine, in_my_charge, theirs = (
        factories.household(village_a, code=c) for c in ("NK-mine", "NK-charge", "NK-theirs")
    )
    in_my_charge.worker_in_charge = me
    in_my_charge.save()
    elsewhere = factories.household(village_b, code="BT-else")
    for household, worker in (
        (mine, me),
        (in_my_charge, colleague),
        (theirs, colleague),
        (elsewhere, colleague),
    ):
        factories.visit(household, visited_on=TODAY, workers=[worker], follow_up_on=TODAY + DAY)
    english_client.force_login(worker_a)
    assert sorted(followed(english_client.get(reverse("visits:follow_ups")))) == ["NK-charge", "NK-mine"]
    assert sorted(followed(english_client.get(reverse("visits:follow_ups"), {"all": "1"}))) == [
        "NK-charge",
        "NK-mine",
        "NK-theirs",
    ]


def test_village_head_sees_all_follow_ups_of_their_village(
    english_client, head_a, household_a, household_b, commune
):
    worker = factories.worker(commune)
    for household in (household_a, household_b):
        factories.visit(household, visited_on=TODAY, workers=[worker], follow_up_on=TODAY)
    english_client.force_login(head_a)
    assert followed(english_client.get(reverse("visits:follow_ups"))) == ["NK-001"]


def test_follow_ups_query_count_does_not_grow_with_rows(english_client, worker_a, me, village_a):
    _log_visits(village_a, me, 3, follow_up_on=TODAY)
    english_client.force_login(worker_a)
    few = _queries(english_client, reverse("visits:follow_ups"))
    _log_visits(village_a, me, 27, follow_up_on=TODAY)
    assert _queries(english_client, reverse("visits:follow_ups")) == few
    assert len(english_client.get(reverse("visits:follow_ups")).context["page"].object_list) == 25


# --- what logging a visit costs -----


def _post_visit_helping(client, me, household, residents, achievements):
    data = visit_data(household, [me], **{f"achievements_{r.pk}": achievements for r in residents})
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("visits:new"), data)
    assert response.status_code == 302
    return len(queries)


@pytest.mark.parametrize(
    ("achievement", "helped", "expected"),
    # Read or written once whatever the number of members helped: the session and user, the
    # access checks, the household with its commune (when its program started; the dossiers'
    # commune), its members and the workers, the visit with its audit row, its workers and its
    # help rows; the visit's CHECK constraints are tested without a query.
    # Per member helped (villages.services.resident_ladder_advance_many locks and saves each
    # resident once with its audit row, however many steps move): 5 queries (savepoint, locked
    # read, update, audit row, release), and a dossier is 4 more (savepoint, insert, audit row).
    # The submission key costs 4 whatever the visit (softbridge.submissions: looked up, then kept
    # with the visit in one savepoint: savepoint, insert, release).
    [
        (Achievement.EID_ACTIVATED, 0, 19),
        (Achievement.EID_ACTIVATED, 1, 19 + 1 + 5),
        (Achievement.EID_ACTIVATED, 4, 19 + 1 + 4 * 5),
        (Achievement.APPLICATION_SUBMITTED, 1, 19 + 1 + 4 + 5),
        (Achievement.APPLICATION_SUBMITTED, 4, 19 + 1 + 4 * (4 + 5)),
    ],
)
def test_logging_a_visit_reads_the_household_and_workers_once(
    english_client, worker_a, me, household_a, resident_a, achievement, helped, expected
):
    members = [resident_a, *(factories.resident(household_a, full_name=f"Nông Văn {i}") for i in range(3))]
    english_client.force_login(worker_a)
    assert _post_visit_helping(english_client, me, household_a, members[:helped], [achievement]) == expected
