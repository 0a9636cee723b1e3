"""The province dashboard as tables: what its page shows and its exports write, the same rows.

Made of figures only (counts and shares of communes, models and months), never a person:
a province leader reads it (villages.access.AGGREGATE_PAGES). The adoption figures are
the communes' own series summed (reports.selectors.province); the activity, the models and
the targets are read for all communes at once, a fixed number of queries.
"""

import datetime
from functools import cached_property

from django.utils.translation import gettext_lazy as _

from mobilization.models import MobilizationModel
from reports.disclosure import disclosed, is_withheld, with_legend, withheld_among
from reports.models import Target
from reports.official_tables import official_by_commune_table
from reports.periods import standing
from reports.selectors.activity import ActivityFigures, activity_by_commune
from reports.selectors.adoption import MonthFigures
from reports.selectors.helped import REACHED_WITHIN_WINDOW, with_reach_window
from reports.selectors.models import ModelAchievement, models_compared
from reports.selectors.official import official_compared_by_commune
from reports.selectors.province import ProvinceAdoption, province_adoption
from reports.selectors.targets import behind_plan, plan_series, targets_by_commune
from reports.tables import (
    ACTIVITY_COLUMNS,
    INDICATORS,
    Column,
    Table,
    adoption_cells,
    adoption_columns,
    change,
    plan_float,
)
from softbridge.calendar import add_months, commune_today, month_label, months_between
from villages.models import Commune, Province

# The changes the league table shows, in months back from the month it is about.
CHANGE_SPANS = (3, 12)


class ProvinceDashboard:
    """The figures of a province's communes over a period of months."""

    table_keys = ("series", "communes", "activity", "models", "fields", "official")

    def __init__(
        self,
        province: Province,
        communes: list[Commune],
        start: datetime.date,
        end: datetime.date,
        today: datetime.date | None = None,
        names: frozenset[int] = frozenset(),
    ):
        self.province, self.communes, self.start, self.end = province, communes, start, end
        # The communes whose residents the reader sees by name (reports.disclosure): only
        # those show figures about fewer than SMALL_CELL residents.
        self.names = names
        self.today = today or commune_today()
        self.months = months_between(start, end)

    # --- What the selectors give -----------------------------------------------------

    @cached_property
    def adoption(self) -> ProvinceAdoption:
        """Every commune at the end of each month of the period and of the months the league
        table compares with, in one call per commune."""
        back = [add_months(self.end, -span) for span in CHANGE_SPANS]
        months = sorted({*self.months, *back})
        return province_adoption(communes=self.communes, months=months)

    def _at(self, series: list[MonthFigures], month: datetime.date) -> MonthFigures:
        return series[self.adoption.months.index(month)]

    @cached_property
    def withheld(self) -> dict[datetime.date, set[int]]:
        """The communes whose figures are withheld from the reader at the end of each month
        (reports.disclosure): the province's own figures never are."""
        return {
            month: withheld_among(
                {c.pk: series[i].eligible for c, series in self.adoption.communes}, self.names
            )
            for i, month in enumerate(self.adoption.months)
        }

    def _commune_at(self, commune: Commune, series: list[MonthFigures], month: datetime.date):
        return disclosed(self._at(series, month), commune.pk in self.withheld[month])

    @cached_property
    def series(self) -> list[MonthFigures]:
        """The province's figures at the end of each month of the period."""
        return [self._at(self.adoption.total, month) for month in self.months]

    @cached_property
    def standing(self) -> str:
        """The period of the latest figures in words ("so far" for the unfinished month)."""
        return standing(self.end, today=self.today)

    @cached_property
    def latest(self) -> MonthFigures:
        return self.series[-1]

    @cached_property
    def targets(self) -> dict[int, list[Target]]:
        return targets_by_commune(self.communes)

    @cached_property
    def activity(self) -> dict[int, ActivityFigures]:
        return activity_by_commune(communes=self.communes, start=self.start, end=self.end, today=self.today)

    @cached_property
    def models(self) -> list[ModelAchievement]:
        return models_compared(communes=self.communes, start=self.start, end=self.end)

    # --- Headline ----------------------------------------------------------------------

    def headline(self) -> list[dict]:
        """The province's three shares at the end of the period, and their change over 3 and
        12 months."""
        found = []
        for indicator, count, label in INDICATORS:
            share = self.latest.share_of(indicator)
            changes = [
                change(share, self._at(self.adoption.total, add_months(self.end, -span)).share_of(indicator))
                for span in CHANGE_SPANS
            ]
            found.append(
                {
                    "indicator": indicator,
                    "label": label,
                    "share": share,
                    "count": getattr(self.latest, count),
                    "eligible": self.latest.eligible,
                    "change_3": changes[0],
                    "change_12": changes[1],
                }
            )
        return found

    # --- Tables ------------------------------------------------------------------------

    def table(self, key: str) -> Table:
        if key not in self.table_keys:
            raise KeyError(key)
        return with_legend(getattr(self, f"{key}_table")())

    def series_table(self) -> Table:
        return Table(
            "series",
            _("The province at the end of each month"),
            [Column("month", _("Month"), "text"), *adoption_columns(with_plan=False)],
            [[month_label(f.month), *adoption_cells(f)] for f in self.series],
            note=_(
                "Each month's counts are the sums of the communes' counts at the end of the month, and "
                "the shares are those sums' shares: a commune counts by its number of eligible residents."
            ),
        )

    def communes_table(self) -> Table:
        """The league of communes: by level 3/4 share at the end of the period."""
        rows = []
        for commune, series in self.adoption.communes:
            latest = self._commune_at(commune, series, self.end)
            targets = self.targets.get(commune.pk, [])
            plan = plan_series(targets, [self.end], today=self.today)
            behind = behind_plan(latest, targets, today=self.today)
            row = [commune.code, commune.name, latest.eligible]
            for indicator, _count, _label in INDICATORS:
                share = latest.share_of(indicator)
                row.append(share)
                for span in CHANGE_SPANS:
                    before = self._commune_at(commune, series, add_months(self.end, -span))
                    row.append(change(share, before.share_of(indicator)))
                row.append(plan_float(plan[indicator][0]))
            row.append([str(Target.Indicator(i).label) for i in behind])
            rows.append(row)
        level34 = 3 + 4 * 2
        # Withheld communes go last with those that have no figure: their rank would tell.
        rows.sort(key=lambda r: (r[level34] is None or is_withheld(r[level34]), -(r[level34] or 0), r[0]))
        for rank, row in enumerate(rows, 1):
            row.insert(0, rank)
        columns = [
            Column("rank", _("Rank")),
            Column("code", _("Code"), "text"),
            Column("commune", _("Commune"), "text"),
            Column("eligible", _("Eligible residents")),
        ]
        for indicator, _count, label in INDICATORS:
            columns += [
                Column(indicator, _("%(indicator)s share") % {"indicator": label}, "share"),
                Column(f"{indicator}_change_3", _("change over 3 months (points)"), "change"),
                Column(f"{indicator}_change_12", _("change over 12 months (points)"), "change"),
                Column(f"{indicator}_plan", _("planned"), "share"),
            ]
        columns.append(Column("behind", _("Behind plan"), "flags"))
        return Table(
            "communes",
            _("Communes: %(period)s") % {"period": standing(self.end, today=self.today)},
            columns,
            rows,
            note=_(
                "Changes since the end of the month 3 and 12 months before, in percentage points. Planned: "
                "the commune-wide targets' trajectory at the end of the month. Behind plan: the share is "
                "below it."
            ),
            names_rows="commune",
            stacked=True,
        )

    def activity_table(self) -> Table:
        rows = []
        for commune in self.communes:
            figures = self.activity.get(commune.pk) or ActivityFigures(None)
            rows.append(
                [commune.code, commune.name, *(getattr(figures, c.key) for c in ACTIVITY_COLUMNS[1:])]
            )
        return Table(
            "activity",
            _("Activity per commune from %(start)s to %(end)s")
            % {"start": month_label(self.start), "end": month_label(self.end)},
            [
                Column("code", _("Code"), "text"),
                Column("commune", _("Commune"), "text"),
                *ACTIVITY_COLUMNS[1:],
            ],
            rows,
            note=_(
                "Households visited and residents helped are counted once in the period however often they "
                "were visited. Follow-ups overdue: at the end of the period's last month (for the current "
                "month: today)."
            ),
        )

    def models_table(self) -> Table:
        fields = dict(MobilizationModel.Field.choices)
        return Table(
            "models",
            _("Mobilization models compared"),
            [
                Column("commune", _("Commune"), "text"),
                Column("model", _("Model"), "text"),
                Column("field", _("Field"), "text"),
                *MODEL_COLUMNS,
            ],
            [
                [
                    a.model.commune.name,
                    a.model.name,
                    str(fields.get(a.model.field, a.model.field)),
                    *model_cells(a),
                ]
                for a in self.models
            ],
            note=MODEL_NOTE,
        )

    def fields_table(self) -> Table:
        """The models added up by their field: how each kind of mobilization did across communes."""
        totals: dict[str, list] = {}
        for a in self.models:
            total = totals.setdefault(a.model.field, [0, 0, 0, 0, 0])
            for i, n in enumerate((1, a.visits, a.reached_residents, a.reached_level34, a.already)):
                total[i] += n
        labels = dict(MobilizationModel.Field.choices)
        rows = []
        for field, (models, visits, reached, level34, already) in totals.items():
            summed = ModelAchievement(None, visits, reached, level34, already)
            rows.append([str(labels.get(field, field)), models, *model_cells(summed)])
        rows.sort(key=lambda r: (r[-1] is None, -(r[-1] or 0), r[0]))
        return Table(
            "fields",
            _("Mobilization models by field"),
            [Column("field", _("Field"), "text"), Column("models", _("Models")), *MODEL_COLUMNS],
            rows,
            note=_(
                "The models of each field added up. A resident reached by two models of a field counts for "
                "both."
            ),
        )

    def official_table(self) -> Table:
        """Each commune's official figures of the period's last month beside ours."""
        return official_by_commune_table(official_compared_by_commune(communes=self.communes, month=self.end))

    # --- Charts ------------------------------------------------------------------------

    def chart_data(self) -> dict:
        """The province's shares per month, as percentages (reports.js draws them)."""

        def pct(value):
            return None if value is None else round(value * 100, 2)

        return {
            "months": [month_label(m) for m in self.months],
            "adoption": [
                {
                    "label": str(label),
                    "data": [pct(f.share_of(indicator)) for f in self.series],
                    "plan": [None] * len(self.months),
                }
                for indicator, _c, label in INDICATORS
            ],
            "planLabel": str(_("planned")),
            "activity": [],
            "dossiers": [],
        }


MODEL_COLUMNS = [
    Column("visits", _("Home visits")),
    Column("reached", _("Residents reached")),
    Column("reached_level34", REACHED_WITHIN_WINDOW),
    Column("reached_share", _("share"), "share"),
    Column("reached_per_100", _("Residents reached per 100 visits"), "decimal"),
    Column(
        "level34_per_100", with_reach_window(_("Level 3/4 within %(days)s days per 100 visits")), "decimal"
    ),
]
MODEL_NOTE = with_reach_window(
    _(
        "In the period: the model's tagged home visits; residents reached, helped at its visits or present "
        "at its sessions; of them, those whose first level 3/4 application came within %(days)s days of the "
        "model's first help (residents already at level 3/4 are never counted as reached). Best first by "
        "level 3/4 per 100 visits."
    )
)


def model_cells(a: ModelAchievement) -> list:
    return [
        a.visits,
        a.reached_residents,
        a.reached_level34,
        a.reached_share,
        a.residents_per_100_visits,
        a.level34_per_100_visits,
    ]
