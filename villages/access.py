"""Who may do what, decided in one place.

A user holds at most one role per commune (villages.Role). Officials and leaders see
their whole commune; village heads and workers see the villages named in their role.
Leaders only read. Superusers see and change everything. The selectors build every
scoped queryset from `scope_of`; views and the API ask the `may_*` questions below
before writing.

A province leader (villages.ProvinceRole) reads the figures of every commune of their
province and nothing about any person: a user whose only roles are province roles
"reads aggregates only", and may open the pages and endpoints of AGGREGATE_PAGES and no
other (villages.aggregates_gate refuses the rest with 403, before any view runs).
"""

import datetime
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Case, CharField, Exists, F, OuterRef, Q, QuerySet, When
from django.utils import timezone
from django.utils.translation import gettext

from softbridge.text import mask_national_id, masked_national_id_sql, same_identifier
from villages.models import Commune, Household, Province, ProvinceRole, Role, Village

WHOLE_COMMUNE = (Role.Kind.OFFICIAL, Role.Kind.LEADER)
VILLAGE_ROLES = (Role.Kind.VILLAGE_HEAD, Role.Kind.WORKER)
# How long whoever recorded a visit, session or activity may take it back themselves.
RECORDER_MAY_DELETE_FOR = datetime.timedelta(hours=24)


@dataclass(frozen=True)
class Scope:
    """The areas a user may read, as subqueries so that scoping stays one SQL query."""

    everything: bool
    communes: QuerySet  # ids of communes where the user has any role
    whole_communes: QuerySet  # ids of communes the user reads in full
    villages: QuerySet  # ids of villages named in the user's village roles

    def area_q(self, commune: str = "commune", village: str = "village") -> Q:
        """A filter for rows that carry a commune and a village under the given paths."""
        if self.everything:
            return Q()
        return Q(**{f"{commune}__in": self.whole_communes}) | Q(**{f"{village}__in": self.villages})

    def commune_q(self, commune: str = "commune") -> Q:
        """A filter for commune-wide rows (groups, workers, topics) of the user's communes."""
        if self.everything:
            return Q()
        return Q(**{f"{commune}__in": self.communes})


def scope_of(user) -> Scope:
    if not user.is_authenticated or not user.is_active:
        none = Role.objects.none().values("commune")
        return Scope(False, none, none, Role.villages.through.objects.none().values("village"))
    roles = Role.objects.filter(user=user)
    return Scope(
        everything=user.is_superuser,
        communes=roles.values("commune"),
        whole_communes=roles.filter(kind__in=WHOLE_COMMUNE).values("commune"),
        villages=Role.villages.through.objects.filter(role__user=user, role__kind__in=VILLAGE_ROLES).values(
            "village"
        ),
    )


def role_kind_flags(user: str = "") -> dict:
    """For each kind of role, whether the user holds one in some commune: `holds_<kind>`
    annotations (in SQL) for a query of users, so that the menu's role_kinds_of costs no
    query of its own (villages.signin loads the user with them)."""
    return {
        role_kind_flag(kind): Exists(Role.objects.filter(user=OuterRef(f"{user}pk"), kind=kind))
        for kind in Role.Kind.values
    }


def role_kind_flag(kind: str) -> str:
    """The name of role_kind_flags' annotation for `kind`."""
    return f"holds_{kind}"


def role_kinds_of(user) -> frozenset[str]:
    """The kinds of role the user holds in any commune (what the menu and the tab bar show
    depends on it): read with the user when villages.signin loaded it, else asked."""
    if not user.is_authenticated:
        return frozenset()
    kinds = getattr(user, "role_kinds", None)
    if kinds is None:
        return frozenset(Role.objects.filter(user=user).values_list("kind", flat=True))
    return kinds


def role_in(user, commune_id: int) -> str | None:
    """The user's role kind in a commune, or None."""
    if not user.is_authenticated:
        return None
    return Role.objects.filter(user=user, commune_id=commune_id).values_list("kind", flat=True).first()


def villages_editable_by(user) -> QuerySet[Village]:
    """Villages whose households and residents the user may change: every village of the
    communes where they are an official, and the villages of their village head roles."""
    return _villages_of_roles(user, [Role.Kind.VILLAGE_HEAD])


def villages_open_to_outreach(user) -> QuerySet[Village]:
    """Villages where the user may log visits, sessions and communication activities:
    every village of their communes as an official, and the villages of their village head
    and worker roles."""
    return _villages_of_roles(user, list(VILLAGE_ROLES))


def villages_in_charge(user) -> QuerySet[Village]:
    """The villages the user works in on the ground: those their village head and worker roles
    name (not an official's whole commune). A field device keeps these villages' households."""
    if not user.is_authenticated or not user.is_active:
        return Village.objects.none()
    return Village.objects.filter(id__in=scope_of(user).villages)


def communes_managed_by(user) -> QuerySet[Commune]:
    """Communes whose program (groups, workers, communicators, topics, targets, imports) the
    user may change: those where they are an official."""
    if not user.is_authenticated or not user.is_active:
        return Commune.objects.none()
    if user.is_superuser:
        return Commune.objects.all()
    return Commune.objects.filter(
        id__in=Role.objects.filter(user=user, kind=Role.Kind.OFFICIAL).values("commune")
    )


def _villages_of_roles(user, village_kinds) -> QuerySet[Village]:
    if not user.is_authenticated or not user.is_active:
        return Village.objects.none()
    if user.is_superuser:
        return Village.objects.all()
    official_in = Role.objects.filter(user=user, kind=Role.Kind.OFFICIAL).values("commune")
    named = Role.villages.through.objects.filter(role__user=user, role__kind__in=village_kinds).values(
        "village"
    )
    return Village.objects.filter(Q(commune__in=official_in) | Q(id__in=named))


def may_edit_register(user, village) -> bool:
    """Households and residents of a village: officials of the commune and its village heads."""
    return villages_editable_by(user).filter(pk=getattr(village, "pk", village)).exists()


def may_log_outreach(user, village) -> bool:
    """Visits and sessions in a village: officials, its village heads and its workers."""
    return villages_open_to_outreach(user).filter(pk=getattr(village, "pk", village)).exists()


def may_change_outreach(user, record) -> bool:
    """A home visit, training session or communication activity (`record` names its villages
    with `outreach_village_ids()`): the commune's officials, or whoever may log outreach in
    every village it was in. One held in no village (a session at the commune office) is the
    commune's program: officials only. Pages, the API and the admin all ask this."""
    if may_manage_program(user, record.commune_id):
        return True
    villages = set(record.outreach_village_ids())
    return bool(villages) and villages_open_to_outreach(user).filter(pk__in=villages).count() == len(villages)


def may_delete_outreach(user, record) -> bool:
    """A home visit, training session or communication activity, with the residents helped
    or the attendance recorded on it: the commune's officials (and superusers), or whoever
    recorded it, within a day of recording it, while they may still log outreach in every
    village it was in.

    The residents-helped figures count these rows, so a mistaken record is taken back by its
    author the same day or by an official, never by another worker or village head, nor by
    a leader. A record whose recording time is unknown (recorded before that time was kept)
    is the officials' to delete.
    """
    if may_manage_program(user, record.commune_id):
        return True
    villages = set(record.outreach_village_ids())
    return (
        bool(villages)
        and user.is_authenticated
        and record.recorded_by_id == user.pk
        and record.recorded_at is not None
        and timezone.now() - record.recorded_at < RECORDER_MAY_DELETE_FOR
        and villages_open_to_outreach(user).filter(pk__in=villages).count() == len(villages)
    )


def may_manage_program(user, commune) -> bool:
    """Worker groups, workers, communicators, topics, targets: officials only."""
    return communes_managed_by(user).filter(pk=getattr(commune, "pk", commune)).exists()


def may_correct_ladder(user, commune) -> bool:
    """Moving a ladder date later or clearing it (villages.services.resident_ladder_correct):
    the commune's officials. Everyone who may tick a step only ever moves it earlier, so late
    records merge on the earliest date (docs/late-records.md)."""
    return communes_managed_by(user).filter(pk=getattr(commune, "pk", commune)).exists()


def may_merge_residents(user, commune) -> bool:
    """Listing a commune's probable duplicates and merging two records of one person
    (villages.duplicates, villages.services.residents_merge): the commune's officials. A merge
    deletes a record and moves its visits, sessions and applications, and the list shows ID
    numbers, so it is theirs, as the ID numbers in full are."""
    return communes_managed_by(user).filter(pk=getattr(commune, "pk", commune)).exists()


def may_read_history(user, commune) -> bool:
    """The audit trail (who changed what): the commune's officials and superusers.

    It keeps names, ID numbers and phone numbers as they were, so it follows the rule of
    ID numbers in full.
    """
    return may_see_full_national_ids(user, commune)


def communes_with_full_national_ids(user) -> QuerySet[Commune]:
    """Communes whose personal ID numbers the user sees in full: where they are an official
    (every commune for a superuser).

    Everyone else, village heads included, sees them masked (`********1234`) on pages,
    in the API and in exports: enough to tell two people apart, not enough to use. A search
    or filter by ID number matches, for them, only those last four digits
    (villages.selectors.national_ids_matching).
    """
    return communes_managed_by(user)


def national_id_taken_message(user, commune) -> str:
    """What someone is told when the ID number they typed belongs to another resident.

    The number is unique in the commune, so the write is refused. The commune's officials,
    who see every number in full, are told why. Anyone else is not told that the number
    exists in the commune (typing numbers one by one would find out who lives here): they
    are sent to the official, and the attempt goes to the security log.
    """
    if may_see_full_national_ids(user, commune):
        return gettext("Another resident of this commune already has this ID number.")
    return gettext("This ID number cannot be used here; ask the commune's official.")


def household_code_refusal(user, *, commune_id: int, code: str, exclude_pk: int | None = None) -> str | None:
    """Why `code` cannot be the code of a household of the commune, as `user` is told; None
    when it can.

    A code is unique in the commune whatever its case or width (softbridge.text.identifier).
    Whoever may see the household that holds it is told so; anyone else (a village head,
    when it is in another village) only that the code cannot be used: a head trying codes
    one by one would otherwise learn which exist in villages they may not see. `user` None
    is the system itself (the demo, a command), told the reason.
    """
    holders = Household.objects.filter(same_identifier("code", code), commune_id=commune_id)
    if exclude_pk is not None:
        holders = holders.exclude(pk=exclude_pk)
    if not holders.exists():
        return None
    if user is None or holders.filter(scope_of(user).area_q("commune", "village")).exists():
        return gettext("Another household of this commune already has this code.")
    return gettext("This household code cannot be used: choose another.")


def may_see_full_national_ids(user, commune) -> bool:
    """Personal ID numbers of this commune in full (communes_with_full_national_ids)."""
    return communes_with_full_national_ids(user).filter(pk=getattr(commune, "pk", commune)).exists()


class NationalIdsShown:
    """Personal ID numbers as `user` is shown them, row by row: in full in
    communes_with_full_national_ids, masked everywhere else (softbridge.text.mask_national_id).

    Every surface that lists residents (household pages, the API, the admin, exports) shows
    numbers through this, so that one list costs one query however many rows it has.
    """

    def __init__(self, user):
        self.communes = communes_with_full_national_ids(user)

    @cached_property
    def _in_full(self) -> frozenset[int]:
        return frozenset(self.communes.values_list("pk", flat=True))

    def in_full(self, commune) -> bool:
        return getattr(commune, "pk", commune) in self._in_full

    def number(self, national_id: str | None, commune) -> str:
        """The number as shown: in full, or masked ("" stays "")."""
        if self.in_full(commune):
            return national_id or ""
        return mask_national_id(national_id)

    def sql(self, column: str = "national_id", commune: str = "commune"):
        """`number` in SQL, for a list that shows or sorts the number per row (no query of its own)."""
        return Case(
            When(**{f"{commune}__in": self.communes.values("pk")}, then=F(column)),
            default=masked_national_id_sql(column),
            output_field=CharField(),
        )


# --- Provinces: figures only ------------------------------------------------------------

# What a user who reads aggregates only may open, by URL name: signing in and out, the
# language switch, the home page (which sends them to the province), and the reports made
# of counts and shares alone: the province dashboard and its tables, a commune's dashboard
# and monthly report and their tables, the adoption series and the official figures. Every
# other page and endpoint lists or shows people (households, residents, visits, sessions,
# workers, the admin, exports) and answers 403. A new page is refused to them until it is
# named here and in tests/test_authorization_matrix.py.
AGGREGATE_PAGES = frozenset(
    {
        "home",
        "login",
        "logout",
        "password_change",
        "password_change_done",
        "api_token_end",
        # The installable app: the same files for everyone, no person in them; the list of pages
        # a device keeps (frontdoor.device.device_pages) is empty for them.
        "service_worker",
        "manifest",
        "offline",
        "device_pages",
        "set_language",
        "reports:province",
        "reports:province_export",
        "reports:dashboard",
        "reports:export",
        "reports:monthly",
        "reports:monthly_export",
        "reports_api:adoption",
        "reports:official",
        "reports:official_export",
        # The signed monthly reports of their communes (reports.signed_views: no draft, no person).
        "reports:signed",
        "reports_api:signed",
        # The API's way in and its description: a token, the schema, the docs.
        "api:token",
        "api:token-revoke",
        "api:schema",
        "api:docs",
    }
)


def aggregates_only_flag(user: str = ""):
    """True for a user whose only roles are province roles: not a superuser, no role in any
    commune, a role in some province. In SQL, to annotate a query of users (or of rows whose
    user is at the path `user`, such as "user__" for tokens).

    The sign-in backend and the API's token check load the user with this, so that asking
    costs no query of its own (villages.signin)."""
    return (
        Q(**{f"{user}is_superuser": False})
        & province_role_flag(user)
        & ~Exists(Role.objects.filter(user=OuterRef(f"{user}pk")))
    )


def reads_aggregates_only(user) -> bool:
    """Whether `user` may read figures only (aggregates_only_flag), never a person."""
    if not user.is_authenticated:
        return False
    flag = getattr(user, "reads_aggregates_only", None)
    if flag is None:
        # Loaded some other way than villages.signin (a test's force_authenticate): ask.
        model = type(user)
        flag = model._default_manager.filter(aggregates_only_flag(), pk=user.pk).exists()
        user.reads_aggregates_only = flag
    return flag


def province_role_flag(user: str = ""):
    """True for a user with a role in some province (in SQL, as aggregates_only_flag)."""
    return Exists(ProvinceRole.objects.filter(user=OuterRef(f"{user}pk")))


def leads_a_province(user) -> bool:
    """Whether `user` reads some province's figures (a superuser reads every province's)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    flag = getattr(user, "leads_provinces", None)
    if flag is None:
        flag = ProvinceRole.objects.filter(user=user).exists()
        user.leads_provinces = flag
    return flag


def may_open(user, view_name: str | None) -> bool:
    """Whether `user` may open the page or endpoint named `view_name` at all (before its own
    scoping): everyone but those who read aggregates only, and they AGGREGATE_PAGES."""
    return view_name in AGGREGATE_PAGES or not reads_aggregates_only(user)


def provinces_led_by(user) -> QuerySet[Province]:
    """Provinces whose communes' figures the user reads as a province leader (every province
    for a superuser)."""
    if not user.is_authenticated or not user.is_active:
        return Province.objects.none()
    if user.is_superuser:
        return Province.objects.all()
    return Province.objects.filter(id__in=ProvinceRole.objects.filter(user=user).values("province"))


def communes_in_figures(user) -> QuerySet[Commune]:
    """Communes whose figures (never their people) the user reads as a province leader:
    every commune of their provinces."""
    if user.is_authenticated and user.is_active and user.is_superuser:
        return Commune.objects.all()
    return Commune.objects.filter(province__in=provinces_led_by(user).values("pk"))


def communes_named_for(user) -> frozenset[int]:
    """The ids of the communes where the user sees every resident by name (their officials,
    leaders; every commune for a superuser): only there do the reports show them figures about
    fewer than reports.disclosure.SMALL_CELL residents."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset(Commune.objects.values_list("pk", flat=True))
    return frozenset(Role.objects.filter(user=user, kind__in=WHOLE_COMMUNE).values_list("commune", flat=True))


# --- The signed monthly report (reports.signed) -------------------------------------------


def may_prepare_month_report(user, commune) -> bool:
    """Preparing the commune's monthly report (its figures frozen for signature): its
    officials, as for the rest of the program (may_manage_program)."""
    return may_manage_program(user, commune)


def may_sign_month_report(user, commune) -> bool:
    """Signing the commune's monthly report, which sends it to the province: its leaders only.
    An official prepares it and may not sign it; a superuser is no commune's leadership."""
    if not user.is_authenticated or not user.is_active:
        return False
    return Role.objects.filter(
        user=user, commune_id=getattr(commune, "pk", commune), kind=Role.Kind.LEADER
    ).exists()


def communes_reading_month_reports(user) -> tuple[QuerySet[Commune], QuerySet[Commune]]:
    """The communes whose signed monthly reports the user reads, and those whose drafts too.

    Officials and leaders read their commune's reports, drafts included (superusers every
    commune's); a province leader reads the signed reports of their province's communes, in
    figures only. Village heads and workers read neither: the report is the whole commune's."""
    if not user.is_authenticated or not user.is_active:
        return Commune.objects.none(), Commune.objects.none()
    if user.is_superuser:
        return Commune.objects.all(), Commune.objects.all()
    whole = Commune.objects.filter(
        id__in=Role.objects.filter(user=user, kind__in=WHOLE_COMMUNE).values("commune")
    )
    signed = Commune.objects.filter(
        Q(pk__in=whole.values("pk")) | Q(pk__in=communes_in_figures(user).values("pk"))
    )
    return signed, whole
