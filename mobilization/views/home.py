import datetime

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import render

from mobilization.models import HomeVisit
from mobilization.selectors import visits_visible_to
from villages.models import Role
from villages.selectors import households_visible_to, villages_visible_to


@login_required
def home(request):
    """The landing page fits the role: a worker's households and follow-ups, a village's
    status for its head, the commune for officials, the dashboard link for leaders."""
    today = datetime.date.today()
    kinds = set(Role.objects.filter(user=request.user).values_list("kind", flat=True))
    later_visit = HomeVisit.objects.filter(
        household=OuterRef("household"), visited_on__gt=OuterRef("visited_on")
    )
    follow_ups = (
        visits_visible_to(request.user)
        .filter(follow_up_on__isnull=False, follow_up_on__lte=today + datetime.timedelta(days=7))
        .exclude(Exists(later_visit))
        .select_related("household__village")
        .order_by("follow_up_on")
    )
    in_charge = households_visible_to(request.user).filter(worker_in_charge__user=request.user)
    if Role.Kind.WORKER in kinds:
        follow_ups = follow_ups.filter(Q(workers__user=request.user) | Q(household__in=in_charge)).distinct()
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
