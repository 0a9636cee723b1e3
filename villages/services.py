"""Writes to the register that span rows or must hold under concurrent use."""

import datetime
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from softbridge.calendar import FUTURE, date_refusal, is_future
from softbridge.in_use import RecordInUse
from softbridge.services import api_token_revoke
from villages.access import household_code_refusal
from villages.duplicates import merge_refusal
from villages.models import (
    Commune,
    Household,
    LadderStep,
    PastStay,
    Province,
    ProvinceRole,
    Resident,
    ResidentMerge,
    Role,
    Village,
    ladder_date_problems,
    online_from,
)
from villages.official_list import OfficialCommune, official_commune, official_province


def _locked(resident: Resident) -> Resident:
    """The resident's row read again under a row lock, for a write that must not lose another's.

    The household the caller holds is kept when the row still names it: saving a resident
    reads its household's commune (Resident.prepare), and reading it again proves nothing.
    """
    locked = Resident.objects.select_for_update().get(pk=resident.pk)
    if Resident.household.is_cached(resident) and resident.household_id == locked.household_id:
        locked.household = resident.household
    return locked


def resident_ladder_advance(*, resident: Resident, step: LadderStep, on: datetime.date) -> Resident:
    """Record that `step` was true for the resident on `on` (resident_ladder_advance_many).

    This is the tick (the household page's, the API's, a visit's, a session's): it only ever
    moves a date earlier, so records that arrive late, in any order, end on the earliest date.
    Moving a date later or clearing it is resident_ladder_correct, an official's correction.
    """
    return resident_ladder_advance_many(resident=resident, steps=[step], on=on)


@transaction.atomic
def resident_ladder_advance_many(
    *, resident: Resident, steps: Iterable[LadderStep], on: datetime.date
) -> Resident:
    """Record that each of `steps` was true for the resident on `on`.

    The earliest known date wins: a later date never moves a step. Reaching level 3/4
    is an online use, so the online date follows it back when it is later or unknown.
    The row is locked so that two workers recording at once cannot undo each other, and the
    dates compared are those read under the lock (a date read before it may be stale); all
    the steps are one read and at most one save (one audit entry), however many there are.
    """
    resident = _locked(resident)
    steps = list(dict.fromkeys(map(LadderStep, steps)))
    problems = ladder_date_problems(resident.birth_year, {step.field: on for step in steps})
    if problems:
        raise ValidationError(problems)
    changed = []
    for step in steps:
        current = getattr(resident, step.field)
        if current is None or on < current:
            setattr(resident, step.field, on)
            changed.append(step.field)
    online_on = online_from(resident.online_on, resident.level34_on)
    if online_on != resident.online_on:
        resident.online_on = online_on
        changed.append("online_on")
    if changed:
        resident.save(update_fields=changed, locked=True)
    return resident


@transaction.atomic
def role_grant(*, username: str, kind: str, commune_code: str, village_codes: list[str] = ()) -> Role:
    """Give a user their role in a commune, replacing any role they had there.

    Village heads and workers must name at least one village of that commune, and get a
    worker record in the commune so that the visits they log name them. Every role may use
    the (scoped) admin. Raises ValidationError with a message a person can act on.
    """
    User = get_user_model()
    if kind not in Role.Kind.values:
        raise ValidationError(
            _("Unknown role %(role)s: choose one of %(choices)s.")
            % {"role": kind, "choices": ", ".join(Role.Kind.values)}
        )
    try:
        user = User.objects.get(username=username)
    except User.DoesNotExist:
        raise ValidationError(_("No user named %(username)s.") % {"username": username}) from None
    try:
        commune = Commune.objects.get(code=commune_code)
    except Commune.DoesNotExist:
        raise ValidationError(_("No commune with code %(code)s.") % {"code": commune_code}) from None
    villages = list(Village.objects.filter(commune=commune, code__in=village_codes))
    unknown = sorted(set(village_codes) - {v.code for v in villages})
    if unknown:
        raise ValidationError(
            _("No village with code %(codes)s in commune %(commune)s.")
            % {"codes": ", ".join(unknown), "commune": commune.code}
        )
    if kind in (Role.Kind.VILLAGE_HEAD, Role.Kind.WORKER) and not villages:
        raise ValidationError(_("A village head or worker role needs at least one --village."))
    if kind in (Role.Kind.OFFICIAL, Role.Kind.LEADER) and villages:
        raise ValidationError(_("Officials and leaders see the whole commune: do not give --village."))

    role, _created = Role.objects.update_or_create(user=user, commune=commune, defaults={"kind": kind})
    role.villages.set(villages)
    if not user.is_staff:
        # Every role may use the admin, which is scoped like the rest of the site.
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    if kind in (Role.Kind.WORKER, Role.Kind.VILLAGE_HEAD):
        # Visits name the workers who made them; village heads visit households too. Workers are
        # the program's (mobilization.Worker): the register reaches the model only through the
        # one foreign key it holds to the program, the household's worker in charge.
        Worker = Household._meta.get_field("worker_in_charge").related_model
        Worker.objects.get_or_create(
            commune=commune, user=user, defaults={"full_name": user.get_full_name() or user.username}
        )
    return role


@transaction.atomic
def role_remove(*, role: Role | ProvinceRole, request=None) -> None:
    """Take a role away from its user, and end their API token.

    The pages and the API read the user's roles at every request, so the role's rights end
    at once either way; the token ends too, so that a device or a script given it for that
    role has to ask again (softbridge.services.api_token_revoke).
    """
    user = role.user
    role.delete()
    api_token_revoke(user=user, reason="role_removed", request=request)


def province_from_list(code_or_name: str) -> Province:
    """The province of the official list with this code or name, its row created (or its name
    brought up to date) the first time it is needed. Raises ValidationError when the list has
    no such province."""
    listed = official_province(code_or_name)
    if listed is None:
        raise ValidationError(
            _("No province %(province)s in the official list: give its two-digit code, for example 04.")
            % {"province": code_or_name}
        )
    province, _created = Province.objects.update_or_create(code=listed.code, defaults={"name": listed.name})
    return province


@transaction.atomic
def commune_add(
    *, code: str, name: str = "", province: str = ""
) -> tuple[Commune, bool, OfficialCommune | None]:
    """Create the commune with this official code, or bring it up to date: (commune, created,
    its entry in the official list or None).

    A new commune's name and province come from the official list of the 2025 reform
    (villages.official_list); a `name` or `province` (code or name) given wins over the list.
    A commune already here changes only in what is given (and gets the list's province if
    it has none). A code the list does not hold needs a name. Raises ValidationError with a
    message a person can act on.
    """
    code = code.strip()
    listed = official_commune(code) if len(code) == 5 else None
    commune = Commune.objects.filter(code=code).first() or Commune(code=code)
    created = commune.pk is None
    if name.strip():
        commune.name = name.strip()
    elif created and listed is not None:
        commune.name = listed.name
    elif created:
        raise ValidationError(
            _("Code %(code)s is not in the official list of communes: give the commune's name.")
            % {"code": code}
        )
    if province.strip():
        commune.province = province_from_list(province)
    elif commune.province_id is None and listed is not None:
        commune.province = province_from_list(listed.province.code)
    try:
        commune.full_clean()
    except ValidationError as error:
        raise ValidationError(
            "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
        ) from None
    commune.save()
    return commune, created, listed


def province_role_grant(*, username: str, province: str) -> ProvinceRole:
    """Make a user a leader of a province (by code or name): they read the figures of every
    commune of the province and nothing about any person (villages.access). Not staff: the
    admin lists people. Raises ValidationError with a message a person can act on."""
    User = get_user_model()
    try:
        user = User.objects.get(username=username)
    except User.DoesNotExist:
        raise ValidationError(_("No user named %(username)s.") % {"username": username}) from None
    found = province_from_list(province)
    role, _created = ProvinceRole.objects.get_or_create(
        user=user, province=found, defaults={"kind": ProvinceRole.Kind.PROVINCE_LEADER}
    )
    return role


@transaction.atomic
def resident_ladder_correct(*, resident: Resident, step: LadderStep, on: datetime.date | None) -> Resident:
    """Set a step's date exactly, later or cleared included: an official's correction.

    Unlike resident_ladder_advance this may move a date later or clear it, so it refuses a
    correction that would leave a level 3/4 date without an online use on or before it. It
    is its own door (the API's `correct`, the admin's resident form), never what a tick falls
    into: a tick that arrives late must not move a date later (docs/late-records.md).
    """
    resident = _locked(resident)
    step = LadderStep(step)
    if is_future(on):
        raise ValidationError({step.field: FUTURE})
    problems = ladder_date_problems(resident.birth_year, {step.field: on})
    if problems:
        raise ValidationError(problems)
    setattr(resident, step.field, on)
    if step == LadderStep.LEVEL34:
        resident.online_on = online_from(resident.online_on, on)
    if online_from(resident.online_on, resident.level34_on) != resident.online_on:
        raise ValidationError(
            {step.field: _("A level 3/4 application is an online use: the online date cannot be later.")}
        )
    resident.save(update_fields=[step.field, "online_on"], locked=True)
    return resident


@transaction.atomic
def resident_departure_record(*, resident: Resident, on: datetime.date, reason: str) -> Resident:
    """Record that the resident moved away or died on `on`: their current stay ends, and they
    leave the indicators from then. Not before the stay began, nor before the year they were
    born (softbridge.calendar.date_refusal)."""
    resident = _locked(resident)
    if reason not in Resident.LeftReason.values:
        raise ValidationError({"left_reason": _("Say whether the resident moved away or died.")})
    # Not before the stay began: departure_problem, through full_clean below.
    refusal = date_refusal(on, birth_year=resident.birth_year)
    if refusal:
        raise ValidationError({"left_on": refusal})
    resident.left_on = on
    resident.left_reason = reason
    resident.full_clean()
    resident.save(update_fields=["left_on", "left_reason"], locked=True)
    return resident


def head_refusal(*, household: Household, resident: Resident | None = None) -> str | None:
    """Why `resident` cannot be recorded as the head of `household`, or None: a household has
    one head, and another present member holds it (household_head_change moves it)."""
    heads = household.members.filter(relation=Resident.Relation.HEAD, left_on__isnull=True)
    if resident is not None and resident.pk is not None:
        heads = heads.exclude(pk=resident.pk)
    head = heads.only("full_name").first()
    if head is None:
        return None
    return _("%(name)s is the head of household %(code)s: change the head from the household's page.") % {
        "name": head.full_name,
        "code": household.code,
    }


def resident_move_refusals(
    *, resident: Resident, household: Household, on: datetime.date | None, relation: str | None = None
) -> tuple[dict[str, str], str]:
    """What resident_move would refuse ({field: why}), and the relation the resident would have
    in `household`: asked by the service and, before anything is saved, by the admin's form."""
    errors = {}
    if household.commune_id != resident.commune_id:
        errors["household"] = _("This household is in another commune.")
    elif household.pk == resident.household_id and resident.left_on is None:
        errors["household"] = _("%(name)s already lives in this household.") % {"name": resident.full_name}
    if resident.left_reason == Resident.LeftReason.DIED:
        errors["on"] = _("%(name)s died on %(date)s.") % {
            "name": resident.full_name,
            "date": resident.left_on.isoformat(),
        }
    elif on is None:
        errors["on"] = _("Give the day of the move.")
    elif resident.left_on is not None and on < resident.left_on:
        errors["on"] = _("%(date)s is before %(name)s left the commune (%(left)s).") % {
            "date": on.isoformat(),
            "name": resident.full_name,
            "left": resident.left_on.isoformat(),
        }
    else:
        refusal = date_refusal(on, birth_year=resident.birth_year, stay_began=resident.moved_in_on)
        if refusal:
            errors["on"] = refusal
    if relation is None:
        keeps = resident.relation != Resident.Relation.HEAD
        relation = resident.relation if keeps else Resident.Relation.OTHER
    if relation == Resident.Relation.HEAD and "household" not in errors:
        refusal = head_refusal(household=household, resident=resident)
        if refusal:
            errors["relation"] = refusal
    if relation not in (*Resident.Relation.values, ""):
        errors["relation"] = _("Choose a relation to the head.")
    return errors, relation


@transaction.atomic
def resident_move(
    *, resident: Resident, household: Household, on: datetime.date, relation: str | None = None
) -> Resident:
    """Record that the resident moved to another household of the commune on `on`, or came
    back to the commune and lives in `household` from `on`.

    Their current stay becomes an earlier one (villages.PastStay), ending on `on` (for a
    return: on the day they left), and the next begins in `household` on `on`. So they count
    in the new household's village at the end of any month whose last day is `on` or later,
    and in the old one before; the months before stay as they were reported (docs/domain.md,
    Indicators). Their ID number, ladder dates and outreach history stay theirs; their
    applications from `on` not made at a visit count in the new village.

    `relation` is theirs in the new household; by default they keep theirs, except a head,
    who becomes "other" (the household they join has its own). Refused, naming the field:
    a household of another commune or the one they live in, a date in the future, before
    their current stay began (before they left, for a return) or before their birth year
    (softbridge.calendar.date_refusal), a resident who died, a second head.
    """
    resident = _locked(resident)
    errors, relation = resident_move_refusals(
        resident=resident, household=household, on=on, relation=relation
    )
    if errors:
        raise ValidationError(errors)
    PastStay.objects.create(
        resident=resident,
        household_id=resident.household_id,
        relation=resident.relation,
        started_on=resident.moved_in_on,
        ended_on=resident.left_on or on,
        ended_by=PastStay.End.MOVED_AWAY if resident.left_on else PastStay.End.MOVED,
    )
    resident.household = household
    resident.moved_in_on = on
    resident.left_on = None
    resident.left_reason = ""
    resident.relation = relation
    resident.save(
        update_fields=["household", "moved_in_on", "left_on", "left_reason", "relation"], locked=True
    )
    # A dossier of theirs counts where they lived the day it was submitted: one dated from the
    # move on may have been recorded before the move was (a phone's record sent late). One made
    # at a visit stays in the visited household's village, where it was made.
    resident.applications.filter(visit__isnull=True, submitted_on__gte=on).exclude(
        village_id=household.village_id
    ).update(village_id=household.village_id)
    return resident


@transaction.atomic
def household_split(
    *,
    household: Household,
    members: Iterable[Resident],
    head: Resident,
    on: datetime.date,
    new_household: Household,
    by=None,
) -> Household:
    """Record a household split (tách hộ): `new_household` (unsaved: its village, in the same
    commune, and code) is created, and `members` of `household` move to it on `on` (each
    through resident_move), `head` as its head; everyone else keeps their relation, a former
    head becomes "other". Nothing is saved when anything is refused (ValidationError naming
    the field: `members`, `head`, `village`, `code`, `on`). `by`, who asks, is told why a
    code is taken only when they may see the household that holds it
    (villages.access.household_code_refusal)."""
    members = list({m.pk: m for m in members}.values())
    errors = {}
    present = set(household.members.filter(left_on__isnull=True).values_list("pk", flat=True))
    if not members:
        errors["members"] = _("Choose the members who move to the new household.")
    elif any(m.pk not in present for m in members):
        errors["members"] = _("Only present members of household %(code)s can move with this split.") % {
            "code": household.code
        }
    if head.pk not in {m.pk for m in members}:
        errors["head"] = _("The new head is one of the members who move.")
    if new_household.village_id and new_household.village.commune_id != household.commune_id:
        errors["village"] = Village.other_commune_refusal
    code = new_household.code.strip()
    refusal = code and household_code_refusal(by, commune_id=household.commune_id, code=code)
    if refusal:
        errors["code"] = refusal
    if errors:
        raise ValidationError(errors)
    new_household.full_clean(exclude=["commune", "worker_in_charge"], validate_unique=False)
    new_household.save()
    # The head first: the others join a household that has its head.
    for member in sorted(members, key=lambda m: m.pk != head.pk):
        relation = Resident.Relation.HEAD if member.pk == head.pk else None
        resident_move(resident=member, household=new_household, on=on, relation=relation)
    return new_household


@transaction.atomic
def household_head_change(
    *, household: Household, head: Resident, former_head_relation: str = Resident.Relation.OTHER
) -> Resident:
    """Make `head`, a present member, the head of the household, in one step that leaves
    exactly one head: the present head (if any) becomes `former_head_relation`."""
    members = list(
        Resident.objects.select_for_update().filter(household=household, left_on__isnull=True).order_by("pk")
    )
    chosen = next((m for m in members if m.pk == head.pk), None)
    if chosen is None:
        raise ValidationError(
            {"head": _("Choose a present member of household %(code)s.") % {"code": household.code}}
        )
    if former_head_relation not in Resident.Relation.values or former_head_relation == Resident.Relation.HEAD:
        raise ValidationError({"former_head_relation": _("Choose what the former head is to the new head.")})
    for member in members:
        if member.relation == Resident.Relation.HEAD and member.pk != chosen.pk:
            member.relation = former_head_relation
            member.save(update_fields=["relation"], locked=True)
    if chosen.relation != Resident.Relation.HEAD:
        chosen.relation = Resident.Relation.HEAD
        chosen.save(update_fields=["relation"], locked=True)
    return chosen


# --- Changes and deletes of the register


def _save_versioned(
    record: Household | Resident, version: int | None, fields: Iterable[str] | None = None
) -> None:
    """Save `record` with its audit row in one transaction, refused with StaleWrite when it
    was saved by someone else since `version` (save_unless_stale: its locked read and save).

    With no version the write applies to the row as it is now: only `fields` (those the
    writer named, and what the model derives from them) are written, so that another save
    since this record was read keeps its other fields; all fields when `fields` is None."""
    if version is None:
        update_fields = None
        if fields is not None:
            update_fields = {*fields, *record.derived_fields(fields)}
        with transaction.atomic():
            record.save(update_fields=update_fields)
    else:
        record.save_unless_stale(version)


# Not @transaction.atomic: its one transaction is _save_versioned's (a second savepoint
# around it would cost every change two queries, and the API pins them).
def household_update(
    *, household: Household, version: int | None, fields: Iterable[str] | None = None
) -> Household:
    """Save the corrections set on an existing household (its code, address, phone, ...).

    A write based on `version`, the version the person read, is refused with StaleWrite when
    someone saved the household since, under the row's lock; None saves over what is stored
    (an API write that sends no version), writing only `fields` when they are named. The
    commune follows the village (Household.prepare).
    The household's field rules are the model's (full_clean: a code unique in its commune),
    which every surface's form or serializer has run on these values, so they are not asked
    twice (the API pins a household change at eight queries). Its members move with
    resident_move and household_split, not here.
    """
    _save_versioned(household, version, fields)
    return household


@transaction.atomic
def household_delete(*, household: Household) -> None:
    """Delete a household entered by mistake: one with no members (present or past) and no
    visits; otherwise raise RecordInUse (the API's 409), as the rows that name it protect it."""
    if household.members.exists() or household.past_stays.exists() or household.visits.exists():
        raise RecordInUse(
            _("This household has members or visits on record; it cannot be deleted."), code="in_use"
        )
    household.delete()


# Not @transaction.atomic: its one transaction is _save_versioned's (a second savepoint
# around it would cost every change two queries, and the API pins them).
def resident_update(
    *, resident: Resident, version: int | None, fields: Iterable[str] | None = None
) -> Resident:
    """Save the corrections set on an existing resident (name, sex, birth year, ID number, ...).

    A write based on `version` is refused with StaleWrite when someone saved the resident
    since, under the row's lock; None saves over what is stored (only `fields` when they are
    named). The commune follows the
    household (Resident.prepare). The field rules are the model's (full_clean: an ID number
    unique in the commune, dates that make sense), run by every surface's form or serializer
    on these values. The ladder dates, the departure and the household have services of
    their own (resident_ladder_correct, resident_departure_record, resident_move).
    """
    _save_versioned(resident, version, fields)
    return resident


@transaction.atomic
def resident_delete(*, resident: Resident) -> None:
    """Delete a resident entered by mistake; one with visits, sessions or applications on
    record raises RecordInUse: deleting would take the record of helping them along (and
    leave their applications naming nobody), so their departure is recorded instead."""
    if resident.visit_helps.exists() or resident.attendances.exists() or resident.applications.exists():
        raise RecordInUse(
            _("This resident has visits, sessions or applications on record; record a departure instead."),
            code="in_use",
        )
    resident.delete()


@transaction.atomic
def village_delete(*, village: Village) -> None:
    """Delete a village entered by mistake: one with no households; otherwise RecordInUse.

    Rows of the program that name it (a session held there, a group of it) protect it too:
    the database refuses with ProtectedError, which the API also answers with 409.
    """
    if village.households.exists():
        raise RecordInUse(_("This village has households; it cannot be deleted."), code="in_use")
    village.delete()


# --- Merging two records of one person (villages.duplicates)

# What the kept record takes from the other when it has none of its own.
MERGE_FILLS = ("national_id", "sex", "birth_year", "phone")


def _merged_helps(model, relation: str, *, other: Resident, kept: Resident, by, reason: str) -> None:
    """Point every row of `model` whose `relation` names `other` (the visits' helps, the
    attendance, the applications) at `kept`. A row whose occasion (the other fields of a unique
    constraint with the resident: the visit, the session) already helps the kept record is
    folded into that row, its achievements added in the order first noted, and deleted."""
    occasions = [
        [name for name in constraint.fields if name != relation]
        for constraint in model._meta.constraints
        if getattr(constraint, "fields", None)
        and relation in constraint.fields
        and constraint.condition is None
    ]
    has_achievements = any(f.name == "achievements" for f in model._meta.concrete_fields)
    for row in model._default_manager.filter(**{relation: other}).order_by("pk"):
        twin = None
        for occasion in occasions:
            twin = (
                model._default_manager.select_for_update()
                .filter(**{relation: kept}, **{name: getattr(row, f"{name}_id", None) for name in occasion})
                .first()
            )
            if twin is not None:
                break
        if twin is None:
            setattr(row, relation, kept)
            row._history_user, row._change_reason = by, reason
            row.save()
            continue
        if has_achievements:
            twin.achievements = list(dict.fromkeys([*twin.achievements, *row.achievements]))
            twin._history_user, twin._change_reason = by, reason
            twin.save()
        row._history_user, row._change_reason = by, reason
        row.delete()


@transaction.atomic
def residents_merge(*, kept: Resident, other: Resident, by) -> Resident:
    """Make `other` and `kept`, two records of one person in one commune, the one record `kept`.

    The kept record takes the earliest date of each ladder step either record gives (so the
    late-records rule holds: a ladder date is the earliest any record gives), and the ID
    number, sex, birth year and phone the other holds when it has none. Every row that names
    the other (the visits' helps, the attendance at sessions, the applications) names the kept
    record; when both were helped at one visit or attended one session the two rows become
    one, with the achievements of both. A record a phone sends later naming the other is
    applied to the kept record (villages.merges). The other record is then deleted, so that no count,
    list, export or device ever sees it again, and its history stays in the audit trail: each
    change and the deletion are recorded as `by`'s, with a reason naming both records. Its
    residence history goes with it: the kept record's stays are the person's.

    Refused with a ValidationError (merge_refusal's message, nothing changed) when the two
    are one record, in two communes, or have two different ID numbers. Both rows are locked,
    in the order of their ids, so that two officials merging at once cannot lose a change.
    """
    locked = {
        r.pk: r
        for r in Resident.objects.select_for_update().filter(pk__in=[kept.pk, other.pk]).order_by("pk")
    }
    kept, other = locked.get(kept.pk, kept), locked.get(other.pk, other)
    refusal = merge_refusal(kept=kept, other=other)
    if refusal:
        raise ValidationError(refusal, code="not_mergeable")
    # Stored data, read in the audit trail in any language: not translated.
    reason = f"Merged resident #{other.pk} ({other.full_name}) into resident #{kept.pk} ({kept.full_name})"
    for name in MERGE_FILLS:
        if getattr(kept, name) in ("", None) and getattr(other, name) not in ("", None):
            setattr(kept, name, getattr(other, name))
    for step in LadderStep:
        dates = [d for d in (getattr(kept, step.field), getattr(other, step.field)) if d is not None]
        setattr(kept, step.field, min(dates, default=None))
    kept.online_on = online_from(kept.online_on, kept.level34_on)
    problems = ladder_date_problems(
        kept.birth_year, {step.field: getattr(kept, step.field) for step in LadderStep}
    )
    if problems:
        raise ValidationError(problems)
    # Every relation to a resident but the residence history (PastStay), which is the record's own.
    for relation in Resident._meta.related_objects:
        if relation.related_model is PastStay:
            continue
        _merged_helps(
            relation.related_model, relation.field.name, other=other, kept=kept, by=by, reason=reason
        )
    # A phone may still send records naming the other (villages.merges): they go to the kept
    # record, as do those naming records merged into the other before (the loop above pointed
    # their ResidentMerge rows at it).
    ResidentMerge.objects.create(merged_id=other.pk, kept=kept, commune_id=kept.commune_id)
    other._history_user, other._change_reason = by, reason
    other.delete()
    kept._history_user, kept._change_reason = by, reason
    kept.save(locked=True)
    return kept
