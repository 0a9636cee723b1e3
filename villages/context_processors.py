"""What every page needs to know about the signed-in user's roles (for the menu)."""

from django.utils.functional import SimpleLazyObject

from villages.access import leads_a_province, reads_aggregates_only, role_kinds_of
from villages.models import Role


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "role_kinds": frozenset(),
            "role_visits": False,
            "aggregates_only": False,
            "leads_provinces": False,
        }

    def kinds():
        found = set(role_kinds_of(user))
        if user.is_superuser:
            found.add(Role.Kind.OFFICIAL)
        return frozenset(found)

    # Read with the user (villages.signin), else one query each, and only on pages whose template asks.
    role_kinds = SimpleLazyObject(kinds)
    return {
        "role_kinds": role_kinds,
        # Who visits households (and logs what they do): the menu and the tab bar put that first.
        "role_visits": SimpleLazyObject(
            lambda: bool({"official", "village_head", "worker"} & set(role_kinds))
        ),
        # A province leader's menu is the province's figures (villages.access).
        "aggregates_only": SimpleLazyObject(lambda: reads_aggregates_only(user)),
        "leads_provinces": SimpleLazyObject(lambda: leads_a_province(user)),
    }
