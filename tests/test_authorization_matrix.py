"""The authorization matrix (issue 7, "Trust"): every URL of the site, every role, one table.

For each URL pattern the project serves (pages, admin, API, i18n, docs), TABLE says what each
role gets for GET and, where the URL writes, for POST, PATCH and DELETE, on a record of
village A of Hạ Lang (the village of `worker_a` and `head_a`). Then every record of the
same kind in village B and in the other commune is tried too: a role that may not see it
must get 404 (or 403) and nothing changes; a role that may see it gets what it gets in A
(the outsider, an official of the other commune, gets what an official gets at home).
Every page a role may open must not show any record it may not see.

A URL pattern missing from TABLE fails the test with its key; so does a TABLE line whose
pattern is gone. Adding a URL is one line here.

Answers: "ok" a 2xx or a redirect elsewhere than the sign-in page; "login" the sign-in
page (or 401 from the API); otherwise the status code ("403", "404", "405", "400", ...).
Columns, in this order: anonymous, outsider, worker_a, head_a, leader, official, superuser.

One more role, Cao Bằng's province leader (no role in any commune), is tried on every line
too: PROVINCE_LEADER says what they get on the few pages of figures they may open
(villages.access.AGGREGATE_PAGES), and every other line must answer them 403 for each of its
methods, on every record. They read the figures of Hạ Lang (villages A and B), never Quang
Long's (another province here), and no page they open may show any record's marker.
"""

import copy
import dataclasses
from collections.abc import Callable

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.matrix_data import PROVINCE_LEADER, ROLES, World, build_world
from villages.access import AGGREGATE_PAGES

# --- The URLs the project serves ----------------------------------------------------------


def url_patterns(resolver=None, prefix="", namespace=""):
    """(key, route, pattern) for every URL pattern, included ones too.

    The key is namespace:name; a pattern that takes a `format` suffix (the API router's
    `.json` twins) adds " (format)"; an unnamed pattern is keyed by its route.
    """
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from url_patterns(entry, route, inner)
        elif isinstance(entry, URLPattern):
            if entry.name is None:
                yield route, route, entry
                continue
            key = f"{namespace}:{entry.name}" if namespace else entry.name
            if "format" in entry.pattern.regex.groupindex:
                key += " (format)"
            yield key, route, entry


# --- The table ------------------------------------------------------------------------------


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


TABLE: dict[str, Row] = {
    "home": R("login ok ok ok ok ok ok"),
    # The Today list: those who may log visits (a leader only reads).
    "today": R("login ok ok ok 403 ok ok"),
    # The installable field app (frontdoor.device): its worker, manifest and offline page are
    # the same for everyone; the list of pages a device keeps and the outbox page need a user.
    "service_worker": R("ok ok ok ok ok ok ok"),
    "manifest": R("ok ok ok ok ok ok ok"),
    "offline": R("ok ok ok ok ok ok ok"),
    "device_pages": R("login ok ok ok ok ok ok"),
    "outbox": R("login ok ok ok ok ok ok"),
    "login": R("ok ok ok ok ok ok ok", post="ok ok ok ok ok ok ok"),
    "logout": R("405 405 405 405 405 405 405", post="login login login login login login login"),
    "password_change": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "password_change_done": R("login ok ok ok ok ok ok"),
    "set_language": R("ok ok ok ok ok ok ok", post="ok ok ok ok ok ok ok"),
    "admin:index": R("login ok ok ok ok ok ok"),
    "admin:login": R("ok ok ok ok ok ok ok"),
    "admin:logout": R("ok 405 405 405 405 405 405", post="ok login login login login login login"),
    "admin:password_change": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:password_change_done": R("login ok ok ok ok ok ok"),
    "admin:autocomplete": R("login 403 403 403 403 403 403"),
    "admin:jsi18n": R("login ok ok ok ok ok ok"),
    "admin:view_on_site": R("login 404 404 404 404 404 404", target=VIEW_ON_SITE),
    "admin:auth_group_changelist": R("login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok"),
    "admin:auth_group_add": R("login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok"),
    "admin:auth_group_history": R("login 403 403 403 403 403 ok", target=oid("authgroup")),
    "admin:auth_group_delete": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok", target=oid("authgroup")
    ),
    "admin:auth_group_change": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok", target=oid("authgroup")
    ),
    "admin/auth/group/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("authgroup"), path="/admin/auth/group/{object_id}/"
    ),
    "admin:auth_user_password_change": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok", target=pk("user", "id")
    ),
    "admin:auth_user_changelist": R("login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok"),
    "admin:auth_user_add": R("login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok"),
    "admin:auth_user_history": R("login 403 403 403 403 403 ok", target=oid("user")),
    "admin:auth_user_delete": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok", target=oid("user")
    ),
    "admin:auth_user_change": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok", target=oid("user")
    ),
    "admin/auth/user/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("user"), path="/admin/auth/user/{object_id}/"
    ),
    "admin:authtoken_tokenproxy_changelist": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok"
    ),
    "admin:authtoken_tokenproxy_add": R("login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok"),
    "admin:authtoken_tokenproxy_history": R("login 403 403 403 403 403 ok", target=TOKEN),
    "admin:authtoken_tokenproxy_delete": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok", target=TOKEN
    ),
    "admin:authtoken_tokenproxy_change": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok", target=TOKEN
    ),
    "admin/authtoken/tokenproxy/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=TOKEN, path="/admin/authtoken/tokenproxy/{object_id}/"
    ),
    "admin:axes_accessattempt_changelist": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok"
    ),
    "admin:axes_accessattempt_add": R("login 403 403 403 403 403 403", post="login 403 403 403 403 403 403"),
    "admin:axes_accessattempt_history": R("login 403 403 403 403 403 ok", target=oid("accessattempt")),
    "admin:axes_accessattempt_delete": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok", target=oid("accessattempt")
    ),
    "admin:axes_accessattempt_change": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok", target=oid("accessattempt")
    ),
    "admin/axes/accessattempt/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("accessattempt"), path="/admin/axes/accessattempt/{object_id}/"
    ),
    "admin:axes_accesslog_changelist": R("login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok"),
    "admin:axes_accesslog_add": R("login 403 403 403 403 403 403", post="login 403 403 403 403 403 403"),
    "admin:axes_accesslog_history": R("login 403 403 403 403 403 ok", target=oid("accesslog")),
    "admin:axes_accesslog_delete": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok", target=oid("accesslog")
    ),
    "admin:axes_accesslog_change": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok", target=oid("accesslog")
    ),
    "admin/axes/accesslog/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("accesslog"), path="/admin/axes/accesslog/{object_id}/"
    ),
    "admin:axes_accessfailurelog_changelist": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok"
    ),
    "admin:axes_accessfailurelog_add": R(
        "login 403 403 403 403 403 403", post="login 403 403 403 403 403 403"
    ),
    "admin:axes_accessfailurelog_history": R("login 403 403 403 403 403 ok", target=oid("accessfailurelog")),
    "admin:axes_accessfailurelog_delete": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok", target=oid("accessfailurelog")
    ),
    "admin:axes_accessfailurelog_change": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok", target=oid("accessfailurelog")
    ),
    "admin/axes/accessfailurelog/<path:object_id>/": R(
        "login ok ok ok ok ok ok",
        target=oid("accessfailurelog"),
        path="/admin/axes/accessfailurelog/{object_id}/",
    ),
    "admin:villages_commune_process_import": R(
        "login 405 405 405 405 405 405", post="login 403 403 403 403 403 ok"
    ),
    "admin:villages_commune_import": R("login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok"),
    "admin:villages_commune_export": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:villages_commune_changelist": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:villages_commune_add": R("login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok"),
    "admin:villages_commune_history": R("login 404 ok ok ok ok ok", target=oid("commune")),
    "admin:villages_commune_delete": R(
        "login 404 403 403 403 403 ok", post="login 404 403 403 403 403 ok", target=oid("commune")
    ),
    "admin:villages_commune_change": R(
        "login 404 ok ok ok ok ok", post="login 404 403 403 403 403 ok", target=oid("commune")
    ),
    "admin/villages/commune/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("commune"), path="/admin/villages/commune/{object_id}/"
    ),
    "admin:villages_village_process_import": R(
        "login 405 405 405 405 405 405", post="login ok 403 403 403 ok ok"
    ),
    "admin:villages_village_import": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "admin:villages_village_export": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:villages_village_changelist": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:villages_village_add": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "admin:villages_village_history": R("login 404 ok ok ok ok ok", target=oid("village")),
    "admin:villages_village_delete": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=oid("village")
    ),
    "admin:villages_village_change": R(
        "login 404 ok ok ok ok ok", post="login 404 403 403 403 ok ok", target=oid("village")
    ),
    "admin/villages/village/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("village"), path="/admin/villages/village/{object_id}/"
    ),
    "admin:villages_household_process_import": R(
        "login 405 405 405 405 405 405", post="login ok 403 403 403 ok ok"
    ),
    "admin:villages_household_import": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "admin:villages_household_export": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:villages_household_changelist": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:villages_household_add": R("login ok 403 ok 403 ok ok", post="login ok 403 ok 403 ok ok"),
    "admin:villages_household_history": R("login 404 ok ok ok ok ok", target=oid("household")),
    "admin:villages_household_delete": R(
        "login 404 403 ok 403 ok ok", post="login 404 403 ok 403 ok ok", target=oid("household")
    ),
    "admin:villages_household_change": R(
        "login 404 ok ok ok ok ok", post="login 404 403 ok 403 ok ok", target=oid("household")
    ),
    "admin/villages/household/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("household"), path="/admin/villages/household/{object_id}/"
    ),
    "admin:villages_resident_process_import": R(
        "login 405 405 405 405 405 405", post="login ok 403 403 403 ok ok"
    ),
    "admin:villages_resident_import": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "admin:villages_resident_export": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:villages_resident_changelist": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:villages_resident_add": R("login ok 403 ok 403 ok ok", post="login ok 403 ok 403 ok ok"),
    "admin:villages_resident_history": R("login 404 ok ok ok ok ok", target=oid("resident")),
    "admin:villages_resident_delete": R(
        "login 404 403 ok 403 ok ok", post="login 404 403 ok 403 ok ok", target=oid("resident")
    ),
    "admin:villages_resident_change": R(
        "login 404 ok ok ok ok ok", post="login 404 403 ok 403 ok ok", target=oid("resident")
    ),
    "admin/villages/resident/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("resident"), path="/admin/villages/resident/{object_id}/"
    ),
    "admin:villages_role_process_import": R(
        "login 405 405 405 405 405 405", post="login 403 403 403 403 403 403"
    ),
    "admin:villages_role_import": R("login 403 403 403 403 403 403", post="login 403 403 403 403 403 403"),
    "admin:villages_role_export": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "admin:villages_role_changelist": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "admin:villages_role_add": R("login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok"),
    "admin:villages_role_history": R("login 404 404 404 404 ok ok", target=oid("role")),
    "admin:villages_role_delete": R(
        "login 404 404 404 404 403 ok", post="login 404 404 404 404 403 ok", target=oid("role")
    ),
    "admin:villages_role_change": R(
        "login 404 404 404 404 ok ok", post="login 404 404 404 404 403 ok", target=oid("role")
    ),
    "admin/villages/role/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("role"), path="/admin/villages/role/{object_id}/"
    ),
    "admin:mobilization_workergroup_process_import": R(
        "login 405 405 405 405 405 405", post="login ok 403 403 403 ok ok"
    ),
    "admin:mobilization_workergroup_import": R(
        "login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"
    ),
    "admin:mobilization_workergroup_export": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:mobilization_workergroup_changelist": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:mobilization_workergroup_add": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "admin:mobilization_workergroup_history": R("login 404 ok ok ok ok ok", target=oid("group")),
    "admin:mobilization_workergroup_delete": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=oid("group")
    ),
    "admin:mobilization_workergroup_change": R(
        "login 404 ok ok ok ok ok", post="login 404 403 403 403 ok ok", target=oid("group")
    ),
    "admin/mobilization/workergroup/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("group"), path="/admin/mobilization/workergroup/{object_id}/"
    ),
    "admin:mobilization_worker_process_import": R(
        "login 405 405 405 405 405 405", post="login ok 403 403 403 ok ok"
    ),
    "admin:mobilization_worker_import": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "admin:mobilization_worker_export": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:mobilization_worker_changelist": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:mobilization_worker_add": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "admin:mobilization_worker_history": R("login 404 ok ok ok ok ok", target=oid("worker")),
    "admin:mobilization_worker_delete": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=oid("worker")
    ),
    "admin:mobilization_worker_change": R(
        "login 404 ok ok ok ok ok", post="login 404 403 403 403 ok ok", target=oid("worker")
    ),
    "admin/mobilization/worker/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("worker"), path="/admin/mobilization/worker/{object_id}/"
    ),
    "admin:mobilization_membership_process_import": R(
        "login 405 405 405 405 405 405", post="login ok 403 403 403 ok ok"
    ),
    "admin:mobilization_membership_import": R(
        "login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"
    ),
    "admin:mobilization_membership_export": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:mobilization_membership_changelist": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:mobilization_membership_add": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "admin:mobilization_membership_history": R("login 404 ok ok ok ok ok", target=oid("membership")),
    "admin:mobilization_membership_delete": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=oid("membership")
    ),
    "admin:mobilization_membership_change": R(
        "login 404 ok ok ok ok ok", post="login 404 403 403 403 ok ok", target=oid("membership")
    ),
    "admin/mobilization/membership/<path:object_id>/": R(
        "login ok ok ok ok ok ok",
        target=oid("membership"),
        path="/admin/mobilization/membership/{object_id}/",
    ),
    "admin:mobilization_communicator_process_import": R(
        "login 405 405 405 405 405 405", post="login ok 403 403 403 ok ok"
    ),
    "admin:mobilization_communicator_import": R(
        "login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"
    ),
    "admin:mobilization_communicator_export": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:mobilization_communicator_changelist": R(
        "login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"
    ),
    "admin:mobilization_communicator_add": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "admin:mobilization_communicator_history": R("login 404 ok ok ok ok ok", target=oid("communicator")),
    "admin:mobilization_communicator_delete": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=oid("communicator")
    ),
    "admin:mobilization_communicator_change": R(
        "login 404 ok ok ok ok ok", post="login 404 403 403 403 ok ok", target=oid("communicator")
    ),
    "admin/mobilization/communicator/<path:object_id>/": R(
        "login ok ok ok ok ok ok",
        target=oid("communicator"),
        path="/admin/mobilization/communicator/{object_id}/",
    ),
    "admin:mobilization_homevisit_process_import": R(
        "login 405 405 405 405 405 405", post="login 403 403 403 403 403 403"
    ),
    "admin:mobilization_homevisit_import": R(
        "login 403 403 403 403 403 403", post="login 403 403 403 403 403 403"
    ),
    "admin:mobilization_homevisit_export": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:mobilization_homevisit_changelist": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:mobilization_homevisit_add": R("login ok ok ok 403 ok ok", post="login ok ok ok 403 ok ok"),
    "admin:mobilization_homevisit_history": R("login 404 ok ok ok ok ok", target=oid("visit")),
    "admin:mobilization_homevisit_delete": R(
        "login 404 ok 403 403 ok ok", post="login 404 ok 403 403 ok ok", target=oid("visit")
    ),
    "admin:mobilization_homevisit_change": R(
        "login 404 ok ok ok ok ok", post="login 404 ok ok 403 ok ok", target=oid("visit")
    ),
    "admin/mobilization/homevisit/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("visit"), path="/admin/mobilization/homevisit/{object_id}/"
    ),
    "admin:mobilization_visithelp_process_import": R(
        "login 405 405 405 405 405 405", post="login 403 403 403 403 403 403"
    ),
    "admin:mobilization_visithelp_import": R(
        "login 403 403 403 403 403 403", post="login 403 403 403 403 403 403"
    ),
    "admin:mobilization_visithelp_export": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:mobilization_visithelp_changelist": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:mobilization_visithelp_add": R(
        "login 403 403 403 403 403 403", post="login 403 403 403 403 403 403"
    ),
    "admin:mobilization_visithelp_history": R("login 404 ok ok ok ok ok", target=oid("visithelp")),
    "admin:mobilization_visithelp_delete": R(
        "login 404 403 403 403 403 403", post="login 404 403 403 403 403 403", target=oid("visithelp")
    ),
    "admin:mobilization_visithelp_change": R(
        "login 404 ok ok ok ok ok", post="login 404 403 403 403 403 403", target=oid("visithelp")
    ),
    "admin/mobilization/visithelp/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("visithelp"), path="/admin/mobilization/visithelp/{object_id}/"
    ),
    "admin:mobilization_communicationactivity_process_import": R(
        "login 405 405 405 405 405 405", post="login ok 403 403 403 ok ok"
    ),
    "admin:mobilization_communicationactivity_import": R(
        "login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"
    ),
    "admin:mobilization_communicationactivity_export": R(
        "login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"
    ),
    "admin:mobilization_communicationactivity_changelist": R(
        "login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"
    ),
    "admin:mobilization_communicationactivity_add": R(
        "login ok ok ok 403 ok ok", post="login ok ok ok 403 ok ok"
    ),
    "admin:mobilization_communicationactivity_history": R(
        "login 404 ok ok ok ok ok", target=oid("communication")
    ),
    "admin:mobilization_communicationactivity_delete": R(
        "login 404 403 ok 403 ok ok", post="login 404 403 ok 403 ok ok", target=oid("communication")
    ),
    "admin:mobilization_communicationactivity_change": R(
        "login 404 ok ok ok ok ok", post="login 404 ok ok 403 ok ok", target=oid("communication")
    ),
    "admin/mobilization/communicationactivity/<path:object_id>/": R(
        "login ok ok ok ok ok ok",
        target=oid("communication"),
        path="/admin/mobilization/communicationactivity/{object_id}/",
    ),
    "admin:mobilization_application_process_import": R(
        "login 405 405 405 405 405 405", post="login ok 403 403 403 ok ok"
    ),
    "admin:mobilization_application_import": R(
        "login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"
    ),
    "admin:mobilization_application_export": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:mobilization_application_changelist": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:mobilization_application_add": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "admin:mobilization_application_history": R("login 404 ok ok ok ok ok", target=oid("application")),
    "admin:mobilization_application_delete": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=oid("application")
    ),
    "admin:mobilization_application_change": R(
        "login 404 ok ok ok ok ok", post="login 404 403 403 403 ok ok", target=oid("application")
    ),
    "admin/mobilization/application/<path:object_id>/": R(
        "login ok ok ok ok ok ok",
        target=oid("application"),
        path="/admin/mobilization/application/{object_id}/",
    ),
    "admin:mobilization_mobilizationmodel_process_import": R(
        "login 405 405 405 405 405 405", post="login 403 403 403 403 403 403"
    ),
    "admin:mobilization_mobilizationmodel_import": R(
        "login 403 403 403 403 403 403", post="login 403 403 403 403 403 403"
    ),
    "admin:mobilization_mobilizationmodel_export": R(
        "login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"
    ),
    "admin:mobilization_mobilizationmodel_changelist": R(
        "login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"
    ),
    "admin:mobilization_mobilizationmodel_add": R(
        "login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"
    ),
    "admin:mobilization_mobilizationmodel_history": R("login 404 ok ok ok ok ok", target=oid("model")),
    "admin:mobilization_mobilizationmodel_delete": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=oid("model")
    ),
    "admin:mobilization_mobilizationmodel_change": R(
        "login 404 ok ok ok ok ok", post="login 404 403 403 403 ok ok", target=oid("model")
    ),
    "admin/mobilization/mobilizationmodel/<path:object_id>/": R(
        "login ok ok ok ok ok ok",
        target=oid("model"),
        path="/admin/mobilization/mobilizationmodel/{object_id}/",
    ),
    "admin:training_topic_process_import": R(
        "login 405 405 405 405 405 405", post="login ok 403 403 403 ok ok"
    ),
    "admin:training_topic_import": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "admin:training_topic_export": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:training_topic_changelist": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:training_topic_add": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "admin:training_topic_history": R("login 404 ok ok ok ok ok", target=oid("topic")),
    "admin:training_topic_delete": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=oid("topic")
    ),
    "admin:training_topic_change": R(
        "login 404 ok ok ok ok ok", post="login 404 403 403 403 ok ok", target=oid("topic")
    ),
    "admin/training/topic/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("topic"), path="/admin/training/topic/{object_id}/"
    ),
    "admin:training_trainingsession_process_import": R(
        "login 405 405 405 405 405 405", post="login 403 403 403 403 403 403"
    ),
    "admin:training_trainingsession_import": R(
        "login 403 403 403 403 403 403", post="login 403 403 403 403 403 403"
    ),
    "admin:training_trainingsession_export": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:training_trainingsession_changelist": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:training_trainingsession_add": R("login ok ok ok 403 ok ok", post="login ok ok ok 403 ok ok"),
    "admin:training_trainingsession_history": R("login 404 ok ok ok ok ok", target=oid("session")),
    "admin:training_trainingsession_delete": R(
        "login 404 ok 403 403 ok ok", post="login 404 ok 403 403 ok ok", target=oid("session")
    ),
    "admin:training_trainingsession_change": R(
        "login 404 ok ok ok ok ok", post="login 404 ok ok 403 ok ok", target=oid("session")
    ),
    "admin/training/trainingsession/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("session"), path="/admin/training/trainingsession/{object_id}/"
    ),
    "admin:training_attendance_process_import": R(
        "login 405 405 405 405 405 405", post="login 403 403 403 403 403 403"
    ),
    "admin:training_attendance_import": R(
        "login 403 403 403 403 403 403", post="login 403 403 403 403 403 403"
    ),
    "admin:training_attendance_export": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:training_attendance_changelist": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:training_attendance_add": R("login 403 403 403 403 403 403", post="login 403 403 403 403 403 403"),
    "admin:training_attendance_history": R("login 404 ok ok ok ok ok", target=oid("attendance")),
    "admin:training_attendance_delete": R(
        "login 404 403 403 403 403 403", post="login 404 403 403 403 403 403", target=oid("attendance")
    ),
    "admin:training_attendance_change": R(
        "login 404 ok ok ok ok ok", post="login 404 403 403 403 403 403", target=oid("attendance")
    ),
    "admin/training/attendance/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("attendance"), path="/admin/training/attendance/{object_id}/"
    ),
    "admin:reports_target_process_import": R(
        "login 405 405 405 405 405 405", post="login 403 403 403 403 403 403"
    ),
    "admin:reports_target_import": R("login 403 403 403 403 403 403", post="login 403 403 403 403 403 403"),
    "admin:reports_target_export": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:reports_target_changelist": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:reports_target_add": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "admin:reports_target_history": R("login 404 ok ok ok ok ok", target=oid("target")),
    "admin:reports_target_delete": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=oid("target")
    ),
    "admin:reports_target_change": R(
        "login 404 ok ok ok ok ok", post="login 404 403 403 403 ok ok", target=oid("target")
    ),
    "admin/reports/target/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("target"), path="/admin/reports/target/{object_id}/"
    ),
    "admin:app_list": R("login ok ok ok ok ok ok", app_label="villages"),
    "admin/(?P<url>.*)$": R("login 404 404 404 404 404 404", path="/admin/no-such-page/"),
    "villages:households": R("login ok ok ok ok ok ok"),
    "villages:household_new": R("login ok 403 ok 403 ok ok", post="login ok 403 ok 403 ok ok"),
    "villages:household": R("login 404 ok ok ok ok ok", target=pk("household")),
    "villages:household_edit": R(
        "login 404 403 ok 403 ok ok", post="login 404 403 ok 403 ok ok", target=pk("household")
    ),
    "villages:household_history": R("login 404 403 403 403 ok ok", target=pk("household")),
    "villages:member_new": R(
        "login 404 403 ok 403 ok ok", post="login 404 403 ok 403 ok ok", target=pk("household")
    ),
    "villages:member_edit": R("login 404 403 ok 403 ok ok", post="login 404 403 ok 403 ok ok", target=MEMBER),
    "villages:member_ladder": R(
        "login 404 403 ok 403 ok ok", post="login 404 403 ok 403 ok ok", target=MEMBER
    ),
    "villages:member_departure": R(
        "login 404 403 ok 403 ok ok", post="login 404 403 ok 403 ok ok", target=MEMBER
    ),
    "villages:member_move": R("login 404 403 ok 403 ok ok", post="login 404 403 ok 403 ok ok", target=MEMBER),
    "villages:household_options": R("login 404 403 ok 403 ok ok", target=pk("household")),
    "villages:household_split": R(
        "login 404 403 ok 403 ok ok", post="login 404 403 ok 403 ok ok", target=pk("household")
    ),
    "villages:household_head": R(
        "login 404 403 ok 403 ok ok", post="login 404 403 ok 403 ok ok", target=pk("household")
    ),
    "roster:upload": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "roster:preview": R(
        "login 404 403 403 403 404 404",
        post="login 404 403 403 403 404 404",
        token="00000000000000000000000000000000",
    ),
    "roster:confirm": R(
        "login 405 405 405 405 405 405",
        post="login 404 403 403 403 404 404",
        token="00000000000000000000000000000000",
    ),
    "roster:template": R("login ok ok ok ok ok ok"),
    "roster:exports": R("login ok ok ok ok ok ok"),
    "roster:export": R("login ok ok ok ok ok ok", kind="residents", extension="csv"),
    "visits:list": R("login ok ok ok ok ok ok"),
    "visits:new": R("login ok ok ok 403 ok ok", post="login ok ok ok 403 ok ok"),
    "visits:household_options": R("login ok ok ok 403 ok ok"),
    "visits:household": R("login 404 ok ok 403 ok ok", target=VISIT_HOUSEHOLD),
    "visits:follow_ups": R("login ok ok ok ok ok ok"),
    "program:communications": R("login ok ok ok ok ok ok"),
    "program:communication_new": R("login ok ok ok 403 ok ok", post="login ok ok ok 403 ok ok"),
    "program:communication_edit": R(
        "login 404 ok ok 403 ok ok", post="login 404 ok ok 403 ok ok", target=pk("communication")
    ),
    "program:communication_delete": R(
        "login 404 403 ok 403 ok ok", post="login 404 403 ok 403 ok ok", target=pk("communication")
    ),
    "program:models": R("login ok ok ok ok ok ok"),
    "program:model_new": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "program:model": R("login 404 ok ok ok ok ok", target=pk("model")),
    "program:model_edit": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=pk("model")
    ),
    "program:model_delete": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=pk("model")
    ),
    "program:model_review": R("login 404 ok ok ok ok ok", target=pk("model")),
    "program:model_review_xlsx": R("login 404 ok ok ok ok ok", target=pk("model")),
    "program:groups": R("login ok ok ok ok ok ok"),
    "program:group_new": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "program:group": R("login 404 ok ok ok ok ok", target=pk("group")),
    "program:group_edit": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=pk("group")
    ),
    "program:workers": R("login ok ok ok ok ok ok"),
    "program:worker_new": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "program:worker": R("login 404 ok ok ok ok ok", target=pk("worker")),
    "program:worker_edit": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=pk("worker")
    ),
    "program:communicators": R("login ok ok ok ok ok ok"),
    "program:communicator_new": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "program:communicator_edit": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=pk("communicator")
    ),
    "training:sessions": R("login ok ok ok ok ok ok"),
    "training:new": R("login ok ok ok 403 ok ok", post="login ok ok ok 403 ok ok"),
    "training:topics": R("login ok ok ok ok ok ok"),
    "training:session": R("login 404 ok ok ok ok ok", target=pk("session")),
    "training:edit": R("login 404 ok ok 403 ok ok", post="login 404 ok ok 403 ok ok", target=pk("session")),
    "training:delete": R(
        "login 404 ok 403 403 ok ok", post="login 404 ok 403 403 ok ok", target=pk("session")
    ),
    "training:attendance": R(
        "login 404 ok ok 403 ok ok", post="login 404 ok ok 403 ok ok", target=pk("session")
    ),
    "reports:dashboard": R("login 404 ok ok ok ok ok", target=AREA),
    "reports:export": R("login 404 ok ok ok ok ok", target=AREA, table="villages", fmt="csv"),
    "reports:monthly": R("login 404 ok ok ok ok ok", target=AREA),
    "reports:monthly_export": R("login 404 ok ok ok ok ok", target=AREA, table="indicators", fmt="csv"),
    "reports:targets": R("login 404 ok ok ok ok ok", post="login ok 403 403 403 ok ok", target=COMMUNE),
    "reports:target_edit": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=pk("target")
    ),
    "reports:target_delete": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=pk("target")
    ),
    "reports:savings_settings": R(
        "login 404 403 403 403 ok ok", post="login ok 403 403 403 ok ok", target=COMMUNE
    ),
    "reports_api:adoption": R("login 404 ok ok ok ok ok", target=ADOPTION),
    "reports:official": R("login 404 403 403 ok ok ok", target=COMMUNE),
    "reports:official_export": R("login 404 403 403 ok ok ok", target=COMMUNE, table="official", fmt="csv"),
    "reports:official_month": R(
        "login 404 403 403 403 ok ok", post="login ok 403 403 403 ok ok", target=COMMUNE
    ),
    "reports:official_upload": R(
        "login 404 403 403 403 ok ok", post="login ok 403 403 403 ok ok", target=COMMUNE
    ),
    "reports:province": R("login 404 404 404 404 404 ok", target=PROVINCE),
    "reports:province_export": R(
        "login 404 404 404 404 404 ok", target=PROVINCE, table="communes", fmt="csv"
    ),
    "api:token": R("405 405 405 405 405 405 405", post="400 400 400 400 400 400 400"),
    "api:schema": R("ok ok ok ok ok ok ok"),
    "api:docs": R("ok ok ok ok ok ok ok"),
    "api:household-history": R("login 404 403 403 403 ok ok", target=pk("household")),
    "api:commune-list": R("login ok ok ok ok ok ok", post="login 405 405 405 405 405 405"),
    "api:commune-list (format)": R("login ok ok ok ok ok ok", post="login 405 405 405 405 405 405"),
    "api:commune-detail": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 403 403 403 ok ok",
        delete="login 405 405 405 405 405 405",
        target=pk("commune"),
    ),
    "api:commune-detail (format)": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 403 403 403 ok ok",
        delete="login 405 405 405 405 405 405",
        target=pk("commune"),
    ),
    "api:village-list": R("login ok ok ok ok ok ok", post="login 400 403 403 403 400 400"),
    "api:village-list (format)": R("login ok ok ok ok ok ok", post="login 400 403 403 403 400 400"),
    "api:village-detail": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 403 403 403 ok ok",
        delete="login 404 403 403 403 409 409",
        target=pk("village"),
    ),
    "api:village-detail (format)": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 403 403 403 ok ok",
        delete="login 404 403 403 403 409 409",
        target=pk("village"),
    ),
    "api:household-list": R("login ok ok ok ok ok ok", post="login 400 403 400 403 400 400"),
    "api:household-list (format)": R("login ok ok ok ok ok ok", post="login 400 403 400 403 400 400"),
    "api:household-detail": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 403 ok 403 ok ok",
        delete="login 404 403 409 403 409 409",
        target=pk("household"),
    ),
    "api:household-detail (format)": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 403 ok 403 ok ok",
        delete="login 404 403 409 403 409 409",
        target=pk("household"),
    ),
    "api:resident-list": R("login ok ok ok ok ok ok", post="login 400 403 400 403 400 400"),
    "api:resident-list (format)": R("login ok ok ok ok ok ok", post="login 400 403 400 403 400 400"),
    "api:resident-detail": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 403 ok 403 ok ok",
        delete="login 404 403 409 403 409 409",
        target=pk("resident"),
    ),
    "api:resident-detail (format)": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 403 ok 403 ok ok",
        delete="login 404 403 409 403 409 409",
        target=pk("resident"),
    ),
    "api:resident-departure": R(
        "login 405 405 405 405 405 405", post="login 404 403 400 403 400 400", target=pk("resident")
    ),
    "api:resident-departure (format)": R(
        "login 405 405 405 405 405 405", post="login 404 403 400 403 400 400", target=pk("resident")
    ),
    "api:resident-move": R(
        "login 405 405 405 405 405 405", post="login 404 403 400 403 400 400", target=pk("resident")
    ),
    "api:resident-move (format)": R(
        "login 405 405 405 405 405 405", post="login 404 403 400 403 400 400", target=pk("resident")
    ),
    "api:household-split": R(
        "login 405 405 405 405 405 405", post="login 404 403 400 403 400 400", target=pk("household")
    ),
    "api:household-split (format)": R(
        "login 405 405 405 405 405 405", post="login 404 403 400 403 400 400", target=pk("household")
    ),
    "api:household-head": R(
        "login 405 405 405 405 405 405", post="login 404 403 400 403 400 400", target=pk("household")
    ),
    "api:household-head (format)": R(
        "login 405 405 405 405 405 405", post="login 404 403 400 403 400 400", target=pk("household")
    ),
    "api:resident-ladder": R(
        "login 405 405 405 405 405 405", post="login 404 403 400 403 400 400", target=pk("resident")
    ),
    "api:resident-ladder (format)": R(
        "login 405 405 405 405 405 405", post="login 404 403 400 403 400 400", target=pk("resident")
    ),
    "api:worker-group-list": R("login ok ok ok ok ok ok", post="login 400 403 403 403 400 400"),
    "api:worker-group-list (format)": R("login ok ok ok ok ok ok", post="login 400 403 403 403 400 400"),
    "api:worker-group-detail": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 403 403 403 ok ok",
        delete="login 404 403 403 403 409 409",
        target=pk("group"),
    ),
    "api:worker-group-detail (format)": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 403 403 403 ok ok",
        delete="login 404 403 403 403 409 409",
        target=pk("group"),
    ),
    "api:worker-list": R("login ok ok ok ok ok ok", post="login 400 403 403 403 400 400"),
    "api:worker-list (format)": R("login ok ok ok ok ok ok", post="login 400 403 403 403 400 400"),
    "api:worker-detail": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 403 403 403 ok ok",
        delete="login 404 403 403 403 ok ok",
        target=pk("worker"),
    ),
    "api:worker-detail (format)": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 403 403 403 ok ok",
        delete="login 404 403 403 403 ok ok",
        target=pk("worker"),
    ),
    "api:visit-list": R("login ok ok ok ok ok ok", post="login 400 400 400 403 400 400"),
    "api:visit-list (format)": R("login ok ok ok ok ok ok", post="login 400 400 400 403 400 400"),
    "api:visit-detail": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 ok ok 403 ok ok",
        delete="login 405 405 405 405 405 405",
        target=pk("visit"),
    ),
    "api:visit-detail (format)": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 ok ok 403 ok ok",
        delete="login 405 405 405 405 405 405",
        target=pk("visit"),
    ),
    "api:training-session-list": R("login ok ok ok ok ok ok", post="login 400 400 400 403 400 400"),
    "api:training-session-list (format)": R("login ok ok ok ok ok ok", post="login 400 400 400 403 400 400"),
    "api:training-session-detail": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 ok ok 403 ok ok",
        delete="login 404 ok 403 403 ok ok",
        target=pk("session"),
    ),
    "api:training-session-detail (format)": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 ok ok 403 ok ok",
        delete="login 404 ok 403 403 ok ok",
        target=pk("session"),
    ),
    "api:training-session-attendance": R(
        "login 405 405 405 405 405 405", post="login 404 400 400 403 400 400", target=pk("session")
    ),
    "api:training-session-attendance (format)": R(
        "login 405 405 405 405 405 405", post="login 404 400 400 403 400 400", target=pk("session")
    ),
    "api:communication-list": R("login ok ok ok ok ok ok", post="login 400 400 400 403 400 400"),
    "api:communication-list (format)": R("login ok ok ok ok ok ok", post="login 400 400 400 403 400 400"),
    "api:communication-detail": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 ok ok 403 ok ok",
        delete="login 404 403 ok 403 ok ok",
        target=pk("communication"),
    ),
    "api:communication-detail (format)": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 ok ok 403 ok ok",
        delete="login 404 403 ok 403 ok ok",
        target=pk("communication"),
    ),
    "api:application-list": R("login ok ok ok ok ok ok", post="login 400 400 400 403 400 400"),
    "api:application-list (format)": R("login ok ok ok ok ok ok", post="login 400 400 400 403 400 400"),
    "api:application-detail": R(
        "login 404 ok ok ok ok ok",
        patch="login 405 405 405 405 405 405",
        delete="login 405 405 405 405 405 405",
        target=pk("application"),
    ),
    "api:application-detail (format)": R(
        "login 404 ok ok ok ok ok",
        patch="login 405 405 405 405 405 405",
        delete="login 405 405 405 405 405 405",
        target=pk("application"),
    ),
    "api:target-list": R("login ok ok ok ok ok ok", post="login 400 403 403 403 400 400"),
    "api:target-list (format)": R("login ok ok ok ok ok ok", post="login 400 403 403 403 400 400"),
    "api:target-detail": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 403 403 403 ok ok",
        delete="login 404 403 403 403 ok ok",
        target=pk("target"),
    ),
    "api:target-detail (format)": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 403 403 403 ok ok",
        delete="login 404 403 403 403 ok ok",
        target=pk("target"),
    ),
    "api:api-root": R("login ok ok ok ok ok ok"),
    "api:api-root (format)": R("login ok ok ok ok ok ok"),
    "api/^(?P<path>.*/)$": R("404 404 404 404 404 404 404", path="/api/no-such-thing/"),
}

# What Cao Bằng's province leader gets (get, post, patch, delete) on the pages of figures they
# may open, for the record of village A (and of B, which they read too; Quang Long's answers
# 404). Every other line of TABLE answers them 403, whatever the method and the record.
PROVINCE_LEADER_ANSWERS: dict[str, tuple[str, ...]] = {
    "home": ("ok",),
    "login": ("ok", "ok"),
    "logout": ("405", "login"),
    "password_change": ("ok", "ok"),
    "password_change_done": ("ok",),
    "set_language": ("ok", "ok"),
    "reports:province": ("ok",),
    "reports:province_export": ("ok",),
    "reports:dashboard": ("ok",),
    "reports:export": ("ok",),
    "reports:monthly": ("ok",),
    "reports:monthly_export": ("ok",),
    "reports_api:adoption": ("ok",),
    "reports:official": ("ok",),
    "reports:official_export": ("ok",),
    "api:token": ("405", "400"),
    "api:schema": ("ok",),
    "api:docs": ("ok",),
}
# The places whose figures the province leader reads: Hạ Lang's villages.
PROVINCE_FIGURES = {"a", "b"}


def province_leader_answer(key: str, method: str, where: str) -> str | None:
    """What the province leader gets for a TABLE line, a method and a record's place."""
    if key not in PROVINCE_LEADER_ANSWERS:
        return "403"
    found = dict(zip(METHODS, PROVINCE_LEADER_ANSWERS[key], strict=False)).get(method)
    if where != "a" and where not in PROVINCE_FIGURES:
        return "hidden"
    return found


# Known faults, each told to the maintainer; strict, so that the fix makes these lines fail.
# Known bugs, each marked xfail(strict=True) until fixed; empty when there are none.
BROKEN: set[str] = set()


# --- Answers --------------------------------------------------------------------------------

REFUSED = {"login", "403", "404", "405"}
SIGN_IN_PAGES = None


def sign_in_pages():
    return (resolve_url(settings.LOGIN_URL), reverse("admin:login"))


def answer_of(response) -> str:
    code = response.status_code
    if code in (301, 302, 303, 307, 308):
        return "login" if response["Location"].startswith(sign_in_pages()) else "ok"
    if code == 401:
        return "login"
    if 200 <= code < 300:
        return "ok"
    return str(code)


def answers(cells: str) -> dict[str, str]:
    values = cells.split()
    assert len(values) == len(ROLES), cells
    return dict(zip(ROLES, values, strict=True))


# Which records each role may see: "a" village A of Hạ Lang, "b" village B, "x" the other commune.
SEES = {
    "anonymous": set(),
    "outsider": {"x"},
    "worker_a": {"a"},
    "head_a": {"a"},
    "leader": {"a", "b"},
    "official": {"a", "b"},
    "superuser": {"a", "b", "x"},
    # No record at all, whatever the place: only figures.
    PROVINCE_LEADER: set(),
}


# Program rosters read commune-wide (docs/user-guide.md, "Field work in the browser"): a worker of
# village A reads village B's communicators as the commune's groups and workers.
COMMUNE_WIDE = {"communicator"}


def mirror(role: str, where: str) -> str:
    """Whose answer in village A a role gets on a record it may see elsewhere."""
    return "official" if role == "outsider" and where == "x" else role


# Text that names a record of each place: a page showing it to someone who may not see it leaks.
MARKERS = {
    "a": ("NK-001", "Nông Thị NK", "VNeID NK"),
    "b": ("BT-001", "Nông Thị BT", "VNeID BT"),
    "x": ("QL-001", "Nông Thị QL", "VNeID QL", "Đoàn QL", "Hoàng Văn QL", "Mô hình QL", "Dịch vụ công QL"),
}


def leaked(response, role) -> list[str]:
    if response.status_code != 200 or "spreadsheetml" in response.get("Content-Type", ""):
        return []
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = content.decode("utf-8", "replace")
    return [m for where, marks in MARKERS.items() if where not in SEES[role] for m in marks if m in text]


# --- The database, before and after a refused write ---------------------------------------

FINGERPRINTED_APPS = ("villages", "mobilization", "training", "reports", "auth", "authtoken")


def fingerprint() -> dict:
    """Every row of the program's tables (and accounts) as it is now."""
    found = {}
    for app in FINGERPRINTED_APPS:
        for model in apps.get_app_config(app).get_models():
            # Signing in stamps last_login; that is not a change anyone asked for.
            columns = [f.attname for f in model._meta.concrete_fields if f.name != "last_login"]
            rows = model._default_manager.order_by("pk").values(*columns)
            found[model._meta.label] = [tuple(sorted(r.items())) for r in rows]
    return found


# --- Running a request --------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> World:
    """One world for the module's tests: each test runs in a savepoint inside it (`db`), and
    every request of a test in one more (attempt), so each role meets the same rows."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        built.before = fingerprint()
        yield built
        transaction.set_rollback(True)


@pytest.fixture
def clients(world, db) -> dict[str, Client]:
    made = {"anonymous": Client(raise_request_exception=False)}
    for role, user in world.users.items():
        made[role] = Client(raise_request_exception=False)
        made[role].force_login(user)
    return made


def url_of(key: str, row: Row, world: World, where: str) -> tuple[str, dict]:
    """The URL and query string of a TABLE line for the record of `where`."""
    kwargs, query = dict(row.kwargs), {}
    if row.target is not None:
        record = world.row(row.target.kind, where)
        (query if row.target.query else kwargs).update(row.target.build(record))
    if key.endswith(" (format)"):
        kwargs["format"] = "json"
    if row.path:
        return row.path.format(**kwargs), query
    return reverse(key.removesuffix(" (format)"), kwargs=kwargs), query


def send(client: Client, method: str, url: str, query: dict):
    if method == "get":
        return client.get(url, query)
    if url.startswith("/api/"):
        return getattr(client, method)(url, {}, content_type="application/json", QUERY_STRING="")
    return getattr(client, method)(url, {})


def attempt(client: Client, method: str, url: str, query: dict, before: dict | None):
    """Send the request and undo whatever it wrote, so that every role meets the same world.

    With `before`, the database must be as it was (a refused write)."""
    cookies = copy.deepcopy(client.cookies)
    cache.clear()  # the throttles and the sign-in lockout count per address, not per role
    sid = transaction.savepoint()
    try:
        response = send(client, method, url, query)
        changed = before is not None and fingerprint() != before
    finally:
        transaction.savepoint_rollback(sid)
        client.cookies = cookies  # signing out or in must not change who asks next
    return response, changed


def check(key, row, world, clients, method, cells, where, expect_of) -> list[str]:
    problems = []
    before = world.before if method != "get" else None
    for role in (*ROLES, PROVINCE_LEADER):
        url, query = url_of(key, row, world, where)
        if role == PROVINCE_LEADER:
            expected = province_leader_answer(key, method, where)
        else:
            expected = expect_of(role)
        if expected is None:
            continue
        response, changed = attempt(clients[role], method, url, query, before)
        got = answer_of(response)
        place = f"{method.upper()} {url} {query or ''} as {role}"
        # The admin's bare object URL only redirects to the change page, which is checked itself.
        # 405 (a method the URL never takes) says nothing about the record either.
        hidden_ok = ("403", "404", "405", "ok") if row.path.startswith("/admin/") else ("403", "404", "405")
        if got != expected and not (expected == "hidden" and got in hidden_ok):
            problems.append(f"{place}: expected {expected}, got {got} ({response.status_code})")
        if changed and (got in REFUSED or expected in REFUSED | {"hidden"}):
            problems.append(f"{place}: refused ({got}) but the database changed")
        if method == "get" and (shown := leaked(response, role)):
            problems.append(f"{place}: shows {shown}, a record this role may not see")
    return problems


METHODS = ("get", "post", "patch", "delete")


def run_row(key, row, world, clients) -> list[str]:
    problems = []
    for method in METHODS:
        cells = getattr(row, method)
        if not cells:
            continue
        table = answers(cells)
        problems += check(key, row, world, clients, method, cells, "a", table.get)
        if row.target is None or key.endswith(" (format)"):
            continue  # a `.json` twin is the same view: its records were tried without the suffix
        if row.target.query and method != "get":
            continue  # a form names its commune in the body, not in the query string
        for where in world.rows[row.target.kind]:
            if where == "a":
                continue

            def elsewhere(role, where=where, table=table):
                if role == "anonymous":
                    return None  # the sign-in page, whatever the record
                if where in SEES[role] or (row.target.kind in COMMUNE_WIDE and where == "b"):
                    return table[mirror(role, where)]
                return "hidden"

            problems += check(key, row, world, clients, method, cells, where, elsewhere)
    return problems


# --- The tests ------------------------------------------------------------------------------


def test_every_url_pattern_has_a_line_in_the_table():
    missing = [key for key, _route, _pattern in url_patterns() if key not in TABLE]

    assert not missing, "URL patterns without a line in TABLE: " + ", ".join(missing)


def test_the_province_leaders_answers_are_for_the_pages_of_figures():
    assert set(PROVINCE_LEADER_ANSWERS) == AGGREGATE_PAGES
    for key, cells in PROVINCE_LEADER_ANSWERS.items():
        assert len(cells) == sum(1 for method in METHODS if getattr(TABLE[key], method)), key


def test_every_line_of_the_table_has_a_url_pattern():
    served = {key for key, _route, _pattern in url_patterns()}

    stale = [key for key in TABLE if key not in served]

    assert not stale, "TABLE lines for URL patterns that no longer exist: " + ", ".join(stale)


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(key, marks=pytest.mark.xfail(strict=True, reason="500 on the .json twin"))
        if key in BROKEN
        else key
        for key in TABLE
    ],
)
def test_each_role_gets_what_the_table_says(key, world, clients):
    problems = run_row(key, TABLE[key], world, clients)

    assert not problems, "\n".join(problems)
