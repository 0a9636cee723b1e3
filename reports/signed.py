"""The signed monthly report (báo cáo định kỳ): a commune's figures of a closed month, prepared
by an official, signed by a leader, and so sent to the province (docs/reports.md, "The signed
monthly report").

Its writes are reports.services' (monthly_report_prepare, monthly_report_sign); this module
reads. The figures are frozen when the report is prepared (month_snapshot): the same counts the
monthly report page shows (reports.selectors), with what they were computed from. Live
figures of a past month can still change (a late visit, a correction of the register); the
province compares them with the signed ones (province_signoff) and sees the difference until
the commune signs a revision. Who may do what is villages.access's (may_prepare_month_report,
may_sign_month_report, communes_reading_month_reports).
"""

import datetime
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.disclosure import communes_withheld, withheld_among
from reports.models import MonthReport
from reports.selectors.activity import activity_by_commune
from reports.selectors.adoption import adoption_at_each, adoption_overview, share
from reports.selectors.dossiers import dossiers_by_commune
from reports.selectors.province import province_communes
from softbridge.calendar import month_end, month_label
from villages.access import communes_reading_month_reports
from villages.models import Commune

# The counts a report freezes for the whole commune, in the order the document and the
# province's comparison show them, with their labels.
COUNTS = (
    ("eligible", _("Eligible residents")),
    ("eid", _("With e-ID")),
    ("online", _("Using online services")),
    ("level34", _("Level 3/4 applications")),
    ("visits", _("Home visits")),
    ("households", _("Households visited")),
    ("residents_helped", _("Residents helped")),
    ("sessions", _("Training sessions")),
    ("attendance", _("Attendance")),
    ("dossiers", _("Dossiers received")),
    ("dossiers_online", _("Dossiers received online")),
)
# The headline shares: (indicator, numerator, label); the denominator is `eligible`.
SHARES = (
    ("level34_share", "level34", _("level 3/4")),
    ("eid_share", "eid", _("e-ID")),
    ("online_share", "online", _("online")),
)
VILLAGE_COUNTS = ("eligible", "eid", "online", "level34")


def month_counts(*, communes: Sequence[Commune], month: datetime.date) -> dict[int, dict[str, int]]:
    """COUNTS of each commune at the end of `month` (adoption) and in it (activity, dossiers),
    by commune id: what a report freezes and what the province compares it with, counted the
    same way. Six queries, whatever the communes."""
    communes = list(communes)
    adoption = adoption_at_each(communes=communes, months=[month])
    activity = activity_by_commune(communes=communes, start=month, end=month)
    dossiers = dossiers_by_commune(communes=communes, month=month)
    found = {}
    for commune, (figures,) in zip(communes, adoption, strict=True):
        work, received = activity[commune.pk], dossiers[commune.pk]
        found[commune.pk] = {
            "eligible": figures.eligible,
            "eid": figures.eid,
            "online": figures.online,
            "level34": figures.level34,
            "visits": work.visits,
            "households": work.households,
            "residents_helped": work.residents_helped,
            "sessions": work.sessions,
            "attendance": work.attendance,
            "dossiers": received.received,
            "dossiers_online": received.online,
        }
    return found


def month_snapshot(*, commune: Commune, month: datetime.date) -> dict:
    """The figures a report freezes, as JSON: the month, when they were computed, the commune's
    counts, its headline shares with their numerators and denominators, and each village's
    adoption counts (by code)."""
    counts = month_counts(communes=[commune], month=month)[commune.pk]
    _total, villages = adoption_overview(
        commune=commune,
        months=[month],
        villages=list(commune.villages.all()),
        village_months=[month],
        whole=True,
    )
    return {
        "month": month_label(month),
        "as_of": month_end(month).isoformat(),
        "computed_at": timezone.now().isoformat(),
        "min_age": commune.min_age,
        "counts": counts,
        "shares": {
            indicator: {
                "numerator": counts[numerator],
                "denominator": counts["eligible"],
                "share": share(counts[numerator], counts["eligible"]),
            }
            for indicator, numerator, _label in SHARES
        },
        "villages": [
            {
                "code": village.code,
                "name": village.name,
                **{key: getattr(figures, key) for key in VILLAGE_COUNTS},
            }
            for village, (figures,) in villages
        ],
    }


# The kinds of commune-level unit a name starts with; the document's place is the name without it.
_UNIT_PREFIXES = ("xã ", "phường ", "thị trấn ")


def place_of(commune: Commune) -> str:
    """Where the document is issued, as its date line writes it: "Hạ Lang" for "Xã Hạ Lang"."""
    name = commune.name.strip()
    for prefix in _UNIT_PREFIXES:
        if name.lower().startswith(prefix):
            return name[len(prefix) :].strip() or name
    return name


# --- Reading ------------------------------------------------------------------------------


def month_reports_visible_to(user) -> QuerySet[MonthReport]:
    """The reports `user` may read: signed ones of the communes they read reports of
    (communes_reading_month_reports), and the drafts too where they are an official or a
    leader (or a superuser)."""
    communes, drafts_too = communes_reading_month_reports(user)
    signed = MonthReport.objects.filter(commune__in=communes.values("pk"), signed_at__isnull=False)
    drafts = MonthReport.objects.filter(commune__in=drafts_too.values("pk"))
    return (signed | drafts).select_related("commune", "commune__province")


def current_signed(reports: QuerySet[MonthReport]) -> QuerySet[MonthReport]:
    """Of `reports`, the one the province reads for each commune and month: the latest signed
    revision (a revision replaces the one before it)."""
    return reports.filter(signed_at__isnull=False).order_by("commune", "month", "-revision")


@dataclass(frozen=True)
class Change:
    """A count whose live figure differs from the signed one."""

    key: str
    label: str
    signed: int
    live: int

    @property
    def difference(self) -> int:
        return self.live - self.signed


@dataclass(frozen=True)
class SignoffRow:
    """A commune's month as the province reads it: its current signed report (or None), whether
    and what has changed since it was signed."""

    commune: Commune
    report: MonthReport | None
    changes: list[Change]
    withheld: bool = False  # its adoption figures, from this reader (reports.disclosure)

    @property
    def shares(self) -> dict:
        return (self.report.figures.get("shares", {}) if self.report else {}) or {}


def changes_since(report: MonthReport, live: dict[str, int]) -> list[Change]:
    """The counts whose live figure differs from what `report` froze."""
    frozen = report.figures.get("counts", {})
    return [
        Change(key, str(label), frozen.get(key, 0), live.get(key, 0))
        for key, label in COUNTS
        if frozen.get(key, 0) != live.get(key, 0)
    ]


def communes_withheld_at(*, communes: Sequence[Commune], month: datetime.date, reports) -> set[int]:
    """The ids of a province's `communes` whose adoption figures of `month` are withheld from a
    reader who sees none of their residents by name (reports.disclosure): by the live figures,
    as the province's own tables withhold them, and by the figures of their signed `reports`,
    so that neither the live nor the signed counts tell a small commune's."""
    if not communes:
        return set()
    live = communes_withheld(communes=list(communes), months=[month], named=())[month]
    signed = withheld_among({r.commune_id: r.figures.get("counts", {}).get("eligible", 0) for r in reports})
    return live | signed


def villages_withheld(report: MonthReport, *, commune_withheld: bool) -> set[str]:
    """The codes of `report`'s villages withheld from a reader who sees none of the commune's
    residents by name: every village with the commune, else by reports.disclosure's rule."""
    villages = report.figures.get("villages", [])
    if commune_withheld:
        return {v["code"] for v in villages}
    return withheld_among({v["code"]: v["eligible"] for v in villages})


def signed_withheld(report: MonthReport, *, named: bool, memo: dict | None = None) -> tuple[bool, set[str]]:
    """Whether `report`'s adoption figures are withheld from a reader, and the codes of its
    villages that are: nothing for a reader who sees the commune's residents by name (`named`),
    else by communes_withheld_at among its province's communes and villages_withheld. `memo`
    keeps each province and month's answer for a list of reports."""
    if named:
        return False, set()
    memo = {} if memo is None else memo
    commune = report.commune
    key = (commune.province_id, report.month)
    if key not in memo:
        province = list(province_communes(commune.province)) if commune.province_id else [commune]
        current = {}
        for signed in current_signed(MonthReport.objects.filter(commune__in=province, month=report.month)):
            current.setdefault(signed.commune_id, signed)
        memo[key] = communes_withheld_at(
            communes=province, month=report.month, reports=list(current.values())
        )
    commune_withheld = commune.pk in memo[key]
    return commune_withheld, villages_withheld(report, commune_withheld=commune_withheld)


def province_signoff(
    *, communes: Sequence[Commune], month: datetime.date, named: Collection[int] = ()
) -> list[SignoffRow]:
    """Each of `communes` for `month`: its current signed report and the live figures' changes
    since, or no report (not signed). A commune's adoption figures are withheld (`withheld`,
    and only the activity counts' changes kept) from a reader who does not see its residents by
    name (`named`: commune ids) when reports.disclosure's rule says so. A fixed number of
    queries, whatever the communes."""
    communes = list(communes)
    current = {}
    for report in current_signed(MonthReport.objects.filter(commune__in=communes, month=month)):
        current.setdefault(report.commune_id, report)
    signed = [c for c in communes if c.pk in current]
    live = month_counts(communes=signed, month=month) if signed else {}
    unnamed = [c for c in communes if c.pk not in named]
    withheld = communes_withheld_at(
        communes=communes if unnamed else [], month=month, reports=list(current.values())
    ) - set(named)
    rows = []
    for commune in communes:
        report = current.get(commune.pk)
        changes = changes_since(report, live[commune.pk]) if report else []
        if commune.pk in withheld:
            changes = [c for c in changes if c.key not in VILLAGE_COUNTS]
        rows.append(SignoffRow(commune, report, changes, commune.pk in withheld))
    return rows
