"""Probable duplicates within a commune and the merge of two records of one person (issue 31)."""

import datetime
import unicodedata
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mobilization.models import Application, VisitHelp, Worker
from mobilization.services import Help
from softbridge.calendar import commune_today
from tests import factories
from tests.test_reports_exact import brute_figures, periods_of
from tests.test_reports_ledger import assert_in_step
from training.models import Attendance
from villages.duplicates import BY_NAME, BY_PHONE, duplicate_group_members, duplicate_groups
from villages.models import Resident
from villages.services import residents_merge

D = datetime.date
TODAY = commune_today()


def groups_of(commune):
    """The finder's groups of the commune, as (why, sorted names of the records)."""
    found = []
    for group in duplicate_groups(Resident.objects.filter(commune=commune)):
        match = {"commune": group["commune"]}
        if group["why"] == BY_NAME:
            match |= {"search_name": group["key"], "birth_year": group["year"]}
            names = Resident.objects.filter(**match).values_list("pk", flat=True)
        else:
            names = [
                r.pk
                for r in Resident.objects.filter(**match)
                if "".join(ch for ch in r.phone if ch.isdigit()) == group["key"]
            ]
        found.append((group["why"], sorted(names)))
    return found


# --- The finder


def test_the_same_name_in_nfc_and_nfd_and_any_case_with_the_same_birth_year_is_a_probable_duplicate(
    household_a, household_b
):
    nfc = factories.resident(
        household_a, full_name=unicodedata.normalize("NFC", "Nguyễn Thị Ánh"), birth_year=1990
    )
    nfd = factories.resident(
        household_b, full_name=unicodedata.normalize("NFD", "NGUYỄN thị ánh"), birth_year=1990
    )
    assert groups_of(household_a.commune) == [(BY_NAME, sorted([nfc.pk, nfd.pk]))]


def test_a_different_birth_year_is_not_a_duplicate(household_a, household_b):
    factories.resident(household_a, full_name="Nguyễn Thị Ánh", birth_year=1990)
    factories.resident(household_b, full_name="Nguyen Thi Anh", birth_year=1991)
    assert groups_of(household_a.commune) == []


def test_an_unknown_birth_year_is_not_matched_by_the_name_alone(household_a, household_b):
    factories.resident(household_a, full_name="Nguyễn Thị Ánh", birth_year=None)
    factories.resident(household_b, full_name="Nguyen Thi Anh", birth_year=None)
    assert groups_of(household_a.commune) == []


def test_the_same_phone_written_two_ways_is_a_probable_duplicate(household_a, household_b):
    one = factories.resident(household_a, full_name="Lò Văn Páo", phone="0912 345 678")
    two = factories.resident(household_b, full_name="Lo Van Pao Senior", phone="0912.345.678")
    assert groups_of(household_a.commune) == [(BY_PHONE, sorted([one.pk, two.pk]))]


def test_two_different_id_numbers_are_two_people_not_listed(household_a, household_b):
    factories.resident(household_a, full_name="Hoàng Văn Đức", birth_year=1980, national_id="004080000001")
    factories.resident(household_b, full_name="Hoang Van Duc", birth_year=1980, national_id="004080000002")
    assert groups_of(household_a.commune) == []


def test_one_number_and_one_without_is_listed(household_a, household_b):
    one = factories.resident(
        household_a, full_name="Hoàng Văn Đức", birth_year=1980, national_id="004080000001"
    )
    two = factories.resident(household_b, full_name="Hoang Van Duc", birth_year=1980)
    assert groups_of(household_a.commune) == [(BY_NAME, sorted([one.pk, two.pk]))]


def test_records_of_two_communes_are_not_duplicates(household_a, other_commune):
    there = factories.household(factories.village(other_commune, code="X"), code="X-1")
    factories.resident(household_a, full_name="Nông Văn Dũng", birth_year=1970)
    factories.resident(there, full_name="Nông Văn Dũng", birth_year=1970)
    assert groups_of(household_a.commune) == []
    assert list(duplicate_groups(Resident.objects.all())) == []


def test_the_listed_numbers_are_shown_as_the_viewer_is_shown_them(twins, official, head_a):
    rows = list(duplicate_groups(Resident.objects.filter(commune=twins[0].commune)))
    for viewer, shown in ((official, "004190000123"), (head_a, "********0123")):
        [group] = duplicate_group_members(rows, viewer=viewer)
        assert sorted(m.shown_national_id for m in group.members) == sorted(["", shown])


# --- The merge


@pytest.fixture
def twins(household_a, household_b):
    """One person entered twice: in household A with an e-ID and a smartphone, in household B
    with an earlier e-ID, an ID number and a phone."""
    kept = factories.resident(
        household_a,
        full_name="Nông Thị Mai",
        birth_year=1990,
        smartphone_on=D(2025, 1, 10),
        eid_on=D(2025, 6, 1),
    )
    other = factories.resident(
        household_b,
        full_name="Nong Thi Mai",
        birth_year=1990,
        national_id="004190000123",
        phone="0987654321",
        eid_on=D(2025, 3, 1),
        online_on=D(2025, 4, 1),
    )
    return kept, other


def test_a_merge_keeps_the_earliest_date_of_each_step_and_fills_what_the_kept_lacks(twins, official):
    kept, other = twins
    merged = residents_merge(kept=kept, other=other, by=official)
    merged.refresh_from_db()
    assert (merged.smartphone_on, merged.eid_on, merged.online_on, merged.level34_on) == (
        D(2025, 1, 10),
        D(2025, 3, 1),
        D(2025, 4, 1),
        None,
    )
    assert (merged.national_id, merged.phone, merged.full_name) == (
        "004190000123",
        "0987654321",
        "Nông Thị Mai",
    )
    assert not Resident.objects.filter(pk=other.pk).exists()


def test_a_merge_moves_helps_attendance_and_applications_and_joins_two_helps_at_one_visit(
    household_a, official
):
    kept = factories.resident(household_a, full_name="Nông Thị Mai", birth_year=1990)
    other = factories.resident(household_a, full_name="Nong Thi Mai", birth_year=1990)
    both = factories.visit(
        household_a, helped=[Help(kept, ["smartphone"]), Help(other, ["eid_activated", "smartphone"])]
    )
    only_other = factories.visit(household_a, helped=[other])
    session = factories.session(household_a.commune, village=household_a.village)
    factories.attendance(session, other, "online_service")
    alone = factories.session(household_a.commune, village=household_a.village)
    factories.attendance(alone, kept)
    factories.attendance(alone, other, "portal_account")
    dossier = factories.application(other)

    residents_merge(kept=kept, other=other, by=official)

    assert sorted(VisitHelp.objects.values_list("visit", "resident", "achievements")) == sorted(
        [(both.pk, kept.pk, ["smartphone", "eid_activated"]), (only_other.pk, kept.pk, [])]
    )
    assert sorted(Attendance.objects.values_list("session", "resident", "achievements")) == sorted(
        [(session.pk, kept.pk, ["online_service"]), (alone.pk, kept.pk, ["portal_account"])]
    )
    assert Application.objects.get(pk=dossier.pk).resident_id == kept.pk


@pytest.mark.parametrize(
    "change",
    [
        {"national_id": "004190000999"},  # two different numbers
    ],
)
def test_a_merge_of_two_id_numbers_is_refused_and_changes_nothing(twins, official, change):
    kept, other = twins
    Resident.objects.filter(pk=kept.pk).update(**change)
    kept.refresh_from_db()
    with pytest.raises(ValidationError, match="two different ID numbers"):
        residents_merge(kept=kept, other=other, by=official)
    assert Resident.objects.filter(pk__in=[kept.pk, other.pk]).count() == 2
    assert Resident.objects.get(pk=kept.pk).eid_on == D(2025, 6, 1)


def test_a_merge_across_two_communes_is_refused(household_a, other_commune, official):
    there = factories.household(factories.village(other_commune, code="X"), code="X-1")
    kept = factories.resident(household_a, full_name="Nông Văn Dũng", birth_year=1970)
    other = factories.resident(there, full_name="Nông Văn Dũng", birth_year=1970)
    with pytest.raises(ValidationError, match="different communes"):
        residents_merge(kept=kept, other=other, by=official)
    assert Resident.objects.filter(pk=other.pk).exists()


def test_a_merge_is_in_the_audit_trail_naming_both_records_and_who(twins, official):
    kept, other = twins
    residents_merge(kept=kept, other=other, by=official)
    deleted = Resident.history.get(id=other.pk, history_type="-")
    assert deleted.history_user == official
    assert deleted.full_name == "Nong Thi Mai" and deleted.national_id == "004190000123"
    assert f"#{other.pk}" in deleted.history_change_reason and f"#{kept.pk}" in deleted.history_change_reason
    changed = Resident.history.filter(id=kept.pk).latest("history_date")
    assert changed.history_user == official and changed.history_change_reason == deleted.history_change_reason
    assert changed.eid_on == D(2025, 3, 1)


def test_the_merged_away_record_stays_on_its_household_s_history_page(client, twins, official):
    kept, other = twins
    client.force_login(official)
    assert client.post(merge_url(kept), {"other": other.pk}).status_code == 302
    page = client.get(reverse("villages:household_history", args=[other.household_id]))
    entries = [e for e in page.context["page"].object_list if e.object_type == "resident"]
    assert [(e.object_id, e.kind, e.user) for e in entries if e.kind == "-"] == [(other.pk, "-", "official")]


def test_the_reports_count_one_person_fewer_after_a_merge(twins, official, commune):
    kept, other = twins
    month = D(TODAY.year, TODAY.month, 1)
    before = brute_figures(periods_of(commune), month, commune.min_age)
    residents_merge(kept=kept, other=other, by=official)
    after = brute_figures(periods_of(commune), month, commune.min_age)
    assert after[0] == before[0] - 1  # eligible residents: one person fewer
    assert_in_step(commune)


def test_a_late_visit_naming_the_merged_away_record_helps_the_kept_one_not_a_crash(
    household_a, worker_a, official
):
    kept = factories.resident(household_a, full_name="Nông Thị Mai", birth_year=1990)
    other = factories.resident(household_a, full_name="Nong Thi Mai", birth_year=1990)
    worker = Worker.objects.get(user=worker_a)
    residents_merge(kept=kept, other=other, by=official)
    body = {
        "household": household_a.pk,
        "visited_on": str(TODAY),
        "workers": [worker.pk],
        "helped": [{"resident": other.pk, "achievements": ["eid_activated"]}],
    }
    answer = factories.api_client(worker_a).post("/api/visits/", body, format="json")
    # Was refused (400) until the merge was remembered (villages.merges): the same person's.
    assert answer.status_code == 201, answer.content
    assert list(VisitHelp.objects.values_list("resident", flat=True)) == [kept.pk]


# --- The pages


def merge_url(kept, other=None):
    url = reverse("villages:duplicate_merge", args=[kept.pk])
    return f"{url}?other={other.pk}" if other else url


def test_the_official_lists_the_groups_with_why_they_matched(client, official, twins):
    client.force_login(official)
    page = client.get(reverse("villages:duplicates"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    [group] = page.context["groups"]
    assert group.reason == "the same name without diacritics and the same birth year"
    assert {m.pk for m in group.members} == {r.pk for r in twins}
    assert b"004190000123" in page.content  # an official sees the number in full


def test_the_list_pages_the_groups(client, official, household_a):
    for n in range(30):
        factories.resident(household_a, full_name=f"Người {n}", birth_year=1950 + n)
        factories.resident(household_a, full_name=f"Nguoi {n}", birth_year=1950 + n)
    client.force_login(official)
    first = client.get(reverse("villages:duplicates"))
    second = client.get(reverse("villages:duplicates"), {"page": 2})
    assert len(first.context["groups"]) == 25 and len(second.context["groups"]) == 5


def test_the_list_costs_the_same_queries_whatever_the_groups_on_the_page(client, official, household_a):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("villages:duplicates")).status_code == 200
        return len(captured)

    client.force_login(official)
    factories.resident(household_a, full_name="Hà Văn A", birth_year=1960)
    factories.resident(household_a, full_name="Ha Van A", birth_year=1960)
    few = queries()
    for n in range(8):
        factories.resident(household_a, full_name=f"Hà Văn {n}", birth_year=1970, phone=f"09000000{n}0")
        factories.resident(household_a, full_name=f"Ha Van {n}", birth_year=1970, phone=f"09000000{n}0")
    assert queries() == few


def test_the_merge_page_without_a_pair_offers_the_record_s_probable_duplicates(client, official, twins):
    kept, other = twins
    numbered = factories.resident(
        kept.household, full_name="Nông Thị Mai", birth_year=1990, national_id="004190000777"
    )
    client.force_login(official)
    page = client.get(merge_url(other))
    # The other has an ID number: a record with another number is not offered, one without is.
    assert [r.pk for r in page.context["candidates"]] == [kept.pk]
    page = client.get(merge_url(kept))
    assert sorted(r.pk for r in page.context["candidates"]) == sorted([other.pk, numbered.pk])


def test_the_confirmation_shows_both_and_a_post_merges_once_for_a_double_tap(client, official, twins):
    kept, other = twins
    client.force_login(official)
    page = client.get(merge_url(kept, other))
    assert page.status_code == 200 and b"Nong Thi Mai" in page.content and b"004190000123" in page.content
    key = str(uuid.uuid4())
    first = client.post(merge_url(kept), {"other": other.pk, "submission_key": key})
    again = client.post(merge_url(kept), {"other": other.pk, "submission_key": key})
    assert first.status_code == 302 and again.status_code == 302
    assert again["Location"] == first["Location"]
    assert Resident.objects.filter(pk=kept.pk).exists() and not Resident.objects.filter(pk=other.pk).exists()
    assert Resident.history.filter(id=other.pk, history_type="-").count() == 1


def test_the_page_refuses_two_id_numbers_with_the_reason(client, official, twins):
    kept, other = twins
    Resident.objects.filter(pk=kept.pk).update(national_id="004190000999")
    client.force_login(official)
    answer = client.post(
        merge_url(kept), {"other": other.pk, "submission_key": str(uuid.uuid4())}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert answer.status_code == 200
    assert "two different ID numbers" in answer.context["error"]
    assert Resident.objects.filter(pk=other.pk).exists()


def test_a_bad_other_record_is_a_message_not_a_crash(client, official, twins):
    kept, _other = twins
    client.force_login(official)
    answer = client.post(merge_url(kept), {"other": "abc"})
    assert answer.status_code == 200 and answer.context["error"]
    assert client.get(merge_url(kept) + "?other=999999").status_code == 404


@pytest.mark.parametrize("who", ["worker_a", "head_a", "leader"])
def test_the_commune_s_other_roles_cannot_list_or_merge(client, request, who, twins):
    kept, other = twins
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("villages:duplicates")).status_code == 403
    assert client.get(merge_url(kept, other)).status_code == 403
    assert client.post(merge_url(kept), {"other": other.pk}).status_code == 403
    assert Resident.objects.filter(pk=other.pk).exists()


def test_another_commune_s_official_gets_404_and_sees_nothing_of_ours(client, outsider, twins):
    kept, other = twins
    client.force_login(outsider)
    assert client.post(merge_url(kept), {"other": other.pk}).status_code == 404
    listed = client.get(reverse("villages:duplicates"))
    assert listed.status_code == 200 and listed.context["groups"] == []
    assert Resident.objects.filter(pk=other.pk).exists()


def test_the_merge_page_cannot_name_a_record_of_another_commune(client, official, twins, other_commune):
    kept, _other = twins
    there = factories.household(factories.village(other_commune, code="X"), code="X-1")
    stranger = factories.resident(there, full_name="Nông Thị Mai", birth_year=1990)
    client.force_login(official)
    assert client.get(merge_url(kept, stranger)).status_code == 404
    assert client.post(merge_url(kept), {"other": stranger.pk}).status_code == 404
