"""The household pages: list, search and filters, a household's page, and the village head's updates."""

import datetime
import unicodedata

import pytest
from django.db import connection
from django.templatetags.static import static
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation

from mobilization.models import Application
from mobilization.services import Help, application_record
from softbridge.versions import StaleWrite
from tests import factories
from training.models import Attendance, TrainingSession
from villages.access import may_edit_register, may_log_outreach, villages_editable_by
from villages.models import Achievement, Household, LadderStep, Resident
from villages.services import resident_ladder_advance

D = datetime.date
TODAY = timezone.localdate()


def short_date(day: datetime.date, language: str = "en") -> str:
    with translation.override(language):
        return formats.date_format(day, "SHORT_DATE_FORMAT")


def listed(response) -> list[str]:
    return [household.code for household in response.context["page"].object_list]


def households_url(**params) -> str:
    from urllib.parse import urlencode

    return reverse("villages:households") + ("?" + urlencode(params) if params else "")


# --- who may reach what -----


def member_urls(household, member):
    return [
        reverse("villages:member_edit", args=[household.pk, member.pk]),
        reverse("villages:member_ladder", args=[household.pk, member.pk]),
        reverse("villages:member_departure", args=[household.pk, member.pk]),
    ]


def all_urls(household, member):
    return [
        reverse("villages:households"),
        reverse("villages:household_new"),
        reverse("villages:household", args=[household.pk]),
        reverse("villages:household_edit", args=[household.pk]),
        reverse("villages:member_new", args=[household.pk]),
        *member_urls(household, member),
    ]


def test_village_head_cannot_reach_another_villages_household(
    english_client, head_a, household_b, resident_b
):
    english_client.force_login(head_a)
    for url in all_urls(household_b, resident_b)[2:]:
        response = english_client.get(url)
        assert response.status_code == 404, url
        assert resident_b.full_name not in response.content.decode(), url
        assert english_client.post(url, {"phone": "0912"}).status_code == 404, url
    household_b.refresh_from_db()
    assert household_b.phone == "" and household_b.version == 1


def test_worker_and_leader_may_read_but_not_change_the_register(
    english_client, worker_a, leader, household_a, resident_a
):
    for user in (worker_a, leader):
        english_client.force_login(user)
        assert english_client.get(reverse("villages:household", args=[household_a.pk])).status_code == 200
        for url in all_urls(household_a, resident_a)[3:]:
            assert english_client.get(url).status_code == 403, (user, url)
            assert english_client.post(url, {"phone": "0912"}).status_code == 403, (user, url)
        assert english_client.get(reverse("villages:household_new")).status_code == 403
    household_a.refresh_from_db()
    assert household_a.phone == "" and household_a.version == 1


def test_a_member_of_another_household_is_not_found_through_this_one(
    english_client, official, household_a, resident_b
):
    english_client.force_login(official)
    for url in member_urls(household_a, resident_b):
        response = english_client.get(url)
        assert response.status_code == 404, url
        assert resident_b.full_name not in response.content.decode(), url


def test_register_querysets_agree_with_the_access_rules(
    english_client,
    official,
    head_a,
    worker_a,
    leader,
    outsider,
    superuser,
    village_a,
    village_b,
    household_a,
    household_b,
):
    for user in (official, head_a, worker_a, leader, outsider, superuser):
        editable = set(villages_editable_by(user))
        english_client.force_login(user)
        for village, household in ((village_a, household_a), (village_b, household_b)):
            assert (village in editable) == may_edit_register(user, village), (user, village)
            # The household's edit page is where the register is changed.
            edit_page = english_client.get(reverse("villages:household_edit", args=[household.pk]))
            assert (edit_page.status_code == 200) == may_edit_register(user, village), (user, village)
            assert may_log_outreach(user, village) or village not in editable


# --- the list: search, filters, pages -----


@pytest.fixture
def hoa(household_a, resident_a):
    resident_a.relation = Resident.Relation.HEAD
    resident_a.national_id = "004185001234"
    resident_a.phone = "0912 345 678"
    resident_a.save()
    return resident_a


def test_village_head_lists_only_their_villages_households(english_client, head_a, household_a, household_b):
    english_client.force_login(head_a)
    response = english_client.get(households_url())
    assert response.status_code == 200
    assert listed(response) == ["NK-001"]


def test_list_shows_head_members_and_ladder_counts(english_client, official, hoa, household_a):
    factories.resident(household_a, full_name="Nông Văn Bảo")
    resident_ladder_advance(resident=hoa, step=LadderStep.EID, on=D(2024, 9, 3))
    english_client.force_login(official)
    row = english_client.get(households_url()).context["page"].object_list[0]
    assert (row.head_name, row.member_count, row.eid_count, row.level34_count) == ("Nông Thị Hoa", 2, 1, 0)


@pytest.mark.parametrize(
    "typed",
    [
        "nong thi hoa",  # no diacritics
        "NÔNG THỊ",  # upper case
        unicodedata.normalize("NFD", "Nông Thị Hoa"),  # as some phones send it
        unicodedata.normalize("NFC", "thị hoa"),
        "nk-001",  # household code
        "004185001234",  # ID number, exactly
        "85001234",  # part of the ID number
        "0912345",  # phone typed without its spaces
        "0912 345 678",
    ],
)
def test_search_finds_the_household(english_client, official, hoa, household_b, resident_b, typed):
    english_client.force_login(official)
    assert listed(english_client.get(households_url(q=typed))) == ["NK-001"]


def test_search_without_match_lists_nothing_and_says_so(english_client, official, hoa):
    english_client.force_login(official)
    response = english_client.get(households_url(q="tran van"))
    assert listed(response) == []
    assert "No household matches" in response.content.decode()


def test_search_skips_members_who_left(english_client, official, hoa, household_a):
    factories.resident(household_a, full_name="Đinh Văn Lâm", left_on=D(2024, 1, 1), left_reason="moved_away")
    english_client.force_login(official)
    assert listed(english_client.get(households_url(q="dinh van lam"))) == []


def test_search_as_you_type_answers_htmx_with_the_results_only(english_client, official, hoa):
    english_client.force_login(official)
    response = english_client.get(households_url(q="hoa"), headers={"hx-request": "true"})
    names = [t.name for t in response.templates]
    assert "villages/household_results.html" in names and "base.html" not in names
    assert "NK-001" in response.content.decode()


def test_list_page_carries_the_htmx_search_and_works_as_a_plain_form(english_client, official, hoa):
    english_client.force_login(official)
    html = english_client.get(households_url()).content.decode()
    assert 'hx-get="/households/"' in html and "input changed delay:300ms" in html
    assert 'method="get" action="/households/"' in html
    # htmx comes at the first focus in the form (static/js/site.js), not with the page.
    htmx = static("django_htmx/htmx-2.min.js")
    assert f'data-htmx-later="{htmx}"' in html and f'src="{htmx}"' not in html


def test_filter_by_village(english_client, official, household_a, household_b, village_b):
    english_client.force_login(official)
    assert listed(english_client.get(households_url(village=village_b.pk))) == ["BT-001"]


def test_village_filter_offers_only_visible_villages(
    english_client, head_a, village_a, village_b, household_b
):
    english_client.force_login(head_a)
    response = english_client.get(households_url(village=village_b.pk))
    assert list(response.context["form"].fields["village"].queryset) == [village_a]
    assert listed(response) == []  # the other village's id is refused, not obeyed


def test_filter_not_visited_yet(english_client, official, household_a, household_b, commune):
    factories.visit(household_a, visited_on=TODAY)
    english_client.force_login(official)
    assert listed(english_client.get(households_url(not_visited="on"))) == ["BT-001"]


def test_filter_members_without_eid_and_not_level34(
    english_client, official, household_a, household_b, resident_a, resident_b
):
    resident_ladder_advance(resident=resident_a, step=LadderStep.EID, on=D(2024, 1, 1))
    resident_ladder_advance(resident=resident_b, step=LadderStep.LEVEL34, on=D(2024, 1, 1))
    english_client.force_login(official)
    assert listed(english_client.get(households_url(without_eid="on"))) == ["BT-001"]
    assert listed(english_client.get(households_url(not_level34="on"))) == ["NK-001"]


def test_filter_follow_up_overdue(english_client, official, commune, village_a):
    worker = factories.worker(commune)
    overdue, closed, due_later = (
        factories.household(village_a, code=c) for c in ("NK-010", "NK-011", "NK-012")
    )
    factories.visit(
        overdue,
        visited_on=TODAY - datetime.timedelta(10),
        workers=[worker],
        follow_up_on=TODAY - datetime.timedelta(1),
    )
    factories.visit(
        closed,
        visited_on=TODAY - datetime.timedelta(10),
        workers=[worker],
        follow_up_on=TODAY - datetime.timedelta(2),
    )
    factories.visit(closed, visited_on=TODAY - datetime.timedelta(1), workers=[worker])
    factories.visit(due_later, visited_on=TODAY, workers=[worker], follow_up_on=TODAY + datetime.timedelta(3))
    english_client.force_login(official)
    assert listed(english_client.get(households_url(overdue="on"))) == ["NK-010"]


def test_pages_keep_the_filters(english_client, official, village_a):
    for n in range(30):
        factories.household(village_a, code=f"NK-{n:03d}")
    english_client.force_login(official)
    first = english_client.get(households_url(q="nk"))
    assert len(listed(first)) == 25
    html = first.content.decode()
    assert "?q=nk&amp;page=2" in html
    second = english_client.get(households_url(q="nk", page=2))
    assert listed(second) == ["NK-025", "NK-026", "NK-027", "NK-028", "NK-029"]


def test_a_page_number_out_of_range_shows_the_last_page(english_client, official, household_a):
    english_client.force_login(official)
    assert listed(english_client.get(households_url(page=99))) == ["NK-001"]


def _queries_for_list(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _add_households(village, worker, count):
    for _n in range(count):
        household = factories.household(village)
        head = factories.resident(household, relation=Resident.Relation.HEAD)
        factories.resident(household)
        factories.visit(
            household,
            visited_on=TODAY,
            workers=[worker],
            helped=[Help(head, [Achievement.EID_ACTIVATED])],
        )


@pytest.mark.parametrize(
    "params", [{}, {"q": "nong", "without_eid": "on", "not_visited": "on", "overdue": "on"}]
)
def test_list_query_count_does_not_grow_with_rows(english_client, official, commune, village_a, params):
    worker = factories.worker(commune)
    _add_households(village_a, worker, 3)
    english_client.force_login(official)
    url = households_url(**params)
    few = _queries_for_list(english_client, url)
    _add_households(village_a, worker, 27)
    assert _queries_for_list(english_client, url) == few


# --- a household's page -----


def test_household_page_shows_members_ladder_visits_sessions_and_applications(
    english_client, head_a, commune, village_a, household_a, hoa
):
    worker = factories.worker(commune, full_name="Hoàng Văn Đức")
    factories.visit(
        household_a,
        visited_on=D(2024, 9, 3),
        workers=[worker],
        helped=[Help(hoa, [Achievement.EID_ACTIVATED])],
        notes="Cần quay lại",
    )
    session = TrainingSession.objects.create(commune=commune, village=village_a, held_on=D(2024, 10, 5))
    Attendance.objects.create(session=session, resident=hoa, achievements=[Achievement.ONLINE_SERVICE])
    application_record(
        commune=commune,
        resident=hoa,
        field=Application.Field.LAND,
        channel=Application.Channel.ONLINE_LEVEL4,
        submitted_on=D(2024, 11, 2),
    )
    english_client.force_login(head_a)
    response = english_client.get(reverse("villages:household", args=[household_a.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nông Thị Hoa" in html and "Hoàng Văn Đức" in html and "Cần quay lại" in html
    assert "activated the e-ID (level 2)" in html  # what she achieved at the visit
    assert "used an online public service" in html  # and at the session
    assert "land" in html and "online, level 4 (full process)" in html
    assert short_date(D(2024, 9, 3)) in html  # e-ID date on the ladder, formatted for English
    assert "004185001234" not in html and "********1234" in html  # in full only to officials


def test_household_page_formats_dates_for_vietnamese(head_a, household_a, hoa):
    resident_ladder_advance(resident=hoa, step=LadderStep.EID, on=D(2024, 9, 3))
    client = Client(headers={"accept-language": "vi"})
    client.force_login(head_a)
    html = client.get(reverse("villages:household", args=[household_a.pk])).content.decode()
    assert "03-09-2024" in html


def test_worker_sees_the_household_with_masked_ids_and_no_edit_controls(
    english_client, worker_a, household_a, hoa
):
    english_client.force_login(worker_a)
    html = english_client.get(reverse("villages:household", args=[household_a.pk])).content.decode()
    assert "004185001234" not in html and "1234" in html
    assert reverse("villages:household_edit", args=[household_a.pk]) not in html
    assert reverse("visits:new") + f"?household={household_a.pk}" in html  # but may log a visit


def test_leader_sees_no_log_a_visit_button(english_client, leader, household_a):
    english_client.force_login(leader)
    html = english_client.get(reverse("villages:household", args=[household_a.pk])).content.decode()
    assert f'href="{reverse("visits:new")}' not in html


def test_former_members_are_listed_apart(english_client, head_a, household_a):
    factories.resident(household_a, full_name="Đinh Văn Lâm", left_on=D(2024, 1, 1), left_reason="died")
    english_client.force_login(head_a)
    response = english_client.get(reverse("villages:household", args=[household_a.pk]))
    assert [m.full_name for m in response.context["former_members"]] == ["Đinh Văn Lâm"]
    assert response.context["members"] == []


# --- editing a household -----


def household_post(household, **changes):
    data = {
        "address": household.address,
        "phone": household.phone,
        "worker_in_charge": household.worker_in_charge_id or "",
        "version": household.version,
    }
    # A browser sends a ticked checkbox as "on" and leaves an unticked one out.
    for flag in ("has_smartphone", "has_internet"):
        if getattr(household, flag):
            data[flag] = "on"
    data.update(changes)
    return data


def test_village_head_edits_the_household(english_client, head_a, commune, household_a):
    worker = factories.worker(commune)
    english_client.force_login(head_a)
    url = reverse("villages:household_edit", args=[household_a.pk])
    response = english_client.post(
        url,
        household_post(household_a, phone="0912 345 678", has_smartphone="on", worker_in_charge=worker.pk),
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "villages:household", args=[household_a.pk]
    )
    household_a.refresh_from_db()
    assert (household_a.phone, household_a.has_smartphone, household_a.worker_in_charge) == (
        "0912 345 678",
        True,
        worker,
    )
    assert household_a.version == 2


def test_household_edit_refuses_a_bad_phone_next_to_the_field(english_client, head_a, household_a):
    english_client.force_login(head_a)
    response = english_client.post(
        reverse("villages:household_edit", args=[household_a.pk]),
        household_post(household_a, phone="call me"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]
    assert 'value="call me"' in response.content.decode()  # what was typed is kept
    household_a.refresh_from_db()
    assert household_a.phone == "" and household_a.version == 1


def test_worker_in_charge_must_be_of_the_commune(english_client, head_a, household_a, other_commune):
    stranger = factories.worker(other_commune)
    english_client.force_login(head_a)
    response = english_client.post(
        reverse("villages:household_edit", args=[household_a.pk]),
        household_post(household_a, worker_in_charge=stranger.pk),
    )
    assert response.status_code == 200 and response.context["form"].errors["worker_in_charge"]
    household_a.refresh_from_db()
    assert household_a.worker_in_charge is None


def test_stale_household_edit_is_refused_and_keeps_the_first_write(
    english_client, head_a, official, household_a
):
    url = reverse("villages:household_edit", args=[household_a.pk])
    first, second = Client(headers={"accept-language": "en"}), english_client
    first.force_login(official)
    second.force_login(head_a)
    read_version = first.get(url).context["form"]["version"].value()
    assert second.get(url).context["form"]["version"].value() == read_version
    assert first.post(url, household_post(household_a, phone="0911 111 111")).status_code == 302
    response = second.post(url, household_post(household_a, phone="0922 222 222", version=read_version))
    assert response.status_code == 200
    html = response.content.decode()
    assert StaleWrite(household_a).message in html  # the one message (villages.models.STALE_WRITE)
    assert "0911 111 111" in html  # the stored value is shown
    assert 'value="0922 222 222"' in html  # and what the second person typed is kept
    household_a.refresh_from_db()
    assert household_a.phone == "0911 111 111"
    # Saving again, now knowingly, goes through.
    assert second.post(url, household_post(household_a, phone="0922 222 222")).status_code == 302


# --- creating a household -----


def test_official_adds_a_household(english_client, official, village_b):
    english_client.force_login(official)
    response = english_client.post(
        reverse("villages:household_new"),
        {"village": village_b.pk, "code": " BT-002 ", "address": "Bản Thang"},
    )
    created = Household.objects.get(code="BT-002")
    assert response["Location"] == reverse("villages:household", args=[created.pk])
    assert created.commune == village_b.commune


def test_village_head_adds_a_household_only_in_their_village(english_client, head_a, village_a, village_b):
    english_client.force_login(head_a)
    response = english_client.get(reverse("villages:household_new"))
    assert list(response.context["form"].fields["village"].queryset) == [village_a]
    response = english_client.post(
        reverse("villages:household_new"), {"village": village_b.pk, "code": "BT-009"}
    )
    assert response.status_code == 200 and response.context["form"].errors["village"]
    assert not Household.objects.filter(code="BT-009").exists()


def test_household_code_must_be_new_in_the_commune(english_client, official, household_a, village_b):
    english_client.force_login(official)
    response = english_client.post(
        reverse("villages:household_new"), {"village": village_b.pk, "code": "NK-001"}
    )
    assert response.status_code == 200
    assert "already has this code" in str(response.context["form"].errors["code"])
    assert Household.objects.count() == 1


# --- members -----


def member_post(member=None, **changes):
    data = {
        "full_name": "Nông Văn Bảo",
        "sex": "M",
        "birth_year": "1990",
        "national_id": "",
        "phone": "",
        "relation": "spouse",
        "moved_in_on": "",
    }
    if member is not None:
        data.update(
            full_name=member.full_name,
            sex=member.sex,
            birth_year=member.birth_year or "",
            national_id=member.national_id,
            phone=member.phone,
            relation=member.relation,
            version=member.version,
        )
    data.update(changes)
    return data


def test_village_head_adds_a_member(english_client, head_a, household_a):
    english_client.force_login(head_a)
    response = english_client.post(
        reverse("villages:member_new", args=[household_a.pk]), member_post(national_id="004190001111")
    )
    assert response.status_code == 302
    member = household_a.members.get()
    assert (member.full_name, member.birth_year, member.national_id, member.commune_id) == (
        "Nông Văn Bảo",
        1990,
        "004190001111",
        household_a.commune_id,
    )


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("national_id", "12345", "exactly 12 digits"),
        ("birth_year", str(TODAY.year + 1), "in the future"),
        ("full_name", "   ", "required"),
        ("phone", "phone me", "only digits"),
        ("moved_in_on", (TODAY + datetime.timedelta(days=3)).isoformat(), "in the future"),
    ],
)
def test_bad_member_input_comes_back_next_to_the_field(
    english_client, head_a, household_a, field, value, message
):
    english_client.force_login(head_a)
    response = english_client.post(
        reverse("villages:member_new", args=[household_a.pk]), member_post(**{field: value})
    )
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not household_a.members.exists()


def test_an_id_number_is_unique_in_the_commune(english_client, official, household_a, resident_b):
    resident_b.national_id = "004179009999"
    resident_b.save()
    english_client.force_login(official)
    response = english_client.post(
        reverse("villages:member_new", args=[household_a.pk]), member_post(national_id="0041 7900 9999")
    )
    assert "already has this ID number" in str(response.context["form"].errors["national_id"])
    assert not household_a.members.exists()


def test_village_head_edits_a_member(english_client, head_a, household_a, resident_a):
    english_client.force_login(head_a)
    url = reverse("villages:member_edit", args=[household_a.pk, resident_a.pk])
    response = english_client.post(url, member_post(resident_a, phone="0987 654 321", relation="head"))
    assert response.status_code == 302
    resident_a.refresh_from_db()
    assert (resident_a.phone, resident_a.relation, resident_a.version) == ("0987 654 321", "head", 2)


def test_stale_member_edit_is_refused(english_client, head_a, official, household_a, resident_a):
    url = reverse("villages:member_edit", args=[household_a.pk, resident_a.pk])
    first = Client(headers={"accept-language": "en"})
    first.force_login(official)
    english_client.force_login(head_a)
    stale = member_post(resident_a, phone="0922 222 222")
    assert first.post(url, member_post(resident_a, phone="0911 111 111")).status_code == 302
    response = english_client.post(url, stale)
    assert response.status_code == 200
    assert StaleWrite(resident_a).message in response.content.decode()
    assert response.context["form"]["version"].value() == "2"
    resident_a.refresh_from_db()
    assert resident_a.phone == "0911 111 111"


def test_member_edit_without_version_is_refused(english_client, head_a, household_a, resident_a):
    english_client.force_login(head_a)
    data = member_post(resident_a, phone="0911")
    del data["version"]
    response = english_client.post(
        reverse("villages:member_edit", args=[household_a.pk, resident_a.pk]), data
    )
    assert response.status_code == 200 and response.context["form"].errors["version"]


# --- the ladder tick -----


def test_village_head_ticks_a_ladder_step_with_todays_date_by_default(
    english_client, head_a, household_a, resident_a
):
    english_client.force_login(head_a)
    page = english_client.get(reverse("villages:household", args=[household_a.pk])).content.decode()
    assert f'value="{TODAY.isoformat()}"' in page
    url = reverse("villages:member_ladder", args=[household_a.pk, resident_a.pk])
    response = english_client.post(url, {"step": "eid", "on": TODAY.isoformat()})
    assert response.status_code == 302 and response["Location"].endswith(f"#member-{resident_a.pk}")
    resident_a.refresh_from_db()
    assert resident_a.eid_on == TODAY


def test_ladder_tick_with_htmx_returns_the_member_card(english_client, head_a, household_a, resident_a):
    english_client.force_login(head_a)
    url = reverse("villages:member_ladder", args=[household_a.pk, resident_a.pk])
    response = english_client.post(
        url, {"step": "level34", "on": "2024-05-06"}, headers={"hx-request": "true"}
    )
    assert response.status_code == 200
    assert [t.name for t in response.templates] == ["villages/member_card.html"]
    assert short_date(D(2024, 5, 6)) in response.content.decode()
    resident_a.refresh_from_db()
    assert (resident_a.level34_on, resident_a.online_on) == (D(2024, 5, 6), D(2024, 5, 6))


def test_ticking_a_step_with_a_later_date_keeps_the_earliest(english_client, head_a, household_a, resident_a):
    resident_ladder_advance(resident=resident_a, step=LadderStep.SMARTPHONE, on=D(2024, 1, 1))
    english_client.force_login(head_a)
    response = english_client.post(
        reverse("villages:member_ladder", args=[household_a.pk, resident_a.pk]),
        {"step": "smartphone", "on": "2024-03-01"},
        follow=True,
    )
    resident_a.refresh_from_db()
    assert resident_a.smartphone_on == D(2024, 1, 1)  # a tick never moves a date later
    assert "the earliest date stays" in response.content.decode()


def test_a_later_online_tick_leaves_the_ladder_whole(english_client, head_a, household_a, resident_a):
    resident_ladder_advance(resident=resident_a, step=LadderStep.LEVEL34, on=D(2024, 1, 1))
    english_client.force_login(head_a)
    url = reverse("villages:member_ladder", args=[household_a.pk, resident_a.pk])
    response = english_client.post(
        url, {"step": "online", "on": "2024-06-01"}, headers={"hx-request": "true"}
    )
    assert response.status_code == 200
    assert "the earliest date stays" in response.content.decode()
    resident_a.refresh_from_db()
    assert resident_a.online_on == D(2024, 1, 1)


@pytest.mark.parametrize(
    "data",
    [
        {"step": "eid", "on": (TODAY + datetime.timedelta(days=1)).isoformat()},
        {"step": "eid", "on": "not a date"},
        {"step": "wings", "on": "2024-01-01"},
        {"on": "2024-01-01"},
    ],
)
def test_bad_ladder_input_is_shown_and_nothing_changes(english_client, head_a, household_a, resident_a, data):
    english_client.force_login(head_a)
    url = reverse("villages:member_ladder", args=[household_a.pk, resident_a.pk])
    response = english_client.post(url, data)
    assert response.status_code == 200 and response.context["form"].errors
    assert 'class="errorlist"' in response.content.decode()
    resident_a.refresh_from_db()
    assert resident_a.ladder == Resident(full_name="x").ladder


# --- departures -----


def test_village_head_records_a_move_away(english_client, head_a, household_a, resident_a):
    english_client.force_login(head_a)
    url = reverse("villages:member_departure", args=[household_a.pk, resident_a.pk])
    assert english_client.get(url).status_code == 200  # the confirmation page
    response = english_client.post(url, {"reason": "moved_away", "on": "2025-02-01"})
    assert response.status_code == 302
    resident_a.refresh_from_db()
    assert (resident_a.left_on, resident_a.left_reason) == (D(2025, 2, 1), "moved_away")
    assert english_client.get(url).status_code == 404  # no longer a member to edit


def test_departure_before_moving_in_is_refused(english_client, head_a, household_a, resident_a):
    resident_a.moved_in_on = D(2025, 1, 1)
    resident_a.save()
    english_client.force_login(head_a)
    response = english_client.post(
        reverse("villages:member_departure", args=[household_a.pk, resident_a.pk]),
        {"reason": "died", "on": "2024-12-01"},
    )
    assert response.status_code == 200
    assert "before the moving-in date" in str(response.context["form"].errors)
    resident_a.refresh_from_db()
    assert resident_a.left_on is None


@pytest.mark.parametrize(
    "data", [{"reason": "died", "on": (TODAY + datetime.timedelta(days=1)).isoformat()}, {"on": "2024-01-01"}]
)
def test_bad_departure_input_changes_nothing(english_client, head_a, household_a, resident_a, data):
    english_client.force_login(head_a)
    response = english_client.post(
        reverse("villages:member_departure", args=[household_a.pk, resident_a.pk]), data
    )
    assert response.status_code == 200 and response.context["form"].errors
    resident_a.refresh_from_db()
    assert resident_a.left_on is None


def test_official_sees_id_numbers_in_full(english_client, official, household_a, hoa):
    english_client.force_login(official)
    html = english_client.get(reverse("villages:household", args=[household_a.pk])).content.decode()
    assert "004185001234" in html
