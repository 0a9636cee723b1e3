"""The commune register: communes, villages, households, residents and their adoption ladder.

Every row knows its commune, so one installation can serve a whole province and every
query can be scoped by it. Rules that must hold whoever writes (a form, the API, the
admin, the importer) are database constraints here, not only form validation.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from softbridge.calendar import PROGRAM_START, commune_today, date_refusal
from softbridge.text import clean_name, fold, identifier, refuse_invisible_characters
from softbridge.versions import Versioned

# The ladder's steps and rules live in villages.ladder; every app reads them here, as the register's.
from villages.ladder import Achievement as Achievement
from villages.ladder import LadderStep as LadderStep
from villages.ladder import ladder_date_problems as ladder_date_problems
from villages.ladder import online_by_q as online_by_q
from villages.ladder import online_from as online_from

COMMUNE_CODE = RegexValidator(r"^[0-9]{5}$", _("A commune code is five digits, for example 01558."))
PROVINCE_CODE = RegexValidator(r"^[0-9]{2}$", _("A province code is two digits, for example 04."))
NATIONAL_ID = RegexValidator(r"^[0-9]{12}$", _("A personal ID number is exactly 12 digits."))
# The register keeps people alive today; a birth year before this is a typing error.
EARLIEST_BIRTH_YEAR = 1900
# The database refuses anything past this; "not in the future" is checked against the commune's today.
LATEST_BIRTH_YEAR_IN_SCHEMA = 2100


def validate_birth_year_not_in_future(value: int | None) -> None:
    if value is not None and value > commune_today().year:
        raise ValidationError(
            _("Birth year %(year)s is in the future."), code="future", params={"year": value}
        )


def departure_problem(
    *,
    moved_in_on: datetime.date | None,
    left_on: datetime.date | None,
    left_reason: str,
    birth_year: int | None = None,
) -> tuple[str, str] | None:
    """The one rule between a resident's moving-in date, leaving date and reason: the field to
    fix and why, or None. Pages, the API, the admin (through Resident.clean) and the roster
    importer all ask it. A departure is not before the year the resident was born
    (softbridge.calendar.date_refusal)."""
    if left_on and moved_in_on and left_on < moved_in_on:
        return "left_on", _("The leaving date is before the moving-in date.")
    if left_on and not left_reason:
        return "left_reason", _("Say whether the resident moved away or died.")
    if left_reason and not left_on:
        return "left_on", _("Give the date the resident left or died.")
    if left_on and birth_year is not None and left_on.year < birth_year:
        return "left_on", date_refusal(left_on, birth_year=birth_year)
    return None


def choices_check(field: str, choices: type[models.TextChoices], name: str, blank=False):
    """A CHECK constraint that keeps a choice column inside its choices."""
    values = list(choices.values) + ([""] if blank else [])
    return models.CheckConstraint(condition=Q(**{f"{field}__in": values}), name=name)


# Beyond these a figure is a typing mistake, not a mountain road.
MAX_DISTANCE_KM = Decimal("300")
MAX_COST_PER_KM = 100_000


def distance_field(verbose_name, **kwargs):
    """A one-way road distance in km, to one decimal; empty when not known."""
    return models.DecimalField(
        verbose_name,
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_DISTANCE_KM)],
        **kwargs,
    )


def distance_check(field: str, name: str):
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True})
        | Q(**{f"{field}__gte": 0, f"{field}__lte": MAX_DISTANCE_KM}),
        name=name,
    )


class Province(models.Model):
    """A province (tỉnh, thành phố) of the official list since the 2025 reform
    (villages.official_list): its communes report to it, and province leaders read their figures."""

    code = models.CharField(_("province code"), max_length=2, unique=True, validators=[PROVINCE_CODE])
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{2}$"), name="province_code_two_digits"),
        ]

    def __str__(self):
        return self.name


class Commune(models.Model):
    code = models.CharField(_("commune code"), max_length=5, unique=True, validators=[COMMUNE_CODE])
    name = models.CharField(_("name"), max_length=120)
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="communes",
        verbose_name=_("province"),
    )
    min_age = models.PositiveSmallIntegerField(
        _("minimum age for indicators"),
        default=15,
        validators=[MaxValueValidator(120)],
        help_text=_("Residents younger than this in a month's year are not counted in the shares."),
    )
    # What a trip to the one-stop office costs a resident (reports.savings): our defaults,
    # stated on the savings page, until the commune sets its own.
    travel_cost_per_km = models.PositiveIntegerField(
        _("travel cost per km (VND)"),
        default=2000,
        validators=[MaxValueValidator(MAX_COST_PER_KM)],
        help_text=_("Fuel and wear of a motorbike, per kilometre travelled."),
    )
    # Dates that make sense (softbridge.calendar.date_refusal): no visit or session before it.
    program_started_on = models.DateField(
        _("program started on"),
        default=PROGRAM_START,
        help_text=_("Visits and training sessions dated before this day are refused as typing mistakes."),
    )
    # A communication activity's estimated reach above this many times the residents of its
    # villages is refused as a typing mistake (mobilization.services.reach_refusal).
    reach_factor = models.PositiveSmallIntegerField(
        _("largest reach, times the residents"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_(
            "An activity's estimated reach may be at most this many times the residents of its villages."
        ),
    )
    hours_per_trip = models.DecimalField(
        _("hours per trip"),
        max_digits=3,
        decimal_places=1,
        default=Decimal("3.0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("24"))],
        help_text=_("Travel there and back, and the wait at the one-stop office."),
    )

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{5}$"), name="commune_code_five_digits"),
            models.CheckConstraint(condition=Q(min_age__lte=120), name="commune_min_age_range"),
            models.CheckConstraint(
                condition=Q(travel_cost_per_km__lte=MAX_COST_PER_KM), name="commune_travel_cost_range"
            ),
            models.CheckConstraint(
                condition=Q(hours_per_trip__gte=0, hours_per_trip__lte=24),
                name="commune_hours_per_trip_range",
            ),
            models.CheckConstraint(
                condition=Q(reach_factor__gte=1, reach_factor__lte=100), name="commune_reach_factor_range"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"


class VillageKind(models.TextChoices):
    THON = "thon", _("thôn")
    BAN = "ban", _("bản")
    XOM = "xom", _("xóm")
    TO_DAN_PHO = "to_dan_pho", _("tổ dân phố")


class Village(models.Model):
    Kind = VillageKind
    # What every form, API field, service and model says of a village of another commune.
    other_commune_refusal = _("This village is in another commune.")

    commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, related_name="villages", verbose_name=_("commune")
    )
    code = models.CharField(_("village code"), max_length=20, validators=[refuse_invisible_characters])
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.XOM)
    default_distance_km = distance_field(
        _("usual distance to the one-stop office (km)"),
        help_text=_("Used for the households of the village whose own distance is not entered."),
    )

    class Meta:
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        ordering = ["commune", "code"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "code"], name="village_code_unique_in_commune"),
            choices_check("kind", VillageKind, "village_kind_valid"),
            models.CheckConstraint(condition=~Q(code=""), name="village_code_not_blank"),
            distance_check("default_distance_km", "village_default_distance_range"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.name}"

    def save(self, *args, **kwargs):
        self.name = clean_name(self.name)
        self.code = identifier(self.code)
        super().save(*args, **kwargs)

    def clean(self):
        # Before the unique check that follows clean (a model form's, the admin's).
        self.code = identifier(self.code)


class Household(Versioned):
    commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, related_name="households", verbose_name=_("commune")
    )
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="households", verbose_name=_("village")
    )
    # An identifier (softbridge.text): NFKC, unique in the commune whatever its case.
    code = models.CharField(_("household code"), max_length=30, validators=[refuse_invisible_characters])
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    has_smartphone = models.BooleanField(_("has a smartphone"), default=False)
    has_internet = models.BooleanField(_("has internet access"), default=False)
    distance_km = distance_field(
        _("distance to the one-stop office (km)"),
        help_text=_("One way, by road. Empty: the village's usual distance is used."),
    )
    # The one key from the register up to the program (apps depend register <- program <-
    # training <- reports, tests/test_import_direction.py): a lazy string, and the register's
    # code reaches workers only through it (villages.selectors.workers_in_charge_choices).
    worker_in_charge = models.ForeignKey(
        "mobilization.Worker",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="households_in_charge",
        verbose_name=_("worker in charge"),
    )

    # The audit trail: who changed what, when (the version counter is bookkeeping, not history).
    history = HistoricalRecords(excluded_fields=["version"])

    # The fields a person writes, in the order every form shows them: the page forms, the API
    # serializers and the admin take them from here. The village and the code are given when the
    # household is entered; the village head's edit page changes only the details.
    DETAIL_FIELDS = ("address", "phone", "has_smartphone", "has_internet", "distance_km", "worker_in_charge")
    ENTRY_FIELDS = ("village", "code", *DETAIL_FIELDS)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["village__code", "code"]
        constraints = [
            models.UniqueConstraint(
                F("commune"),
                Upper("code"),
                name="household_code_unique_in_commune_any_case",
                violation_error_message=_("Another household of this commune already has this code."),
            ),
            models.CheckConstraint(condition=~Q(code=""), name="household_code_not_blank"),
            distance_check("distance_km", "household_distance_range"),
        ]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        self.prepare()
        super().save(*args, **kwargs)

    def full_clean(self, *args, **kwargs):
        self.prepare()
        super().full_clean(*args, **kwargs)

    @staticmethod
    def derived_fields(fields: Iterable[str]) -> set[str]:
        """The fields prepare() sets from `fields`, for a save that writes only those."""
        return {"commune"} if "village" in fields else set()

    def prepare(self) -> None:
        """Normalise the code (softbridge.text.identifier) and take the commune from the village.

        The village decides the commune: a household cannot sit in one commune's village
        and be counted in another's. Bulk writers call this themselves.
        """
        self.code = identifier(self.code)
        if self.village_id:
            self.commune_id = self.village.commune_id


class ResidentQuerySet(models.QuerySet):
    def present_on(self, day: datetime.date):
        """Residents whose current stay covers the end of `day`: moved in, not left or died.
        (Those who lived here then and moved since: villages.selectors.residents_living_in.)"""
        return self.filter(present_q(day))

    def short_of_eid(self, day: datetime.date):
        """Residents the program still owes an e-ID on `day` (short_of_eid_q)."""
        return self.filter(short_of_eid_q(day))

    def short_of_level34(self, day: datetime.date):
        """Residents not yet level 3/4 users on `day` whom the figures count (short_of_level34_q)."""
        return self.filter(short_of_level34_q(day))


def of_counting_age_q(year: int, prefix: str = "") -> Q:
    """Of the commune's minimum age in `year`, or of unknown birth year: who the figures count
    (docs/domain.md, "eligible residents"). `prefix` reaches residents from another model
    ("members__" from a household); the commune is the same either way."""
    return Q(**{f"{prefix}birth_year__isnull": True}) | Q(
        **{f"{prefix}birth_year__lte": year - F("commune__min_age")}
    )


def short_of_eid_q(day: datetime.date, prefix: str = "") -> Q:
    """A member "short of an e-ID" on `day`, the one rule of the household list's filter, the
    API's and Today's count: present, of counting age in the day's year, no e-ID yet. A child
    below the minimum age is not counted by the figures, so no list sends a worker to them.
    """
    return (
        present_q(day, f"{prefix}moved_in_on", f"{prefix}left_on")
        & of_counting_age_q(day.year, prefix)
        & Q(**{f"{prefix}eid_on__isnull": True})
    )


def short_of_level34_q(day: datetime.date, prefix: str = "") -> Q:
    """A member not yet a level 3/4 user on `day`, counted as short_of_eid_q counts."""
    return (
        present_q(day, f"{prefix}moved_in_on", f"{prefix}left_on")
        & of_counting_age_q(day.year, prefix)
        & Q(**{f"{prefix}level34_on__isnull": True})
    )


def present_q(day: datetime.date, moved_in: str = "moved_in_on", left: str = "left_on") -> Q:
    """A stay from `moved_in` (None: always) until `left` (None: still) covers the end of `day`."""
    return (Q(**{f"{moved_in}__isnull": True}) | Q(**{f"{moved_in}__lte": day})) & (
        Q(**{f"{left}__isnull": True}) | Q(**{f"{left}__gt": day})
    )


class ResidentSex(models.TextChoices):
    MALE = "M", _("male")
    FEMALE = "F", _("female")


class ResidentRelation(models.TextChoices):
    HEAD = "head", _("head of household")
    SPOUSE = "spouse", _("spouse")
    CHILD = "child", _("child")
    PARENT = "parent", _("parent")
    GRANDCHILD = "grandchild", _("grandchild")
    SIBLING = "sibling", _("brother or sister")
    IN_LAW = "in_law", _("in-law (son- or daughter-in-law, parent-in-law)")
    OTHER = "other", _("other")


class ResidentLeftReason(models.TextChoices):
    MOVED_AWAY = "moved_away", _("moved away")
    DIED = "died", _("died")


class Resident(Versioned):
    Sex = ResidentSex
    Relation = ResidentRelation
    LeftReason = ResidentLeftReason

    commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, related_name="residents", verbose_name=_("commune")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="members", verbose_name=_("household")
    )
    full_name = models.CharField(_("full name"), max_length=120)
    search_name = models.CharField(max_length=120, editable=False, db_index=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        _("birth year"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(
                EARLIEST_BIRTH_YEAR, message=_("Birth year %(show_value)s is before %(limit_value)s.")
            ),
            validate_birth_year_not_in_future,
        ],
    )
    national_id = models.CharField(
        _("personal ID number"), max_length=12, blank=True, validators=[NATIONAL_ID]
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    relation = models.CharField(
        _("relation to the head"), max_length=10, choices=Relation.choices, blank=True
    )
    moved_in_on = models.DateField(_("moved in on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    left_reason = models.CharField(
        _("reason for leaving"), max_length=12, choices=LeftReason.choices, blank=True
    )
    # The adoption ladder: the first day each step was true (docs/domain.md).
    smartphone_on = models.DateField(_("smartphone since"), null=True, blank=True)
    eid_on = models.DateField(_("e-ID since"), null=True, blank=True)
    online_on = models.DateField(_("first online service use"), null=True, blank=True)
    level34_on = models.DateField(_("first level 3/4 application"), null=True, blank=True)

    objects = ResidentQuerySet.as_manager()

    # The audit trail: who changed what, when (the version counter is bookkeeping, not history).
    history = HistoricalRecords(excluded_fields=["version"])

    # What the register records of a person, in the order the API and the admin's files show
    # it (serializers.ResidentSerializer, resources.ResidentResource).
    RECORDED_FIELDS = (
        "full_name",
        "sex",
        "birth_year",
        "national_id",
        "phone",
        "relation",
        "moved_in_on",
        "left_on",
        "left_reason",
        "smartphone_on",
        "eid_on",
        "online_on",
        "level34_on",
    )

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["household__code", "id"]
        # An arrival's ID number is looked up across the province's communes, and the province
        # finds the numbers two communes hold (villages.between_communes, reports.selectors.province):
        # the unique constraint's index leads with the commune. With the commune, the second is
        # read from the index alone.
        indexes = [
            models.Index(
                fields=["national_id", "commune"],
                condition=~Q(national_id=""),
                name="resident_national_id_lookup",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "national_id"],
                condition=~Q(national_id=""),
                name="resident_national_id_unique_in_commune",
            ),
            models.CheckConstraint(
                condition=Q(national_id="") | Q(national_id__regex=r"^[0-9]{12}$"),
                name="resident_national_id_twelve_digits",
            ),
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True)
                | Q(birth_year__gte=EARLIEST_BIRTH_YEAR, birth_year__lte=LATEST_BIRTH_YEAR_IN_SCHEMA),
                name="resident_birth_year_range",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True)
                | Q(moved_in_on__isnull=True)
                | Q(left_on__gte=F("moved_in_on")),
                name="resident_left_after_moved_in",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True, left_reason="")
                | Q(left_on__isnull=False, left_reason__in=ResidentLeftReason.values),
                name="resident_left_reason_with_date",
            ),
            # A level 3/4 application is an online use: the online date is never later.
            models.CheckConstraint(
                condition=Q(level34_on__isnull=True)
                | Q(online_on__isnull=False, online_on__lte=F("level34_on")),
                name="resident_level34_implies_online",
            ),
            models.CheckConstraint(condition=~Q(full_name=""), name="resident_full_name_not_blank"),
            choices_check("sex", ResidentSex, "resident_sex_valid", blank=True),
            choices_check("relation", ResidentRelation, "resident_relation_valid", blank=True),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.prepare()
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        resident = super().from_db(db, field_names, values)
        # The dates as stored, so that clean() refuses only what a write changes: a rule
        # new to the register does not block an unrelated edit of a resident recorded
        # before it (`manage.py check_records` lists those).
        resident._stored = {
            name: value for name, value in zip(field_names, values, strict=True) if name in _DATED_FIELDS
        }
        return resident

    def full_clean(self, exclude=None, *args, **kwargs):
        self.prepare()
        self._clean_exclude = set(exclude or ())
        super().full_clean(exclude, *args, **kwargs)

    @staticmethod
    def derived_fields(fields: Iterable[str]) -> set[str]:
        """The fields prepare() sets from `fields`, for a save that writes only those."""
        derived = {"search_name"} if "full_name" in fields else set()
        return derived | ({"commune"} if "household" in fields else set())

    def prepare(self) -> None:
        """Normalise the name and take the commune from the household.

        Called by full_clean() and save(); bulk writers (the importer, seed_demo) call it
        themselves.
        """
        self.full_name = clean_name(self.full_name)
        self.search_name = fold(self.full_name)[:120]
        if self.household_id:
            self.commune_id = self.household.commune_id

    def clean(self):
        """Dates that make sense (softbridge.calendar.date_refusal), for what this write changes.

        A problem with a date the caller's form does not hold (the member page has no ladder
        dates) is put on the field that made it one: the birth year, or the moving-in date.
        """
        problems = []  # (field, message, the fields that make it one)
        problem = departure_problem(
            moved_in_on=self.moved_in_on,
            left_on=self.left_on,
            left_reason=self.left_reason,
            birth_year=self.birth_year,
        )
        if problem:
            problems.append((*problem, (problem[0], "moved_in_on", "birth_year", "left_reason")))
        dates = {step.field: getattr(self, step.field) for step in LadderStep}
        for field, message in ladder_date_problems(self.birth_year, dates).items():
            problems.append((field, message, (field, "birth_year")))
        stay = self._earlier_stay_problem()
        if stay:
            problems.append(("moved_in_on", stay, ("moved_in_on",)))
        errors = {}
        for field, message, causes in problems:
            if self._changed(causes):
                errors.setdefault(self._answered_on(field, causes), []).append(message)
        if errors:
            raise ValidationError(errors)

    def _changed(self, fields) -> bool:
        stored = getattr(self, "_stored", None)
        if self._state.adding or stored is None:
            return True
        return any(name in stored and stored[name] != getattr(self, name) for name in fields)

    def _answered_on(self, field: str, causes) -> str:
        """The field an error is shown on: its own, or the first cause the caller edits."""
        exclude = getattr(self, "_clean_exclude", set())
        for name in (field, *causes):
            if name not in exclude:
                return name
        return NON_FIELD_ERRORS

    def _earlier_stay_problem(self) -> str | None:
        """A resident who lived in another household (PastStay) moved in here on a date, not
        before they left the last one: otherwise they would count twice."""
        if self._state.adding or self.pk is None or not self._changed(["moved_in_on"]):
            return None
        last = self.stays.aggregate(last=models.Max("ended_on"))["last"]
        if last is None:
            return None
        if self.moved_in_on is None or self.moved_in_on < last:
            return _(
                "%(name)s left their previous household on %(date)s: they moved in here on or after it."
            ) % {
                "name": self.full_name,
                "date": last.isoformat(),
            }
        return None

    @property
    def ladder(self) -> list[tuple[str, str, datetime.date | None]]:
        """The four steps in order, as (step, label, date)."""
        return [(step.value, step.label, getattr(self, step.field)) for step in LadderStep]


# The fields of Resident.clean's rules: the dates and what they are compared with.
_DATED_FIELDS = frozenset(
    {
        "birth_year",
        "moved_in_on",
        "left_on",
        "left_reason",
        "smartphone_on",
        "eid_on",
        "online_on",
        "level34_on",
    }
)


class StayEnd(models.TextChoices):
    MOVED = "moved", _("moved to another household of the commune")
    MOVED_AWAY = "moved_away", _("moved away")


class PastStay(models.Model):
    """An earlier stay of a resident in a household of the commune: their residence history.

    The resident's current stay is their own row: `household` since `moved_in_on` (None:
    since before the register knew), until `left_on` when they moved away or died. A move
    within the commune, or a return after leaving, closes it into one of these, and the
    resident's row starts the next (villages.services.resident_move). So a person is one
    resident, with their ID number, ladder dates and outreach history, however often they
    move; stays do not overlap, so the commune counts them once. The indicators count each
    stay in its household's village (reports.ledger; docs/domain.md, Indicators).
    """

    End = StayEnd

    resident = models.ForeignKey(
        "Resident", on_delete=models.CASCADE, related_name="stays", verbose_name=_("resident")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="past_stays", verbose_name=_("household")
    )
    relation = models.CharField(
        _("relation to the head"), max_length=10, choices=ResidentRelation.choices, blank=True
    )
    started_on = models.DateField(_("moved in on"), null=True, blank=True)
    ended_on = models.DateField(_("left on"))
    ended_by = models.CharField(_("why it ended"), max_length=12, choices=End.choices)

    # The audit trail: each move is a change of the resident and a stay recorded.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("earlier stay")
        verbose_name_plural = _("earlier stays")
        ordering = ["resident", "ended_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(started_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="past_stay_ends_after_start",
            ),
            choices_check("ended_by", StayEnd, "past_stay_end_valid"),
            choices_check("relation", ResidentRelation, "past_stay_relation_valid", blank=True),
        ]

    def __str__(self):
        return f"{self.resident_id} @ {self.household_id} until {self.ended_on:%Y-%m-%d}"


class CommuneMove(models.Model):
    """A person's move from one commune of a province to another (villages.between_communes).

    `resident` is their record in the commune they left (its stay ended on `on`, moved
    away); `arrival` their record in the commune they moved to, once it registered them
    (None while only the departure, naming the destination, is known). Each commune keeps
    its own record of the person: the commune left keeps its history, the destination sees
    only the name, birth year and ladder dates (docs/user-guide.md, "Moves between communes").
    """

    resident = models.ForeignKey(
        "Resident", on_delete=models.CASCADE, related_name="moves_out", verbose_name=_("resident")
    )
    from_commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, related_name="moves_out", verbose_name=_("commune left")
    )
    to_commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, related_name="moves_in", verbose_name=_("destination commune")
    )
    arrival = models.ForeignKey(
        "Resident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moves_in",
        verbose_name=_("record in the destination"),
    )
    on = models.DateField(_("moved on"))

    class Meta:
        verbose_name = _("move between communes")
        verbose_name_plural = _("moves between communes")
        ordering = ["-on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_commune=F("to_commune")), name="commune_move_to_another_commune"
            ),
        ]

    def __str__(self):
        return f"{self.resident_id}: {self.from_commune_id} -> {self.to_commune_id} on {self.on:%Y-%m-%d}"


class RoleKind(models.TextChoices):
    OFFICIAL = "official", _("commune official")
    VILLAGE_HEAD = "village_head", _("village head")
    WORKER = "worker", _("worker")
    LEADER = "leader", _("leader")


class Role(models.Model):
    """A user's role in one commune; village heads and workers also name their villages."""

    Kind = RoleKind

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles", verbose_name=_("user")
    )
    commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, related_name="roles", verbose_name=_("commune")
    )
    kind = models.CharField(_("role"), max_length=12, choices=Kind.choices)
    villages = models.ManyToManyField(Village, blank=True, related_name="roles", verbose_name=_("villages"))

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "commune"], name="role_one_per_user_and_commune"),
            choices_check("kind", RoleKind, "role_kind_valid"),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_kind_display()} – {self.commune}"


class ProvinceRoleKind(models.TextChoices):
    PROVINCE_LEADER = "province_leader", _("province leader")


class ProvinceRole(models.Model):
    """A user's role in a province: a province leader reads the figures of every commune of the
    province and nothing about any person (villages.access, "aggregates only")."""

    Kind = ProvinceRoleKind

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="province_roles",
        verbose_name=_("user"),
    )
    province = models.ForeignKey(
        Province, on_delete=models.CASCADE, related_name="roles", verbose_name=_("province")
    )
    kind = models.CharField(_("role"), max_length=16, choices=Kind.choices, default=Kind.PROVINCE_LEADER)

    class Meta:
        verbose_name = _("province role")
        verbose_name_plural = _("province roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "province"], name="province_role_one_per_user_and_province"
            ),
            choices_check("kind", ProvinceRoleKind, "province_role_kind_valid"),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_kind_display()} – {self.province}"


# Where a merged-away record went (villages.merges): loaded with the register's models.
from villages.merges import ResidentMerge as ResidentMerge  # noqa: E402
