"""Probable duplicates within a commune: one person entered twice (issue 31).

Since July 2025 a commune is several old communes merged, and their registers were combined:
a person may have been entered once in each. Two records of a commune are probable duplicates
when they have the same name without diacritics (Resident.search_name, softbridge.text.fold:
NFC or NFD, any case) and the same birth year, or the same phone number. An ID number is one
person's, so two records with two different ID numbers are two people: a group made only of
numbered records is never listed, and merge_refusal refuses to merge two of them. The merge
itself is villages.services.residents_merge; who may list and merge is access.may_merge_residents.

The finder is two GROUP BY queries over the register (one by name and birth year, one by
phone), so a province of 3 million residents is one pass over its rows (bench/duplicates.py).
"""

from dataclasses import dataclass, field

from django.db.models import Count, F, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from villages.access import NationalIdsShown
from villages.models import Resident
from villages.selectors import digits_only

BY_NAME = "name"
BY_PHONE = "phone"
WHY = {
    BY_NAME: gettext_lazy("the same name without diacritics and the same birth year"),
    BY_PHONE: gettext_lazy("the same phone number"),
}
# Fewer digits than this are not a phone number (a "0" typed for "none" would group everyone).
MIN_PHONE_DIGITS = 8


def _groups(residents: QuerySet[Resident], why: str, key, year) -> QuerySet:
    # Both kinds of group have the same columns in the same order, so that they are one union.
    return (
        residents.annotate(why=Value(why), key=key, year=year)
        .values("commune", "why", "key", "year")
        .annotate(size=Count("pk"), unnumbered=Count("pk", filter=Q(national_id="")))
        .filter(size__gte=2, unnumbered__gte=1)
        .order_by()  # the model's ordering would group by the household's code too
    )


def duplicate_groups(residents: QuerySet[Resident]) -> QuerySet:
    """The groups of probable duplicates among `residents`, each a dict: `commune` (id), `why`
    (BY_NAME or BY_PHONE), `key` (the folded name, or the phone's digits), `year` (the birth
    year, None for a phone), `size`. Ordered by commune, why and key, to page through.

    A group has two records or more, at least one of them without an ID number: one whose
    records all have ID numbers is that many people. A record of unknown birth year is not
    matched by its name alone (a common name is too many people); it is by its phone.
    """
    by_name = _groups(
        residents.exclude(birth_year=None),
        BY_NAME,
        F("search_name"),
        Cast("birth_year", IntegerField()),
    )
    phone = digits_only("phone")
    by_phone = _groups(
        residents.annotate(phone_key=phone).filter(phone_key__regex=rf"^[0-9]{{{MIN_PHONE_DIGITS},}}$"),
        BY_PHONE,
        phone,
        Value(None, output_field=IntegerField()),
    )
    return by_name.union(by_phone, all=True).order_by("commune", "why", "key")


@dataclass
class DuplicateGroup:
    """A group of probable duplicates as a page shows it: why they matched and the records."""

    why: str
    key: str
    year: int | None
    members: list[Resident] = field(default_factory=list)

    @property
    def reason(self) -> str:
        return str(WHY[self.why])


def duplicate_group_members(groups, *, viewer) -> list[DuplicateGroup]:
    """The records of `groups` (rows of duplicate_groups, a page of them), in one query, each
    with `shown_national_id` as `viewer` is shown it (NationalIdsShown): the groups never use
    the number, so a masked one cannot be recovered from the list."""
    found = [DuplicateGroup(g["why"], g["key"], g["year"]) for g in groups]
    if not found:
        return []
    match = Q()
    for group, row in zip(found, groups, strict=True):
        if group.why == BY_NAME:
            match |= Q(commune=row["commune"], search_name=group.key, birth_year=group.year)
        else:
            match |= Q(commune=row["commune"], phone_key=group.key)
    residents = (
        Resident.objects.annotate(phone_key=digits_only("phone"))
        .filter(match)
        .select_related("household__village")
        .order_by("pk")
    )
    national_ids = NationalIdsShown(viewer)
    by_key = {(BY_NAME, row["commune"], g.key, g.year): g for g, row in zip(found, groups, strict=True)}
    by_key |= {
        (BY_PHONE, row["commune"], g.key, None): g
        for g, row in zip(found, groups, strict=True)
        if g.why == BY_PHONE
    }
    for resident in residents:
        resident.shown_national_id = national_ids.number(resident.national_id, resident.commune_id)
        for key in (
            (BY_NAME, resident.commune_id, resident.search_name, resident.birth_year),
            (BY_PHONE, resident.commune_id, resident.phone_key, None),
        ):
            if key in by_key:
                by_key[key].members.append(resident)
    return found


def duplicates_of(resident: Resident) -> QuerySet[Resident]:
    """The records of the resident's commune that are probable duplicates of it (the finder's
    two rules, from one record), those merge_refusal would refuse left out."""
    same = Q()
    if resident.birth_year is not None:
        same |= Q(search_name=resident.search_name, birth_year=resident.birth_year)
    digits = "".join(ch for ch in resident.phone if ch.isdigit())
    if len(digits) >= MIN_PHONE_DIGITS:
        same |= Q(phone_key=digits)
    if not same:
        return Resident.objects.none()
    found = (
        Resident.objects.annotate(phone_key=digits_only("phone"))
        .filter(same, commune_id=resident.commune_id)
        .exclude(pk=resident.pk)
    )
    if resident.national_id:
        found = found.filter(national_id="")
    return found.select_related("household__village").order_by("pk")


def merge_refusal(*, kept: Resident, other: Resident) -> str | None:
    """Why the two records cannot be merged into one, or None: the one rule the merge page and
    residents_merge ask. Two ID numbers are two people: the register is right to hold both,
    and a merge would lose one person's record into the other's."""
    if kept.pk == other.pk:
        return _("A record cannot be merged with itself.")
    if kept.commune_id != other.commune_id:
        return _("The two records are in different communes; only records of one commune are merged.")
    if kept.national_id and other.national_id and kept.national_id != other.national_id:
        return _(
            "The two records have two different ID numbers: they are two people, so they are not merged. "
            "Correct the wrong number first if one of them was mistyped."
        )
    return None
