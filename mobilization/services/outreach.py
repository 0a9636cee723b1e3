"""Writes of the outreach records that span models: visits, communication activities,
applications and the ladder they move."""

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Subquery, Value
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from mobilization.models import (
    ONLINE_CHANNELS,
    Application,
    CommunicationActivity,
    HomeVisit,
    MobilizationModel,
    VisitHelp,
    Worker,
    WorkerGroup,
)
from softbridge.calendar import FUTURE, date_refusal, is_future
from softbridge.submissions import refuse_unless_own
from villages.models import Achievement, Commune, Household, LadderStep, Resident, Village
from villages.selectors import residents_living_in, residents_present_during, stay_covers, village_lived_in
from villages.services import resident_ladder_advance, resident_ladder_advance_many


def model_tag_refusal(
    *, model: MobilizationModel | None, commune_id: int, villages: Iterable[Village], on: datetime.date
) -> str | None:
    """Why an activity of `commune_id` in `villages` on `on` cannot be tagged with `model`, or None.

    A model may tag an activity when it belongs to the same commune and is active on the
    day in the activity's village (for a communication activity naming several villages,
    in at least one of them): the village is one of the model's villages and the day is
    within its start and end dates. A session outside any village names no village and
    cannot be tagged.
    """
    if model is None:
        return None
    if model.commune_id != commune_id:
        return _("This mobilization model belongs to another commune.")
    if not model.runs_on(on):
        return _("The mobilization model %(name)s is not running on this date.") % {"name": model.name}
    village_ids = [v.pk for v in villages]
    if not village_ids or not model.villages.filter(pk__in=village_ids).exists():
        return _("The mobilization model %(name)s does not run in this village.") % {"name": model.name}
    return None


def reach_refusal(
    *, reach: int | None, commune_id: int, villages: Iterable[Village], on: datetime.date | None
) -> str | None:
    """Why `reach` cannot be a communication activity's estimated reach, or None.

    A reach larger than the residents living in its villages on the day, times the commune's
    `reach_factor` (3 unless it sets another: people from elsewhere hear a loudspeaker too),
    is a typing mistake (docs/domain.md, Dates that make sense); villages with no resident
    on record yet set no limit. One query. The activity page, the API, the admin and
    communication_record all ask this.
    """
    village_ids = [getattr(v, "pk", v) for v in villages]
    if not reach or not village_ids or on is None:
        return None
    living = residents_living_in(Resident.objects.all(), day=on, villages=village_ids)
    found = (
        Commune.objects.filter(pk=commune_id)
        .annotate(
            living=Subquery(
                living.order_by().annotate(one=Value(1)).values("one").annotate(n=Count("pk")).values("n")[:1]
            )
        )
        .values_list("reach_factor", "living")
        .first()
    )
    if found is None:
        return None
    factor, residents = found[0], found[1] or 0
    if not residents or reach <= residents * factor:
        # No resident on record there yet (the register not entered): nothing to compare with.
        return None
    return _(
        "An estimated reach of %(reach)s is more than %(factor)s times the %(residents)s residents "
        "of its villages (%(limit)s): check the figure."
    ) % {"reach": reach, "factor": factor, "residents": residents, "limit": residents * factor}


@transaction.atomic
def application_record(
    *,
    commune: Commune,
    field: str,
    channel: str,
    submitted_on: datetime.date,
    resident: Resident | None = None,
    village: Village | None = None,
    procedure: str = "",
    result_delivery: str = "",
    helped_by: Worker | None = None,
    visit: HomeVisit | None = None,
    session=None,
    recorded_by=None,
    move_ladder: bool = True,
) -> Application:
    """Record a dossier the commune received.

    Its village is the visited household's (at a visit), else the one the resident lived in
    on `submitted_on`. An online (level 3 or 4) application by a known resident moves the
    resident's ladder: level 3/4 and online use start on the submission date unless they
    started earlier.
    The UI, the API and the importer all record applications through this function.
    `move_ladder=False` leaves that to the caller (help_record moves all of a resident's
    steps at once). Raises ValidationError (naming the field) for a dossier that cannot be saved.
    """
    if visit is not None:
        village = visit.household.village
    elif resident is not None:
        # Where they lived that day, not where they live when the record arrives: records
        # kept on phones arrive in any order around a move (docs/late-records.md).
        lived_in = village_lived_in(resident, submitted_on)
        village = resident.household.village
        if lived_in != village.pk:
            village = Village.objects.get(pk=lived_in)
    application = Application(
        commune=commune,
        resident=resident,
        village=village,
        field=field,
        procedure=procedure,
        submitted_on=submitted_on,
        channel=channel,
        result_delivery=result_delivery,
        helped_by=helped_by,
        visit=visit,
        session=session,
        recorded_by=recorded_by,
    )
    # The related rows are instances already read from the database: checking that each
    # still exists costs a query apiece and proves nothing the foreign keys do not. The
    # CHECK constraints only repeat the fields' choices, which clean_fields checks.
    application.full_clean(exclude=_held_relations(application), validate_constraints=False)
    application.save()
    if move_ladder and resident is not None and channel in ONLINE_CHANNELS:
        resident_ladder_advance(resident=resident, step=LadderStep.LEVEL34, on=submitted_on)
    return application


def _held_relations(instance) -> list[str]:
    """The foreign keys of `instance` set to a saved instance (not a bare id), for full_clean(exclude=...)."""
    return [
        f.name
        for f in instance._meta.concrete_fields
        if f.is_relation and f.is_cached(instance) and getattr(instance, f.name) is not None
    ]


class AlreadySaved(Exception):
    """The row of this submission key was saved by an earlier (or simultaneous) submit of the
    same user."""

    def __init__(self, existing):
        super().__init__(existing)
        self.existing = existing


def save_once(instance) -> None:
    """Insert `instance` unless a row with its submission_key exists: then raise AlreadySaved
    when that row is its sender's (`recorded_by`), KeyTaken when it is anybody else's.

    Two taps on a phone can send two requests at the same moment: the unique key lets the
    database decide which one wins, and the other finds the winner's row. The key is unique
    across users, so that a key another user holds is found by the same insert, whoever sent
    first (softbridge.submissions.refuse_unless_own says who may answer for it).
    """
    model = type(instance)
    key = instance.submission_key
    # Insert first: a repeated key is rare, and the unique index finds it without a query
    # before every save.
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        existing = model.objects.filter(submission_key=key).first() if key is not None else None
        if existing is None:
            raise
        refuse_unless_own(holder_id=existing.recorded_by_id, user_id=instance.recorded_by_id)
        raise AlreadySaved(existing) from None


@dataclass
class Help:
    """One resident helped at a visit or session, what they achieved, and the dossier if any.

    `application_field` and `application_channel` describe the application the resident
    submitted when `Achievement.APPLICATION_SUBMITTED` is among the achievements.
    """

    resident: Resident
    achievements: list[str] = field(default_factory=list)
    application_field: str = Application.Field.OTHER
    application_channel: str = Application.Channel.ONLINE_LEVEL3
    application_procedure: str = ""


def help_record(
    *,
    help: Help,
    on: datetime.date,
    helped_by: Worker | None = None,
    visit=None,
    session=None,
    recorded_by=None,
    commune: Commune | None = None,
) -> list[Application]:
    """Move the resident's ladder for what they achieved on `on`; record their application.

    Called by visit_log and by training's attendance_record, so that a visit, a session,
    the web form and the API move the ladder the same way. `commune`, the resident's, spares
    a query when the caller has it.
    """
    unknown = sorted(set(help.achievements) - set(Achievement.values))
    if unknown:
        raise ValidationError(
            {"achievements": _("Unknown achievement: %(names)s.") % {"names": ", ".join(unknown)}}
        )
    applications, steps = [], []
    for achievement in map(Achievement, dict.fromkeys(help.achievements)):
        if achievement == Achievement.APPLICATION_SUBMITTED:
            applications.append(
                application_record(
                    commune=commune or help.resident.commune,
                    resident=help.resident,
                    field=help.application_field,
                    channel=help.application_channel,
                    procedure=help.application_procedure,
                    submitted_on=on,
                    helped_by=helped_by,
                    visit=visit,
                    session=session,
                    recorded_by=recorded_by,
                    move_ladder=False,
                )
            )
            if help.application_channel in ONLINE_CHANNELS:
                steps.append(LadderStep.LEVEL34)
        elif achievement.ladder_step is not None:
            steps.append(achievement.ladder_step)
    if steps:
        # One locked read and one save for all of the resident's steps, not one per achievement.
        resident_ladder_advance_many(resident=help.resident, steps=steps, on=on)
    return applications


def _visit_full_clean(visit: HomeVisit, exclude: list[str]) -> None:
    """visit.full_clean(validate_unique=False), with the visit's CHECK constraints tested here.

    Django tests each CHECK constraint with a query (three inside a transaction, with its
    savepoint). The outcome's restates the field's choices, which clean_fields checks; the
    follow-up's is one comparison. The errors are those full_clean would raise.
    """
    errors = {}
    try:
        visit.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    # As full_clean does: a constraint on a field that was refused is not tested.
    tested = not {"visited_on", "follow_up_on"} & {*errors, *exclude}
    if tested and visit.follow_up_on is not None and visit.follow_up_on < visit.visited_on:
        errors = _violation(HomeVisit, "visit_follow_up_not_before_visit").update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _violation(model, name: str) -> ValidationError:
    """The error model.full_clean raises when the CHECK constraint `name` is violated."""
    constraint = next(c for c in model._meta.constraints if c.name == name)
    return ValidationError(constraint.get_violation_error_message(), code=constraint.violation_error_code)


def members_refusal(*, household: Household, day: datetime.date, residents: Iterable[Resident]) -> str | None:
    """Why `residents` cannot be recorded as helped at a visit to `household` on `day`, or None.

    A visit may help whoever was a member of the household on its date, by the residence
    history: one who has moved to another household or away since (or died) still may, one
    who joined after may not. A visit kept on a phone is often sent after such a change
    (docs/late-records.md). Members living there now cost no query; the others, one.
    """
    residents = list(residents)
    others = [r.pk for r in residents if not stay_covers(r, day, household_id=household.pk)]
    if others:
        found = residents_present_during(Resident.objects.filter(pk__in=others), day=day, household=household)
        members = set(found.values_list("pk", flat=True))
        outside = [r for r in residents if r.pk in others and r.pk not in members]
        if outside:
            return _(
                "%(names)s was not a member of household %(code)s on %(date)s: only its members "
                "that day can be recorded as helped."
            ) % {
                "names": ", ".join(r.full_name for r in outside),
                "code": household.code,
                "date": date_format(day, "SHORT_DATE_FORMAT"),
            }
    return None


@transaction.atomic
def visit_log(
    *,
    household: Household,
    visited_on: datetime.date,
    workers: Iterable[Worker],
    helped: Iterable[Help] = (),
    outcome: str = HomeVisit.Outcome.DONE,
    notes: str = "",
    follow_up_on: datetime.date | None = None,
    recorded_by=None,
    submission_key: uuid.UUID | None = None,
    model: MobilizationModel | None = None,
) -> HomeVisit:
    """Log a home visit, who was helped with what, and move their ladders.

    A second call with the same `submission_key` and `recorded_by` returns the visit the
    first call logged and changes nothing (a double submit from a phone on a poor
    connection); a key another user sent raises KeyTaken (softbridge.submissions). Residents
    helped must have been members of the visited household on `visited_on` (members_refusal)
    and workers must belong to its commune; a visit where nobody was at home or help was
    declined records no achievement, and one partly done names the day to come back
    (docs/domain.md, "Home visits"). Anything invalid raises ValidationError naming the
    field, and nothing is saved.
    """
    workers = list(workers)
    helped = list(helped)
    errors = visit_refusals(
        household=household,
        visited_on=visited_on,
        workers=workers,
        helped=helped,
        outcome=outcome,
        follow_up_on=follow_up_on,
        model=model,
    )
    refusal = members_refusal(household=household, day=visited_on, residents=[h.resident for h in helped])
    if refusal:
        errors["helped"] = refusal
    if len({h.resident.pk for h in helped}) != len(helped):
        errors["helped"] = _("Each member is recorded once per visit.")
    if errors:
        raise ValidationError(errors)
    visit = HomeVisit(
        commune=household.commune,
        household=household,
        visited_on=visited_on,
        outcome=outcome,
        notes=notes,
        follow_up_on=follow_up_on,
        recorded_by=recorded_by,
        submission_key=submission_key,
        model=model,
    )
    # The household, the user, the model and the commune were read from the database by the
    # caller (the commune is the household's own).
    _visit_full_clean(visit, exclude=_held_relations(visit))
    try:
        save_once(visit)
    except AlreadySaved as saved:
        return saved.existing
    # A new visit has no workers yet: one insert instead of set()'s read-then-insert.
    HomeVisit.workers.through.objects.bulk_create(
        HomeVisit.workers.through(homevisit=visit, worker=worker) for worker in dict.fromkeys(workers)
    )
    VisitHelp.objects.bulk_create(
        VisitHelp(visit=visit, resident=h.resident, achievements=list(dict.fromkeys(h.achievements)))
        for h in helped
    )
    commune = household.commune
    for h in helped:
        # Each helped resident was a member of this household that day (checked above); one who
        # still lives in it needs no query for it.
        if h.resident.household_id == household.pk:
            h.resident.household = household
        help_record(
            help=h,
            on=visited_on,
            helped_by=workers[0],
            visit=visit,
            recorded_by=recorded_by,
            commune=commune,
        )
    return visit


def visit_refusals(
    *,
    household: Household,
    visited_on: datetime.date,
    workers: list[Worker],
    helped: list[Help],
    outcome: str,
    follow_up_on: datetime.date | None,
    model: MobilizationModel | None,
) -> dict[str, str]:
    """Why a visit with these facts cannot be stored, {field: why}; empty when it can.

    The rules of a visit whether it is logged (visit_log) or changed afterwards (visit_update):
    a date neither in the future, before the program started, nor before the birth year of
    someone it helped; at least one worker, all of the household's commune; nobody at home
    or declined records no achievement; partly done names the day to come back, and no
    follow-up is before the visit; a model tag runs in the household's village on the day.
    Who may be helped is visit_log's.
    """
    errors = {}
    refusal = date_refusal(visited_on, program_start=household.commune.program_started_on)
    for h in helped:
        # Not before the year of birth of someone it helped (softbridge.calendar.date_refusal).
        refusal = refusal or date_refusal(
            visited_on, birth_year=h.resident.birth_year, who=h.resident.full_name
        )
    if refusal:
        errors["visited_on"] = refusal
    if not workers:
        errors["workers"] = _("Name at least one worker who visited.")
    elif any(w.commune_id != household.commune_id for w in workers):
        errors["workers"] = _("A worker of another commune cannot be named on this visit.")
    if outcome in (HomeVisit.Outcome.NOT_HOME, HomeVisit.Outcome.DECLINED) and any(
        h.achievements for h in helped
    ):
        errors["outcome"] = _(
            "Nobody at home, or help declined: a visit like this records no achievement. "
            "Untick the achievements, or choose what happened."
        )
    if outcome == HomeVisit.Outcome.PARTLY_DONE and follow_up_on is None:
        errors["follow_up_on"] = _("Partly done: give the day to come back.")
    elif follow_up_on is not None and follow_up_on < visited_on:
        errors["follow_up_on"] = _("The follow-up date is before the visit.")
    if model is not None:
        refusal = model_tag_refusal(
            model=model, commune_id=household.commune_id, villages=[household.village], on=visited_on
        )
        if refusal:
            errors["model"] = refusal
    return errors


@transaction.atomic
def visit_update(
    *,
    visit: HomeVisit,
    outcome: str,
    notes: str,
    follow_up_on: datetime.date | None,
    visited_on: datetime.date | None = None,
    workers: Iterable[Worker] | None = None,
    household: Household | None = None,
) -> HomeVisit:
    """Change a logged visit's facts under the rules it was logged with (visit_refusals).

    The residents helped stay as recorded (the admin's inline and help_record change them),
    and the rules are asked of them as they are stored now: a visit whose residents achieved
    something cannot become "nobody at home" or "declined", one partly done keeps a day to
    come back. What they achieved moved their ladders on the visit's date, so that date
    cannot change then, and a visit with residents helped stays at their household. `None`
    for `visited_on`, `workers` or `household` keeps it. Raises ValidationError naming the
    field; nothing is saved on error.
    """
    helps = list(VisitHelp.objects.filter(visit=visit).select_related("resident"))
    helped = [Help(resident=h.resident, achievements=h.achievements) for h in helps]
    household = household or visit.household
    visited_on = visited_on or visit.visited_on
    workers = list(visit.workers.all()) if workers is None else list(workers)
    errors = visit_refusals(
        household=household,
        visited_on=visited_on,
        workers=workers,
        helped=helped,
        outcome=outcome,
        follow_up_on=follow_up_on,
        model=visit.model,
    )
    if helps and household.pk != visit.household_id:
        errors["household"] = _(
            "Residents helped are recorded: the household cannot change. Remove them first."
        )
    if visited_on != visit.visited_on and any(h.achievements for h in helps):
        errors.setdefault(
            "visited_on",
            _(
                "Achievements are recorded on this date and moved residents' ladders: "
                "the date cannot change. Correct the ladders on the household pages instead."
            ),
        )
    if errors:
        raise ValidationError(errors)
    visit.household = household
    visit.commune_id = household.commune_id
    visit.visited_on = visited_on
    visit.outcome = outcome
    visit.notes = notes
    visit.follow_up_on = follow_up_on
    _visit_full_clean(visit, exclude=_held_relations(visit))
    visit.save()
    visit.workers.set(workers)
    return visit


@transaction.atomic
def visit_helps_correct(
    *, visit: HomeVisit, helps: Iterable[Help], removed: Iterable[Resident] = (), recorded_by=None
) -> None:
    """Correct who a logged visit helped with what (the admin's inline of residents helped).

    The residents in `removed` are no longer recorded as helped; each of `helps` is recorded
    with exactly its achievements. Only members of the household on the visit's date (members_refusal), and
    what is new moves their ladder on the visit's date (help_record), as logging does; an
    achievement unticked is taken off the row and the ladder date it gave stays. The visit's
    own rules (nobody at home or declined records no achievement) are visit_update's, which
    the admin calls once the helps are saved. Raises ValidationError naming `helped`.
    """
    helps = list(helps)
    refusal = members_refusal(
        household=visit.household, day=visit.visited_on, residents=[h.resident for h in helps]
    )
    if refusal:
        raise ValidationError({"helped": refusal})
    VisitHelp.objects.filter(visit=visit, resident__in=list(removed)).delete()
    helper = visit.workers.first()
    for h in helps:
        row, _created = VisitHelp.objects.select_for_update().get_or_create(visit=visit, resident=h.resident)
        achievements = list(dict.fromkeys(h.achievements))
        new = [a for a in achievements if a not in row.achievements]
        if row.achievements != achievements:
            row.achievements = achievements
            row.save(update_fields=["achievements"])
        help_record(
            help=Help(resident=h.resident, achievements=new),
            on=visit.visited_on,
            helped_by=helper,
            visit=visit,
            recorded_by=recorded_by,
        )


@transaction.atomic
def visit_delete(*, visit: HomeVisit) -> None:
    """Delete a visit with the residents it helped (a visit logged by mistake).

    Who may is villages.access.may_delete_outreach. The ladders it moved keep their dates
    (a ladder date is the earliest any record gives: correct it on the household page), and
    an application recorded at the visit stays, no longer naming it.
    """
    visit.delete()


def communication_refusals(
    *,
    commune_id: int,
    held_on: datetime.date,
    villages: list[Village],
    reach: int,
    group: WorkerGroup | None,
    model: MobilizationModel | None,
) -> dict[str, str]:
    """Why a communication activity with these facts cannot be stored, {field: why}.

    The rules of an activity whether it is logged (communication_record) or changed
    (communication_update): at least one village, all of its commune, as its group; not in
    the future; a model tag running in one of its villages on the day (model_tag_refusal);
    a believable reach (reach_refusal).
    """
    errors = {}
    if not villages:
        errors["villages"] = _("Choose at least one village.")
    elif any(v.commune_id != commune_id for v in villages):
        errors["villages"] = Village.other_commune_refusal
    if group is not None and group.commune_id != commune_id:
        errors["group"] = WorkerGroup.other_commune_refusal
    if is_future(held_on):
        errors["held_on"] = FUTURE
    if not errors:
        refusal = model_tag_refusal(model=model, commune_id=commune_id, villages=villages, on=held_on)
        if refusal:
            errors["model"] = refusal
        refusal = reach_refusal(reach=reach, commune_id=commune_id, villages=villages, on=held_on)
        if refusal:
            errors["reach"] = refusal
    return errors


@transaction.atomic
def communication_record(
    *,
    commune_id: int,
    channel: str,
    held_on: datetime.date,
    villages: Iterable[Village],
    topic: str,
    reach: int = 0,
    group: WorkerGroup | None = None,
    recorded_by=None,
    submission_key: uuid.UUID | None = None,
    model: MobilizationModel | None = None,
) -> CommunicationActivity:
    """Log a communication activity in one or more villages of a commune.

    A repeated `submission_key` returns the activity the first call of the same `recorded_by`
    logged, unchanged; another user's key raises KeyTaken (softbridge.submissions).
    Villages and the group must belong to the commune; nothing is saved on error.
    """
    villages = list(villages)
    errors = communication_refusals(
        commune_id=commune_id, held_on=held_on, villages=villages, reach=reach, group=group, model=model
    )
    if errors:
        raise ValidationError(errors)
    activity = CommunicationActivity(
        commune_id=commune_id,
        channel=channel,
        held_on=held_on,
        topic=topic,
        reach=reach,
        group=group,
        recorded_by=recorded_by,
        submission_key=submission_key,
        model=model,
    )
    activity.full_clean(validate_unique=False)
    try:
        save_once(activity)
    except AlreadySaved as saved:
        return saved.existing
    activity.villages.set(villages)
    return activity


@transaction.atomic
def communication_update(
    *,
    activity: CommunicationActivity,
    channel: str,
    held_on: datetime.date,
    villages: Iterable[Village],
    topic: str,
    reach: int,
    group: WorkerGroup | None,
    model: MobilizationModel | None,
) -> CommunicationActivity:
    """Change a communication activity under the rules it was logged with (communication_refusals).

    Its commune stays: villages and group are of that commune. The reach is asked again when
    it, the villages or the day change. Raises ValidationError naming the field; nothing is
    saved on error.
    """
    villages = list(villages)
    errors = communication_refusals(
        commune_id=activity.commune_id,
        held_on=held_on,
        villages=villages,
        reach=reach,
        group=group,
        model=model,
    )
    # As stored: a form or an import may have written the new values into `activity` already.
    stored = CommunicationActivity.objects.filter(pk=activity.pk).values_list("reach", "held_on").get()
    stored_villages = set(activity.villages.values_list("pk", flat=True))
    if (reach, held_on, {v.pk for v in villages}) == (*stored, stored_villages):
        # A reach this change leaves as it was, with its villages and day, is not refused: an
        # activity logged before the rule can still have its topic corrected (as a resident's
        # dates, Resident.clean).
        errors.pop("reach", None)
    if errors:
        raise ValidationError(errors)
    activity.channel = channel
    activity.held_on = held_on
    activity.topic = topic
    activity.reach = reach
    activity.group = group
    activity.model = model
    activity.full_clean(validate_unique=False)
    activity.save()
    activity.villages.set(villages)
    return activity


@transaction.atomic
def communication_delete(*, activity: CommunicationActivity) -> None:
    """Delete a communication activity (logged by mistake); who may is may_delete_outreach.

    Nothing else refers to an activity: its villages' links go with it.
    """
    activity.delete()


@transaction.atomic
def application_update(*, application: Application) -> Application:
    """Save the corrections set on `application` (a dossier already recorded).

    The dossier's rules are the model's (its resident, village, helper, visit and session
    in its commune; not submitted before its resident's birth year). Its resident, village
    follows the resident's household as application_record sets it. An online dossier of a
    known resident moves their ladder as recording it does: the earliest date wins, so a
    corrected date can only move it earlier. Raises ValidationError naming the field.
    """
    if application.resident_id is not None:
        application.village_id = application.resident.household.village_id
    application.full_clean(exclude=_held_relations(application), validate_constraints=False)
    application.save()
    if application.resident_id is not None and application.is_online:
        resident_ladder_advance(
            resident=application.resident, step=LadderStep.LEVEL34, on=application.submitted_on
        )
    return application


@transaction.atomic
def application_delete(*, application: Application) -> None:
    """Delete a dossier recorded by mistake. The ladder date it gave stays (earliest wins):
    correct it on the household page."""
    application.delete()
