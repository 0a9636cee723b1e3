"""Writes of training records that span models: sessions, attendance and the ladder."""

import datetime
import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mobilization.models import MobilizationModel, Worker, WorkerGroup
from mobilization.services import AlreadySaved, Help, help_record, model_tag_refusal, save_once
from softbridge.calendar import date_refusal, is_future
from training.models import Attendance, Topic, TrainingSession
from villages.models import Commune, Resident, Village
from villages.selectors import residents_present_during, stay_covers

# A resident cannot have attended, nor achieved anything, on a day not come yet.
NOT_HELD_YET = gettext_lazy("The session has not been held yet: attendance is recorded from its day on.")


def session_refusals(
    *,
    commune: Commune,
    held_on: datetime.date,
    village: Village | None,
    venue_kind: str,
    topics: list[Topic],
    facilitators: list[Worker],
    group: WorkerGroup | None,
    model: MobilizationModel | None,
) -> dict[str, str]:
    """Why a session with these facts cannot be stored, {field: why}; empty when it can.

    The rules of a session whether it is recorded (session_record) or changed
    (session_update): its village, topics, facilitators and group of its commune; a session
    at a village cultural house names its village; a date not before the program started,
    and at most a year ahead (a planned session, softbridge.calendar.PLANNING_DAYS); a model
    tag running in its village on the day.
    """
    errors = {}
    if village is not None and village.commune_id != commune.pk:
        errors["village"] = Village.other_commune_refusal
    if village is None and venue_kind == TrainingSession.VenueKind.CULTURAL_HOUSE:
        errors["village"] = _("A session at a village cultural house names its village.")
    if any(t.commune_id != commune.pk for t in topics):
        errors["topics"] = _("A topic of another commune cannot be used.")
    if any(f.commune_id != commune.pk for f in facilitators):
        errors["facilitators"] = _("A worker of another commune cannot facilitate this session.")
    if group is not None and group.commune_id != commune.pk:
        errors["group"] = WorkerGroup.other_commune_refusal
    refusal = date_refusal(held_on, program_start=commune.program_started_on, planned=True)
    if refusal:
        errors["held_on"] = refusal
    if not errors:
        refusal = model_tag_refusal(
            model=model, commune_id=commune.pk, villages=[village] if village else [], on=held_on
        )
        if refusal:
            errors["model"] = refusal
    return errors


@transaction.atomic
def session_record(
    *,
    commune: Commune,
    held_on: datetime.date,
    village: Village | None = None,
    venue_kind: str = TrainingSession.VenueKind.CULTURAL_HOUSE,
    venue: str = "",
    topics: Iterable[Topic] = (),
    facilitators: Iterable[Worker] = (),
    group: WorkerGroup | None = None,
    notes: str = "",
    attendees: Iterable[Help] = (),
    recorded_by=None,
    submission_key: uuid.UUID | None = None,
    model: MobilizationModel | None = None,
) -> TrainingSession:
    """Record a training session with its facilitators and attendees.

    Like visit_log, a repeated `submission_key` returns the first session of the same
    `recorded_by` unchanged, and another user's key raises KeyTaken.
    Everything named must belong to the session's commune; nothing is saved on error. A
    session dated ahead is planned: it is recorded without attendees (`attendees` refused).
    """
    topics, facilitators, attendees = list(topics), list(facilitators), list(attendees)
    errors = session_refusals(
        commune=commune,
        held_on=held_on,
        village=village,
        venue_kind=venue_kind,
        topics=topics,
        facilitators=facilitators,
        group=group,
        model=model,
    )
    if attendees and is_future(held_on):
        errors["attendees"] = str(NOT_HELD_YET)
    if errors:
        raise ValidationError(errors)
    session = TrainingSession(
        commune=commune,
        village=village,
        venue_kind=venue_kind,
        venue=venue,
        held_on=held_on,
        group=group,
        model=model,
        notes=notes,
        recorded_by=recorded_by,
        submission_key=submission_key,
    )
    session.full_clean(validate_unique=False)
    try:
        save_once(session)
    except AlreadySaved as saved:
        return saved.existing
    session.topics.set(topics)
    session.facilitators.set(facilitators)
    for attendee in attendees:
        attendance_record(session=session, help=attendee, recorded_by=recorded_by)
    return session


@transaction.atomic
def attendance_record(*, session: TrainingSession, help: Help, recorded_by=None) -> Attendance:
    """Mark a resident present at a session with what they achieved; move their ladder.

    Recording the same resident again adds the new achievements to the ones already noted.
    The resident lived in the session's commune at some moment of its day, by their residence
    history (villages.selectors.residents_present_during); anyone else is refused, naming
    `resident`, and nothing is saved. A planned session (dated after the commune's today) takes
    no attendance: refused with NOT_HELD_YET.
    """
    if session.is_planned:
        raise ValidationError(NOT_HELD_YET, code="not_held_yet")
    if help.resident.commune_id != session.commune_id:
        raise ValidationError({"resident": _("This resident is registered in another commune.")})
    refusal = date_refusal(session.held_on, birth_year=help.resident.birth_year, who=help.resident.full_name)
    if refusal:
        raise ValidationError({"resident": refusal})
    if not stay_covers(help.resident, session.held_on) and not (
        residents_present_during(Resident.objects.filter(pk=help.resident.pk), day=session.held_on).exists()
    ):
        # By the residence history, not today's register: attendance kept on a phone may be
        # sent after the resident moved away or died (docs/late-records.md).
        raise ValidationError(
            {
                "resident": _("%(name)s did not live in the commune on %(date)s.")
                % {"name": help.resident.full_name, "date": date_format(session.held_on, "SHORT_DATE_FORMAT")}
            }
        )
    attendance, _created = Attendance.objects.select_for_update().get_or_create(
        session=session, resident=help.resident
    )
    new = [a for a in dict.fromkeys(help.achievements) if a not in attendance.achievements]
    if new:
        attendance.achievements = attendance.achievements + new
        attendance.save(update_fields=["achievements"])
    helped_by = session.facilitators.first()
    help_record(
        help=Help(
            resident=help.resident,
            achievements=new,
            application_field=help.application_field,
            application_channel=help.application_channel,
            application_procedure=help.application_procedure,
        ),
        on=session.held_on,
        helped_by=helped_by,
        session=session,
        recorded_by=recorded_by,
    )
    return attendance


@transaction.atomic
def session_update(
    *,
    session: TrainingSession,
    village: Village | None,
    venue_kind: str,
    venue: str,
    held_on: datetime.date,
    topics: Iterable[Topic],
    facilitators: Iterable[Worker],
    group: WorkerGroup | None,
    notes: str,
    model: MobilizationModel | None,
) -> TrainingSession:
    """Change a session's facts under the rules it was recorded with (session_refusals).

    Its attendees are residents of its village and their ladders moved on its date, so the
    village cannot change once attendance is recorded, nor the date once an attendee's
    achievement is, nor move ahead of today once anyone attended. Raises ValidationError
    naming the field; nothing is saved on error.
    """
    topics, facilitators = list(topics), list(facilitators)
    errors = session_refusals(
        commune=session.commune,
        held_on=held_on,
        village=village,
        venue_kind=venue_kind,
        topics=topics,
        facilitators=facilitators,
        group=group,
        model=model,
    )
    attendances = session.attendances.all()
    if village != session.village and attendances.exists():
        errors["village"] = _("Attendees are recorded: the village cannot change. Remove them first.")
    if held_on != session.held_on and attendances.exclude(achievements=[]).exists():
        errors["held_on"] = _(
            "Achievements are recorded on this date and moved residents' ladders: "
            "the date cannot change. Correct the ladders on the household pages instead."
        )
    elif is_future(held_on) and attendances.exists():
        errors["held_on"] = _("Attendees are recorded: the session cannot move to a day not come yet.")
    if errors:
        raise ValidationError(errors)
    session.village = village
    session.venue_kind = venue_kind
    session.venue = venue
    session.held_on = held_on
    session.group = group
    session.notes = notes
    session.model = model
    session.full_clean()
    session.save()
    session.topics.set(topics)
    session.facilitators.set(facilitators)
    return session


@transaction.atomic
def session_delete(*, session: TrainingSession) -> None:
    """Delete a session with its attendance (recorded by mistake); who may is may_delete_outreach.

    The ladders it moved keep their dates (correct them on the household pages); an
    application recorded at it stays, no longer naming it.
    """
    session.delete()


@transaction.atomic
def attendance_remove(*, session: TrainingSession, residents: Iterable[Resident]) -> None:
    """Take these residents off the session's attendance (ticked by mistake).

    The ladder steps their achievements gave keep their dates, as for a deleted session.
    """
    Attendance.objects.filter(session=session, resident__in=list(residents)).delete()


@transaction.atomic
def attendance_correct(*, session: TrainingSession, help: Help, recorded_by=None) -> Attendance:
    """Make the resident's attendance say exactly `help.achievements` (the admin's inline row).

    What is new is recorded by attendance_record, which moves the ladder for it; a box
    unticked is taken off the row, and the ladder date it gave stays.
    """
    attendance = attendance_record(session=session, help=help, recorded_by=recorded_by)
    achievements = list(dict.fromkeys(help.achievements))
    if attendance.achievements != achievements:
        attendance.achievements = achievements
        attendance.save(update_fields=["achievements"])
    return attendance
