"""The official figures of the provincial administrative-procedure system beside Softbridge's
own count of the dossiers received, month by month or commune by commune, and the flag where
they differ by more than the tolerance (settings.OFFICIAL_FIGURES_TOLERANCE_PERCENT)."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from reports.models import OfficialFigures
from reports.selectors.dossiers import DossierFigures, dossier_shares, dossiers_by_commune
from softbridge.calendar import month_start, months_between
from villages.models import Commune


def beyond_tolerance(official: int, ours: int) -> bool:
    """Whether our count differs from the official one by more than the tolerance, a
    percentage of the official count (any difference at all when that count is 0)."""
    return abs(ours - official) * 100 > settings.OFFICIAL_FIGURES_TOLERANCE_PERCENT * official


@dataclass(frozen=True)
class FiguresCompared:
    """One month of one commune: the official figures (None when none were given) and ours.

    difference: our dossiers received minus the official ones (received online, in person
    and by post); online_difference: ours submitted online (level 3 or 4) minus theirs
    received online. flagged: either is beyond the tolerance."""

    month: datetime.date
    commune: Commune
    official: OfficialFigures | None
    ours: DossierFigures

    @property
    def difference(self) -> int | None:
        return None if self.official is None else self.ours.received - self.official.received

    @property
    def online_difference(self) -> int | None:
        return None if self.official is None else self.ours.online - self.official.received_online

    @property
    def flagged(self) -> bool:
        if self.official is None:
            return False
        return beyond_tolerance(self.official.received, self.ours.received) or beyond_tolerance(
            self.official.received_online, self.ours.online
        )


def official_compared(*, commune: Commune, start: datetime.date, end: datetime.date) -> list[FiguresCompared]:
    """Each month start..end of the commune: the official figures beside ours. Two queries."""
    months = months_between(start, end)
    official = {
        f.month: f
        for f in OfficialFigures.objects.filter(commune=commune, month__range=(months[0], months[-1]))
    }
    ours = dossier_shares(commune=commune, start=start, end=end)[""]
    return [FiguresCompared(d.month, commune, official.get(d.month), d) for d in ours]


def official_compared_by_commune(
    *, communes: Iterable[Commune], month: datetime.date
) -> list[FiguresCompared]:
    """Each of `communes` in `month`: the official figures beside ours. Two queries."""
    communes = list(communes)
    month = month_start(month)
    official = {f.commune_id: f for f in OfficialFigures.objects.filter(commune__in=communes, month=month)}
    ours = dossiers_by_commune(communes=communes, month=month)
    return [FiguresCompared(month, c, official.get(c.pk), ours[c.pk]) for c in communes]
