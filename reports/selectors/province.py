"""A province's figures: its communes' adoption series, summed.

A province's count of a measure at the end of a month is the sum of its communes' counts,
and its shares are those sums' shares (never an average of the communes' shares). Each
commune's series is its own ledger summed as its own report sums it
(reports.selectors.adoption.adoption_at_each does for many communes what adoption_at does
for one, tested against the brute force), so the province always says what its communes'
dashboards say: two queries for all communes.

But a person is counted once by the province: while a conflict lasts (one ID number living
in two of its communes on the same days, villages.between_communes) both communes count
them, so the total takes back what all but one of those records add at each month's end
(counted_twice). Which one stays: the record of the most recent arrival (docs/user-guide.md,
"Moves between communes", says why). Two more queries: the numbers living in two communes
on some of the same days (reports.shared_numbers, kept by triggers), and their records with
their stays (none when no number is: one query).
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import QuerySet

from reports.models import SharedNumber
from reports.selectors.adoption import MonthFigures, adoption_at_each
from softbridge.calendar import month_end
from villages.models import Commune, Province, Resident, online_from


def province_communes(province: Province) -> QuerySet[Commune]:
    """The province's communes in Softbridge, by code."""
    return Commune.objects.filter(province=province).order_by("code")


def summed(month: datetime.date, figures: Sequence[MonthFigures]) -> MonthFigures:
    """The figures of several areas at the end of `month` added up."""
    return MonthFigures(
        month,
        sum(f.eligible for f in figures),
        sum(f.eid for f in figures),
        sum(f.online for f in figures),
        sum(f.level34 for f in figures),
    )


@dataclass(frozen=True)
class ProvinceAdoption:
    """The province's figures at the end of each of `months`, and each commune's."""

    months: list[datetime.date]
    total: list[MonthFigures]
    communes: list[tuple[Commune, list[MonthFigures]]]


def province_adoption(*, communes: Sequence[Commune], months: Sequence[datetime.date]) -> ProvinceAdoption:
    """Each commune's adoption figures at the end of each of `months` (any months, any
    order), and their sums. Two queries, whatever the communes and months."""
    months = list(months)
    each = list(zip(communes, adoption_at_each(communes=communes, months=months), strict=True))
    twice = counted_twice(communes=communes, months=months)
    total = [
        taken_back(summed(month, [series[i] for _c, series in each]), twice[i])
        for i, month in enumerate(months)
    ]
    return ProvinceAdoption(months, total, each)


def taken_back(figures: MonthFigures, twice: MonthFigures) -> MonthFigures:
    return MonthFigures(
        figures.month,
        figures.eligible - twice.eligible,
        figures.eid - twice.eid,
        figures.online - twice.online,
        figures.level34 - twice.level34,
    )


# The ID numbers asked of the database at once: within the parameters of every SQLite build.
_CHUNK = 900


def counted_twice(*, communes: Sequence[Commune], months: Sequence[datetime.date]) -> list[MonthFigures]:
    """At the end of each of `months`, what the communes' counts hold more than once: for
    each ID number that lives in two or more of `communes` at a month's end (a stay, current
    or earlier, covering that day in each), the figures of every record but the one whose
    stay there began last (the most recent arrival; a stay with no start began first; a tie,
    the record made last), counted as the ledger counts (reports.ledger: of counting age
    in the month's year, a ladder step on or before the month's end)."""
    ids = [c.pk for c in communes]
    # Only a number living in two communes on some of the same days can be counted twice: the
    # triggers keep those (reports.shared_numbers), a few rows a commune, where reading every
    # numbered resident of the province for them took 2.1 s at 3 million (bench/id_lookup.py).
    # Read first, and the records then looked up by number: as a subquery, PostgreSQL planned
    # a pass over the residents for an empty table (90 ms at 3 million).
    numbers = sorted(set(SharedNumber.objects.filter(commune__in=ids).values_list("national_id", flat=True)))
    records = []
    for start in range(0, len(numbers), _CHUNK):
        records += (
            Resident.objects.filter(commune__in=ids, national_id__in=numbers[start : start + _CHUNK])
            .select_related("commune")
            .prefetch_related("stays")
            .order_by("pk")  # the model's ordering would join every household
        )
    by_number: dict[str, list[Resident]] = {}
    for record in records:
        by_number.setdefault(record.national_id, []).append(record)
    result = []
    for month in months:
        end = month_end(month)
        counts = [0, 0, 0, 0]
        for same in by_number.values():
            living = [(start, r.pk, r) for r in same for start in _stay_start_on(r, end)]
            if len(living) < 2:
                continue
            for _start, _pk, record in sorted(living, key=_arrival_order)[:-1]:
                for i, counted in enumerate(_counted(record, month, end)):
                    counts[i] += counted
        result.append(MonthFigures(month, *counts))
    return result


def _arrival_order(living):
    start, pk, _record = living
    return (start is not None, start or datetime.date.min, pk)


def _stay_start_on(record: Resident, day: datetime.date) -> list[datetime.date | None]:
    """The start of the record's stay (current or earlier) that covers the end of `day`, if one does."""
    stays = [(record.moved_in_on, record.left_on)] + [(s.started_on, s.ended_on) for s in record.stays.all()]
    return [
        start for start, left in stays if (start is None or start <= day) and (left is None or left > day)
    ][:1]


def _counted(record: Resident, month: datetime.date, end: datetime.date) -> tuple[int, int, int, int]:
    """What the record adds to (eligible, e-ID, online, level 3/4) at the end of `month`, living there."""
    if record.birth_year is not None and record.birth_year > month.year - record.commune.min_age:
        return (0, 0, 0, 0)
    online = online_from(record.online_on, record.level34_on)
    return (
        1,
        int(record.eid_on is not None and record.eid_on <= end),
        int(online is not None and online <= end),
        int(record.level34_on is not None and record.level34_on <= end),
    )
