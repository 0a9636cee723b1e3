"""A province's figures: its communes' adoption series, summed.

A province's count of a measure at the end of a month is the sum of its communes' counts,
and its shares are those sums' shares (never an average of the communes' shares). Each
commune's series is its own ledger summed as its own report sums it
(reports.selectors.adoption.adoption_at_each does for many communes what adoption_at does
for one, tested against the brute force), so the province always says what its communes'
dashboards say: two queries for all communes, and nothing read from resident rows here.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import QuerySet

from reports.selectors.adoption import MonthFigures, adoption_at_each
from villages.models import Commune, Province


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
    total = [summed(month, [series[i] for _c, series in each]) for i, month in enumerate(months)]
    return ProvinceAdoption(months, total, each)
