"""Reads of the register, each starting from what the user may see (villages.access)."""

import re

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Replace

from villages.access import scope_of, villages_editable_by, villages_open_to_outreach
from villages.models import Commune, Household, LadderStep, Resident, Village
from villages.text import fold, search_text

# Fewer digits than this match too many ID and phone numbers to be a search for one.
MIN_DIGITS_TO_SEARCH = 4


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


def households_editable_by(user) -> QuerySet[Household]:
    """Households whose register the user may change (access.villages_editable_by)."""
    return Household.objects.filter(village__in=villages_editable_by(user))


def households_open_to_outreach(user) -> QuerySet[Household]:
    """Households where the user may log visits (access.villages_open_to_outreach)."""
    return Household.objects.filter(village__in=villages_open_to_outreach(user))


def commune_villages_visible_to(user) -> QuerySet[Village]:
    """Every village of the communes where the user has a role: commune-wide records
    (groups, communicators) name villages the user's own register may not cover."""
    return Village.objects.filter(commune__in=communes_visible_to(user))


def digits_only(expression: str):
    """A database expression: the column with spaces, dots, dashes and brackets removed."""
    for char in " .-()":
        expression = Replace(expression, Value(char), Value(""))
    return expression


def households_matching(households: QuerySet[Household], text: str) -> QuerySet[Household]:
    """Households whose code, a present member's name, ID number or phone matches `text`.

    Names match without diacritics or case, typed in NFC or NFD; ID and phone numbers match
    on their digits, so "0912 345" finds "0912345678". Control characters in `text` count as
    spaces (villages.text.search_text).
    """
    text = search_text(text)
    if not text:
        return households
    present = Resident.objects.filter(household=OuterRef("pk"), left_on__isnull=True)
    condition = Q(code__icontains=text)
    folded = fold(text)
    if folded:
        condition |= Exists(present.filter(search_name__contains=folded))
    digits = re.sub(r"\D", "", text)
    if len(digits) >= MIN_DIGITS_TO_SEARCH:
        numbers = present.annotate(phone_digits=digits_only("phone")).filter(
            Q(national_id__contains=digits) | Q(phone_digits__contains=digits)
        )
        condition |= Exists(numbers)
        households = households.annotate(household_phone_digits=digits_only("phone"))
        condition |= Q(household_phone_digits__contains=digits)
    return households.filter(condition)


def with_list_columns(households: QuerySet[Household]) -> QuerySet[Household]:
    """The columns of the household list: head's name, present members and the ladder counts.

    One query whatever the number of rows: counts are aggregates, the head is a subquery.
    """
    present = Q(members__left_on__isnull=True)
    head = Resident.objects.filter(
        household=OuterRef("pk"), relation=Resident.Relation.HEAD, left_on__isnull=True
    ).order_by("id")
    counts = {
        f"{step.value}_count": Count(
            "members", filter=present & Q(**{f"members__{step.field}__isnull": False})
        )
        for step in LadderStep
    }
    return (
        households.select_related("village")
        .annotate(
            head_name=Subquery(head.values("full_name")[:1]),
            member_count=Count("members", filter=present),
            **counts,
        )
        .order_by("village__code", "code")
    )
