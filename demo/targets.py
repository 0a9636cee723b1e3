"""The demo's targets: a plan the villages are judged by, some ahead of it and some behind.

Without targets the leader's home read "0/12 villages behind plan" (as if all were on plan)
and every plan cell was a dash (issue 29). The commune plans each share as a straight line
from where it stood when the story began to the middle of its villages at the story's end,
and on for a year beyond, so that the month being lived has a plan too: at the last complete
month about half the villages are behind the commune's plan and half ahead. The village
that ranks last on level 3/4 has a plan of its own, drawn from its own start, which it keeps:
last in the league, on its own plan.
"""

from decimal import ROUND_HALF_EVEN, Decimal
from statistics import median

from demo.period import Story
from reports.models import Target
from reports.selectors.adoption import adoption_overview
from softbridge.calendar import add_months, month_end, month_start
from villages.models import Village

INDICATORS = {
    Target.Indicator.EID_SHARE: "eid_share",
    Target.Indicator.ONLINE_SHARE: "online_share",
    Target.Indicator.LEVEL34_SHARE: "level34_share",
}
# How far the commune means to go in the year after the story's end, in share points.
NEXT_YEAR_GAIN = Decimal("0.10")


def _share(value: float | None) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)


def demo_targets_populate(*, commune, story: Story) -> int:
    """The commune's targets for the three shares and the last village's own level 3/4 plan,
    read off the figures the demo wrote. Returns how many targets were made."""
    villages = list(Village.objects.filter(commune=commune))
    first, last = month_start(story.start), month_start(story.end)
    series, by_village = adoption_overview(
        commune=commune, months=[first, last], villages=villages, village_months=[first, last], whole=True
    )
    began, ended = month_end(first), month_end(last)
    next_year = month_end(add_months(last, 12))
    targets = []
    for indicator, attribute in INDICATORS.items():
        middle = _share(median(getattr(figures[-1], attribute) or 0 for _village, figures in by_village))
        plan = [
            (began, _share(getattr(series[0], attribute))),
            (ended, middle),
            (next_year, min(middle + NEXT_YEAR_GAIN, Decimal("0.95"))),
        ]
        targets += [Target(commune=commune, indicator=indicator, due_on=day, value=v) for day, v in plan]
    lowest, figures = min(by_village, key=lambda pair: (pair[1][-1].level34_share or 0, pair[0].code))
    for day, value in (
        (began, _share(figures[0].level34_share)),
        # Two points under where it stands: a modest plan, kept.
        (ended, max(_share(figures[-1].level34_share) - Decimal("0.02"), Decimal(0))),
    ):
        targets.append(
            Target(
                commune=commune,
                village=lowest,
                indicator=Target.Indicator.LEVEL34_SHARE,
                due_on=day,
                value=value,
            )
        )
    Target.objects.bulk_create(targets)
    return len(targets)
