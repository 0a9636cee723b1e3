"""docs/domain.md's adoption indicators at the end of each month: eligible residents, e-ID,
online and level 3/4, for an area (the commune, a village, a union of villages), every
village at a few months, quarter and year roll-ups, and breakdowns by sex and age band.

Every figure is counted "at the end of" a month M: a date on or before the last day of M
counts, a date after it does not. The series read the adoption ledger (reports.ledger),
which the database keeps in step with the register; each function runs a fixed number of
queries however many months or villages it reports on, and Python only arranges the
aggregated rows. `villages=None` is the whole commune; a list of villages restricts every
figure to the residents of those villages (a village head's view).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate

from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from reports import ledger
from softbridge.calendar import add_months, month_end, months_between, quarter_of
from villages.models import Commune, Resident, Village, online_by_q
from villages.selectors import residents_living_in

# The ledger's columns, in its order: the figures of every area and month.
MEASURES = ledger.MEASURES


def share(part: int, whole: int) -> float | None:
    """part / whole rounded to 4 decimals; None when there is no one to count."""
    if not whole:
        return None
    return round(part / whole, 4)


# --- Adoption: eligible, e-ID, online, level 3/4 at the end of each month ---------------


@dataclass(frozen=True)
class MonthFigures:
    """The adoption counts of an area at the end of `month`, and their shares."""

    month: datetime.date
    eligible: int
    eid: int
    online: int
    level34: int

    @property
    def eid_share(self) -> float | None:
        return share(self.eid, self.eligible)

    @property
    def online_share(self) -> float | None:
        return share(self.online, self.eligible)

    @property
    def level34_share(self) -> float | None:
        return share(self.level34, self.eligible)

    def share_of(self, indicator: str) -> float | None:
        """The share named like Target.Indicator: 'eid_share', 'online_share', 'level34_share'."""
        return getattr(self, indicator)


def month_index(month: datetime.date) -> int:
    """The month as one integer, year * 12 + month - 1: months in a row are consecutive.

    The adoption ledger (reports.ledger) numbers its months the same way.
    """
    return month.year * 12 + month.month - 1


class _Tally:
    """Adds up the adoption ledger's changes into counts at the end of each month of a window.

    The count of a measure at the end of month M is the sum of its changes in every month
    up to M; changes before the window are added into the month before it.
    """

    def __init__(self, months: Sequence[datetime.date]):
        self.months = list(months)
        self.low = month_index(min(self.months)) - 1
        width = month_index(max(self.months)) + 1 - self.low
        self.changes = tuple([0] * width for _measure in MEASURES)

    def add(self, month: int, eligible: int, eid: int, online: int, level34: int):
        # Unrolled: called once per village and month of the ledger, tens of thousands of times.
        i = month - self.low
        changes = self.changes
        changes[0][i] += eligible
        changes[1][i] += eid
        changes[2][i] += online
        changes[3][i] += level34

    def figures(self, months: Sequence[datetime.date] | None = None) -> list[MonthFigures]:
        """The counts at the end of each of the tally's months (or of `months`, some of them)."""
        months = self.months if months is None else months
        eligible, eid, online, level34 = (list(accumulate(changes)) for changes in self.changes)
        return [
            MonthFigures(month, eligible[i], eid[i], online[i], level34[i])
            for month, i in zip(months, (month_index(m) - self.low for m in months), strict=True)
        ]


def _ledger_rows(commune: Commune, months: Sequence[datetime.date], villages):
    """The ledger's changes up to the last of `months`, summed per month, the changes
    before the first month added into the month before it.

    Folds in what the triggers appended since the last read first (one statement), so
    that the sum runs over one row per village and month (and per year before).
    """
    ledger.compact(commune.pk)
    return ledger.changes_until(
        commune.pk,
        month_index(min(months)) - 1,
        month_index(max(months)),
        village_ids=None if villages is None else [v.pk for v in villages],
    )


def _eligible_residents(commune: Commune, month: datetime.date, villages) -> QuerySet[Resident]:
    """The residents eligible at the end of `month` in the area, by their residence history: those
    who lived there then (their current stay or an earlier one, villages.selectors.residents_living_in)
    and were old enough. Each person once."""
    end = month_end(month)
    area = None if villages is None else [v.pk for v in villages]
    living = residents_living_in(Resident.objects.filter(commune=commune), day=end, villages=area)
    return living.filter(Q(birth_year__isnull=True) | Q(birth_year__lte=month.year - commune.min_age))


def adoption_at(
    *, commune: Commune, months: Sequence[datetime.date], villages: Iterable[Village] | None = None
) -> list[MonthFigures]:
    """The adoption figures of an area at the end of each of `months` (any months, any order).

    Two queries, whatever the number of months and residents: the ledger's compaction
    and one aggregate over it.
    """
    months = list(months)
    if not months:
        return []
    tally = _Tally(months)
    for row in _ledger_rows(commune, months, None if villages is None else list(villages)):
        tally.add(*row)
    return tally.figures()


def adoption_at_each(
    *, communes: Sequence[Commune], months: Sequence[datetime.date]
) -> list[list[MonthFigures]]:
    """adoption_at for each of `communes` (the whole commune), in their order: the same
    ledger summed the same way, each commune's rows apart. Two queries, whatever the
    number of communes and months: one compaction and one aggregate over them all."""
    months, ids = list(months), [c.pk for c in communes]
    if not months or not ids:
        return [[] for _c in communes]
    tallies = {pk: _Tally(months) for pk in ids}
    ledger.compact(ids)
    for commune_id, *row in ledger.changes_until_each(
        ids, month_index(min(months)) - 1, month_index(max(months))
    ):
        tallies[commune_id].add(*row)
    return [tallies[pk].figures() for pk in ids]


def adoption_series(
    *,
    commune: Commune,
    start: datetime.date,
    end: datetime.date,
    village: Village | None = None,
    villages: Iterable[Village] | None = None,
) -> list[MonthFigures]:
    """Eligible, e-ID, online and level 3/4 counts at the end of each month start..end.

    The area is `village`, or the union of `villages`, or (neither) the whole commune.
    A fixed number of queries whatever the number of months.
    """
    if village is not None:
        villages = [village]
    return adoption_at(commune=commune, months=months_between(start, end), villages=villages)


def adoption_overview(
    *,
    commune: Commune,
    months: Sequence[datetime.date],
    villages: Sequence[Village],
    area: Sequence[Village] | None = None,
    village_months: Sequence[datetime.date] = (),
    whole: bool = False,
) -> tuple[list[MonthFigures], list[tuple[Village, list[MonthFigures]]]]:
    """What the dashboard shows: the area's series, and every village at a few months.

    The series of `area` (default: all `villages`) at the end of each of `months`, and
    each of `villages` (by code) at the end of each of `village_months` (some of
    `months`). Three queries whatever the number of villages and months: the ledger's
    compaction, the area's changes per month, and each village's counts at the few
    months asked for (a league table of hundreds of villages needs two months of each,
    not the whole series), added up by the database. `whole`: `villages` are all the
    commune's, so the ledger is read without a list of villages to match rows against.
    """
    months = list(months)
    villages = sorted(villages, key=lambda v: v.code)
    total = _Tally(months)
    found = {}
    if months and villages:
        ledger.compact(commune.pk)
        if area is not None:
            area_ids = [v.pk for v in area]
        else:
            area_ids = None if whole else [v.pk for v in villages]
        low, high = month_index(min(months)) - 1, month_index(max(months))
        for row in ledger.changes_until(commune.pk, low, high, area_ids):
            total.add(*row)
        if village_months:
            at = [month_index(m) for m in village_months]
            ids = None if whole else [v.pk for v in villages]
            found = {village: counts for village, *counts in ledger.counts_at(commune.pk, at, ids)}
    none = [0] * len(MEASURES) * len(village_months)
    return total.figures(), [(v, _at_months(village_months, found.get(v.pk, none))) for v in villages]


def _at_months(months: Sequence[datetime.date], counts: Sequence[int]) -> list[MonthFigures]:
    """MonthFigures from counts_at's row: the measures at the first month, then the second..."""
    width = len(MEASURES)
    return [MonthFigures(month, *counts[i * width : (i + 1) * width]) for i, month in enumerate(months)]


# --- Quarter and year roll-ups -----------------------------------------------------------


@dataclass(frozen=True)
class PeriodFigures:
    """Figures of a quarter or year: those at the end of its last month within the period."""

    label: str
    figures: MonthFigures
    complete: bool  # False when the period asked for ends before the quarter or year does


def quarter_key(month: datetime.date) -> tuple[int, int]:
    return quarter_of(month)


def quarter_label(month: datetime.date) -> str:
    return "{}-Q{}".format(*quarter_of(month))


def year_key(month: datetime.date) -> int:
    return month.year


def year_label(month: datetime.date) -> str:
    return str(month.year)


def rollup(series: Sequence[MonthFigures], key, label) -> list[PeriodFigures]:
    """Quarter or year figures from a monthly series: each period's last month in the series.

    A period is `complete` when that month is the period's own last month.
    """
    last = {}
    for figures in series:
        last[key(figures.month)] = figures
    return [
        PeriodFigures(label(f.month), f, complete=key(add_months(f.month, 1)) != key(f.month))
        for f in last.values()
    ]


# --- Breakdowns by sex and by age band at one month's end ---------------------------------


AGE_BANDS = [
    # (key, label, youngest age, oldest age); the first only shows when min_age < 15.
    ("under15", _("under 15"), None, 14),
    ("15-29", _("15–29"), 15, 29),
    ("30-44", _("30–44"), 30, 44),
    ("45-59", _("45–59"), 45, 59),
    ("60+", _("60 and over"), 60, None),
    ("unknown", _("birth year unknown"), None, None),
]
SEXES = [("F", _("female")), ("M", _("male")), ("", _("not recorded"))]


@dataclass(frozen=True)
class Breakdown:
    key: str
    label: str
    figures: MonthFigures


def _age_band_case(year: int) -> Case:
    whens = [When(birth_year__isnull=True, then=Value("unknown"))]
    for key, _label, _youngest, oldest in AGE_BANDS[:-2]:
        # age <= oldest  <=>  birth_year >= year - oldest
        whens.append(When(birth_year__gte=year - oldest, then=Value(key)))
    return Case(*whens, default=Value("60+"), output_field=CharField())


def adoption_breakdowns(
    *, commune: Commune, month: datetime.date, villages: Iterable[Village] | None = None
) -> dict[str, list[Breakdown]]:
    """{"sex": [...], "age": [...]}: the adoption figures at the end of `month` by sex and age band.

    One query grouped by (sex, band) over eligible residents; both breakdowns add up to
    the area's figures. Bands with nobody in them are left out, except the usual four.
    """
    end = month_end(month)
    rows = (
        _eligible_residents(commune, month, None if villages is None else list(villages))
        .annotate(band=_age_band_case(month.year))
        .values("sex", "band")
        .annotate(
            eligible=Count("id"),
            eid=Count("id", filter=Q(eid_on__lte=end)),
            online=Count("id", filter=online_by_q(end)),
            level34=Count("id", filter=Q(level34_on__lte=end)),
        )
        .order_by()
    )
    by_sex, by_band = defaultdict(lambda: [0] * 4), defaultdict(lambda: [0] * 4)
    for row in rows:
        counts = [row[m] for m in MEASURES]
        for total in (by_sex[row["sex"]], by_band[row["band"]]):
            for i, n in enumerate(counts):
                total[i] += n
    usual = {"15-29", "30-44", "45-59", "60+"}
    return {
        "sex": [
            Breakdown(key, label, MonthFigures(month, *by_sex[key]))
            for key, label in SEXES
            if key or key in by_sex
        ],
        "age": [
            Breakdown(key, label, MonthFigures(month, *by_band[key]))
            for key, label, _y, _o in AGE_BANDS
            if key in usual or key in by_band
        ],
    }
