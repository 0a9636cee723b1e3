"""What every page needs to know about the signed-in user's roles (for the menu)."""

from django.utils.functional import SimpleLazyObject

from villages.access import leads_a_province, reads_aggregates_only
from villages.models import Role


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"role_kinds": frozenset(), "aggregates_only": False, "leads_provinces": False}

    def kinds():
        found = set(Role.objects.filter(user=user).values_list("kind", flat=True))
        if user.is_superuser:
            found.add(Role.Kind.OFFICIAL)
        return frozenset(found)

    # One query each, and only on pages whose template asks.
    return {
        "role_kinds": SimpleLazyObject(kinds),
        # A province leader's menu is the province's figures (villages.access).
        "aggregates_only": SimpleLazyObject(lambda: reads_aggregates_only(user)),
        "leads_provinces": SimpleLazyObject(lambda: leads_a_province(user)),
    }
