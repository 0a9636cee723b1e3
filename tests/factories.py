"""Small builders for test data: each fills what the caller does not care about."""

import itertools

from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from mobilization.models import Worker, WorkerGroup
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
