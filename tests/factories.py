"""Small builders for test data: each fills what the caller does not care about.

The outreach records (visit, session, attendance, communication, application) go through their
services, as the pages, the API, the admin and the importer record them: a factory cannot make
a record the site could not.
"""

import datetime
import itertools

from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from mobilization.models import (
    Application,
    CommunicationActivity,
    HomeVisit,
    Worker,
    WorkerGroup,
)
from mobilization.services import Help, application_record, communication_record, visit_log
from softbridge.calendar import commune_today
from training.models import Attendance, TrainingSession
from training.services import attendance_record, session_record
from villages.models import Commune, Household, Province, ProvinceRole, Resident, Role, Village

_seq = itertools.count(1)


def province(code="04", name="Tỉnh Cao Bằng") -> Province:
    return Province.objects.get_or_create(code=code, defaults={"name": name})[0]


def commune(code="01558", name="Xã Hạ Lang", **fields) -> Commune:
    fields.setdefault("province", province())
    return Commune.objects.get_or_create(code=code, defaults={"name": name, **fields})[0]


def village(commune_=None, code=None, name=None, **fields) -> Village:
    n = next(_seq)
    return Village.objects.create(
        commune=commune_ or commune(), code=code or f"V{n}", name=name or f"Xóm {n}", **fields
    )


def household(village_=None, code=None, **fields) -> Household:
    return Household.objects.create(village=village_ or village(), code=code or f"H{next(_seq)}", **fields)


def resident(household_=None, full_name=None, **fields) -> Resident:
    return Resident.objects.create(
        household=household_ or household(), full_name=full_name or f"Nông Văn {next(_seq)}", **fields
    )


def user(username=None, password="pass-word-123", **fields):
    return get_user_model().objects.create_user(
        username=username or f"user{next(_seq)}", password=password, **fields
    )


def role_user(kind: str, commune_: Commune, villages=(), username=None, **fields):
    u = user(username=username, **fields)
    role = Role.objects.create(user=u, commune=commune_, kind=kind)
    role.villages.set(villages)
    return u


def province_leader(province_: Province | None = None, username=None, **fields):
    u = user(username=username, **fields)
    ProvinceRole.objects.create(user=u, province=province_ or province())
    return u


def worker(commune_=None, full_name=None, **fields) -> Worker:
    return Worker.objects.create(
        commune=commune_ or commune(), full_name=full_name or f"Hoàng Thị {next(_seq)}", **fields
    )


def worker_group(commune_=None, kind=WorkerGroup.Kind.YOUTH_UNION, name=None, **fields) -> WorkerGroup:
    return WorkerGroup.objects.create(
        commune=commune_ or commune(), kind=kind, name=name or f"Group {next(_seq)}", **fields
    )


def api_client(user=None, **kwargs) -> APIClient:
    """An API client that asks for English answers, authenticated as `user` when given."""
    client = APIClient(headers={"accept-language": "en"}, **kwargs)
    if user is not None:
        client.force_authenticate(user)
    return client


def visit(
    household_: Household | None = None,
    *,
    visited_on: datetime.date | None = None,
    workers=None,
    helped=(),
    **fields,
) -> HomeVisit:
    """A home visit logged by visit_log: on the commune's today, by a new worker of the household's
    commune unless `workers` says who; `helped` takes Help rows or residents (helped, nothing achieved)."""
    household_ = household_ or household()
    if workers is None:
        workers = [worker(household_.commune)]
    return visit_log(
        household=household_,
        visited_on=visited_on or commune_today(),
        workers=workers,
        helped=[h if isinstance(h, Help) else Help(h) for h in helped],
        **fields,
    )


def session(
    commune_: Commune | None = None, *, held_on: datetime.date | None = None, **fields
) -> TrainingSession:
    """A training session recorded by session_record, on the commune's today unless given."""
    return session_record(commune=commune_ or commune(), held_on=held_on or commune_today(), **fields)


def attendance(session_: TrainingSession, resident_: Resident, *achievements: str, **fields) -> Attendance:
    """`resident_` noted at `session_` by attendance_record, with what they achieved there."""
    return attendance_record(session=session_, help=Help(resident_, list(achievements)), **fields)


def communication(
    commune_: Commune | None = None,
    *,
    villages=None,
    held_on: datetime.date | None = None,
    channel: str = CommunicationActivity.Channel.LOUDSPEAKER,
    topic: str = "Dịch vụ công trực tuyến",
    **fields,
) -> CommunicationActivity:
    """A communication activity recorded by communication_record: a loudspeaker announcement, on
    the commune's today, over all of the commune's villages unless `villages` names some."""
    commune_ = commune_ or commune()
    return communication_record(
        commune_id=commune_.pk,
        channel=channel,
        held_on=held_on or commune_today(),
        villages=commune_.villages.all() if villages is None else villages,
        topic=topic,
        **fields,
    )


def application(
    resident_: Resident | None = None,
    *,
    submitted_on: datetime.date | None = None,
    field: str = Application.Field.OTHER,
    channel: str = Application.Channel.ONLINE_LEVEL3,
    **fields,
) -> Application:
    """An application recorded by application_record: online at level 3 (so it moves the
    resident's ladder), on the commune's today, in the resident's commune unless `commune` is given."""
    resident_ = resident_ or resident()
    fields.setdefault("commune", resident_.commune)
    return application_record(
        resident=resident_,
        submitted_on=submitted_on or commune_today(),
        field=field,
        channel=channel,
        **fields,
    )
