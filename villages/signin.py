"""Loading the signed-in user with what villages.access asks of every request.

Whether a user reads aggregates only (a province leader and nothing else) is asked before
every page and API call (villages.aggregates_gate); it is read in the same query that
loads the user, by the session's backend and by the API's token check alike, so that it
costs nothing.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from softbridge.services import api_token_expired
from villages.access import aggregates_only_flag, may_open, province_role_flag


def _users():
    return get_user_model()._default_manager.annotate(
        reads_aggregates_only=aggregates_only_flag(), leads_provinces=province_role_flag()
    )


class SigninBackend(ModelBackend):
    """Django's own backend, loading the session's user with its reads_aggregates_only flag."""

    def get_user(self, user_id):
        try:
            user = _users().get(pk=user_id)
        except get_user_model().DoesNotExist:
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
