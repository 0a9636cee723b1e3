"""Writes of the program's own structure: worker groups, workers, mobilization models and their goals."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from mobilization.models import (
    MobilizationModel,
    ModelGoal,
    TaggedOutreachRecord,
    Worker,
    WorkerGroup,
)
from softbridge.in_use import RecordInUse
from softbridge.text import same_identifier
from villages.models import Village

# --- Groups and workers


@transaction.atomic
def worker_group_save(*, group: WorkerGroup) -> WorkerGroup:
    """Register a group, or save a change to one, under the rules of groups.

    Its village is one of its commune's; a community digital technology team belongs to a
    village, and a village has one; no two groups of a commune share a name. The page, the
    API and the admin all save groups through this. Raises ValidationError naming the field;
    nothing is saved on error.
    """
    errors = worker_group_refusals(group=group)
    if errors:
        raise ValidationError(errors)
    group.full_clean(validate_unique=False)
    group.save()
    return group


def worker_group_refusals(*, group: WorkerGroup) -> dict[str, str]:
    """Why `group` (new or changed, not saved yet) cannot be saved, {field: why}; empty when it can.

    Asked by worker_group_save, and by the page's form and the API's serializer while they
    validate, so that the refusal shows on its field before the model's constraints (which
    would name no field) are tested.
    """
    others = WorkerGroup.objects.exclude(pk=group.pk) if group.pk else WorkerGroup.objects.all()
    errors = {}
    if group.village_id and group.village.commune_id != group.commune_id:
        errors["village"] = Village.other_commune_refusal
    elif group.kind == WorkerGroup.Kind.DIGITAL_TECH_TEAM:
        if not group.village_id:
            errors["village"] = _("A community digital technology team belongs to a village.")
        elif others.filter(kind=group.kind, village=group.village_id).exists():
            errors["village"] = _("This village already has a community digital technology team.")
    if group.name and others.filter(same_identifier("name", group.name), commune=group.commune_id).exists():
        errors["name"] = _("The commune already has a group with this name.")
    return errors


@transaction.atomic
def worker_group_delete(*, group: WorkerGroup) -> None:
    """Delete a group with nobody and nothing on record; otherwise raise RecordInUse.

    Deleting would erase who belonged to it and which sessions and activities it ran.
    """
    if group.memberships.exists() or group.training_sessions.exists() or group.communications.exists():
        raise RecordInUse(_("This group has members, sessions or activities on record; keep it."))
    group.delete()


@transaction.atomic
def worker_delete(*, worker: Worker) -> None:
    """Delete a worker with no visits, sessions or applications on record; otherwise RecordInUse.

    Visits name their workers through a many-to-many table that deleting would empty.
    """
    if worker.visits.exists() or worker.sessions_facilitated.exists() or worker.applications_helped.exists():
        raise RecordInUse(_("This worker has visits, sessions or applications on record; keep them."))
    worker.delete()


# --- Mobilization models


@transaction.atomic
def mobilization_model_save(
    *,
    model: MobilizationModel,
    villages: Iterable[Village],
    goals: Iterable[ModelGoal] = (),
    goals_removed: Iterable[ModelGoal] = (),
) -> MobilizationModel:
    """Register a mobilization model, or save a change to one, with its villages and goals.

    The owning group and the villages belong to the model's commune. A change may not leave
    an activity already tagged with the model outside it: its village must stay one of the
    model's villages and its date within the start and end dates. Raises ValidationError
    naming the field; nothing is saved on error.
    """
    villages = list(villages)
    errors = {}
    if not villages:
        errors["villages"] = _("Choose at least one village.")
    elif any(v.commune_id != model.commune_id for v in villages):
        errors["villages"] = Village.other_commune_refusal
    if model.owner_id and model.owner.commune_id != model.commune_id:
        errors["owner"] = WorkerGroup.other_commune_refusal
    if model.pk and not errors:
        errors.update(_tagged_outside(model, villages))
    if errors:
        raise ValidationError(errors)
    model.full_clean()
    model.save()
    model.villages.set(villages)
    for goal in goals_removed:
        if goal.pk and goal.model_id == model.pk:
            goal.delete()
    for goal in goals:
        goal.model = model
        goal.full_clean()
        goal.save()
    return model


@transaction.atomic
def mobilization_model_delete(*, model: MobilizationModel) -> None:
    """Delete a mobilization model with no work tagged with it; otherwise raise RecordInUse.

    Its goals go with it; a visit, session or activity tagged with it keeps it.
    """
    if model_tagged_counts(model=model)["total"]:
        raise RecordInUse(
            _("Work is tagged with the mobilization model %(name)s: it cannot be deleted.")
            % {"name": model.name}
        )
    model.delete()


def model_tagged_counts(*, model: MobilizationModel) -> dict[str, int]:
    """How many visits, sessions and communication activities are tagged with `model`, and the total."""
    counts = {
        "visits": model.visits.filter(commune=model.commune_id).count(),
        "sessions": model.sessions.filter(commune=model.commune_id).count(),
        "communications": model.communications.filter(commune=model.commune_id).count(),
    }
    return {**counts, "total": sum(counts.values())}


def _tagged_outside(model: MobilizationModel, villages: list[Village]) -> dict[str, str]:
    """Refusals for a change that would leave tagged activities outside the model's villages or dates."""
    errors = {}
    outside_dates = Q(**{"day__lt": model.started_on})
    if model.ended_on:
        outside_dates |= Q(**{"day__gt": model.ended_on})
    ids = [v.pk for v in villages]
    # Visits, communication activities and training sessions (training.models): every kind of
    # tagged record, found through the program's base class rather than by name.
    tagged = [
        kind.objects.filter(model=model).annotate(day=F(kind.day_field))
        for kind in TaggedOutreachRecord.kinds()
    ]
    if any(records.filter(outside_dates).exists() for records in tagged):
        errors["started_on"] = _(
            "Activities tagged with this model fall outside these dates: keep the dates around them."
        )
    if any(records.exclude(records.model.held_in(ids)).exists() for records in tagged):
        errors["villages"] = _(
            "Activities tagged with this model were held in a village you removed: keep that village."
        )
    return errors
