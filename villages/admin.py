"""The register in the admin: communes, villages, households, residents and roles.

Scoping and permissions come from villages.scoped_admin; see its docstring.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from softbridge.calendar import refuse_future_dates
from softbridge.security_log import security_event
from softbridge.text import mask_national_id, national_id_typed
from softbridge.versions import StaleWrite
from villages.access import (
    NationalIdsShown,
    household_code_refusal,
    may_edit_register,
    national_id_taken_message,
)
from villages.between_communes import arrival_record
from villages.models import Commune, Household, LadderStep, Resident, Role, Village
from villages.resources import (
    CommuneResource,
    HouseholdResource,
    ResidentResource,
    RoleResource,
    VillageResource,
)
from villages.scoped_admin import (
    ScopedAdmin,
    ScopedInline,
    ScopedInlineFormSet,
    ScopedModelForm,
    ScopedRelatedFilter,
    adopt,
)
from villages.selectors import (
    communes_visible_to,
    households_visible_to,
    residents_visible_to,
    roles_visible_to,
    villages_visible_to,
)
from villages.services import (
    head_refusal,
    household_delete,
    household_update,
    resident_delete,
    resident_ladder_correct,
    resident_move,
    resident_move_refusals,
    resident_update,
    role_grant,
    role_remove,
    village_delete,
)

REGISTER_WRITERS = (Role.Kind.OFFICIAL, Role.Kind.VILLAGE_HEAD)


class ReachedFilter(admin.SimpleListFilter):
    """Yes/no: has the resident reached a ladder step (its date is set)?"""

    field = ""

    def lookups(self, request, model_admin):
        return [("yes", _("yes")), ("no", _("no"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(**{f"{self.field}__isnull": False})
        if self.value() == "no":
            return queryset.filter(**{f"{self.field}__isnull": True})
        return queryset


class HasEidFilter(ReachedFilter):
    title = _("has an e-ID")
    parameter_name = "has_eid"
    field = "eid_on"


class OnlineUserFilter(ReachedFilter):
    title = _("online service user")
    parameter_name = "online_user"
    field = "online_on"


class Level34Filter(ReachedFilter):
    title = _("level 3/4 user")
    parameter_name = "level34"
    field = "level34_on"


class LivingHereFilter(admin.SimpleListFilter):
    title = _("living here")
    parameter_name = "living_here"

    def lookups(self, request, model_admin):
        return [("yes", _("yes")), ("no", _("moved away or died"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(left_on__isnull=True)
        if self.value() == "no":
            return queryset.filter(left_on__isnull=False)
        return queryset


@admin.register(Commune)
class CommuneAdmin(ScopedAdmin):
    visible_to = staticmethod(communes_visible_to)
    writers = ()  # communes are created by add_commune and kept by superusers
    resource_classes = [CommuneResource]
    list_display = ("code", "name", "province", "min_age", "village_count")
    list_select_related = ("province",)
    search_text_fields = ("name", "province__name")
    search_exact_fields = ("code",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(village_count=Count("villages"))

    @admin.display(description=_("villages"), ordering="village_count")
    def village_count(self, commune):
        return commune.village_count


@admin.register(Village)
class VillageAdmin(ScopedAdmin):
    visible_to = staticmethod(villages_visible_to)
    resource_classes = [VillageResource]
    list_display = ("code", "name", "kind", "commune", "household_count", "resident_count")
    list_filter = ("kind", ("commune", ScopedRelatedFilter))
    list_select_related = ("commune",)
    search_text_fields = ("name",)
    search_exact_fields = ("code",)
    fields = ("commune", "code", "name", "kind", "default_distance_km")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                household_count=Count("households", distinct=True),
                resident_count=Count(
                    "households__members",
                    filter=Q(households__members__left_on__isnull=True),
                    distinct=True,
                ),
            )
        )

    @admin.display(description=_("households"), ordering="household_count")
    def household_count(self, village):
        return village.household_count

    @admin.display(description=_("residents living here"), ordering="resident_count")
    def resident_count(self, village):
        return village.resident_count

    def delete_model(self, request, obj):
        village_delete(village=obj)


def _update(record: Household | Resident, version: int | None) -> None:
    """Save a change to a household or a resident through its update service."""
    if isinstance(record, Household):
        household_update(household=record, version=version)
    else:
        resident_update(resident=record, version=version)


class VersionedForm(ScopedModelForm):
    """Refuses a change based on an old read: someone saved the row after the page was opened.

    The version read travels in a hidden field, on a change page and on each row of an
    inline (a household's members). The check in clean is the early answer; save makes it
    again under the row lock (Versioned.save_unless_stale).
    """

    read_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["read_version"] = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:
            try:
                self.instance.refuse_if_stale(cleaned.get("read_version"))
            except StaleWrite as stale:
                raise forms.ValidationError(stale.message, code="stale") from None
        return cleaned

    def save(self, commit=True):
        obj = super().save(commit=False)
        read = self.cleaned_data.get("read_version")
        if not commit:
            return obj
        if obj.pk is None:
            obj.save()  # a new member of the household's inline: a create
            if isinstance(obj, Resident):
                # As every door that adds a resident (the row has no ID number today: nothing
                # to settle until it has one).
                arrival_record(resident=obj)
        else:
            _update(obj, read)
        self._save_m2m()
        return obj


class VersionedAdmin(ScopedAdmin):
    """A register row (villages.models.Versioned) whose change page sends back the version it read."""

    form = VersionedForm

    def get_fieldsets(self, request, obj=None):
        writable = obj is not None and self.has_change_permission(request, obj)
        return _with_read_version(super().get_fieldsets(request, obj), writable)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleWrite as stale:
            # The forms' checks passed, but another save landed before ours: the row lock
            # refused it, and the admin's transaction took back everything of this request.
            security_event(
                request, "stale_write_refused", model=stale.record._meta.label_lower, record=stale.record.pk
            )
            self.message_user(request, stale.message, messages.ERROR)
            return HttpResponseRedirect(request.path)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        forms_shown = [context["adminform"].form]
        for inline in context.get("inline_admin_formsets", ()):
            forms_shown += inline.formset.forms
        for form in forms_shown:
            if form.is_bound and form.has_error(NON_FIELD_ERRORS, code="stale"):
                record = form.instance
                security_event(
                    request, "stale_write_refused", model=record._meta.label_lower, record=record.pk
                )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        self.check_write(request, obj)
        _update(obj, form.cleaned_data.get("read_version"))


def _with_read_version(fieldsets, writable: bool):
    """The fieldsets with the hidden read_version, on a form that may save."""
    if not writable or not fieldsets:
        return fieldsets  # a reader's page: read-only fields, nothing to send back
    (name, options), *rest = fieldsets
    return [(name, {**options, "fields": (*options["fields"], "read_version")}), *rest]


class MemberFormSet(ScopedInlineFormSet):
    """A household's member rows: one head among those living there (household_head_change
    moves it in one step)."""

    def clean(self):
        super().clean()
        heads = [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("relation") == Resident.Relation.HEAD
            and form.instance.left_on is None
        ]
        if len(heads) > 1:
            raise forms.ValidationError(
                gettext("A household has one head: %(names)s cannot all be it.")
                % {"names": ", ".join(f.cleaned_data.get("full_name", "") for f in heads)}
            )

    def delete_existing(self, obj, commit=True):
        # A member row ticked for deletion: resident_delete's rules, as everywhere else.
        if commit:
            resident_delete(resident=obj)


class MemberInline(ScopedInline):
    """A household's members, each row sending back the version it was read at."""

    model = Resident
    form = VersionedForm
    formset = MemberFormSet
    fields = ("full_name", "sex", "birth_year", "relation")
    show_change_link = True

    def get_fieldsets(self, request, obj=None):
        writable = obj is not None and self.has_change_permission(request, obj)
        return _with_read_version(super().get_fieldsets(request, obj), writable)


class HouseholdAdminForm(VersionedForm):
    request = None  # set by HouseholdAdmin.get_form: who is told why a code is taken

    def clean(self):
        cleaned = super().clean()
        village, code = cleaned.get("village"), cleaned.get("code")
        refusal = (
            village
            and code
            and self.request is not None
            and household_code_refusal(
                self.request.user, commune_id=village.commune_id, code=code, exclude_pk=self.instance.pk
            )
        )
        if refusal:
            self.add_error("code", refusal)
        return cleaned


@admin.register(Household)
class HouseholdAdmin(VersionedAdmin):
    visible_to = staticmethod(households_visible_to)
    commune_from = "village"  # the commune follows from it (admin_scoping.commune_parent)
    writers = REGISTER_WRITERS
    resource_classes = [HouseholdResource]
    list_display = (
        "code",
        "village",
        "address",
        "worker_in_charge",
        "member_count",
        "has_smartphone",
        "has_internet",
    )
    list_filter = (
        ("village", ScopedRelatedFilter),
        "has_smartphone",
        "has_internet",
        ("worker_in_charge", ScopedRelatedFilter),
    )
    list_select_related = ("village", "worker_in_charge")
    # A household is found by its code, its phone, its address or any member's name.
    search_folded_fields = ("members__search_name",)
    search_text_fields = ("address",)
    search_exact_fields = ("code", "phone")
    autocomplete_fields = ("worker_in_charge",)
    fields = Household.ENTRY_FIELDS
    inlines = [MemberInline]
    form = HouseholdAdminForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.request = request
        return form

    def may_write(self, user, household):
        return may_edit_register(user, household.village)

    def get_queryset(self, request):
        living = Count("members", filter=Q(members__left_on__isnull=True))
        return super().get_queryset(request).annotate(member_count=living)

    @admin.display(description=_("members living here"), ordering="member_count")
    def member_count(self, household):
        return household.member_count

    def delete_model(self, request, obj):
        household_delete(household=obj)


class ResidentAdminForm(VersionedForm):
    """The resident form: no date in the future, and the ID number masked for non-officials.

    Someone who may edit a resident but not read ID numbers in full (a village head) sees
    the masked number in the ID box and may type a new one, as on the member page
    (softbridge.text.national_id_typed).
    """

    hide_national_id = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        refuse_future_dates(self, "moved_in_on", "left_on", *(step.field for step in LadderStep))
        if self.hide_national_id and self.instance.pk and "national_id" in self.fields:
            field = self.fields["national_id"]
            self.initial["national_id"] = mask_national_id(self.instance.national_id)
            field.widget.attrs["autocomplete"] = "off"
            field.help_text = _(
                "Shown masked. Leave it as it is to keep the number on record, or type the new number."
            )

    request = None  # set by ResidentAdmin.get_form: who is told what of a taken number

    # A move to another household of the commune, or a return (villages.services.resident_move):
    # the household is named by its code, as it is written on the household's page.
    moved_to = forms.CharField(
        label=_("moved to household (code)"),
        required=False,
        max_length=30,
        help_text=_(
            "The household they live in from the date below; their months before stay where they were."
        ),
    )
    moved_on = forms.DateField(label=_("moved on"), required=False)

    def clean(self):
        cleaned = super().clean()
        household = cleaned.get("household") or getattr(self.instance, "household", None)
        if cleaned.get("relation") == Resident.Relation.HEAD and household is not None:
            refusal = head_refusal(household=household, resident=self.instance)
            if refusal:
                self.add_error("relation", refusal)
        self.moved_household = None
        code, on = (cleaned.get("moved_to") or "").strip(), cleaned.get("moved_on")
        if self.instance.pk is None or not (code or on or self.has_error("moved_on")):
            return cleaned
        if not code:
            self.add_error("moved_to", gettext("Give the code of the household they moved to."))
            return cleaned
        self.moved_household = (
            households_visible_to(self.request.user)
            .filter(commune_id=self.instance.commune_id, code=code)
            .first()
        )
        if self.moved_household is None:
            self.add_error("moved_to", gettext("No household of the commune in your area has this code."))
            return cleaned
        errors, _relation = resident_move_refusals(
            resident=self.instance, household=self.moved_household, on=on
        )
        for field, message in errors.items():
            self.add_error({"household": "moved_to", "on": "moved_on"}.get(field), message)
        return cleaned

    def clean_national_id(self):
        value = national_id_typed(
            self.cleaned_data.get("national_id", ""),
            stored=self.instance.national_id if self.instance.pk else "",
            shown_masked=self.hide_national_id,
        )
        household = self.cleaned_data.get("household") or getattr(self.instance, "household", None)
        if value and household is not None and self.request is not None:
            others = Resident.objects.filter(commune_id=household.commune_id, national_id=value)
            if others.exclude(pk=self.instance.pk).exists():
                # As on the member page: only officials learn that the number is someone else's.
                security_event(
                    self.request,
                    "national_id_refused",
                    household=household.pk,
                    resident=self.instance.pk or "-",
                )
                raise forms.ValidationError(
                    national_id_taken_message(self.request.user, household.commune_id)
                )
        return value


# Corrections go level 3/4 first: moving it first can only pull the online date along,
# and the online date is then set where the form says.
LADDER_CORRECTION_ORDER = (LadderStep.LEVEL34, LadderStep.ONLINE, LadderStep.EID, LadderStep.SMARTPHONE)


@admin.register(Resident)
class ResidentAdmin(VersionedAdmin):
    visible_to = staticmethod(residents_visible_to)
    commune_from = "household"  # the commune follows from it (admin_scoping.commune_parent)
    writers = REGISTER_WRITERS
    resource_classes = [ResidentResource]
    form = ResidentAdminForm
    list_display = (
        "full_name",
        "household",
        "village",
        "birth_year",
        "sex",
        "personal_id",
        "smartphone_on",
        "eid_on",
        "online_on",
        "level34_on",
    )
    list_filter = (
        ("household__village", ScopedRelatedFilter),
        "sex",
        LivingHereFilter,
        "left_reason",
        HasEidFilter,
        OnlineUserFilter,
        Level34Filter,
    )
    list_select_related = ("household__village",)
    search_folded_fields = ("search_name",)
    search_exact_fields = ("phone", "household__code")
    search_national_id_fields = ("national_id",)
    autocomplete_fields = ("household",)
    readonly_fields = ("masked_national_id", "earlier_stays")
    fieldsets = (
        (None, {"fields": ("household", "full_name", "sex", "birth_year", "relation")}),
        (_("Contact and identity"), {"fields": ("national_id", "phone")}),
        (_("Moving in and out"), {"fields": ("moved_in_on", "left_on", "left_reason", "earlier_stays")}),
        (
            _("Adoption ladder"),
            {
                "fields": ("smartphone_on", "eid_on", "online_on", "level34_on"),
                "description": _(
                    "The first day each step was true. Visits, sessions and applications move it."
                ),
            },
        ),
    )

    def may_write(self, user, resident):
        return may_edit_register(user, resident.household.village)

    def get_queryset(self, request):
        # The list shows (and sorts by) the ID number as this user may see it, masked in SQL per row.
        shown = national_ids_shown(request).sql()
        return super().get_queryset(request).annotate(shown_national_id=shown)

    def get_readonly_fields(self, request, obj=None):
        # A resident's household changes by a move, with its date (the fields below), so that the
        # months before it stay counted where they lived: not by rewriting the household.
        readonly = super().get_readonly_fields(request, obj)
        return (*readonly, "household") if obj is not None else readonly

    def get_fieldsets(self, request, obj=None):
        if obj is not None and self.has_change_permission(request, obj):
            move = (
                _("Moved to another household"),
                {
                    "fields": ("moved_to", "moved_on"),
                    "description": _(
                        "A move within the commune, or a return after leaving: the earlier stays are "
                        "listed below."
                    ),
                },
            )
            return [*super().get_fieldsets(request, obj), move]
        # A reader who may not see ID numbers (and may not edit) gets the masked number.
        if (
            obj is None
            or national_ids_shown(request).in_full(obj.commune_id)
            or self.has_change_permission(request, obj)
        ):
            return super().get_fieldsets(request, obj)
        return [
            (name, {**options, "fields": tuple(_masked(f) for f in options["fields"])})
            for name, options in self.fieldsets
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.hide_national_id = obj is not None and not national_ids_shown(request).in_full(obj.commune_id)
        form.request = request
        return form

    @admin.display(description=_("village"), ordering="household__village__name")
    def village(self, resident):
        return resident.household.village

    @admin.display(description=_("personal ID number"), ordering="shown_national_id")
    def personal_id(self, resident):
        return resident.shown_national_id

    @admin.display(description=_("earlier stays"))
    def earlier_stays(self, resident):
        """Where they lived before (villages.PastStay), by village: the household may be in a
        village the reader does not keep."""
        stays = resident.stays.select_related("household__village").order_by("ended_on")
        return (
            "; ".join(
                gettext("%(village)s from %(start)s until %(end)s (%(why)s)")
                % {
                    "village": stay.household.village.name,
                    "start": stay.started_on.isoformat() if stay.started_on else "…",
                    "end": stay.ended_on.isoformat(),
                    "why": stay.get_ended_by_display(),
                }
                for stay in stays
            )
            or "—"
        )

    @admin.display(description=_("personal ID number"))
    def masked_national_id(self, resident):
        return mask_national_id(resident.national_id)

    def save_model(self, request, obj, form, change):
        corrected = [step for step in LADDER_CORRECTION_ORDER if change and step.field in form.changed_data]
        for step in corrected:
            # The stored date stays until the correction service moves it.
            setattr(obj, step.field, form.initial[step.field])
        super().save_model(request, obj, form, change)
        # The number of a person living in another commune of the province: their move here,
        # settled as the member page, the API and the roster import settle it.
        if not change and arrival_record(resident=obj):
            obj.refresh_from_db()
        for step in corrected:
            resident_ladder_correct(resident=obj, step=step, on=form.cleaned_data[step.field])
        if corrected:
            obj.refresh_from_db(fields=["version", *(step.field for step in LadderStep)])
        if change and getattr(form, "moved_household", None) is not None:
            resident_move(resident=obj, household=form.moved_household, on=form.cleaned_data["moved_on"])

    def delete_model(self, request, obj):
        resident_delete(resident=obj)


def national_ids_shown(request) -> NationalIdsShown:
    # Asked by the form, the fieldsets and the list of one request: read once.
    shown = getattr(request, "_softbridge_national_ids", None)
    if shown is None or shown[0] != request.user.pk:
        shown = (request.user.pk, NationalIdsShown(request.user))
        request._softbridge_national_ids = shown
    return shown[1]


def _masked(field_name: str) -> str:
    return "masked_national_id" if field_name == "national_id" else field_name


class RoleAdminForm(ScopedModelForm):
    def clean(self):
        cleaned = super().clean()
        kind, villages = cleaned.get("kind"), cleaned.get("villages")
        if kind in (Role.Kind.VILLAGE_HEAD, Role.Kind.WORKER) and not villages:
            self.add_error("villages", gettext("A village head or worker names at least one village."))
        if kind in (Role.Kind.OFFICIAL, Role.Kind.LEADER) and villages:
            self.add_error(
                "villages", gettext("Officials and leaders see the whole commune: name no village.")
            )
        return cleaned


@admin.register(Role)
class RoleAdmin(ScopedAdmin):
    """Officials read who holds which role in their commune; superusers grant roles."""

    visible_to = staticmethod(roles_visible_to)
    readers = (Role.Kind.OFFICIAL,)
    writers = ()
    importable = False
    resource_classes = [RoleResource]
    form = RoleAdminForm
    list_display = ("user", "commune", "kind", "village_list")
    list_filter = ("kind", ("commune", ScopedRelatedFilter))
    list_select_related = ("user", "commune")
    search_text_fields = ("user__username", "user__first_name", "user__last_name")
    fields = ("user", "commune", "kind", "villages")
    filter_horizontal = ("villages",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("villages")

    def get_readonly_fields(self, request, obj=None):
        # A role is one user's place in one commune; moving it is a new grant.
        return ("user", "commune") if obj is not None else ()

    @admin.display(description=_("villages"))
    def village_list(self, role):
        return ", ".join(village.name for village in role.villages.all())

    def save_model(self, request, obj, form, change):
        # Written in save_related, through role_grant, once the villages are known.
        self.check_write(request, obj)

    def delete_model(self, request, obj):
        role_remove(role=obj, request=request)

    def save_related(self, request, form, formsets, change):
        role = role_grant(
            username=form.instance.user.username,
            kind=form.cleaned_data["kind"],
            commune_code=form.instance.commune.code,
            village_codes=[village.code for village in form.cleaned_data["villages"]],
        )
        adopt(form.instance, role)
