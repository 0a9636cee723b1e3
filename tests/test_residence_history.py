"""Residence history (issue 16): a resident counts in the village they lived in at the end of
the month, the commune counts each person once, and their ladder travels with them.

Each case records moves through villages.services and checks the figures twice: against
numbers worked out by hand here, and against the brute force over residence periods of
tests.test_reports_exact (periods_of), for every village and the commune, every month from
2017 to 2027 (tests.test_reports_ledger.assert_in_step).
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.selectors.adoption import adoption_breakdowns, adoption_series
from softbridge.calendar import commune_today
from tests import factories
from tests.test_reports_ledger import assert_in_step
from villages.models import Household, PastStay, Resident
from villages.services import (
    household_head_change,
    household_split,
    resident_departure_record,
    resident_ladder_advance,
    resident_move,
)

D = datetime.date


FIRST, LAST = D(2024, 11, 1), D(2025, 10, 1)


def counts(commune, village=None, start=FIRST, end=LAST, measure="eligible"):
    """{month: count} of a village (or the commune) from the reports' series."""
    figures = adoption_series(commune=commune, start=start, end=end, village=village)
    return {f.month: getattr(f, measure) for f in figures}


def at(series: dict, *months: D) -> list[int]:
    return [series[m] for m in months]


@pytest.fixture
def two(commune, village_a, village_b):
    """Hoa, alone in a household of village A, and Tú, alone in one of village B."""
    hoa = factories.resident(factories.household(village_a), full_name="Nông Thị Hoa", birth_year=1980)
    tu = factories.resident(factories.household(village_b), full_name="Lương Văn Tú", birth_year=1979)
    return hoa, tu


def test_a_move_on_the_last_day_of_a_month_counts_in_the_new_village_that_month(
    commune, village_a, village_b, two
):
    hoa, tu = two
    resident_move(resident=hoa, household=tu.household, on=D(2025, 1, 31))

    a, b, whole = counts(commune, village_a), counts(commune, village_b), counts(commune)
    assert at(a, D(2024, 12, 1), D(2025, 1, 1), D(2025, 2, 1)) == [1, 0, 0]
    assert at(b, D(2024, 12, 1), D(2025, 1, 1), D(2025, 2, 1)) == [1, 2, 2]
    assert at(whole, D(2024, 12, 1), D(2025, 1, 1), D(2025, 2, 1)) == [2, 2, 2]
    assert_in_step(commune)


def test_a_move_on_the_first_day_of_a_month_counts_in_the_old_village_the_month_before(
    commune, village_a, village_b, two
):
    hoa, tu = two
    resident_move(resident=hoa, household=tu.household, on=D(2025, 2, 1))

    a, b = counts(commune, village_a), counts(commune, village_b)
    assert at(a, D(2025, 1, 1), D(2025, 2, 1)) == [1, 0]
    assert at(b, D(2025, 1, 1), D(2025, 2, 1)) == [1, 2]
    assert set(counts(commune).values()) == {2}
    assert_in_step(commune)


def test_the_ladder_travels_with_the_person(commune, village_a, village_b, two):
    """An e-ID before the move counts in the old village until the move and in the new one
    after; level 3/4 reached after the move counts only in the new village."""
    hoa, tu = two
    resident_ladder_advance(resident=hoa, step="eid", on=D(2024, 6, 10))
    resident_move(resident=hoa, household=tu.household, on=D(2025, 3, 15))
    resident_ladder_advance(resident=Resident.objects.get(pk=hoa.pk), step="level34", on=D(2025, 5, 1))

    eid_a, eid_b = counts(commune, village_a, measure="eid"), counts(commune, village_b, measure="eid")
    assert at(eid_a, D(2025, 2, 1), D(2025, 3, 1)) == [1, 0]
    assert at(eid_b, D(2025, 2, 1), D(2025, 3, 1)) == [0, 1]
    l34_a, l34_b = (
        counts(commune, village_a, measure="level34"),
        counts(commune, village_b, measure="level34"),
    )
    assert set(l34_a.values()) == {0}
    assert at(l34_b, D(2025, 4, 1), D(2025, 5, 1)) == [0, 1]
    assert at(counts(commune, measure="eid"), D(2024, 11, 1), D(2025, 10, 1)) == [1, 1]
    assert_in_step(commune)


def test_a_past_month_is_unchanged_by_a_later_move(commune, village_a, village_b, two):
    hoa, tu = two
    before = (counts(commune, village_a), counts(commune, village_b), counts(commune))
    resident_move(resident=hoa, household=tu.household, on=D(2025, 6, 20))
    after = (counts(commune, village_a), counts(commune, village_b), counts(commune))
    for old, new in zip(before, after, strict=True):
        assert {m: n for m, n in old.items() if m < D(2025, 6, 1)} == {
            m: n for m, n in new.items() if m < D(2025, 6, 1)
        }
    assert after[0][D(2025, 6, 1)] == 0 and after[1][D(2025, 6, 1)] == 2


def test_a_split_moves_several_members_and_names_the_new_head(commune, village_a, village_b):
    old = factories.household(village_a, code="NK-010")
    grandfather = factories.resident(old, full_name="Hà Văn Ông", birth_year=1950, relation="head")
    factories.resident(old, full_name="Hà Thị Bà", birth_year=1952, relation="spouse")
    son = factories.resident(old, full_name="Hà Văn Con", birth_year=1985, relation="child")
    wife = factories.resident(old, full_name="Lò Thị Dâu", birth_year=1988, relation="other")

    new = household_split(
        household=old,
        members=[son, wife],
        head=son,
        on=D(2025, 4, 10),
        new_household=Household(village=village_b, code="BT-020"),
    )

    assert at(counts(commune, village_a), D(2025, 3, 1), D(2025, 4, 1)) == [4, 2]
    assert at(counts(commune, village_b), D(2025, 3, 1), D(2025, 4, 1)) == [0, 2]
    assert set(counts(commune).values()) == {4}
    heads = dict(Resident.objects.filter(relation="head").values_list("household__code", "full_name"))
    assert heads == {"NK-010": grandfather.full_name, "BT-020": son.full_name}
    assert set(new.members.values_list("pk", flat=True)) == {son.pk, wife.pk}
    assert PastStay.objects.filter(household=old, ended_on=D(2025, 4, 10)).count() == 2
    assert_in_step(commune)


def test_a_return_is_the_same_person_with_a_new_stay(commune, village_a, village_b, two):
    hoa, tu = two
    hoa.national_id = "004185000123"
    hoa.save()
    resident_ladder_advance(resident=hoa, step="eid", on=D(2024, 5, 1))
    resident_departure_record(resident=hoa, on=D(2024, 8, 20), reason=Resident.LeftReason.MOVED_AWAY)
    back = resident_move(resident=Resident.objects.get(pk=hoa.pk), household=tu.household, on=D(2025, 6, 5))

    assert (back.pk, back.national_id, back.eid_on, back.left_on) == (
        hoa.pk,
        "004185000123",
        D(2024, 5, 1),
        None,
    )
    stay = PastStay.objects.get(resident=hoa)
    assert (stay.ended_on, stay.ended_by) == (D(2024, 8, 20), PastStay.End.MOVED_AWAY)
    a, b, whole = counts(commune, village_a), counts(commune, village_b), counts(commune)
    assert at(a, D(2024, 11, 1), D(2025, 6, 1)) == [0, 0]
    assert at(b, D(2025, 5, 1), D(2025, 6, 1)) == [1, 2]
    assert at(whole, D(2025, 5, 1), D(2025, 6, 1)) == [1, 2]
    assert counts(commune, start=D(2024, 7, 1), end=D(2024, 8, 1)) == {D(2024, 7, 1): 2, D(2024, 8, 1): 1}
    assert_in_step(commune)


def test_a_death_after_a_move(commune, village_a, village_b, two):
    hoa, tu = two
    resident_move(resident=hoa, household=tu.household, on=D(2025, 2, 14))
    resident_departure_record(
        resident=Resident.objects.get(pk=hoa.pk), on=D(2025, 9, 30), reason=Resident.LeftReason.DIED
    )
    assert at(counts(commune, village_a), D(2025, 1, 1), D(2025, 2, 1)) == [1, 0]
    assert at(counts(commune, village_b), D(2025, 1, 1), D(2025, 2, 1), D(2025, 8, 1), D(2025, 9, 1)) == [
        1,
        2,
        2,
        1,
    ]
    with pytest.raises(ValidationError) as refused:
        resident_move(resident=Resident.objects.get(pk=hoa.pk), household=hoa.household, on=D(2025, 10, 1))
    assert "died" in refused.value.message_dict["on"][0]
    assert_in_step(commune)


def test_coming_of_age_after_a_move_counts_in_the_new_village(commune, village_a, village_b, two):
    _hoa, tu = two
    young = factories.resident(factories.household(village_a), full_name="Nông Văn Trẻ", birth_year=2010)
    resident_move(resident=young, household=tu.household, on=D(2024, 3, 1))
    assert at(counts(commune, village_b), D(2024, 12, 1), D(2025, 1, 1)) == [1, 2]
    assert set(counts(commune, village_a).values()) == {1}  # Hoa alone: the young man never counted there
    assert_in_step(commune)


def test_breakdowns_count_each_person_where_they_lived(commune, village_a, village_b, two):
    hoa, tu = two
    resident_move(resident=hoa, household=tu.household, on=D(2025, 3, 15))
    january = adoption_breakdowns(commune=commune, month=D(2025, 1, 1), villages=[village_a])
    march = adoption_breakdowns(commune=commune, month=D(2025, 3, 1), villages=[village_a])
    whole = adoption_breakdowns(commune=commune, month=D(2025, 1, 1))
    assert sum(b.figures.eligible for b in january["sex"]) == 1
    assert sum(b.figures.eligible for b in march["sex"]) == 0
    assert sum(b.figures.eligible for b in whole["age"]) == 2


# --- What the service refuses --------------------------------------------------------------


def test_a_move_names_a_day_that_makes_sense(commune, village_a, village_b, other_commune):
    hoa = factories.resident(
        factories.household(village_a), full_name="Nông Thị Hoa", birth_year=2015, moved_in_on=D(2024, 5, 1)
    )
    target = factories.household(village_b)

    def refused(household, on, **kwargs):
        with pytest.raises(ValidationError) as error:
            resident_move(resident=hoa, household=household, on=on, **kwargs)
        return error.value.message_dict

    assert "current stay began (2024-05-01)" in refused(target, D(2024, 4, 30))["on"][0]
    assert refused(target, commune_today() + datetime.timedelta(days=1))["on"] == [
        "The date is in the future."
    ]
    assert refused(hoa.household, D(2025, 1, 1))["household"] == [
        "Nông Thị Hoa already lives in this household."
    ]
    elsewhere = factories.household(factories.village(other_commune))
    assert refused(elsewhere, D(2025, 1, 1))["household"] == ["This household is in another commune."]
    head = factories.resident(target, full_name="Chủ Hộ", relation="head")
    assert head.full_name in refused(target, D(2025, 1, 1), relation="head")["relation"][0]
    assert not PastStay.objects.exists()
    born_later = factories.resident(factories.household(village_a), birth_year=2020)
    with pytest.raises(ValidationError) as error:
        resident_move(resident=born_later, household=target, on=D(2019, 6, 1))
    assert "2020, the year the resident was born" in error.value.message_dict["on"][0]


def test_changing_the_head_keeps_exactly_one(commune, household_a):
    head = factories.resident(household_a, full_name="Cũ", relation="head")
    son = factories.resident(household_a, full_name="Mới", relation="child")
    household_head_change(household=household_a, head=son, former_head_relation="parent")
    relations = dict(household_a.members.values_list("full_name", "relation"))
    assert relations == {"Cũ": "parent", "Mới": "head"}
    with pytest.raises(ValidationError):
        household_head_change(household=household_a, head=head, former_head_relation="head")
    assert household_a.members.filter(relation="head").count() == 1


# --- The household page does not grow with a resident's moves --------------------------------


def test_the_household_page_reads_a_fixed_number_of_queries_however_often_members_moved(
    client, official, village_a, village_b
):
    here, there = factories.household(village_a), factories.household(village_b)
    walker = factories.resident(here, full_name="Người Đi", birth_year=1980)
    factories.resident(here, full_name="Người Ở", birth_year=1981)
    client.force_login(official)

    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            response = client.get(reverse("villages:household", args=[walker.household_id]))
        assert response.status_code == 200
        return len(seen)

    day = D(2020, 1, 1)
    resident_move(resident=walker, household=there, on=day)
    resident_move(
        resident=Resident.objects.get(pk=walker.pk), household=here, on=day + datetime.timedelta(30)
    )
    once = queries()
    for n in range(2, 10):
        walker = Resident.objects.get(pk=walker.pk)
        resident_move(
            resident=walker,
            household=there if walker.household_id == here.pk else here,
            on=day + datetime.timedelta(30 * n),
        )
    walker = Resident.objects.get(pk=walker.pk)
    if walker.household_id != here.pk:
        resident_move(resident=walker, household=here, on=day + datetime.timedelta(400))
    assert PastStay.objects.filter(resident=walker).count() >= 9
    assert queries() == once
    page = client.get(reverse("villages:household", args=[here.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Lived in Bản Thang until" in page.content.decode()
