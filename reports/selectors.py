"""The indicators of DOMAIN.md over time, computed by the database.

Every figure is counted "at the end of" a month M: a date on or before the last day of M
counts, a date after it does not. Each function runs a fixed number of queries however
many months, villages or groups it reports on: one SELECT carries a conditional
aggregate (COUNT ... FILTER) per month and measure, or groups by village, and Python only
arranges the aggregated rows. The adoption series read the adoption ledger
(reports.ledger), which the database keeps in step with the register.

Areas: `villages=None` is the whole commune; a list of villages restricts every figure to
the residents, visits, sessions and dossiers of those villages (a village head's view).
Which commune and villages a user may read is decided by `reach_of`, from villages.access.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from itertools import accumulate

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from mobilization.models import (
    Application,
    CommunicationActivity,
    HomeVisit,
    Membership,
    VisitHelp,
    WorkerGroup,
)
from reports import ledger
from reports.models import Target
from training.models import Attendance, TrainingSession
from villages.access import WHOLE_COMMUNE, role_in, scope_of
from villages.calendar import add_months, commune_today, month_end, month_start, months_between, quarter_of
from villages.models import Commune, Resident, Village
from villages.selectors import communes_visible_to, villages_visible_to

# A resident "reached level 3/4 after being helped" when their first level 3/4 date falls
# within this many days after the help (the help day included).
REACH_WINDOW_DAYS = 30

MEASURES = ("eligible", "eid", "online", "level34")
# Looked up once: an enum's .values rebuilds its list on every call, and the league table
# asks for each of hundreds of villages.
INDICATORS = tuple(Target.Indicator.values)


def share(part: int, whole: int) -> float | None:
    """part / whole rounded to 4 decimals; None when there is no one to count."""
    if not whole:
        return None
    return round(part / whole, 4)


# --- Who may read what ----------------------------------------------------------------


@dataclass(frozen=True)
class Reach:
    """What of one commune a user may read in the reports.

    `whole` users (officials, leaders, superusers) read the commune and every village;
    village heads and workers read only the villages of their role, never the commune.
    """

    commune: Commune
    whole: bool
    villages: tuple[Village, ...]

    def village(self, code: str) -> Village | None:
        return next((v for v in self.villages if v.code == code), None)

    @property
    def area_villages(self) -> list[Village] | None:
        """The default area: the commune (None) or, for a village role, all their villages."""
        return None if self.whole else list(self.villages)


def report_communes(user) -> QuerySet[Commune]:
    """Communes whose reports the user may open (any role in them)."""
    return communes_visible_to(user).order_by("code")


def reach_of(user, commune: Commune) -> Reach | None:
    """The user's reach in `commune`, or None when they may read nothing of it."""
    villages = tuple(villages_visible_to(user).filter(commune=commune).order_by("code"))
    whole = user.is_superuser or role_in(user, commune.pk) in WHOLE_COMMUNE
    if not whole and not villages:
        return None
    return Reach(commune=commune, whole=whole, villages=villages)


def latest_activity_month(commune: Commune) -> datetime.date:
    """The latest month with a visit, session or dossier recorded, never after this month.

    The dashboard's default period ends here, so that a commune whose records stop in May
    does not open on six flat months. One query (three indexed MAX subqueries).
    """
    today = commune_today()

    def latest(model, field):
        return Subquery(
            model.objects.filter(commune=OuterRef("pk"), **{f"{field}__lte": today})
            .order_by()
            .values("commune")
            .annotate(last=Max(field))
            .values("last")
        )

    row = (
        Commune.objects.filter(pk=commune.pk)
        .annotate(
            visit=latest(HomeVisit, "visited_on"),
            session=latest(TrainingSession, "held_on"),
            dossier=latest(Application, "submitted_on"),
        )
        .values("visit", "session", "dossier")
        .get()
    )
    days = [d for d in row.values() if d is not None]
    return month_start(max(days)) if days else month_start(today)


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


def _eligible_q(commune: Commune, month: datetime.date) -> Q:
    """DOMAIN.md's eligible residents at the end of `month`."""
    end = month_end(month)
    return (
        (Q(left_on__isnull=True) | Q(left_on__gt=end))
        & (Q(moved_in_on__isnull=True) | Q(moved_in_on__lte=end))
        & (Q(birth_year__isnull=True) | Q(birth_year__lte=month.year - commune.min_age))
    )


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


def _ledger_rows(commune: Commune, months: Sequence[datetime.date], villages, *group_by: str):
    """The ledger's changes up to the last of `months`, summed per (*group_by, month), the
    changes before the first month added into the month before it.

    Folds in what the triggers appended since the last read first (one statement), so
    that the sum runs over one row per village and month (and per year before).
    """
    ledger.compact(commune.pk)
    return ledger.changes_until(
        commune.pk,
        month_index(min(months)) - 1,
        month_index(max(months)),
        village_ids=None if villages is None else [v.pk for v in villages],
        by_village=bool(group_by),
    )


def _residents_of(commune: Commune, villages: Iterable[Village] | None) -> QuerySet[Resident]:
    residents = Resident.objects.filter(commune=commune)
    if villages is not None:
        residents = residents.filter(household__village__in=[v.pk for v in villages])
    return residents


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


def adoption_by_village(
    *,
    commune: Commune,
    start: datetime.date,
    end: datetime.date,
    villages: Iterable[Village] | None = None,
) -> list[tuple[Village, list[MonthFigures]]]:
    """adoption_series for every village of the commune (or of `villages`), by village code.

    Three queries whatever the number of villages and months: the villages, the ledger's
    compaction and one aggregate grouped by village. Villages with no residents get zeros.
    """
    months = months_between(start, end)
    if villages is None:
        villages = list(Village.objects.filter(commune=commune).order_by("code"))
    else:
        villages = sorted(villages, key=lambda v: v.code)
    if not months or not villages:
        return [(v, []) for v in villages]
    tallies = {v.pk: _Tally(months) for v in villages}
    for village, *row in _ledger_rows(commune, months, villages, "village"):
        tallies[village].add(*row)
    return [(v, tallies[v.pk].figures()) for v in villages]


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


def _rollup(commune, start, end, villages, key, label) -> list[PeriodFigures]:
    # Only the last month of each period is counted: one query, a few months.
    last_months = {key(month): month for month in months_between(start, end)}
    figures = adoption_at(commune=commune, months=list(last_months.values()), villages=villages)
    return rollup(figures, key, label)


def adoption_by_quarter(*, commune, start, end, villages=None) -> list[PeriodFigures]:
    """Each quarter from start to end, counted at the end of its last month (or of `end`)."""
    return _rollup(commune, start, end, villages, quarter_key, quarter_label)


def adoption_by_year(*, commune, start, end, villages=None) -> list[PeriodFigures]:
    """Each year from start to end, counted at the end of December (or of `end`)."""
    return _rollup(commune, start, end, villages, year_key, year_label)


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


def age_band(age: int | None) -> str:
    """The key of the band of an age in years (a month's year minus the birth year)."""
    if age is None:
        return "unknown"
    for key, _label, youngest, oldest in AGE_BANDS[:-1]:
        if (youngest is None or age >= youngest) and (oldest is None or age <= oldest):
            return key
    raise AssertionError(age)


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
        _residents_of(commune, villages)
        .filter(_eligible_q(commune, month))
        .annotate(band=_age_band_case(month.year))
        .values("sex", "band")
        .annotate(
            eligible=Count("id"),
            eid=Count("id", filter=Q(eid_on__lte=end)),
            online=Count("id", filter=Q(online_on__lte=end) | Q(level34_on__lte=end)),
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


# --- Worker groups: residents helped, and who reached level 3/4 soon after ---------------


@dataclass(frozen=True)
class GroupHelp:
    """What one worker group's visits and sessions did for residents in a month or period.

    helped: distinct residents the group helped in the month (or period).
    reached: of those, residents whose first level 3/4 date is within REACH_WINDOW_DAYS
      days after the group first helped them in that month (or period), the help day
      included: first_help <= level34_on <= first_help + 30 days.
    already: of those, residents whose level 3/4 date was before that first help; they
      are never counted as reached.
    """

    group: WorkerGroup
    month: datetime.date | None
    helped: int
    reached: int
    already: int

    @property
    def reached_share(self) -> float | None:
        return share(self.reached, self.helped)


def _group_events_sql() -> str:
    """(resident_id, key_id, day) rows: each help a worker group gave a resident.

    Parameters: (commune, first day, last day) three times."""
    q = connection.ops.quote_name
    visit, help_ = HomeVisit._meta.db_table, VisitHelp._meta.db_table
    visit_workers = HomeVisit.workers.through._meta.db_table
    session, attendance = TrainingSession._meta.db_table, Attendance._meta.db_table
    facilitators = TrainingSession.facilitators.through._meta.db_table
    membership = Membership._meta.db_table
    # A worker counts for a group on the days they were a member: from joined_on (always,
    # when unknown) to the day before left_on, as a resident's left_on is their first day away.
    member_on = "(m.joined_on IS NULL OR m.joined_on <= {day}) AND (m.left_on IS NULL OR m.left_on > {day})"
    return f"""
            SELECT vh.resident_id AS resident_id, m.group_id AS key_id, v.visited_on AS day
            FROM {q(help_)} vh
            JOIN {q(visit)} v ON v.id = vh.visit_id
            JOIN {q(visit_workers)} vw ON vw.homevisit_id = v.id
            JOIN {q(membership)} m ON m.worker_id = vw.worker_id
            WHERE v.commune_id = %s AND v.visited_on >= %s AND v.visited_on <= %s
              AND {member_on.format(day="v.visited_on")}
            UNION ALL
            SELECT a.resident_id, s.group_id, s.held_on
            FROM {q(attendance)} a
            JOIN {q(session)} s ON s.id = a.session_id
            WHERE s.commune_id = %s AND s.held_on >= %s AND s.held_on <= %s AND s.group_id IS NOT NULL
            UNION ALL
            SELECT a.resident_id, m.group_id, s.held_on
            FROM {q(attendance)} a
            JOIN {q(session)} s ON s.id = a.session_id
            JOIN {q(facilitators)} sf ON sf.trainingsession_id = s.id
            JOIN {q(membership)} m ON m.worker_id = sf.worker_id
            WHERE s.commune_id = %s AND s.held_on >= %s AND s.held_on <= %s
              AND {member_on.format(day="s.held_on")}
    """


def _reach_sql(events: str, by_month: bool, village_count: int) -> str:
    q = connection.ops.quote_name
    resident, household = Resident._meta.db_table, Resident.household.field.related_model._meta.db_table
    if connection.vendor == "postgresql":
        month_of = "to_char(e.day, 'YYYY-MM')"
        window_end = f"f.first_day + {REACH_WINDOW_DAYS:d}"
    else:
        month_of = "strftime('%%Y-%%m', e.day)"
        window_end = f"date(f.first_day, '+{REACH_WINDOW_DAYS:d} days')"
    in_villages = ""
    if village_count:
        in_villages = "AND h.village_id IN ({})".format(", ".join(["%s"] * village_count))
    month_column = f"{month_of} AS month," if by_month else "NULL AS month,"
    month_group = "month, " if by_month else ""
    return f"""
        WITH events AS ({events}),
        firsts AS (
            SELECT e.key_id, {month_column} e.resident_id, MIN(e.day) AS first_day
            FROM events e
            JOIN {q(resident)} r ON r.id = e.resident_id
            JOIN {q(household)} h ON h.id = r.household_id
            WHERE r.commune_id = %s {in_villages}
            GROUP BY e.key_id, {month_group} e.resident_id
        )
        SELECT f.key_id, f.month, COUNT(*),
            SUM(CASE WHEN r.level34_on >= f.first_day AND r.level34_on <= {window_end} THEN 1 ELSE 0 END),
            SUM(CASE WHEN r.level34_on < f.first_day THEN 1 ELSE 0 END)
        FROM firsts f
        JOIN {q(resident)} r ON r.id = f.resident_id
        GROUP BY f.key_id, f.month
    """


def reach_counts(
    *,
    events: str,
    events_params: list,
    commune: Commune,
    villages: Iterable[Village] | None = None,
    by_month: bool = False,
) -> list[tuple[int, datetime.date | None, int, int, int]]:
    """(key, month, helped, reached, already) for helps given by a key: a worker group, a model.

    `events` is a SELECT of (resident_id, key_id, day) rows, one per help (a resident
    helped at a visit, present at a session), with `events_params`. For each key (and
    month, with `by_month`; month is None otherwise) the distinct residents of `commune`
    (of `villages` when given) helped, those whose first level 3/4 date is within
    REACH_WINDOW_DAYS after the first help (see GroupHelp), and those already at level 3/4
    before it. Worker groups (group_help) and mobilization models share this rule. One query.
    """
    village_ids = None if villages is None else [v.pk for v in villages]
    if village_ids == []:
        village_ids = [0]  # no village: nothing matches
    with connection.cursor() as cursor:
        cursor.execute(
            _reach_sql(events, by_month, len(village_ids or [])),
            [*events_params, commune.pk, *(village_ids or [])],
        )
        rows = cursor.fetchall()
    return [
        (
            key,
            datetime.date(int(month[:4]), int(month[5:7]), 1) if month else None,
            helped,
            reached or 0,
            already or 0,
        )
        for key, month, helped, reached, already in rows
    ]


def group_help(
    *,
    commune: Commune,
    start: datetime.date,
    end: datetime.date,
    villages: Iterable[Village] | None = None,
    by_month: bool = False,
) -> list[GroupHelp]:
    """Residents helped by each worker group from the start of `start` to the end of `end`.

    A group helped a resident when the resident was recorded as helped at a home visit by
    a worker who was a member of the group that day, or attended a session the group
    organised or one of its members facilitated. A resident helped by two groups counts
    for both. With `by_month`, one entry per group and month (months with no help are
    left out); otherwise one entry per group for the whole period, every group of the
    commune included. See GroupHelp for `reached`. Two queries.
    """
    first, last = month_start(start), month_end(end)
    adapt = connection.ops.adapt_datefield_value
    span = [commune.pk, adapt(first), adapt(last)]
    rows = reach_counts(
        events=_group_events_sql(),
        events_params=[*span, *span, *span],
        commune=commune,
        villages=villages,
        by_month=by_month,
    )
    groups = {g.pk: g for g in WorkerGroup.objects.filter(commune=commune).order_by("kind", "name")}
    found = [GroupHelp(groups[key], *counts) for key, *counts in rows if key in groups]
    if by_month:
        return sorted(found, key=lambda g: (g.month, g.group.kind, g.group.name))
    seen = {g.group.pk: g for g in found}
    return [seen.get(pk) or GroupHelp(group, None, 0, 0, 0) for pk, group in groups.items()]


# --- Dossiers: the share of applications received online --------------------------------


@dataclass(frozen=True)
class DossierFigures:
    """Dossiers the commune received in `month` in a field of work ('' for every field)."""

    month: datetime.date
    field: str
    received: int
    online: int  # level 3 or 4
    level4: int

    @property
    def online_share(self) -> float | None:
        return share(self.online, self.received)

    @property
    def level4_share(self) -> float | None:
        return share(self.level4, self.received)


def dossier_shares(
    *,
    commune: Commune,
    start: datetime.date,
    end: datetime.date,
    villages: Iterable[Village] | None = None,
) -> dict[str, list[DossierFigures]]:
    """Per field of work ('' = all fields), one DossierFigures per month start..end.

    A dossier belongs to the month of its submission date; in a village view, to the
    village it came from. One query.
    """
    months = months_between(start, end)
    applications = Application.objects.filter(
        commune=commune, submitted_on__gte=months[0], submitted_on__lte=month_end(months[-1])
    )
    if villages is not None:
        applications = applications.filter(village__in=[v.pk for v in villages])
    rows = (
        applications.annotate(month=TruncMonth("submitted_on"))
        .values("month", "field")
        .annotate(
            received=Count("id"),
            online=Count(
                "id",
                filter=Q(channel__in=[Application.Channel.ONLINE_LEVEL3, Application.Channel.ONLINE_LEVEL4]),
            ),
            level4=Count("id", filter=Q(channel=Application.Channel.ONLINE_LEVEL4)),
        )
        .order_by()
    )
    counts = defaultdict(lambda: [0, 0, 0])
    for row in rows:
        month = row["month"]
        month = month.date() if isinstance(month, datetime.datetime) else month
        for key in ((month, row["field"]), (month, "")):
            for i, measure in enumerate(("received", "online", "level4")):
                counts[key][i] += row[measure]
    fields = ["", *Application.Field.values]
    return {field: [DossierFigures(m, field, *counts[(m, field)]) for m in months] for field in fields}


# --- Activity per month -----------------------------------------------------------------


@dataclass(frozen=True)
class ActivityFigures:
    """The program's work in `month`.

    visits: home visits; households: distinct households visited; residents_helped:
    distinct residents recorded as helped at those visits; sessions: training sessions
    held; attendance: attendances at them; communications and reach: communication
    activities and their estimated reach (the whole activity's, in a village view);
    overdue: follow-ups overdue at the end of the month (see follow_ups_overdue).
    """

    month: datetime.date
    visits: int = 0
    households: int = 0
    residents_helped: int = 0
    sessions: int = 0
    attendance: int = 0
    communications: int = 0
    reach: int = 0
    overdue: int = 0


def _overdue_bounds(month: datetime.date, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """(due by, seen by): a follow-up is overdue at the end of `month` when its date is on
    or before `due by` and the household had no later visit on or before `seen by`. For the
    current month the end has not come: it is overdue today when its date has passed."""
    end = month_end(month)
    if end < today:
        return end, end
    return today - datetime.timedelta(days=1), today


def activity_series(
    *,
    commune: Commune,
    start: datetime.date,
    end: datetime.date,
    villages: Iterable[Village] | None = None,
    today: datetime.date | None = None,
    tagged=None,
) -> list[ActivityFigures]:
    """Visits, households reached, residents helped, sessions, attendance, communications,
    reach and follow-ups overdue, per month start..end. Four queries, whatever the months.

    With `tagged` (a mobilization.MobilizationModel), only the visits, sessions and
    communication activities tagged with that model count.

    A follow-up (a visit's follow_up_on) is overdue at the end of a month when its date is
    on or before the month's last day and the household had no later visit by then; for
    the current month, when its date is before today and no later visit happened.
    """
    today = today or commune_today()
    months = months_between(start, end)
    first, last = months[0], month_end(months[-1])
    village_ids = None if villages is None else [v.pk for v in villages]
    figures = {m: {} for m in months}

    def by_month(queryset, date_field, **aggregates):
        rows = (
            queryset.filter(**{f"{date_field}__gte": first, f"{date_field}__lte": last})
            .annotate(month=TruncMonth(date_field))
            .values("month")
            .annotate(**aggregates)
            .order_by()
        )
        for row in rows:
            month = row.pop("month")
            month = month.date() if isinstance(month, datetime.datetime) else month
            figures[month].update({k: v or 0 for k, v in row.items()})

    visits = HomeVisit.objects.filter(commune=commune)
    sessions = TrainingSession.objects.filter(commune=commune)
    communications = CommunicationActivity.objects.filter(commune=commune)
    if tagged is not None:
        visits, sessions = visits.filter(model=tagged), sessions.filter(model=tagged)
        communications = communications.filter(model=tagged)
    if village_ids is not None:
        visits = visits.filter(household__village__in=village_ids)
        sessions = sessions.filter(village__in=village_ids)
        touching = CommunicationActivity.villages.through.objects.filter(
            communicationactivity=OuterRef("pk"), village__in=village_ids
        )
        communications = communications.filter(Exists(touching))
    by_month(
        visits,
        "visited_on",
        visits=Count("id", distinct=True),
        households=Count("household", distinct=True),
        residents_helped=Count("helped__resident", distinct=True),
    )
    by_month(sessions, "held_on", sessions=Count("id", distinct=True), attendance=Count("attendances"))
    by_month(communications, "held_on", communications=Count("id"), reach=Sum("reach"))

    later = HomeVisit.objects.filter(household=OuterRef("household"), visited_on__gt=OuterRef("visited_on"))
    next_visit = Subquery(later.order_by("visited_on").values("visited_on")[:1])
    overdue = {}
    for i, month in enumerate(months):
        due_by, seen_by = _overdue_bounds(month, today)
        overdue[f"overdue_{i}"] = Count(
            "id",
            filter=Q(follow_up_on__lte=due_by) & (Q(next_visit__isnull=True) | Q(next_visit__gt=seen_by)),
        )
    row = (
        visits.filter(follow_up_on__isnull=False, follow_up_on__lte=last)
        .annotate(next_visit=next_visit)
        .aggregate(**overdue)
    )
    for i, month in enumerate(months):
        figures[month]["overdue"] = row[f"overdue_{i}"] or 0
    return [ActivityFigures(month, **figures[month]) for month in months]


# --- Targets and the planned trajectory ------------------------------------------------


def targets_visible_to(user) -> QuerySet[Target]:
    """Targets of the user's whole communes, of their villages, and their communes' commune-wide ones."""
    scope = scope_of(user)
    if scope.everything:
        return Target.objects.all()
    return Target.objects.filter(
        Q(commune__in=scope.whole_communes)
        | Q(village__in=scope.villages)
        | Q(village__isnull=True, commune__in=scope.communes)
    )


def targets_of(commune: Commune) -> list[Target]:
    """Every target of the commune, commune-wide and per village, by due date."""
    return list(Target.objects.filter(commune=commune).select_related("village").order_by("due_on", "pk"))


def planned_value(targets: Sequence[Target], day: datetime.date) -> Decimal | None:
    """The planned share on `day` from one area's targets for one indicator.

    Linear between consecutive targets (by due date); the last target's value after it;
    no plan before the first target: enter the starting point (the share when the
    campaign began) as a target of its own to draw the way up to the next one.
    """
    targets = sorted(targets, key=lambda t: t.due_on)
    if not targets or day < targets[0].due_on:
        return None
    for before, after in zip(targets, targets[1:], strict=False):
        if before.due_on <= day < after.due_on:
            span = (after.due_on - before.due_on).days
            done = (day - before.due_on).days
            value = before.value + (after.value - before.value) * Decimal(done) / Decimal(span)
            return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)
    return targets[-1].value


def plan_for(targets: Sequence[Target], indicator: str, village: Village | None = None) -> list[Target]:
    """The targets that plan `indicator` for a village (or the commune when None).

    A village follows its own targets for the indicator, or the commune's when it has none.
    """
    commune_wide = [t for t in targets if t.indicator == indicator and t.village_id is None]
    if village is None:
        return commune_wide
    own = [t for t in targets if t.indicator == indicator and t.village_id == village.pk]
    return own or commune_wide


def plan_series(
    targets: Sequence[Target], months: Sequence[datetime.date], village: Village | None = None
) -> dict[str, list[Decimal | None]]:
    """{indicator: planned value at the end of each month} for the commune or a village."""
    return {
        indicator: [planned_value(plan_for(targets, indicator, village), month_end(m)) for m in months]
        for indicator in INDICATORS
    }


def behind_plan(
    figures: MonthFigures, targets: Sequence[Target], village: Village | None = None
) -> list[str]:
    """The indicators whose actual share at the end of figures.month is below the plan."""
    behind = []
    for indicator in INDICATORS:
        planned = planned_value(plan_for(targets, indicator, village), month_end(figures.month))
        actual = figures.share_of(indicator)
        if planned is not None and actual is not None and Decimal(str(actual)) < planned:
            behind.append(indicator)
    return behind
