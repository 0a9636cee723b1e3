"""check_records: the records already in the database that break a rule they were saved before.

    python manage.py check_records [--commune 01558]

Dates that make sense (docs/domain.md, Dates) and one head per household are refused on
every write since they were introduced; what was recorded before stays as it was. This
command lists it, one line per record and rule, so that an official can correct it on the
household page or in the admin: nothing is changed here. It reads every app's records, so it
lives with the site, above them.
"""

from django.core.management.base import BaseCommand, CommandError, no_translations
from django.db.models import Count, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from mobilization.models import Application, CommunicationActivity, HomeVisit
from mobilization.services import reach_refusal
from softbridge.calendar import date_refusal
from training.models import TrainingSession
from villages.models import Commune, LadderStep, PastStay, Resident, departure_problem, ladder_date_problems


class Command(BaseCommand):
    help = (
        "List the records that break a rule introduced after they were saved: dates before a birth "
        "year, before the commune's program started or before a stay began, a reach larger than the "
        "villages' residents allow, two heads in a household. Changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--commune", help="official five-digit commune code; all communes without it")

    @no_translations
    def handle(self, *args, commune=None, **options):
        communes = Commune.objects.order_by("code")
        if commune:
            communes = communes.filter(code=commune)
            if not communes.exists():
                raise CommandError(_("No commune has the code %(code)s.") % {"code": commune})
        found = 0
        for place in communes:
            for line in records_breaking_rules(place):
                self.stdout.write(f"{place.code} · {line}")
                found += 1
        self.stdout.write(_("%(count)s record(s) break a rule.") % {"count": found})


def records_breaking_rules(commune: Commune):
    """Lines naming each record of `commune` that breaks a rule, and why."""
    yield from _residents(commune)
    yield from _outreach(commune)
    yield from _reach(commune)
    yield from _heads(commune)


def _resident(resident: Resident) -> str:
    return _("resident #%(id)s %(name)s (%(household)s)") % {
        "id": resident.pk,
        "name": resident.full_name,
        "household": resident.household.code,
    }


def _residents(commune: Commune):
    """Ladder dates and departures before the birth year; a stay begun before the last ended."""
    before_birth = Q(left_on__year__lt=F("birth_year"))
    for step in LadderStep:
        before_birth |= Q(**{f"{step.field}__year__lt": F("birth_year")})
    last_stay = PastStay.objects.filter(resident=OuterRef("pk")).order_by().values("resident")
    residents = (
        Resident.objects.filter(commune=commune)
        .annotate(last_stay_ended=Subquery(last_stay.annotate(last=Max("ended_on")).values("last")))
        .filter(
            before_birth
            | Q(last_stay_ended__isnull=False, moved_in_on__isnull=True)
            | Q(last_stay_ended__gt=F("moved_in_on"))
        )
        .select_related("household")
        .order_by("pk")
    )
    for resident in residents:
        dates = {step.field: getattr(resident, step.field) for step in LadderStep}
        for field, message in ladder_date_problems(resident.birth_year, dates).items():
            yield f"{_resident(resident)} · {field}: {message}"
        problem = departure_problem(
            moved_in_on=resident.moved_in_on,
            left_on=resident.left_on,
            left_reason=resident.left_reason,
            birth_year=resident.birth_year,
        )
        if problem:
            yield f"{_resident(resident)} · {problem[0]}: {problem[1]}"
        ended = resident.last_stay_ended
        if ended is not None and (resident.moved_in_on is None or resident.moved_in_on < ended):
            message = _("moved in before they left their previous household (%(date)s).") % {"date": ended}
            yield f"{_resident(resident)} · moved_in_on: {message}"


def _outreach(commune: Commune):
    """Visits and sessions before the program started or before a helped resident's birth year;
    applications before their resident's birth year."""
    start = commune.program_started_on
    kinds = (
        (HomeVisit, "visited_on", "visit_helps__visit", _("visit #%(id)s of %(date)s")),
        (TrainingSession, "held_on", "attendances__session", _("session #%(id)s of %(date)s")),
    )
    for model, day, helped, label in kinds:
        youngest = (
            Resident.objects.filter(**{helped: OuterRef("pk")})
            .order_by("-birth_year")
            .values("birth_year")[:1]
        )
        records = (
            model.objects.filter(commune=commune)
            .annotate(youngest=Subquery(youngest))
            .filter(Q(**{f"{day}__lt": start}) | Q(youngest__gt=ExtractYear(day)))
            .order_by(day, "pk")
        )
        for record in records:
            on = getattr(record, day)
            refusal = date_refusal(on, program_start=start) or date_refusal(on, birth_year=record.youngest)
            if refusal:
                yield f"{label % {'id': record.pk, 'date': on.isoformat()}} · {day}: {refusal}"
    applications = (
        Application.objects.filter(commune=commune, resident__birth_year__gt=ExtractYear("submitted_on"))
        .select_related("resident")
        .order_by("submitted_on", "pk")
    )
    for application in applications:
        refusal = date_refusal(application.submitted_on, birth_year=application.resident.birth_year)
        label = _("application #%(id)s of %(date)s") % {
            "id": application.pk,
            "date": application.submitted_on.isoformat(),
        }
        yield f"{label} · submitted_on: {refusal}"


def _reach(commune: Commune):
    """Communication activities whose reach is more than the commune's factor times their
    villages' residents (one query each for those that reach anyone)."""
    activities = (
        CommunicationActivity.objects.filter(commune=commune, reach__gt=0)
        .prefetch_related("villages")
        .order_by("held_on", "pk")
    )
    for activity in activities:
        refusal = reach_refusal(
            reach=activity.reach, commune_id=commune.pk, villages=activity.villages.all(), on=activity.held_on
        )
        if refusal:
            label = _("communication activity #%(id)s of %(date)s") % {
                "id": activity.pk,
                "date": activity.held_on.isoformat(),
            }
            yield f"{label} · reach: {refusal}"


def _heads(commune: Commune):
    """Households with more than one head living there."""
    households = (
        Resident.objects.filter(commune=commune, relation=Resident.Relation.HEAD, left_on__isnull=True)
        .values("household__code")
        .annotate(heads=Count("pk"))
        .filter(heads__gt=1)
        .order_by("household__code")
    )
    for row in households:
        yield _("household %(code)s · relation: %(count)s heads living there; a household has one.") % {
            "code": row["household__code"],
            "count": row["heads"],
        }
