"""The official style of measure: of the dossiers the commune received in a month, the share
submitted online (level 3 or 4) and the share full-process (level 4)."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from mobilization.models import ONLINE_CHANNELS, Application
from reports.selectors.adoption import share
from softbridge.calendar import month_end, months_between
from villages.models import Commune, Village

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


def _dossier_counts() -> dict:
    """Dossiers received, of them online (level 3 or 4), and full-process (level 4)."""
    return {
        "received": Count("id"),
        "online": Count("id", filter=Q(channel__in=ONLINE_CHANNELS)),
        "level4": Count("id", filter=Q(channel=Application.Channel.ONLINE_LEVEL4)),
    }


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
        .annotate(**_dossier_counts())
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


def dossiers_by_commune(*, communes: Iterable[Commune], month: datetime.date) -> dict[int, DossierFigures]:
    """The dossiers each commune received in `month` (every field), by commune id. One query."""
    ids = [c.pk for c in communes]
    rows = (
        Application.objects.filter(
            commune__in=ids, submitted_on__gte=month, submitted_on__lte=month_end(month)
        )
        .values("commune")
        .annotate(**_dossier_counts())
        .order_by()
    )
    found = {row["commune"]: (row["received"], row["online"], row["level4"]) for row in rows}
    return {pk: DossierFigures(month, "", *found.get(pk, (0, 0, 0))) for pk in ids}
