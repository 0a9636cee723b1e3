"""The reports as tables: what the pages show, what the exports write, the same rows.

A report (the dashboard, the monthly report) is built for an `Area` and a period from the
selectors; each of its tables is computed when first asked for, so that an export of one
table runs only the queries that table needs. Cells hold raw values (ints, shares as
fractions rounded to 4 decimals, changes in percentage points, None for "no figure");
templates and exports format them by the column's kind.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from mobilization.models import Application
from reports import savings
from reports.disclosure import SUPPRESSED, Disclosure, Withheld, is_withheld, with_legend
from reports.models import Target
from reports.official_tables import official_by_month_table
from reports.periods import counted_to, is_complete, standing
from reports.selectors.activity import ActivityFigures, activity_series
from reports.selectors.adoption import (
    Breakdown,
    MonthFigures,
    adoption_breakdowns,
    adoption_overview,
    quarter_key,
    quarter_label,
    rollup,
    year_key,
    year_label,
)
from reports.selectors.dossiers import DossierFigures, dossier_shares
from reports.selectors.helped import REACHED_WITHIN_WINDOW, GroupHelp, group_help, with_reach_window
from reports.selectors.official import official_compared
from reports.selectors.reach import Reach
from reports.selectors.targets import behind_plan, group_plans, plan_series, targets_of
from reports.tabular import Column, Table
from softbridge.calendar import add_months, commune_today, month_label, months_between
from villages.models import Village

INDICATORS = [
    # (target indicator, count attribute, label)
    (Target.Indicator.EID_SHARE, "eid", _("e-ID")),
    (Target.Indicator.ONLINE_SHARE, "online", _("online")),
    (Target.Indicator.LEVEL34_SHARE, "level34", _("level 3/4")),
]
SO_FAR_NOTE = _("* The month is not over: figures so far, to today, and the plan as of today.")


@dataclass(frozen=True)
class Area:
    """The part of a commune a report is about: one village, or all the user may read."""

    reach: Reach
    village: Village | None = None

    @property
    def commune(self):
        return self.reach.commune

    @property
    def villages(self) -> list[Village] | None:
        """The selectors' `villages` argument: None for the whole commune."""
        if self.village is not None:
            return [self.village]
        return self.reach.area_villages

    @property
    def label(self) -> str:
        if self.village is not None:
            return str(self.village)
        if self.reach.whole:
            return str(self.commune)
        return ", ".join(v.name for v in self.reach.villages)

    @property
    def plan_village(self) -> Village | None:
        """Whose targets plan this area: the village's, or (for the commune and for several
        villages together) the commune's."""
        return self.village


def change(now: float | None, before: float | None) -> float | None:
    """The change of a share in percentage points, rounded to 2 decimals."""
    if now is None or before is None:
        return None
    if is_withheld(now) or is_withheld(before):
        return SUPPRESSED
    return round((now - before) * 100, 2)


def plan_float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


# The headline first in a table of months or groups: on a phone, the level 3/4 share is the
# column read without scrolling, then online use, then e-ID.
HEADLINE_FIRST = INDICATORS[::-1]


def adoption_columns(with_plan: bool) -> list[Column]:
    columns = [Column("eligible", _("Eligible residents"))]
    for indicator, count, label in HEADLINE_FIRST:
        columns.append(Column(count, label))
        columns.append(Column(indicator, _("%(indicator)s share") % {"indicator": label}, "share"))
        if with_plan:
            columns.append(Column(f"{indicator}_plan", _("planned"), "share"))
    return columns


def adoption_cells(figures: MonthFigures, plans: dict | None = None, i: int = 0) -> list:
    cells = [figures.eligible]
    for indicator, count, _label in HEADLINE_FIRST:
        cells += [getattr(figures, count), figures.share_of(indicator)]
        if plans is not None:
            cells.append(plan_float(plans[indicator][i]))
    return cells


class Dashboard:
    """The leadership dashboard of an area over a period of months."""

    table_keys = (
        "adoption",
        "villages",
        "groups",
        "activity",
        "dossiers",
        "dossiers_by_field",
        "quarters",
        "years",
        "savings",
        "official",
    )

    def __init__(
        self, area: Area, start: datetime.date, end: datetime.date, today: datetime.date | None = None
    ):
        self.area, self.start, self.end = area, start, end
        self.today = today or commune_today()
        self.months = months_between(start, end)

    # --- What the selectors give -----------------------------------------------------

    @cached_property
    def overview(self) -> tuple[list[MonthFigures], list[tuple[Village, list[MonthFigures]]]]:
        """The area's series from the month before the period to its end (the extra month
        gives the first its change), and every village the user reads at each of those months
        (the league reads the last two, the trend lines all). One query for the whole page."""
        months = [add_months(self.start, -1), *self.months]
        return adoption_overview(
            commune=self.area.commune,
            months=months,
            villages=list(self.area.reach.villages),
            area=None if self.area.village is None else [self.area.village],
            village_months=months,
            whole=self.area.reach.whole,
        )

    @cached_property
    def disclosure(self) -> Disclosure:
        return Disclosure(self.area.reach)

    @cached_property
    def series_with_before(self) -> list[MonthFigures]:
        """The area's series as the reader may read it (small cells withheld)."""
        village = self.area.village
        if village is None and not self.area.reach.whole:
            return self.overview[0]  # a village role's own villages: named, never withheld
        return self.disclosure.area_series(self.overview[0], None if village is None else village.pk)

    @cached_property
    def villages_by_month(self) -> list[tuple[Village, list[MonthFigures]]]:
        """Each village at the end of the month before the period and of each of its months
        (small cells withheld)."""
        villages = self.overview[1]
        if not villages or self.disclosure.everything_named:
            return villages
        withheld = self.disclosure.withheld_villages([f.month for f in villages[0][1]])
        return [
            (village, [Withheld(f.month) if village.pk in withheld[f.month] else f for f in series])
            for village, series in villages
        ]

    @cached_property
    def villages_latest(self) -> list[tuple[Village, list[MonthFigures]]]:
        """Each village at the end of the month before the last, and of the last."""
        return [(village, series[-2:]) for village, series in self.villages_by_month]

    def village_trends(self) -> list[dict]:
        """Each village's level 3/4 share at the end of each month of the period and its plan,
        for the trend lines side by side (reports.sparklines), by village code."""
        level34 = Target.Indicator.LEVEL34_SHARE
        return [
            {
                "village": village,
                "shares": [f.share_of(level34) for f in series[1:]],
                "plan": [
                    plan_float(v)
                    for v in plan_series(self.targets, self.months, village, today=self.today)[level34]
                ],
            }
            for village, series in self.villages_by_month
        ]

    @cached_property
    def series(self) -> list[MonthFigures]:
        """The area's figures at the end of each month of the period."""
        return self.series_with_before[1:]

    @cached_property
    def targets(self) -> list[Target]:
        return targets_of(self.area.commune)

    @cached_property
    def plan(self) -> dict[str, list[Decimal | None]]:
        return plan_series(self.targets, self.months, self.area.plan_village, today=self.today)

    @cached_property
    def has_plan(self) -> bool:
        return any(value is not None for values in self.plan.values() for value in values)

    @cached_property
    def groups(self) -> list[GroupHelp]:
        return group_help(
            commune=self.area.commune, start=self.start, end=self.end, villages=self.area.villages
        )

    @cached_property
    def activity(self) -> list[ActivityFigures]:
        return activity_series(
            commune=self.area.commune,
            start=self.start,
            end=self.end,
            villages=self.area.villages,
            today=self.today,
        )

    @cached_property
    def dossiers(self) -> dict[str, list[DossierFigures]]:
        return dossier_shares(
            commune=self.area.commune, start=self.start, end=self.end, villages=self.area.villages
        )

    @cached_property
    def savings_by_month(self) -> list[savings.Savings]:
        return savings.savings_of_area(
            commune=self.area.commune, start=self.start, end=self.end, villages=self.area.villages
        )

    @cached_property
    def savings_total(self) -> savings.Savings:
        return savings.savings_total(self.area.commune, self.savings_by_month)

    def group_trends(self) -> list[dict]:
        """Each organisation's residents helped in each month of the period, for the trend
        lines side by side; `top` is the most any helped in a month, the lines' common scale.
        Two queries (reports.selectors.helped.group_help by month)."""
        monthly = group_help(
            commune=self.area.commune,
            start=self.start,
            end=self.end,
            villages=self.area.villages,
            by_month=True,
        )
        by_group: dict[int, tuple] = {}
        for g in monthly:
            by_group.setdefault(g.group.pk, (g.group, {}))[1][g.month] = g.helped
        top = max((n for _group, months in by_group.values() for n in months.values()), default=0)
        return [
            {"group": group, "helped": [months.get(m, 0) for m in self.months], "top": top}
            for group, months in sorted(by_group.values(), key=lambda pair: (pair[0].kind, pair[0].name))
        ]

    # --- Headline ----------------------------------------------------------------------

    @cached_property
    def standing(self) -> str:
        """The period of the latest figures in words ("so far" for the unfinished month)."""
        return standing(self.end, today=self.today)

    @cached_property
    def latest(self) -> MonthFigures:
        return self.series[-1]

    @cached_property
    def previous(self) -> MonthFigures:
        return self.series_with_before[-2]

    def headline(self) -> list[dict]:
        """The three shares at the latest month, their change and the plan."""
        found = []
        behind = behind_plan(self.latest, self.targets, self.area.plan_village, today=self.today)
        for indicator, count, label in INDICATORS:
            share = self.latest.share_of(indicator)
            before = self.previous.share_of(indicator)
            found.append(
                {
                    "indicator": indicator,
                    "label": label,
                    "share": share,
                    "count": getattr(self.latest, count),
                    "eligible": self.latest.eligible,
                    "change": change(share, before),
                    "planned": plan_float(self.plan[indicator][-1]),
                    "behind": indicator in behind,
                }
            )
        return found

    # --- Tables ------------------------------------------------------------------------

    def table(self, key: str) -> Table:
        if key not in self.table_keys:
            raise KeyError(key)
        return with_legend(getattr(self, f"{key}_table")())

    def adoption_table(self) -> Table:
        return Table(
            "adoption",
            _("Adoption at the end of each month"),
            [Column("month", _("Month"), "text"), *adoption_columns(with_plan=True)],
            [
                [month_label(f.month) + ("" if is_complete(f.month, today=self.today) else " *"), *cells]
                for f, cells in ((f, adoption_cells(f, self.plan, i)) for i, f in enumerate(self.series))
            ],
            note=str(
                _(
                    "Counts at the end of each month. Share = residents who reached the step on or before "
                    "the month's last day, over the eligible residents then. Planned: linear between targets."
                )
            )
            + (
                ""
                if is_complete(self.end, today=self.today)
                else " "
                + str(_("* The month is not over: figures so far, to today, and the plan as of today."))
            ),
        )

    def villages_table(self) -> Table:
        """The league table: villages by level 3/4 share at the latest month.

        The ranking share, its change and the behind-plan flags come right after the
        village's name, so that a leader reads them on a phone without scrolling; the
        e-ID and online shares follow."""
        level34, eid, online = INDICATORS[2], INDICATORS[0], INDICATORS[1]
        rows = []
        for village, (before, latest) in self.villages_latest:
            shares = {}
            for indicator, _count, _label in INDICATORS:
                share = latest.share_of(indicator)
                shares[indicator] = [share, change(share, before.share_of(indicator))]
            behind = [
                str(Target.Indicator(i).label)
                for i in behind_plan(latest, self.targets, village, today=self.today)
            ]
            rows.append(
                [
                    village.code,
                    village.name,
                    *shares[level34[0]],
                    behind,
                    latest.eligible,
                    *shares[eid[0]],
                    *shares[online[0]],
                ]
            )
        # Withheld villages go last with those that have no figure: their rank would tell.
        rows.sort(key=lambda r: (r[2] is None or is_withheld(r[2]), -(r[2] or 0), r[1]))
        for rank, row in enumerate(rows, 1):
            row.insert(0, rank)

        def share_columns(indicator, _count, label):
            return [
                Column(indicator, _("%(indicator)s share") % {"indicator": label}, "share"),
                Column(f"{indicator}_change", _("change (points)"), "change"),
            ]

        columns = [
            Column("rank", _("Rank")),
            Column("code", _("Code"), "text"),
            Column("village", _("Village"), "text"),
            *share_columns(*level34),
            Column("behind", _("Behind plan"), "flags"),
            Column("eligible", _("Eligible residents")),
            *share_columns(*eid),
            *share_columns(*online),
        ]
        return Table(
            "villages",
            _("Villages: %(period)s") % {"period": self.standing},
            columns,
            rows,
            note=_(
                "Change since the previous month, in percentage points. Behind plan: the share is below "
                "the planned trajectory of the village's targets (or the commune's, for a village without "
                "its own)."
            ),
            names_rows="village",
            stacked=True,
        )

    def groups_table(self) -> Table:
        return groups_table(
            self.groups,
            with_reach_window(_("Worker groups: residents helped and level 3/4 within %(days)s days")),
            plans=group_plans(self.targets, self.end, self.today),
        )

    def activity_table(self) -> Table:
        return Table(
            "activity",
            _("Activity per month"),
            ACTIVITY_COLUMNS,
            [
                [month_label(a.month), *(getattr(a, c.key) for c in ACTIVITY_COLUMNS[1:])]
                for a in self.activity
            ],
            note=ACTIVITY_NOTE,
        )

    def dossiers_table(self) -> Table:
        return Table(
            "dossiers",
            _("Dossiers received and the share submitted online"),
            [Column("month", _("Month"), "text"), *DOSSIER_COLUMNS],
            [[month_label(d.month), *dossier_cells(d)] for d in self.dossiers[""]],
            note=DOSSIER_NOTE,
        )

    def dossiers_by_field_table(self) -> Table:
        labels = dict(Application.Field.choices)
        rows = [
            [month_label(d.month), str(labels[d.field]), *dossier_cells(d)]
            for figures in zip(*(self.dossiers[f] for f in Application.Field.values), strict=True)
            for d in figures
            if d.received
        ]
        return Table(
            "dossiers_by_field",
            _("Dossiers by field of work"),
            [
                Column("month", _("Month"), "text"),
                Column("field", _("Field of work"), "text"),
                *DOSSIER_COLUMNS,
            ],
            rows,
            note=_("Only the months and fields with dossiers received."),
        )

    def _rollup_table(self, key, title, periods) -> Table:
        return Table(
            key,
            title,
            [
                Column("period", _("Period"), "text"),
                Column("as_of", _("Counted at the end of"), "text"),
                *adoption_columns(with_plan=False),
            ],
            [
                [
                    p.label + ("" if p.complete else " *"),
                    month_label(p.figures.month),
                    *adoption_cells(p.figures),
                ]
                for p in periods
            ],
            note=_("* The period asked for ends before this quarter or year does: figures to date."),
        )

    def savings_table(self) -> Table:
        return savings_table(self.area.commune, self.savings_by_month, self.savings_total)

    def official_table(self) -> Table:
        """The official figures beside ours: the commune's (none for a village's area)."""
        compared = official_compared(commune=self.area.commune, start=self.start, end=self.end)
        return official_by_month_table(compared if self.area.villages is None else [])

    def quarters_table(self) -> Table:
        periods = rollup(self.series, quarter_key, quarter_label)
        return self._rollup_table("quarters", _("By quarter"), periods)

    def years_table(self) -> Table:
        periods = rollup(self.series, year_key, year_label)
        return self._rollup_table("years", _("By year"), periods)

    # --- Charts ------------------------------------------------------------------------

    def chart_data(self) -> dict:
        """The series the charts draw, as percentages; the tables beside them hold the same."""

        def pct(values):
            return [None if v is None or is_withheld(v) else round(v * 100, 2) for v in values]

        adoption = {
            indicator: pct([f.share_of(indicator) for f in self.series]) for indicator, _c, _l in INDICATORS
        }
        plan = {indicator: pct([plan_float(v) for v in values]) for indicator, values in self.plan.items()}
        return {
            "months": [month_label(m) for m in self.months],
            "adoption": [
                {"label": str(label), "data": adoption[indicator], "plan": plan[indicator]}
                for indicator, _c, label in INDICATORS
            ],
            "planLabel": str(_("planned")),
            "activity": [
                {"label": str(c.label), "data": [getattr(a, c.key) for a in self.activity]}
                for c in ACTIVITY_COLUMNS[1:]
                if c.key not in ("reach", "overdue")
            ],
            "dossiers": [
                {
                    "label": str(_("online (level 3 or 4)")),
                    "data": pct([d.online_share for d in self.dossiers[""]]),
                },
                {
                    "label": str(_("full-process (level 4)")),
                    "data": pct([d.level4_share for d in self.dossiers[""]]),
                },
            ],
        }


class MonthlyReport:
    """The printable report of one month that a commune files upward."""

    table_keys = ("indicators", "villages", "sex", "age", "dossiers", "official", "activity", "groups")

    def __init__(self, area: Area, month: datetime.date, today: datetime.date | None = None):
        self.area, self.month = area, month
        self.today = today or commune_today()

    @cached_property
    def dashboard(self) -> Dashboard:
        # The dashboard's computations for one month (it counts the month before as well).
        return Dashboard(self.area, self.month, self.month, today=self.today)

    @cached_property
    def breakdowns(self) -> dict:
        """The area's sexes and age bands, small cells withheld as the area's are."""
        found = adoption_breakdowns(commune=self.area.commune, month=self.month, villages=self.area.villages)
        withheld = is_withheld(self.dashboard.latest)
        return {
            key: [
                Breakdown(b.key, b.label, figures)
                for b, figures in zip(
                    parts, self.dashboard.disclosure.parts([b.figures for b in parts], withheld), strict=True
                )
            ]
            for key, parts in found.items()
        }

    @property
    def as_of(self) -> datetime.date:
        """The day the figures stand at: the month's last, or today while it runs."""
        return counted_to(self.month, today=self.today)

    @property
    def complete(self) -> bool:
        return is_complete(self.month, today=self.today)

    def table(self, key: str) -> Table:
        if key not in self.table_keys:
            raise KeyError(key)
        return with_legend(getattr(self, f"{key}_table")())

    def indicators_table(self) -> Table:
        now, before = self.dashboard.latest, self.dashboard.previous
        behind = behind_plan(now, self.dashboard.targets, self.area.plan_village, today=self.today)
        rows = []
        for indicator, count, label in INDICATORS:
            share = now.share_of(indicator)
            rows.append(
                [
                    str(_("%(indicator)s share") % {"indicator": label}),
                    getattr(now, count),
                    now.eligible,
                    share,
                    before.share_of(indicator),
                    change(share, before.share_of(indicator)),
                    plan_float(self.dashboard.plan[indicator][-1]),
                    [str(_("behind plan"))] if indicator in behind else [],
                ]
            )
        return Table(
            "indicators",
            _("Indicators: %(period)s") % {"period": standing(self.month, today=self.today)},
            [
                Column("indicator", _("Indicator"), "text"),
                Column("numerator", _("Numerator")),
                Column("denominator", _("Denominator")),
                Column("share", _("Share"), "share"),
                Column("previous", _("Previous month"), "share"),
                Column("change", _("Change (points)"), "change"),
                Column("planned", _("Planned"), "share"),
                Column("status", _("Status"), "flags"),
            ],
            rows,
            note=_(
                "Numerator: eligible residents who reached the step on or before the last day of the month. "
                "Denominator: eligible residents on that day. The previous month is counted the same way."
            ),
        )

    def villages_table(self) -> Table:
        return self.dashboard.villages_table()

    def _breakdown_table(self, key, title, first_label) -> Table:
        return Table(
            key,
            title,
            [Column("group", first_label, "text"), *adoption_columns(with_plan=False)],
            [[str(b.label), *adoption_cells(b.figures)] for b in self.breakdowns[key]],
        )

    def sex_table(self) -> Table:
        return self._breakdown_table("sex", _("By sex"), _("Sex"))

    def age_table(self) -> Table:
        table = self._breakdown_table("age", _("By age band"), _("Age band"))
        table.note = _("Age in the month's year: the year minus the birth year.")
        return table

    def dossiers_table(self) -> Table:
        labels = {"": _("All fields"), **dict(Application.Field.choices)}
        rows = [
            [str(labels[key]), *dossier_cells(figures[-1])]
            for key, figures in self.dashboard.dossiers.items()
        ]
        return Table(
            "dossiers",
            _("Dossiers received in the month, by field of work"),
            [Column("field", _("Field of work"), "text"), *DOSSIER_COLUMNS],
            rows,
            note=DOSSIER_NOTE,
        )

    def official_table(self) -> Table:
        return self.dashboard.official_table()

    def activity_table(self) -> Table:
        a = self.dashboard.activity[-1]
        return Table(
            "activity",
            _("Activity in the month"),
            [Column("measure", _("Measure"), "text"), Column("value", _("Count"))],
            [[str(c.label), getattr(a, c.key)] for c in ACTIVITY_COLUMNS[1:]],
            note=ACTIVITY_NOTE,
        )

    def groups_table(self) -> Table:
        return groups_table(
            self.dashboard.groups,
            _("Worker groups in the month"),
            plans=group_plans(self.dashboard.targets, self.month, self.today),
        )


ACTIVITY_COLUMNS = [
    Column("month", _("Month"), "text"),
    Column("visits", _("Home visits")),
    Column("households", _("Households visited")),
    Column("residents_helped", _("Residents helped at visits")),
    Column("sessions", _("Training sessions")),
    Column("attendance", _("Attendance")),
    Column("communications", _("Communication activities")),
    Column("reach", _("Estimated reach")),
    Column("overdue", _("Follow-ups overdue")),
]
ACTIVITY_NOTE = _(
    "Households visited and residents helped are counted once per month however often they were visited. "
    "A follow-up is overdue at the end of a month when its date has passed and the household had no later "
    "visit (for the current month: today). Reach is the estimate recorded for the whole activity."
)
DOSSIER_COLUMNS = [
    Column("received", _("Dossiers received")),
    Column("online", _("Online (level 3 or 4)")),
    Column("online_share", _("online share"), "share"),
    Column("level4", _("Full-process (level 4)")),
    Column("level4_share", _("level 4 share"), "share"),
]
DOSSIER_NOTE = _(
    "Dossiers the commune received in the month (by submission date), and the share submitted online at "
    "level 3 (partial) or 4 (full process), and at level 4 alone."
)
GROUP_NOTE = with_reach_window(
    _(
        "A group helped a resident when the resident was helped at a home visit by a member of the group, or "
        "attended a session the group organised or a member facilitated. Reached: the resident's first level "
        "3/4 application came on the day the group first helped them in the period or within the %(days)s "
        "days after. Residents already at level 3/4 before that help are counted apart, never as reached."
    )
)


def groups_table(groups: list[GroupHelp], title: str, plans: dict | None = None) -> Table:
    """The organisations' work; with `plans` (reports.selectors.targets.group_plans) each one's
    planned share of those it helped who reached level 3/4, and whether it is behind it."""
    plans = plans or {}

    def planned(g: GroupHelp) -> list:
        plan = plans.get(g.group.pk)
        behind = plan is not None and g.reached_share is not None and Decimal(str(g.reached_share)) < plan
        return [plan_float(plan), [str(_("behind plan"))] if behind else []]

    return Table(
        "groups",
        title,
        [
            Column("group", _("Group"), "text"),
            Column("kind", _("Kind"), "text"),
            Column("helped", _("Residents helped")),
            Column("reached", REACHED_WITHIN_WINDOW),
            Column("reached_share", _("share"), "share"),
            Column("planned", _("planned"), "share"),
            Column("behind", _("Behind plan"), "flags"),
            Column("already", _("Already level 3/4 before")),
        ],
        [
            [
                g.group.name,
                g.group.get_kind_display(),
                g.helped,
                g.reached,
                g.reached_share,
                *planned(g),
                g.already,
            ]
            for g in groups
        ],
        note=GROUP_NOTE,
        stacked=True,
    )


def dossier_cells(d: DossierFigures) -> list:
    return [d.received, d.online, d.online_share, d.level4, d.level4_share]


SAVINGS_COLUMNS = [
    Column("applications", _("Applications submitted online")),
    Column("trips", _("Round trips saved")),
    Column("km", _("Kilometres saved"), "decimal"),
    Column("hours", _("Hours saved"), "decimal"),
    Column("money", _("Money saved (VND)")),
    Column("unknown_distance", _("Applications with no distance")),
]


def savings_rule(commune) -> str:
    """The rule behind the savings figures, with the commune's own cost and time."""
    return _(
        "Each application submitted online saves one round trip to the one-stop office; a full-process "
        "(level 4) application also saves the trip to collect the result. A round trip is twice the "
        "household's distance to the office (or its village's usual distance). Money: %(cost)s VND per "
        "km travelled; time: %(hours)s hours per trip. Applications with no distance known count in the "
        "trips and hours only."
    ) % {
        "cost": number_format(commune.travel_cost_per_km, force_grouping=True),
        "hours": number_format(commune.hours_per_trip, 1),
    }


def savings_table(commune, months: list[savings.Savings], total: savings.Savings, key="savings") -> Table:
    """Savings per month and in total (the model page uses it too)."""

    def cells(s: savings.Savings) -> list:
        return [s.applications, s.trips, s.km, s.hours, s.money, s.unknown_distance]

    rows = [[month_label(s.month), *cells(s)] for s in months]
    rows.append([str(_("Total")), *cells(total)])
    return Table(
        key,
        _("What online applications saved residents"),
        [Column("month", _("Month"), "text"), *SAVINGS_COLUMNS],
        rows,
        note=savings_rule(commune),
    )
