from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render

from mobilization.selectors import follow_ups_due
from villages.calendar import commune_today
from villages.models import Role
from villages.selectors import households_visible_to, villages_visible_to


@login_required
def home(request):
    """The landing page fits the role: a worker's households and follow-ups, a village's
    status for its head, the commune for officials, the dashboard link for leaders."""
    today = commune_today()
    kinds = set(Role.objects.filter(user=request.user).values_list("kind", flat=True))
    in_charge = households_visible_to(request.user).filter(worker_in_charge__user=request.user)
    follow_ups = (
        follow_ups_due(request.user, today=today, mine_only=Role.Kind.WORKER in kinds)
        .select_related("household__village")
        .order_by("follow_up_on")
    )
    present = Q(households__members__left_on__isnull=True)
    villages = villages_visible_to(request.user).annotate(
        households_count=Count("households", distinct=True),
        residents_count=Count("households__members", filter=present, distinct=True),
        level34_count=Count(
            "households__members",
            filter=present & Q(households__members__level34_on__isnull=False),
            distinct=True,
        ),
    )
    return render(
        request,
        "home.html",
        {
            "kinds": kinds,
            "today": today,
            "follow_ups": follow_ups[:20],
            "in_charge": in_charge.select_related("village")[:50],
            "villages": villages.order_by("code"),
            "show_villages": bool(kinds & {Role.Kind.VILLAGE_HEAD, Role.Kind.OFFICIAL, Role.Kind.LEADER})
            or request.user.is_superuser,
        },
    )
