"""Writes to the register that span rows or must hold under concurrent use."""

import datetime
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from villages.calendar import FUTURE, is_future
from villages.models import Commune, Household, LadderStep, Province, ProvinceRole, Resident, Role, Village
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
    """Record that `step` was true for the resident on `on` (resident_ladder_advance_many)."""
    return resident_ladder_advance_many(resident=resident, steps=[step], on=on)


@transaction.atomic
def resident_ladder_advance_many(
    *, resident: Resident, steps: Iterable[LadderStep], on: datetime.date
) -> Resident:
    """Record that each of `steps` was true for the resident on `on`.

    The earliest known date wins: a later date never moves a step. Reaching level 3/4
    is an online use, so the online date follows it back when it is later or unknown.
    The row is locked so that two workers recording at once cannot undo each other; all
    the steps are one read and at most one save (one audit entry), however many there are.
    """
    resident = _locked(resident)
    changed = []
    for step in dict.fromkeys(map(LadderStep, steps)):
        current = getattr(resident, step.field)
        if current is None or on < current:
            setattr(resident, step.field, on)
            changed.append(step.field)
    if resident.level34_on and (resident.online_on is None or resident.online_on > resident.level34_on):
        resident.online_on = resident.level34_on
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
    """Set a step's date exactly, later or cleared included: the village head's correction.

    Unlike resident_ladder_advance this may move a date later or clear it, so it refuses a
    correction that would leave a level 3/4 date without an online use on or before it.
    """
    resident = _locked(resident)
    step = LadderStep(step)
    if is_future(on):
        raise ValidationError({step.field: FUTURE})
    setattr(resident, step.field, on)
    if step == LadderStep.LEVEL34 and on and (resident.online_on is None or resident.online_on > on):
        resident.online_on = on
    if resident.level34_on and (resident.online_on is None or resident.online_on > resident.level34_on):
        raise ValidationError(
            {step.field: _("A level 3/4 application is an online use: the online date cannot be later.")}
        )
    resident.save(update_fields=[step.field, "online_on"], locked=True)
    return resident


@transaction.atomic
def resident_departure_record(*, resident: Resident, on: datetime.date, reason: str) -> Resident:
    """Record that the resident moved away or died on `on`; they leave the indicators from then."""
    resident = _locked(resident)
    if reason not in Resident.LeftReason.values:
        raise ValidationError({"left_reason": _("Say whether the resident moved away or died.")})
    if is_future(on):
        raise ValidationError({"left_on": FUTURE})
    resident.left_on = on
    resident.left_reason = reason
    resident.full_clean()
    resident.save(update_fields=["left_on", "left_reason"], locked=True)
    return resident
