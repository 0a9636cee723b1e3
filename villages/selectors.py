"""Reads of the register, each starting from what the user may see (villages.access)."""

from django.db.models import QuerySet

from villages.access import scope_of
from villages.models import Commune, Household, Resident, Village


def communes_visible_to(user) -> QuerySet[Commune]:
    """Communes where the user holds any role (all of them for a superuser)."""
    scope = scope_of(user)
    return Commune.objects.filter(scope.commune_q("id"))


def villages_visible_to(user) -> QuerySet[Village]:
    """Villages whose register the user may read."""
    return Village.objects.filter(scope_of(user).area_q("commune", "id"))


def households_visible_to(user) -> QuerySet[Household]:
    """Households in the user's area: the whole commune, or the villages of their role."""
    return Household.objects.filter(scope_of(user).area_q("commune", "village"))


def residents_visible_to(user) -> QuerySet[Resident]:
    """Residents of the households the user may see."""
    return Resident.objects.filter(scope_of(user).area_q("commune", "household__village"))
