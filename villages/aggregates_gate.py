"""The gate that keeps a province leader to figures: a user who reads aggregates only
(villages.access.reads_aggregates_only) gets 403 on every page and endpoint but those of
villages.access.AGGREGATE_PAGES, before the view runs.

Deny by default, so that a page added later cannot show them a person by forgetting a
check. Sessions are checked here; API tokens, which no middleware sees, by
villages.signin.TokenAuthentication with the same rule.
"""

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.utils.translation import gettext as _

from villages.access import may_open


class AggregatesGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        match = request.resolver_match
        if may_open(user, match.view_name if match else None):
            return None
        message = _("Province leaders read the figures only: this page shows people.")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=403)
        raise PermissionDenied(message)
