"""The audit trail of a household as a page: the commune's officials only.

It sits with the program because a household's history holds its visits and its members'
applications as well as the register's changes (mobilization.history).
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from mobilization import history
from villages.access import may_read_history
from villages.selectors import households_visible_to

HISTORY_PER_PAGE = 50


@login_required
def household_history(request, pk: int):
    """Who changed the household, its members, its visits and its applications, and what: officials only."""
    household = get_object_or_404(
        households_visible_to(request.user).select_related("village", "commune"), pk=pk
    )
    if not may_read_history(request.user, household.commune_id):
        raise PermissionDenied
    page = Paginator(history.household_history(household), HISTORY_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "villages/household_history.html", {"household": household, "page": page})
