"""Targets and the planned trajectory: linear between an area's targets, against which the
reports show the actual shares."""

import datetime
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal

from django.db.models import Q, QuerySet

from reports.models import Target
from reports.selectors.adoption import MonthFigures
from softbridge.calendar import month_end
from villages.access import scope_of
from villages.models import Commune, Village

# Looked up once: an enum's .values rebuilds its list on every call, and the league table
# asks for each of hundreds of villages.
INDICATORS = tuple(Target.Indicator.values)

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


def targets_by_commune(communes) -> dict[int, list[Target]]:
    """targets_of for several communes at once, by commune id. One query."""
    found = {c.pk: [] for c in communes}
    for target in (
        Target.objects.filter(commune__in=list(found)).select_related("village").order_by("due_on", "pk")
    ):
        found[target.commune_id].append(target)
    return found


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
    commune_wide = [
        t for t in targets if t.indicator == indicator and t.village_id is None and t.group_id is None
    ]
    if village is None:
        return commune_wide
    own = [t for t in targets if t.indicator == indicator and t.village_id == village.pk]
    return own or commune_wide


def plan_day(month: datetime.date, today: datetime.date | None = None) -> datetime.date:
    """The day a month's figures are compared with the plan on: the month's last day, or
    `today` while the month runs (its figures stand at today, and so does the plan they are
    judged by: 7 December's figures against 31 December's plan would read "behind" every month)."""
    end = month_end(month)
    return end if today is None else min(end, today)


def group_plans(
    targets: Sequence[Target], month: datetime.date, today: datetime.date | None = None
) -> dict[int, Decimal | None]:
    """{group id: its planned level 3/4 share on month's plan_day}, for the organisations with
    targets (an organisation without any has no plan: the commune's is about residents, not
    about those a group helped)."""
    by_group: dict[int, list[Target]] = {}
    for target in targets:
        if target.group_id is not None:
            by_group.setdefault(target.group_id, []).append(target)
    return {pk: planned_value(theirs, plan_day(month, today)) for pk, theirs in by_group.items()}


def plan_series(
    targets: Sequence[Target],
    months: Sequence[datetime.date],
    village: Village | None = None,
    *,
    today: datetime.date | None = None,
) -> dict[str, list[Decimal | None]]:
    """{indicator: planned value on each month's plan_day} for the commune or a village."""
    return {
        indicator: [planned_value(plan_for(targets, indicator, village), plan_day(m, today)) for m in months]
        for indicator in INDICATORS
    }


def behind_plan(
    figures: MonthFigures,
    targets: Sequence[Target],
    village: Village | None = None,
    *,
    today: datetime.date | None = None,
) -> list[str]:
    """The indicators whose actual share at figures.month's plan_day is below the plan then."""
    behind = []
    for indicator in INDICATORS:
        planned = planned_value(plan_for(targets, indicator, village), plan_day(figures.month, today))
        actual = figures.share_of(indicator)
        # Only a shown share: a withheld one (reports.disclosure) is no number, and "behind"
        # would tell where it lies.
        if planned is not None and isinstance(actual, float) and Decimal(str(actual)) < planned:
            behind.append(indicator)
    return behind
