"""Every figure of reports.selectors against a brute-force count written here from docs/domain.md.

The brute force loops over residents, visits and dossiers in Python, reading the
definitions word by word; the selectors count in the database. They must agree on every
month, for the commune and for each village, through moves, deaths, birthdays, missing
birth years, a changed minimum age, and dates on month boundaries and in the future.
"""

import calendar
import dataclasses
import datetime
import itertools
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import ledger
from reports.selectors.adoption import (
    adoption_at,
    adoption_at_each,
    adoption_breakdowns,
    adoption_overview,
    adoption_series,
    quarter_key,
    quarter_label,
    rollup,
    year_key,
    year_label,
)
from tests import factories
from villages.models import PastStay, Resident, Village

D = datetime.date


# --- The brute force: docs/domain.md in plain Python ------------------------------------------


def last_day(month: D) -> D:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def months_from(start: D, end: D) -> list[D]:
    months, month = [], start
    while month <= end:
        months.append(month)
        month = D(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def each_village(commune, start: D, end: D, villages=None) -> list:
    """Every village's figures at the end of each month start..end, by code, as the
    dashboard's overview counts them (the league table asks for a few of these months)."""
    months = months_from(start, end)
    if villages is None:
        villages = list(Village.objects.filter(commune=commune))
    _series, found = adoption_overview(
        commune=commune, months=months, villages=villages, village_months=months, whole=True
    )
    return found


def is_eligible(resident: Resident, month: D, min_age: int) -> bool:
    end = last_day(month)
    return (
        (resident.moved_in_on is None or resident.moved_in_on <= end)
        and (resident.left_on is None or resident.left_on > end)
        and (resident.birth_year is None or month.year - resident.birth_year >= min_age)
    )


def brute_figures(residents, month: D, min_age: int) -> tuple[int, int, int, int]:
    end = last_day(month)
    eligible = [r for r in residents if is_eligible(r, month, min_age)]

    def by_end(day):
        return day is not None and day <= end

    return (
        len(eligible),
        sum(1 for r in eligible if by_end(r.eid_on)),
        sum(1 for r in eligible if by_end(r.online_on) or by_end(r.level34_on)),
        sum(1 for r in eligible if by_end(r.level34_on)),
    )


def brute_share(part: int, whole: int):
    return None if whole == 0 else round(part / whole, 4)


def as_tuples(figures) -> list[tuple]:
    return [(f.month, f.eligible, f.eid, f.online, f.level34) for f in figures]


def brute_series(residents, months, min_age) -> list[tuple]:
    return [(m, *brute_figures(residents, m, min_age)) for m in months]


def residents_of(commune, village=None) -> list[Resident]:
    residents = Resident.objects.filter(commune=commune).select_related("household")
    if village is not None:
        residents = residents.filter(household__village=village)
    return list(residents)


@dataclasses.dataclass(frozen=True)
class Period:
    """One residence period of a person: where they lived, from when until when (docs/domain.md:
    a resident counts in the village they lived in at the end of the month), with the person's
    birth year and ladder dates, which travel with them. Read as brute_figures reads a resident."""

    resident_id: int
    village_id: int
    moved_in_on: D | None
    left_on: D | None
    birth_year: int | None
    eid_on: D | None
    online_on: D | None
    level34_on: D | None


def periods_of(commune, village=None) -> list[Period]:
    """Every residence period of the commune's residents (of `village`'s households): their
    current stay, their row, and each earlier stay. A person's periods never overlap, checked
    here, so that the commune counts each person once."""

    def period(resident, household, moved_in_on, left_on):
        ladder = (resident.eid_on, resident.online_on, resident.level34_on)
        return Period(resident.pk, household.village_id, moved_in_on, left_on, resident.birth_year, *ladder)

    periods = [
        period(r, r.household, r.moved_in_on, r.left_on)
        for r in Resident.objects.filter(commune=commune).select_related("household")
    ]
    for stay in PastStay.objects.filter(resident__commune=commune).select_related("resident", "household"):
        periods.append(period(stay.resident, stay.household, stay.started_on, stay.ended_on))
    by_person = {}
    for p in periods:
        by_person.setdefault(p.resident_id, []).append(p)
    for own in by_person.values():
        own.sort(key=lambda p: p.moved_in_on or D.min)
        for before, after in itertools.pairwise(own):
            assert before.left_on is not None and after.moved_in_on is not None, own
            assert before.left_on <= after.moved_in_on, f"overlapping residence periods: {own}"
    if village is not None:
        periods = [p for p in periods if p.village_id == village.pk]
    return periods


# --- The commune the tests count --------------------------------------------------------


def person(household, **fields) -> Resident:
    if fields.get("left_on") and "left_reason" not in fields:
        fields["left_reason"] = Resident.LeftReason.MOVED_AWAY
    return factories.resident(household, **fields)


@pytest.fixture
def register(commune, village_a, village_b):
    """Hand-made cases on the boundaries, and a seeded crowd of ordinary ones."""
    empty = factories.village(commune, code="EMPTY", name="Trống")
    ha, hb = factories.household(village_a), factories.household(village_b)
    # Turning 15 in 2025: counted from January 2025, not in 2024.
    person(ha, full_name="Sinh 2010", birth_year=2010, eid_on=D(2024, 11, 30))
    person(ha, full_name="Sinh 2009", birth_year=2009, eid_on=D(2024, 12, 1))  # 15 in 2024
    person(hb, full_name="Sinh 2011", birth_year=2011)  # 14 in 2025
    person(hb, full_name="Không rõ năm sinh", birth_year=None, online_on=D(2024, 10, 31))
    # Moves on month boundaries.
    person(ha, full_name="Đến 30/11", birth_year=1980, moved_in_on=D(2024, 11, 30))
    person(ha, full_name="Đến 1/12", birth_year=1980, moved_in_on=D(2024, 12, 1))
    person(hb, full_name="Đi 30/11", birth_year=1970, left_on=D(2024, 11, 30), eid_on=D(2020, 1, 1))
    person(hb, full_name="Đi 1/12", birth_year=1970, left_on=D(2024, 12, 1), eid_on=D(2020, 1, 1))
    person(
        hb,
        full_name="Mất 31/1",
        birth_year=1940,
        left_on=D(2025, 1, 31),
        left_reason=Resident.LeftReason.DIED,
        online_on=D(2024, 1, 5),
    )
    person(ha, full_name="Ở tạm", birth_year=1990, moved_in_on=D(2024, 10, 15), left_on=D(2025, 2, 10))
    # Ladder dates on boundaries and in the future.
    person(
        ha,
        full_name="Bậc cuối tháng",
        birth_year=1995,
        eid_on=D(2024, 10, 31),
        online_on=D(2024, 11, 1),
        level34_on=D(2024, 12, 31),
    )
    person(
        ha,
        full_name="Bậc đầu tháng",
        birth_year=1995,
        eid_on=D(2025, 1, 1),
        online_on=D(2025, 1, 1),
        level34_on=D(2025, 1, 1),
    )
    person(
        hb,
        full_name="Tương lai xa",
        birth_year=2000,
        eid_on=D(2031, 1, 1),
        online_on=D(2031, 2, 1),
        level34_on=D(2031, 3, 31),
    )
    person(
        hb,
        full_name="Tương lai gần",
        birth_year=2001,
        eid_on=D(2026, 12, 31),
        online_on=D(2027, 1, 1),
        level34_on=D(2027, 1, 31),
    )
    rng = random.Random(4)

    def some_day(first: D, last: D) -> D:
        return first + datetime.timedelta(days=rng.randint(0, (last - first).days))

    for n in range(160):
        household = rng.choice([ha, hb, factories.household(rng.choice([village_a, village_b]))])
        fields = {"birth_year": rng.choice([None, *range(1930, 2016)]), "sex": rng.choice(["M", "F", ""])}
        if rng.random() < 0.3:
            fields["moved_in_on"] = some_day(D(2023, 1, 1), D(2026, 12, 31))
        if rng.random() < 0.2:
            fields["left_on"] = some_day(fields.get("moved_in_on") or D(2023, 1, 1), D(2027, 3, 31))
            fields["left_reason"] = rng.choice(Resident.LeftReason.values)
        if rng.random() < 0.7:
            fields["eid_on"] = some_day(D(2023, 6, 1), D(2027, 2, 28))
        if rng.random() < 0.6:
            fields["online_on"] = some_day(D(2023, 6, 1), D(2027, 2, 28))
            if rng.random() < 0.5:
                fields["level34_on"] = some_day(fields["online_on"], D(2027, 3, 31))
        person(household, full_name=f"Người {n}", **fields)
    return empty


RANGES = [(D(2024, 10, 1), D(2025, 3, 1)), (D(2026, 9, 1), D(2027, 2, 1))]


@pytest.mark.parametrize("start,end", RANGES)
def test_commune_series_matches_brute_force(commune, register, start, end):
    figures = adoption_series(commune=commune, start=start, end=end)
    assert as_tuples(figures) == brute_series(residents_of(commune), months_from(start, end), 15)
    for f in figures:
        assert f.eid_share == brute_share(f.eid, f.eligible)
        assert f.online_share == brute_share(f.online, f.eligible)
        assert f.level34_share == brute_share(f.level34, f.eligible)


@pytest.mark.parametrize("start,end", RANGES)
def test_each_village_series_matches_brute_force(commune, village_a, village_b, register, start, end):
    months = months_from(start, end)
    for village in (village_a, village_b, register):
        figures = adoption_series(commune=commune, start=start, end=end, village=village)
        assert as_tuples(figures) == brute_series(residents_of(commune, village), months, 15)


@pytest.mark.parametrize("start,end", RANGES)
def test_by_village_matches_brute_force_and_adds_up_to_the_commune(commune, register, start, end):
    months = months_from(start, end)
    by_village = each_village(commune, start, end)
    assert [v.code for v, _f in by_village] == ["BT", "EMPTY", "NK"]
    for village, figures in by_village:
        assert as_tuples(figures) == brute_series(residents_of(commune, village), months, 15)
    totals = [
        tuple(sum(as_tuples(figures)[k][i] for _v, figures in by_village) for i in range(1, 5))
        for k in range(len(months))
    ]
    assert totals == [row[1:] for row in brute_series(residents_of(commune), months, 15)]


def test_villages_union_matches_brute_force(commune, village_a, village_b, register):
    start, end = RANGES[0]
    figures = adoption_series(commune=commune, start=start, end=end, villages=[village_a, register])
    assert as_tuples(figures) == brute_series(residents_of(commune, village_a), months_from(start, end), 15)


@pytest.mark.parametrize("start,end", RANGES)
def test_the_dashboard_overview_matches_brute_force(commune, village_a, village_b, register, start, end):
    """The area's series and every village at the last two months, for an official (all
    villages, read without a village list) and for a head of some villages, for their
    whole area and for one village."""
    months = months_from(start, end)
    last_two = months[-2:]
    everyone = [village_a, village_b, register]
    for villages, whole in ((everyone, True), ([village_a, register], False)):
        for area in (None, [village_a]):
            series, per_village = adoption_overview(
                commune=commune,
                months=months,
                villages=villages,
                area=area,
                village_months=last_two,
                whole=whole,
            )
            people = [r for v in (area or villages) for r in residents_of(commune, v)]
            assert as_tuples(series) == brute_series(people, months, 15)
            # Plain integers (PostgreSQL sums sums as numeric): they go into JSON and charts.
            counts = [
                c for _v, figures in per_village for f in [*series, *figures] for c in as_tuples([f])[0][1:]
            ]
            assert {type(c) for c in counts} == {int}
            assert [v.code for v, _f in per_village] == sorted(v.code for v in villages)
            for village, figures in per_village:
                assert as_tuples(figures) == brute_series(residents_of(commune, village), last_two, 15)


def test_the_dashboard_overview_takes_three_queries_whatever_the_villages(commune, village_a, register):
    months = months_from(*RANGES[0])

    def overview():
        villages = list(commune.villages.all())
        return count_queries(
            lambda: adoption_overview(
                commune=commune, months=months, villages=villages, village_months=months[-2:], whole=True
            )
        )

    few = overview()
    for _n in range(4):
        factories.resident(factories.household(factories.village(commune)), eid_on=D(2024, 5, 1))
    assert few == overview() == compaction_queries(commune) + 2


def test_an_area_of_no_villages_counts_no_one(commune, register):
    figures = adoption_series(commune=commune, start=D(2024, 1, 1), end=D(2024, 3, 1), villages=[])
    assert [f.eligible for f in figures] == [0, 0, 0]


def test_the_boundary_cases_count_as_domain_md_says(commune, register):
    """The hand-made residents, worked out by hand, so that the brute force itself is checked."""
    hand = [r for r in residents_of(commune) if not r.full_name.startswith("Người")]
    everyone = {r.full_name for r in hand}
    not_eligible = {
        D(2024, 11, 1): {"Sinh 2010", "Sinh 2011", "Đến 1/12", "Đi 30/11"},
        D(2024, 12, 1): {"Sinh 2010", "Sinh 2011", "Đi 30/11", "Đi 1/12"},
        D(2025, 1, 1): {"Sinh 2011", "Đi 30/11", "Đi 1/12", "Mất 31/1"},
    }
    for month, excluded in not_eligible.items():
        eligible = {r.full_name for r in hand if is_eligible(r, month, 15)}
        assert eligible == everyone - excluded, month
    steps = {  # (e-ID, online, level 3/4) at the end of each month, among the eligible
        D(2024, 11, 1): (
            {"Đi 1/12", "Bậc cuối tháng"},  # "Sinh 2009" gets it on 1 December
            {"Không rõ năm sinh", "Mất 31/1", "Bậc cuối tháng"},
            set(),
        ),
        D(2024, 12, 1): (
            {"Sinh 2009", "Bậc cuối tháng"},
            {"Không rõ năm sinh", "Mất 31/1", "Bậc cuối tháng"},
            {"Bậc cuối tháng"},
        ),
        D(2025, 1, 1): (
            {"Sinh 2010", "Sinh 2009", "Bậc cuối tháng", "Bậc đầu tháng"},
            {"Không rõ năm sinh", "Bậc cuối tháng", "Bậc đầu tháng"},
            {"Bậc cuối tháng", "Bậc đầu tháng"},
        ),
    }
    for month, (eid, online, level34) in steps.items():
        assert brute_figures(hand, month, 15) == (
            len(everyone - not_eligible[month]),
            len(eid),
            len(online),
            len(level34),
        )
    months = list(steps)
    figures = adoption_at(commune=commune, months=months)
    assert as_tuples(figures) == brute_series(residents_of(commune), months, 15)
    future = adoption_at(commune=commune, months=[D(2026, 12, 1), D(2027, 1, 1)])
    future_hand = [brute_figures(hand, m, 15) for m in (D(2026, 12, 1), D(2027, 1, 1))]
    assert future_hand[1][1:] == (future_hand[0][1], future_hand[0][2] + 1, future_hand[0][3] + 1)
    assert as_tuples(future) == brute_series(residents_of(commune), [D(2026, 12, 1), D(2027, 1, 1)], 15)


def test_several_communes_at_once_match_brute_force_each_and_the_sum_adds_them(
    commune, register, other_commune
):
    """A province reads its communes' ledgers in one query (adoption_at_each): each commune
    must come out as its own series, with its own minimum age, nothing of one in another."""
    other_commune.min_age = 18
    other_commune.save()
    household = factories.household(factories.village(other_commune, code="PL", name="Pác Lung"))
    person(household, full_name="Sinh 2007", birth_year=2007, eid_on=D(2024, 12, 1))  # 18 in 2025
    person(
        household, full_name="Sinh 2000", birth_year=2000, level34_on=D(2025, 2, 3), online_on=D(2025, 2, 3)
    )
    person(household, full_name="Đi 31/1", birth_year=1990, left_on=D(2025, 1, 31), eid_on=D(2020, 1, 1))
    empty = factories.commune("01552", "Xã Trống")
    months = [D(2025, 2, 1), *months_from(*RANGES[0]), D(2026, 12, 1)]  # any months, any order

    ours, theirs, nobody = adoption_at_each(communes=[commune, other_commune, empty], months=months)

    assert as_tuples(ours) == brute_series(residents_of(commune), months, 15)
    assert as_tuples(theirs) == brute_series(residents_of(other_commune), months, 18)
    assert as_tuples(theirs)[1][1:] == (2, 1, 0, 0)  # October 2024: the 2007-born not yet 18
    assert as_tuples(nobody) == [(m, 0, 0, 0, 0) for m in months]
    assert ours == adoption_at(commune=commune, months=months)
    read = count_queries(lambda: adoption_at_each(communes=[commune, other_commune, empty], months=months))
    assert read == compaction_queries(commune) + 1  # one compaction and one read for all


def test_min_age_18_changes_who_is_eligible(commune, register):
    start, end = RANGES[0]
    before = adoption_series(commune=commune, start=start, end=end)
    commune.min_age = 18
    commune.save()
    after = adoption_series(commune=commune, start=start, end=end)
    assert as_tuples(after) == brute_series(residents_of(commune), months_from(start, end), 18)
    assert after[0].eligible < before[0].eligible


def test_no_eligible_resident_gives_no_share(commune, village_a):
    factories.resident(factories.household(village_a), birth_year=2020)
    [figures] = adoption_series(commune=commune, start=D(2025, 1, 1), end=D(2025, 1, 1))
    assert (figures.eligible, figures.eid_share, figures.online_share, figures.level34_share) == (
        0,
        None,
        None,
        None,
    )


def test_quarter_and_year_rollups_are_the_figures_at_their_last_month(commune, register):
    start, end = D(2024, 11, 1), D(2026, 2, 1)
    residents = residents_of(commune)
    series = adoption_series(commune=commune, start=start, end=end)
    quarters = rollup(series, quarter_key, quarter_label)
    assert [(q.label, q.figures.month, q.complete) for q in quarters] == [
        ("2024-Q4", D(2024, 12, 1), True),
        ("2025-Q1", D(2025, 3, 1), True),
        ("2025-Q2", D(2025, 6, 1), True),
        ("2025-Q3", D(2025, 9, 1), True),
        ("2025-Q4", D(2025, 12, 1), True),
        ("2026-Q1", D(2026, 2, 1), False),
    ]
    for q in quarters:
        assert (q.figures.eligible, q.figures.eid, q.figures.online, q.figures.level34) == brute_figures(
            residents, q.figures.month, 15
        )
    years = rollup(series, year_key, year_label)
    assert [(y.label, y.figures.month, y.complete) for y in years] == [
        ("2024", D(2024, 12, 1), True),
        ("2025", D(2025, 12, 1), True),
        ("2026", D(2026, 2, 1), False),
    ]
    for y in years:
        assert (y.figures.eligible, y.figures.level34) == brute_figures(residents, y.figures.month, 15)[::3]


def brute_band(resident, month) -> str:
    if resident.birth_year is None:
        return "unknown"
    age = month.year - resident.birth_year
    if age < 15:
        return "under15"
    if age <= 29:
        return "15-29"
    if age <= 44:
        return "30-44"
    if age <= 59:
        return "45-59"
    return "60+"


@pytest.mark.parametrize("min_age", [15, 18, 10])
def test_breakdowns_by_sex_and_age_band_match_brute_force(commune, village_a, register, min_age):
    commune.min_age = min_age
    commune.save()
    month = D(2025, 2, 1)
    for village in (None, village_a):
        residents = residents_of(commune, village)
        found = adoption_breakdowns(
            commune=commune, month=month, villages=None if village is None else [village]
        )
        for key, breakdowns in (("sex", found["sex"]), ("age", found["age"])):
            for b in breakdowns:
                group = [r for r in residents if (r.sex if key == "sex" else brute_band(r, month)) == b.key]
                expected = brute_figures(group, month, min_age)
                assert (b.figures.eligible, b.figures.eid, b.figures.online, b.figures.level34) == expected
            listed = {b.key for b in breakdowns}
            present = {
                (r.sex if key == "sex" else brute_band(r, month))
                for r in residents
                if is_eligible(r, month, min_age)
            }
            assert present <= listed
        assert sum(b.figures.eligible for b in found["age"]) == brute_figures(residents, month, min_age)[0]
    assert ("under15" in {b.key for b in found["age"]}) == (min_age < 15)


# --- Query counts -----------------------------------------------------------------------


def count_queries(function) -> int:
    with CaptureQueriesContext(connection) as context:
        function()
    return len(context.captured_queries)


def compaction_queries(commune) -> int:
    """The ledger's compaction before each read: 1 statement on PostgreSQL, more on SQLite."""
    return count_queries(lambda: ledger.compact(commune.pk))


def test_series_query_count_does_not_grow_with_months(commune, register):
    three = count_queries(lambda: adoption_series(commune=commune, start=D(2024, 1, 1), end=D(2024, 3, 1)))
    many = count_queries(lambda: adoption_series(commune=commune, start=D(2023, 1, 1), end=D(2024, 12, 1)))
    assert three == many == compaction_queries(commune) + 1


def test_by_village_query_count_does_not_grow_with_villages(commune, register):
    start, end = D(2024, 1, 1), D(2025, 12, 1)
    villages = list(Village.objects.filter(commune=commune))
    two = count_queries(lambda: each_village(commune, start, end, villages))
    for _n in range(4):
        factories.resident(factories.household(factories.village(commune)), eid_on=D(2024, 5, 1))
    villages = list(Village.objects.filter(commune=commune))
    assert len(each_village(commune, start, end, villages)) == 7
    six = count_queries(lambda: each_village(commune, start, end, villages))
    assert two == six == compaction_queries(commune) + 2


def test_rollups_and_breakdowns_take_a_fixed_number_of_queries(commune, register):
    start, end = D(2020, 1, 1), D(2025, 12, 1)
    read = compaction_queries(commune) + 1
    for key, label in (
        (quarter_key, quarter_label),
        (year_key, year_label),
    ):
        periods = count_queries(
            lambda key=key, label=label: rollup(
                adoption_series(commune=commune, start=start, end=end), key, label
            )
        )
        assert periods == read
    assert count_queries(lambda: adoption_breakdowns(commune=commune, month=end)) == 1
