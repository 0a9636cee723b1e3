"""Who may read what of a commune's reports: the communes a user may open, and their reach
in one (the commune and every village, or only the villages of their role). A province
leader reads every commune of their province in full, in figures. The rule itself is
villages.access's."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from villages.access import WHOLE_COMMUNE, communes_in_figures, role_in
from villages.models import Commune, Village
from villages.selectors import communes_visible_to, villages_visible_to

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
    # Whom the user may see by name there (villages.access): the ids of those villages, and
    # whether the whole commune. Figures about a few residents they may not see are withheld
    # (reports.disclosure).
    names: frozenset[int] = frozenset()
    names_commune: bool = False

    def village(self, code: str) -> Village | None:
        return next((v for v in self.villages if v.code == code), None)

    @property
    def area_villages(self) -> list[Village] | None:
        """The default area: the commune (None) or, for a village role, all their villages."""
        return None if self.whole else list(self.villages)


def report_communes(user) -> QuerySet[Commune]:
    """Communes whose reports the user may open (any role in them, or in their province)."""
    return Commune.objects.filter(
        Q(pk__in=communes_visible_to(user).values("pk")) | Q(pk__in=communes_in_figures(user).values("pk"))
    ).order_by("code")


def reach_of(user, commune: Commune) -> Reach | None:
    """The user's reach in `commune`, or None when they may read nothing of it."""
    villages = tuple(villages_visible_to(user).filter(commune=commune).order_by("code"))
    whole = user.is_superuser or role_in(user, commune.pk) in WHOLE_COMMUNE
    names = frozenset(v.pk for v in villages)
    if communes_in_figures(user).filter(pk=commune.pk).exists():
        every = tuple(commune.villages.order_by("code"))
        return Reach(commune=commune, whole=True, villages=every, names=names, names_commune=whole)
    if not whole and not villages:
        return None
    return Reach(commune=commune, whole=whole, villages=villages, names=names, names_commune=whole)
