"""The official figures of the provincial system beside our own count, as report tables: per
month for a commune (its dashboard, monthly report and official figures page), per commune
for a province (its dashboard)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from reports.selectors.official import FiguresCompared
from reports.tabular import Column, Table
from softbridge.calendar import month_in_words, month_label

OFFICIAL_COLUMNS = [
    Column("received_online", _("Official: received online")),
    Column("received_in_person", _("Official: received in person")),
    Column("received_by_post", _("Official: received by post")),
    Column("received", _("Official: received in all")),
    Column("full_process_online", _("Official: of which full-process online")),
    Column("resolved_on_time", _("Official: resolved on time")),
    Column("paid_online", _("Official: paid online")),
]
COMPARED_COLUMNS = [
    Column("ours", _("Softbridge: applications received")),
    Column("ours_online", _("Softbridge: submitted online")),
    Column("difference", _("Difference (Softbridge − official)")),
    Column("online_difference", _("Difference online")),
    Column("flag", _("Check"), "flags"),
]


def official_note() -> str:
    return _(
        "Official: the provincial administrative-procedure system's figures, as the commune uploaded "
        "or typed them. Softbridge: the applications recorded here in the month (by submission date), "
        "and of them those submitted online (level 3 or 4). Flagged where either count differs from the "
        "official one by more than %(tolerance)s%% of it: look for the dossiers missing on one side."
    ) % {"tolerance": settings.OFFICIAL_FIGURES_TOLERANCE_PERCENT}


def _cells(c: FiguresCompared) -> list:
    official = c.official
    if official is None:
        cells = [None] * len(OFFICIAL_COLUMNS)
    else:
        cells = [
            official.received_online,
            official.received_in_person,
            official.received_by_post,
            official.received,
            official.full_process_online,
            official.resolved_on_time,
            official.paid_online,
        ]
    if official is None:
        flag = [str(_("no official figures"))]
    elif c.flagged:
        flag = [str(_("differs"))]
    else:
        flag = []
    return [*cells, c.ours.received, c.ours.online, c.difference, c.online_difference, flag]


def official_by_month_table(compared: list[FiguresCompared], key: str = "official") -> Table:
    return Table(
        key,
        _("Official figures beside Softbridge's"),
        [Column("month", _("Month"), "text"), *OFFICIAL_COLUMNS, *COMPARED_COLUMNS],
        [[month_label(c.month), *_cells(c)] for c in compared],
        note=official_note(),
    )


def official_by_commune_table(compared: list[FiguresCompared], key: str = "official") -> Table:
    month = month_in_words(compared[0].month) if compared else ""
    return Table(
        key,
        _("Official figures beside Softbridge's in %(month)s") % {"month": month},
        [
            Column("code", _("Code"), "text"),
            Column("commune", _("Commune"), "text"),
            *OFFICIAL_COLUMNS,
            *COMPARED_COLUMNS,
        ],
        [[c.commune.code, c.commune.name, *_cells(c)] for c in compared],
        note=official_note(),
    )
