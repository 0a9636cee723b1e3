"""What online applications saved residents: trips, kilometres, hours and money.

The rule (ours, printed beside every figure):
- an application submitted online (level 3 or 4) saves one round trip to the commune's
  one-stop office; a level 4 (full-process) application also saves the trip to collect
  the result: two round trips;
- a round trip is twice the household's distance to the office: the household's own
  distance, else its village's usual distance (an application without a resident uses
  its village's); an application whose distance is not known saves trips and hours but
  is left out of the kilometres and the money, and is counted as such;
- money = kilometres x the commune's travel cost per km; hours = trips x the commune's
  hours per trip.

Counted in the database: one aggregate grouped by month, whatever the number of months
and applications.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth

from mobilization.models import ONLINE_CHANNELS, Application
from softbridge.calendar import add_months, month_start, months_between
from villages.models import Commune, Village

TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Savings:
    """What the online applications of a month (or of a whole period) saved."""

    month: datetime.date | None
    applications: int  # submitted online
    trips: int  # round trips not made
    km: Decimal  # kilometres not travelled, where the distance is known
    unknown_distance: int  # online applications whose distance is not known
    hours: Decimal
    money: int  # VND

    @classmethod
    def of(cls, commune: Commune, month, applications, trips, km, unknown_distance) -> "Savings":
        # One decimal, like the distances; SQLite sums decimals as floats.
        km = Decimal(str(km or 0)).quantize(TENTH)
        return cls(
            month=month,
            applications=applications,
            trips=trips,
            km=km,
            unknown_distance=unknown_distance,
            hours=(trips * commune.hours_per_trip).quantize(TENTH),
            money=int((km * commune.travel_cost_per_km).to_integral_value()),
        )


def _distance():
    """One way, km: the household's, else its village's usual one, else the application's village's."""
    return Coalesce(
        "resident__household__distance_km",
        "resident__household__village__default_distance_km",
        "village__default_distance_km",
        output_field=DecimalField(max_digits=4, decimal_places=1),
    )


def _trips():
    return Case(
        When(channel=Application.Channel.ONLINE_LEVEL4, then=Value(2)),
        default=Value(1),
        output_field=IntegerField(),
    )


def savings_by_month(
    *, commune: Commune, applications: QuerySet[Application], start: datetime.date, end: datetime.date
) -> list[Savings]:
    """The savings of `applications` (already scoped by the caller) per month start..end.

    Months without an online application are there with zeros. One query.
    """
    months = months_between(start, end)
    if not months:
        return []
    rows = (
        applications.filter(
            channel__in=ONLINE_CHANNELS,
            submitted_on__gte=months[0],
            submitted_on__lt=add_months(months[-1], 1),
        )
        .annotate(distance=_distance(), trip_count=_trips())
        .annotate(month=TruncMonth("submitted_on"))
        .values("month")
        .annotate(
            applications=Count("id"),
            trips=Sum("trip_count"),
            km=Sum(
                F("trip_count") * 2 * F("distance"),
                output_field=DecimalField(max_digits=14, decimal_places=1),
            ),
            unknown_distance=Count("id", filter=Q(distance__isnull=True)),
        )
        .order_by()
        .values_list("month", "applications", "trips", "km", "unknown_distance")
    )
    found = {month_start(_as_date(row[0])): row[1:] for row in rows}
    return [Savings.of(commune, month, *found.get(month, (0, 0, None, 0))) for month in months]


def savings_of_area(
    *, commune: Commune, start: datetime.date, end: datetime.date, villages: Iterable[Village] | None = None
) -> list[Savings]:
    """savings_by_month of the commune's applications, or of those from `villages`."""
    applications = Application.objects.filter(commune=commune)
    if villages is not None:
        applications = applications.filter(village__in=[v.pk for v in villages])
    return savings_by_month(commune=commune, applications=applications, start=start, end=end)


def savings_total(commune: Commune, months: list[Savings]) -> Savings:
    """The sum of monthly savings (money and hours recomputed from the summed km and trips)."""
    return Savings.of(
        commune,
        None,
        sum(s.applications for s in months),
        sum(s.trips for s in months),
        sum((s.km for s in months), Decimal(0)),
        sum(s.unknown_distance for s in months),
    )


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value
