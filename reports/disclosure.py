"""Small cells: figures about fewer than SMALL_CELL eligible residents, withheld from whoever
may not see those residents by name.

A province leader reads every commune's figures but no person (villages.access); in a
village of one resident, that village's e-ID, online and level 3/4 counts *are* that
person's ladder. So an area's adoption figures at the end of a month are withheld from a
reader who may not see the area's residents (Reach.names) when fewer than SMALL_CELL
eligible residents hold them (none at all is shown: it tells nothing of anyone). The
rule is the same on every page, table, chart, export and the API, because they all take
an area's figures through `Disclosure.figures`.

Differencing: the villages of a commune add up to the commune, the communes of a province
to the province, the sexes and age bands to their area. When one village is withheld and
the commune's total is shown, the village is the total minus the others; so among parts
that add up to a shown whole, the smallest other parts are withheld too until the
withheld parts hold SMALL_CELL residents together (`withheld_among`). The wholes
themselves (a province, a commune with enough residents) are counted from the raw data and
always exact. Changes between months are withheld when either month is.
"""

import datetime
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from django.utils.translation import gettext, gettext_lazy

from reports.selectors.adoption import MonthFigures, adoption_overview
from reports.selectors.province import province_adoption, province_communes
from reports.selectors.reach import Reach
from reports.tabular import Table
from villages.models import Commune

# The fewest eligible residents whose figures are shown to a reader who may not see them
# by name (docs/reports.md, "Small cells"). Five is the usual statistical threshold.
SMALL_CELL = 5

LEGEND = gettext_lazy("< 5: fewer than 5 eligible residents, hidden to protect them.")


class Suppressed:
    """The value of a withheld cell: reads "< 5" on pages and in exports, null in JSON."""

    def __str__(self) -> str:
        return gettext("< %(count)d") % {"count": SMALL_CELL}

    def __repr__(self) -> str:
        return "SUPPRESSED"

    def __bool__(self) -> bool:
        return False


SUPPRESSED = Suppressed()


@dataclass(frozen=True)
class Withheld:
    """An area's figures at the end of `month`, withheld: read like MonthFigures, every count
    and share is SUPPRESSED."""

    month: datetime.date
    suppressed = True
    eligible = eid = online = level34 = SUPPRESSED
    eid_share = online_share = level34_share = SUPPRESSED

    def share_of(self, indicator: str) -> Suppressed:
        return SUPPRESSED


def is_withheld(value) -> bool:
    return value is SUPPRESSED or isinstance(value, Withheld)


def small(eligible: int) -> bool:
    """Too few residents to show to someone who may not see them: 1 to SMALL_CELL - 1."""
    return 0 < eligible < SMALL_CELL


def withheld_among(sizes: Mapping[Hashable, int], named: Collection[Hashable] = ()) -> set:
    """Which of the parts of a whole (their eligible residents in `sizes`) to withhold from a
    reader who may see the `named` ones by name: the small parts, and, while the withheld
    parts hold fewer than SMALL_CELL residents together, the smallest other ones, so that the
    whole minus the shown parts never tells a small part's figures."""
    withheld = {key for key, n in sizes.items() if key not in named and small(n)}
    if not withheld:
        return withheld
    order = list(sizes)
    spare = sorted(
        (key for key, n in sizes.items() if key not in withheld and key not in named and n > 0),
        key=lambda key: (sizes[key], order.index(key)),
    )
    while sum(sizes[key] for key in withheld) < SMALL_CELL and spare:
        withheld.add(spare.pop(0))
    return withheld


def with_legend(table: Table) -> Table:
    """The table, its note saying why when a cell of it is withheld."""
    if any(value is SUPPRESSED for row in table.rows for value in row):
        table.note = f"{table.note} {LEGEND}".strip()
    return table


def disclosed(figures: MonthFigures, withheld: bool) -> MonthFigures | Withheld:
    return Withheld(figures.month) if withheld else figures


class Disclosure:
    """What one reader (their Reach) may read of one commune's figures.

    Asks nothing of the database for a reader who may see every resident of the commune by
    name; for anyone else, each village's (and the province's communes') eligible residents
    at the months asked for, three queries a call.
    """

    def __init__(self, reach: Reach):
        self.reach = reach
        self.commune = reach.commune

    @cached_property
    def everything_named(self) -> bool:
        """Whether the reader sees by name everyone whose figures they read (officials,
        leaders, superusers, a village head in their villages): nothing is withheld."""
        return self.reach.names_commune or {v.pk for v in self.reach.villages} <= self.reach.names

    def withheld_villages(self, months: Sequence[datetime.date]) -> dict[datetime.date, set[int]]:
        """The ids of the commune's villages withheld at the end of each of `months`."""
        months = list(months)
        if self.everything_named or not months:
            return {month: set() for month in months}
        villages = list(self.commune.villages.all())
        _total, each = adoption_overview(
            commune=self.commune, months=months, villages=villages, village_months=months, whole=True
        )
        return {
            month: withheld_among({v.pk: series[i].eligible for v, series in each}, self.reach.names)
            for i, month in enumerate(months)
        }

    def commune_withheld(self, months: Sequence[datetime.date]) -> dict[datetime.date, bool]:
        """Whether the commune's own figures are withheld at the end of each of `months`: among
        its province's communes, by the same rule."""
        months = list(months)
        if self.everything_named or not months:
            return {month: False for month in months}
        withheld = communes_withheld(
            communes=list(province_communes(self.commune.province)), months=months, named=()
        )
        return {month: self.commune.pk in withheld[month] for month in months}

    def area_series(
        self, series: Sequence[MonthFigures], village_id: int | None
    ) -> list[MonthFigures | Withheld]:
        """The series of the commune (village_id None) or of one village, as this reader may
        read it."""
        months = [f.month for f in series]
        if village_id is None:
            withheld = self.commune_withheld(months)
            return [disclosed(f, withheld[f.month]) for f in series]
        withheld = self.withheld_villages(months)
        return [disclosed(f, village_id in withheld[f.month]) for f in series]

    def parts(self, parts: Sequence[MonthFigures], area_withheld: bool) -> list[MonthFigures | Withheld]:
        """Parts of an area at one month (its sexes, its age bands), as this reader may read
        them: all withheld with the area, else by withheld_among."""
        if self.everything_named:
            return list(parts)
        if area_withheld:
            return [Withheld(f.month) for f in parts]
        withheld = withheld_among(dict(enumerate(f.eligible for f in parts)))
        return [disclosed(f, i in withheld) for i, f in enumerate(parts)]


def communes_withheld(
    *, communes: Sequence[Commune], months: Sequence[datetime.date], named: Collection[int]
) -> dict[datetime.date, set[int]]:
    """The ids of a province's `communes` withheld at the end of each of `months` from a reader
    who sees the `named` communes' residents by name."""
    adoption = province_adoption(communes=communes, months=months)
    return {
        month: withheld_among({c.pk: series[i].eligible for c, series in adoption.communes}, named)
        for i, month in enumerate(adoption.months)
    }
