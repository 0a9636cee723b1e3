"""Reads of the register, each starting from what the user may see (villages.access)."""

import datetime
import re
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Replace
from django.http import Http404

from softbridge.request_limits import SEARCH_MAX_WORDS
from softbridge.text import MASK_SHOWS, fold, search_text
from softbridge.typed_ids import row_id
from villages.access import (
    NationalIdsShown,
    communes_with_full_national_ids,
    scope_of,
    villages_open_to_outreach,
)
from villages.models import Commune, Household, LadderStep, PastStay, Resident, Role, Village, present_q

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


def residents_living_in(
    residents: QuerySet[Resident], *, day, villages: Iterable[int] | None = None
) -> QuerySet[Resident]:
    """The `residents` who lived in the commune (in `villages`, ids) at the end of `day`, by their
    residence history: their current stay (their own row) or one of their earlier stays
    (PastStay). A resident who moved out of the villages since still counts; one who moved
    in later does not."""
    # The current stay is the row itself (no subquery: one pass over the residents); the earlier
    # stays, a small table, are looked up by resident.
    current = present_q(day)
    earlier = PastStay.objects.filter(present_q(day, "started_on", "ended_on"))
    if villages is not None:
        villages = list(villages)
        current &= Q(household__village__in=villages)
        earlier = earlier.filter(household__village__in=villages)
    return residents.filter(current | Q(pk__in=earlier.values("resident")))


def _stay_during_q(day: datetime.date, moved_in: str = "moved_in_on", left: str = "left_on") -> Q:
    """A stay from `moved_in` (None: always) until `left` (None: still) covers some moment of
    `day`: the day someone moves or leaves, they were still there (unlike present_q, the end
    of the day, by which the indicators count)."""
    return (Q(**{f"{moved_in}__isnull": True}) | Q(**{f"{moved_in}__lte": day})) & (
        Q(**{f"{left}__isnull": True}) | Q(**{f"{left}__gte": day})
    )


def stay_covers(resident: Resident, day: datetime.date, *, household_id: int | None = None) -> bool:
    """Whether the resident's current stay (their own row, as read) covers some moment of `day`,
    in `household_id` when given; no query. residents_present_during asks the earlier stays."""
    if household_id is not None and resident.household_id != household_id:
        return False
    began = resident.moved_in_on is None or resident.moved_in_on <= day
    return began and (resident.left_on is None or resident.left_on >= day)


def residents_present_during(
    residents: QuerySet[Resident],
    *,
    day: datetime.date,
    household: Household | int | None = None,
    villages: Iterable[int] | None = None,
) -> QuerySet[Resident]:
    """The `residents` who lived in the commune (in `household`, in `villages` (ids), when
    given) at some moment of `day`, by their residence history: their current stay or an
    earlier one (PastStay).

    Who a visit may help (its household's members on its date) and who may attend a session
    (the commune's residents on its date) are decided by this, not by where people live now:
    a record kept on a phone may arrive after a move or a departure it came before
    (docs/late-records.md). The day of a move or a departure counts for both sides.
    """
    current = _stay_during_q(day)
    earlier = PastStay.objects.filter(_stay_during_q(day, "started_on", "ended_on"))
    if household is not None:
        household_id = getattr(household, "pk", household)
        current &= Q(household_id=household_id)
        earlier = earlier.filter(household_id=household_id)
    if villages is not None:
        villages = list(villages)
        current &= Q(household__village__in=villages)
        earlier = earlier.filter(household__village__in=villages)
    return residents.filter(current | Q(pk__in=earlier.values("resident")))


def village_lived_in(resident: Resident, day: datetime.date) -> int:
    """The id of the village the resident lived in at the end of `day` (as the indicators count
    them), by their residence history; their present village when no stay covers the day
    (before the register knew them, or after they left)."""
    began = resident.moved_in_on is None or resident.moved_in_on <= day
    if began and (resident.left_on is None or resident.left_on > day):
        return resident.household.village_id
    stay = (
        resident.stays.filter(present_q(day, "started_on", "ended_on"))
        .order_by("-ended_on")
        .values_list("household__village_id", flat=True)
        .first()
    )
    return stay if stay is not None else resident.household.village_id


def residents_known_to(user) -> QuerySet[Resident]:
    """The residents the user may name as helped at a visit or a session: those they see, and
    those who lived in a household they see before moving elsewhere (a visit kept on a phone
    may have helped them before they moved)."""
    earlier = PastStay.objects.filter(household__in=households_visible_to(user)).values("resident")
    return Resident.objects.filter(Q(pk__in=residents_visible_to(user).values("pk")) | Q(pk__in=earlier))


def households_open_to_outreach(user) -> QuerySet[Household]:
    """Households where the user may log visits (access.villages_open_to_outreach)."""
    return Household.objects.filter(village__in=villages_open_to_outreach(user))


def workers_in_charge_choices(user) -> QuerySet:
    """The workers a household may be put in charge of: those of the user's communes.

    Workers are the program's (mobilization.Worker, whose selector states the same scope);
    the register reaches them only through Household.worker_in_charge, the one foreign key
    it holds to the program, so it does not import the program's code."""
    workers = Household._meta.get_field("worker_in_charge").related_model
    return workers.objects.filter(scope_of(user).commune_q())


def commune_villages_visible_to(user) -> QuerySet[Village]:
    """Every village of the communes where the user has a role: commune-wide records
    (groups, communicators) name villages the user's own register may not cover."""
    return Village.objects.filter(commune__in=communes_visible_to(user))


def digits_only(expression: str):
    """A database expression: the column with spaces, dots, dashes and brackets removed."""
    for char in " .-()":
        expression = Replace(expression, Value(char), Value(""))
    return expression


def national_ids_matching(user, digits: str, *, path: str = "national_id", whole: bool = False) -> Q:
    """A filter for ID numbers matching typed `digits`, as far as the user is shown them.

    In the communes where the user sees ID numbers in full
    (access.communes_with_full_national_ids): the digits anywhere in the number, or the
    whole number when `whole`. Everywhere else they are shown `********1234`, so only those
    four digits, typed exactly, match: a search for a longer part of a hidden number must
    find nothing, or adding one digit at a time would recover it. `path` leads from the
    queried rows to the resident's `national_id`; the commune is the resident's.
    """
    if not digits:
        return Q(pk__in=[])
    resident = path.removesuffix("national_id")
    in_full = Q(**{f"{path}__{'exact' if whole else 'contains'}": digits})
    if not (user.is_authenticated and user.is_active and user.is_superuser):
        in_full &= Q(**{f"{resident}commune__in": communes_with_full_national_ids(user).values("pk")})
    if len(digits) == MASK_SHOWS:
        return in_full | Q(**{f"{path}__endswith": digits})
    return in_full


def _numbers_matching(user, text: str) -> Q | None:
    """Residents (annotated with `phone_digits`) whose ID or phone number matches the digits
    of `text`; None when it has too few digits to be a search for a number."""
    digits = re.sub(r"\D", "", text)
    if len(digits) < MIN_DIGITS_TO_SEARCH:
        return None
    # Phone numbers are shown in full to whoever sees the resident.
    return national_ids_matching(user, digits) | Q(phone_digits__contains=digits)


def names_matching(text: str, *columns: str) -> Q | None:
    """Rows where every word of `text` is in one of the name `columns`: the one name search.

    Words and names are compared in their softbridge.text.fold form, so NFC or NFD, with or
    without diacritics (đ as d), any case and any spaces find the same rows, and the words
    may come in any order ("lan nguyen" finds "Nguyễn Thị Lan"). A column holds fold() text
    already (`search_name`) or is folded in SQL (`full_name__fold`). Within one filter() the
    words meet in one row of a to-many column (`members__search_name`: one member's name).
    None when `text` has no word to look for. A word typed twice is looked for once, and only
    the first SEARCH_MAX_WORDS are (softbridge.request_limits): SQLite refuses a query of
    hundreds.
    """
    words = list(dict.fromkeys(fold(text).split()))[:SEARCH_MAX_WORDS]
    if not words:
        return None
    every_word = Q()
    for word in words:
        any_column = Q()
        for column in columns:
            any_column |= Q(**{f"{column}__contains": word})
        every_word &= any_column
    return every_word


def households_matching(households: QuerySet[Household], text: str, *, viewer) -> QuerySet[Household]:
    """Households whose code, a present member's name, ID number or phone matches `text`.

    Names match as names_matching says (every word, without diacritics or case, NFC or
    NFD); ID and phone numbers match on their digits, so "0912 345" finds "0912345678",
    and ID numbers only as far as `viewer` is shown them (national_ids_matching).
    Control characters in `text` count as spaces (softbridge.text.search_text).
    """
    text = search_text(text)
    if not text:
        return households
    present = Resident.objects.filter(household=OuterRef("pk"), left_on__isnull=True)
    condition = Q(code__icontains=text)
    names = names_matching(text, "search_name")
    if names is not None:
        condition |= Exists(present.filter(names))
    numbers = _numbers_matching(viewer, text)
    if numbers is not None:
        condition |= Exists(present.annotate(phone_digits=digits_only("phone")).filter(numbers))
        households = households.annotate(household_phone_digits=digits_only("phone"))
        condition |= Q(household_phone_digits__contains=re.sub(r"\D", "", text))
    return households.filter(condition)


def residents_matching(residents: QuerySet[Resident], text: str, *, viewer) -> QuerySet[Resident]:
    """Residents whose name (diacritics and case ignored), household code, ID or phone matches
    `text`, ID numbers only as far as `viewer` is shown them (national_ids_matching)."""
    text = search_text(text)
    if not text:
        return residents
    condition = Q(household__code__icontains=text)
    names = names_matching(text, "search_name")
    if names is not None:
        condition |= names
    numbers = _numbers_matching(viewer, text)
    if numbers is not None:
        residents = residents.annotate(phone_digits=digits_only("phone"))
        condition |= numbers
    return residents.filter(condition)


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


def roles_visible_to(user) -> QuerySet[Role]:
    """Roles in the communes where the user is an official (all for a superuser)."""
    if user.is_authenticated and user.is_active and user.is_superuser:
        return Role.objects.all()
    managed = Role.objects.filter(user=user.pk, kind=Role.Kind.OFFICIAL).values("commune")
    return Role.objects.filter(commune__in=managed)


def users_visible_to(user) -> QuerySet:
    """User accounts holding a role in one of the user's communes (all for a superuser)."""
    User = get_user_model()
    scope = scope_of(user)
    if scope.everything:
        return User.objects.all()
    return User.objects.filter(pk__in=Role.objects.filter(commune__in=scope.communes).values("user"))


def with_next_step(member: Resident) -> Resident:
    """The step the quick update offers first: the lowest one not reached yet."""
    member.next_step = next(
        (s.value for s in LadderStep if getattr(member, s.field) is None), LadderStep.LEVEL34
    )
    return member


def member_card(member: Resident, national_ids: NationalIdsShown) -> Resident:
    """A present member as their card shows them: the ID number as the viewer may see it."""
    member.shown_national_id = national_ids.number(member.national_id, member.commune_id)
    return with_next_step(member)


def earlier_stays() -> Prefetch:
    """Prefetches each resident's earlier stays (villages.PastStay) in one query, however often
    they moved."""
    stays = PastStay.objects.select_related("household__village").order_by("ended_on")
    return Prefetch("stays", queryset=stays)


def moved_out_of(household: Household) -> list[PastStay]:
    """Who lived in the household and moved to another household of the commune, latest first.
    One query."""
    return list(
        household.past_stays.filter(ended_by=PastStay.End.MOVED)
        .select_related("resident")
        .order_by("-ended_on", "-pk")
    )


def deny_unless_outreach(user, village_ids: list[str]) -> None:
    """Refuse a form naming a village outside the user's reach before reading the form:
    a village the user cannot see answers 404, one they see but may not log in 403.
    Values that are not ids are left to the form to report."""
    ids = {number for number in map(row_id, village_ids) if number is not None}
    if not ids:
        return
    if villages_visible_to(user).filter(id__in=ids).count() != len(ids):
        raise Http404
    if villages_open_to_outreach(user).filter(id__in=ids).count() != len(ids):
        raise PermissionDenied
