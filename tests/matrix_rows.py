"""The building blocks of the authorization matrix's table (tests/matrix_table.py): a line
per URL pattern, and where the record it is tried on comes from."""

import dataclasses
from collections.abc import Callable


@dataclasses.dataclass(frozen=True)
class Target:
    """Where a URL's record comes from: a kind of record of the world, and how it goes in the URL."""

    kind: str
    build: Callable[[object], dict]  # the record -> URL kwargs
    query: bool = False  # the record goes in the query string (reports name an area)


def pk(kind, name="pk"):
    return Target(kind, lambda row: {name: row.pk})


def oid(kind):
    return pk(kind, "object_id")


MEMBER = Target("resident", lambda row: {"pk": row.household_id, "member_pk": row.pk})
TOKEN = Target("token", lambda row: {"object_id": row.user_id})  # the admin keys tokens by their user
VIEW_ON_SITE = Target("household", lambda row: {"content_type_id": _household_type(), "object_id": row.pk})
AREA = Target("village", lambda row: {"commune": row.commune.code, "village": row.code}, query=True)
COMMUNE = Target("commune", lambda row: {"commune": row.code}, query=True)
VISIT_HOUSEHOLD = Target("household", lambda row: {"household": row.pk}, query=True)
ADOPTION = Target(
    "village",
    lambda row: {"commune": row.commune.code, "village": row.code, "start": "2024-07", "end": "2024-09"},
    query=True,
)
PROVINCE = Target("province", lambda row: {"province": row.code}, query=True)


def _household_type():
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get(app_label="villages", model="household").pk


@dataclasses.dataclass(frozen=True)
class Row:
    get: str
    post: str = ""
    patch: str = ""
    delete: str = ""
    target: Target | None = None
    kwargs: dict = dataclasses.field(default_factory=dict)  # fixed URL kwargs
    path: str = ""  # the URL of a pattern without a name (with {pk} for the target's record)


def R(get, post="", patch="", delete="", target=None, path="", **kwargs):
    return Row(get, post, patch, delete, target, kwargs, path)
