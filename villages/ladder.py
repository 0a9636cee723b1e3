"""The adoption ladder of a resident: its four steps, what a resident achieves when helped, and
the rules on the ladder's dates (docs/domain.md, "The adoption ladder of a resident").

A new achievement is a member of `Achievement` here, with the ladder step it proves in
`_ACHIEVEMENT_STEP` (or in `_REPEATED` if it happens again); villages.models reads these."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from softbridge.calendar import date_refusal


def online_from(online_on: datetime.date | None, level34_on: datetime.date | None) -> datetime.date | None:
    """The day online use began, given the first level 3/4 application: a level 3/4 application
    is an online use, so online use began then at the latest (the schema's constraint
    resident_level34_implies_online). The services, the roster import and, as online_by_q,
    the reports read the rule here."""
    if level34_on is not None and (online_on is None or online_on > level34_on):
        return level34_on
    return online_on


def online_by_q(day: datetime.date) -> Q:
    """Residents who were online users at the end of `day` (online_from's rule)."""
    return Q(online_on__lte=day) | Q(level34_on__lte=day)


def ladder_date_problems(birth_year: int | None, dates: dict[str, datetime.date | None]) -> dict[str, str]:
    """The ladder dates (`{field: date}`) that fall before the year the resident was born,
    with why (softbridge.calendar.date_refusal): the rule the admin (through Resident.clean),
    the ladder services and the roster importer ask."""
    if birth_year is None:
        return {}
    return {
        field: date_refusal(on, birth_year=birth_year)
        for field, on in dates.items()
        if on is not None and on.year < birth_year
    }


class LadderStep(models.TextChoices):
    SMARTPHONE = "smartphone", _("smartphone")
    EID = "eid", _("e-ID")
    ONLINE = "online", _("online service user")
    LEVEL34 = "level34", _("level 3/4 user")

    @property
    def field(self) -> str:
        return f"{self.value}_on"


class Achievement(models.TextChoices):
    """What a resident achieved when helped at a visit or a session."""

    SMARTPHONE = "smartphone", _("got access to a smartphone")
    VNEID_INSTALLED = "vneid_installed", _("installed VNeID")
    EID_ACTIVATED = "eid_activated", _("activated the e-ID (level 2)")
    PORTAL_ACCOUNT = "portal_account", _("created a portal account")
    ONLINE_SERVICE = "online_service", _("used an online public service")
    APPLICATION_SUBMITTED = "application_submitted", _("submitted an application online")
    RESULT_BY_PHONE = "result_by_phone", _("received a result by phone")
    CASHLESS_PAYMENT = "cashless_payment", _("paid a fee without cash")

    @property
    def ladder_step(self) -> LadderStep | None:
        return _ACHIEVEMENT_STEP.get(self)

    def left_for(self, resident: models.Model) -> bool:
        """Is it still to be achieved by `resident` (what a visit form offers)? An act that
        happens again (an application, its result by phone, a fee paid) always is; a milestone
        is until the resident reached its ladder step (installing VNeID comes with the e-ID)."""
        if self in _REPEATED:
            return True
        step = _ACHIEVEMENT_STEP.get(self) or (
            LadderStep.EID if self == Achievement.VNEID_INSTALLED else None
        )
        return step is None or getattr(resident, step.field) is None


_REPEATED = {Achievement.APPLICATION_SUBMITTED, Achievement.RESULT_BY_PHONE, Achievement.CASHLESS_PAYMENT}

_ACHIEVEMENT_STEP = {
    Achievement.SMARTPHONE: LadderStep.SMARTPHONE,
    Achievement.EID_ACTIVATED: LadderStep.EID,
    Achievement.PORTAL_ACCOUNT: LadderStep.EID,
    Achievement.ONLINE_SERVICE: LadderStep.ONLINE,
    Achievement.RESULT_BY_PHONE: LadderStep.ONLINE,
    Achievement.CASHLESS_PAYMENT: LadderStep.ONLINE,
    Achievement.APPLICATION_SUBMITTED: LadderStep.LEVEL34,
}
