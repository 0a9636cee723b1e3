"""Loading the signed-in user with what villages.access asks of every request.

Whether a user reads aggregates only (a province leader and nothing else) is asked before
every page and API call (villages.aggregates_gate); it is read in the same query that
loads the user, by the session's backend and by the API's token check alike, so that it
costs nothing. The session's backend reads in it too whether the user leads a province and
the kinds of their roles, which every page's menu shows.
"""

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connections, router
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from softbridge.services import api_token_expired
from villages.access import (
    aggregates_only_flag,
    may_open,
    province_role_flag,
    role_kind_flag,
    role_kind_flags,
)
from villages.models import Role


def _users():
    return get_user_model()._default_manager.annotate(
        reads_aggregates_only=aggregates_only_flag(),
        leads_provinces=province_role_flag(),
        **role_kind_flags(),
    )


# A pk no user has, to find where the pk goes among the compiled query's parameters.
_ANY_PK = -7_340_033


@functools.cache
def _user_query(alias: str) -> tuple[str, tuple, int]:
    """The SQL of `_users()` for one user on the database `alias`, its parameters, and the
    index of the pk among them.

    Building and compiling the query with its two flags' subqueries cost about 1.5 ms of CPU
    (8 times the plain query), on every request: the ORM builds it once per process, and each
    request sends it with its own pk (bench/request_cpu.py)."""
    sql, params = _users().filter(pk=_ANY_PK).query.get_compiler(alias).as_sql()
    [at] = [n for n, value in enumerate(params) if value == _ANY_PK]
    return sql, tuple(params), at


def _user_with_flags(user_id):
    """The user of that pk with its flags (the annotations of `_users`), or None."""
    model = get_user_model()
    alias = router.db_for_read(model)
    sql, params, at = _user_query(alias)
    pk = model._meta.pk.get_db_prep_value(user_id, connections[alias])
    found = list(model._default_manager.raw(sql, (*params[:at], pk, *params[at + 1 :])).using(alias))
    if not found:
        return None
    [user] = found
    # The flags as the ORM gives them: raw SQL leaves SQLite's 0 and 1.
    user.reads_aggregates_only = bool(user.reads_aggregates_only)
    user.leads_provinces = bool(user.leads_provinces)
    # What villages.access.role_kinds_of reads.
    user.role_kinds = frozenset(kind for kind in Role.Kind.values if getattr(user, role_kind_flag(kind)))
    return user


class SigninBackend(ModelBackend):
    """Django's own backend, loading the session's user with its reads_aggregates_only flag."""

    def get_user(self, user_id):
        user = _user_with_flags(user_id)
        if user is None:
            return None
        return user if self.user_can_authenticate(user) else None


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token check, loading the user with its flag, refusing (401) a token past its
    lifetime (softbridge.services), and refusing (403) an endpoint a user who reads aggregates
    only may not open: sessions are refused by the gate's middleware, which cannot see a token."""

    def authenticate_credentials(self, key):
        model = self.get_model()
        try:
            token = (
                model.objects.select_related("user")
                .annotate(reads_aggregates_only=aggregates_only_flag("user__"))
                .get(key=key)
            )
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if api_token_expired(token):
            raise exceptions.AuthenticationFailed(
                _("The token has expired: ask for a new one at /api/token/."), code="token_expired"
            )
        token.user.reads_aggregates_only = token.reads_aggregates_only
        return token.user, token

    def authenticate(self, request):
        found = super().authenticate(request)
        if found is not None:
            match = getattr(request._request, "resolver_match", None)
            if not may_open(found[0], match.view_name if match else None):
                raise exceptions.PermissionDenied()
        return found
