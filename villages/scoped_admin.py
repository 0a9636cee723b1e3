"""The admin's scoping: every page starts from a selector and asks villages.access before writing.

Permissions come from roles (villages.Role), not from Django's model permissions: users
with a role are staff but hold no Django permissions. ScopedAdmin answers the admin's
has_*_permission questions from the user's roles, builds every changelist, export, list
filter and form choice from the selectors, and answers 404 for an object outside the
user's area, like the rest of the site.
"""

import re
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import lookup_spawns_duplicates
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from softbridge.spreadsheets import ADMIN_FORMATS
from softbridge.text import clean_name, search_text
from villages.access import VILLAGE_ROLES, may_delete_outreach, may_manage_program
from villages.models import Role
from villages.selectors import communes_visible_to, names_matching, national_ids_matching, users_visible_to

# --- Who the user is, read once per request -------------------------------------------


@dataclass(frozen=True)
class Standing:
    """The user's roles, summarised for the many permission questions one admin page asks."""

    superuser: bool
    kinds: frozenset[str]

    def holds(self, kinds) -> bool:
        """True for a superuser or a user holding one of `kinds` in some commune."""
        return self.superuser or not self.kinds.isdisjoint(kinds)


def standing_of(user) -> Standing:
    # Who sees ID numbers in full is not a standing: villages.access.NationalIdsShown.
    if not user.is_authenticated or not user.is_active:
        return Standing(False, frozenset())
    kinds = Role.objects.filter(user=user).values_list("kind", flat=True)
    return Standing(superuser=user.is_superuser, kinds=frozenset(kinds))


def request_standing(request) -> Standing:
    # The app index alone asks five questions of every registered model: one query, not eighty.
    standing = getattr(request, "_softbridge_standing", None)
    if standing is None or standing[0] != request.user.pk:
        standing = (request.user.pk, standing_of(request.user))
        request._softbridge_standing = standing
    return standing[1]


# --- What the user may see, for every model the admin shows ---------------------------
# Each model's admin names the selector its rows come from (`visible_to`, from the app that
# owns the model); the choices of a foreign key, a list filter and the importer ask the
# admin of the model they point to, so this module needs no table of every app's selectors.


def visible(model: type[Model], user) -> QuerySet:
    """The rows of `model` the user may see; nothing for a model the admin does not show."""
    if model is get_user_model():
        return users_visible_to(user)
    model_admin = admin.site.get_model_admin(model) if admin.site.is_registered(model) else None
    visible_to = getattr(model_admin, "visible_to", None)
    if visible_to is None:
        return model._default_manager.none()
    return visible_to(user)


# --- Which commune a row belongs to ---------------------------------------------------


def commune_parent(model: type[Model]) -> str | None:
    """The field naming the row's parent when its commune follows from it (the admin's
    `commune_from`): a form or an import names the parent, and the commune cannot disagree."""
    model_admin = admin.site.get_model_admin(model) if admin.site.is_registered(model) else None
    return getattr(model_admin, "commune_from", None)


def commune_from_parent(instance: Model, values: dict | None = None) -> None:
    """Set the row's commune from its parent, taken from `values` (a form) or the row."""
    parent_field = commune_parent(type(instance))
    if parent_field is None:
        return
    if values is not None:
        parent = values.get(parent_field)
    else:
        parent = getattr(instance, parent_field) if getattr(instance, f"{parent_field}_id") else None
    if parent is not None:
        instance.commune_id = parent.commune_id


def commune_conflicts(values: dict, commune_id: int | None = None) -> dict[str, str]:
    """Fields naming a row (or, for a many-to-many, rows) of another commune.

    The reference is `commune_id` (the row's or the parent's commune) or, for a row with
    no commune of its own (a membership), the commune of the first row it names.
    """
    errors = {}
    for name, value in values.items():
        if name == "commune":
            continue
        related = value if isinstance(value, QuerySet | list | tuple) else [value]
        for item in related:
            other = getattr(item, "commune_id", None) if isinstance(item, Model) else None
            if other is None:
                continue
            if commune_id is None:
                commune_id = other
            elif other != commune_id:
                errors[name] = _("This belongs to another commune.")
                break
    return errors


def adopt(target: Model, saved: Model) -> None:
    """Make `target` (the admin's unsaved object) the row a service saved.

    The admin keeps using its own object after save_model (for the log entry and the
    redirect), so a row written by a service must be copied into it.
    """
    for field in target._meta.concrete_fields:
        setattr(target, field.attname, getattr(saved, field.attname))
    target._state.adding = False
    target._state.db = saved._state.db


# --- Search without diacritics --------------------------------------------------------


# An ID number as people type it: digits, perhaps grouped with spaces, dots or dashes.
ID_NUMBER_TYPED = re.compile(r"[0-9][0-9 .-]*")


def search_in(
    queryset: QuerySet,
    term: str,
    *,
    folded: tuple[str, ...] = (),
    text: tuple[str, ...] = (),
    exact: tuple[str, ...] = (),
    national_ids: tuple[str, ...] = (),
    viewer=None,
) -> QuerySet:
    """Rows where every word of `term` is in one of the name columns, or an identifier equals it.

    Names match as villages.selectors.names_matching says: `folded` columns already hold
    fold() text (Resident.search_name); `text` columns are folded in SQL; `exact` columns
    (codes, phone numbers) are compared whole and
    case-insensitively; `national_ids` (paths to a resident's ID number) match a whole
    number only where `viewer` is shown it in full, else its last four digits
    (villages.selectors.national_ids_matching). NFC or NFD input, with or without
    diacritics, finds the same rows. The result has no duplicates, even when a column is
    reached through a to-many relation.
    """
    term = clean_name(term)
    every_word = names_matching(term, *folded, *(f"{path}__fold" for path in text))
    if every_word is None:
        return queryset
    model = queryset.model
    any_identifier = Q()
    for path in exact:
        any_identifier |= Q(**{f"{path}__iexact": term})
    if national_ids and ID_NUMBER_TYPED.fullmatch(term):
        digits = re.sub(r"\D", "", term)
        for path in national_ids:
            any_identifier |= national_ids_matching(viewer, digits, path=path, whole=True)
    condition = (every_word if folded or text else Q(pk__in=[])) | any_identifier
    if any(lookup_spawns_duplicates(model._meta, path) for path in (*folded, *text, *exact, *national_ids)):
        # A search through members or topics must not join them into the page's query:
        # the join would repeat rows and inflate the counts the list shows.
        matching = model._default_manager.filter(condition)
        return queryset.filter(pk__in=matching.values("pk"))
    return queryset.filter(condition)


# --- Filters and forms ----------------------------------------------------------------


class ScopedRelatedFilter(admin.RelatedFieldListFilter):
    """A related-row filter listing only the rows the user can see (their villages, ...)."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        mine = Q(pk__in=visible(field.related_model, request.user).values("pk"))
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to=mine)


class ScopedModelForm(forms.ModelForm):
    """Takes the commune from the parent and refuses rows of another commune in any field."""

    def clean(self):
        cleaned = super().clean()
        commune_from_parent(self.instance, cleaned)
        if cleaned.get("commune") is not None:
            commune_id = cleaned["commune"].pk
        else:
            commune_id = getattr(self.instance, "commune_id", None)
        for name, message in commune_conflicts(cleaned, commune_id).items():
            self.add_error(name, message)
        return cleaned

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        # A derived commune is not a form field, so Django would skip the constraints that
        # name it (a household code unique in its commune) and the database would answer
        # with an error page instead of a form error.
        if "commune" not in self.fields and getattr(self.instance, "commune_id", None):
            exclude.discard("commune")
        return exclude


class ScopedInlineFormSet(forms.BaseInlineFormSet):
    """Refuses child rows that name a row of another commune than the parent's."""

    def clean(self):
        super().clean()
        commune_id = getattr(self.instance, "commune_id", None)
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.has_changed() or form.cleaned_data.get("DELETE"):
                continue
            for name, message in commune_conflicts(form.cleaned_data, commune_id).items():
                form.add_error(name, message)


class ScopedChoicesMixin:
    """Foreign-key and many-to-many choices limited to what the user may see."""

    def scoped_choices(self, db_field, request) -> QuerySet:
        model = db_field.related_model
        queryset = visible(model, request.user)
        if self.admin_site.is_registered(model):
            ordering = self.admin_site.get_model_admin(model).get_ordering(request)
        else:
            ordering = model._meta.ordering
        return queryset.order_by(*ordering) if ordering else queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("queryset", self.scoped_choices(db_field, request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("queryset", self.scoped_choices(db_field, request))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


# --- The admin classes ----------------------------------------------------------------

ALL_ROLES = tuple(Role.Kind.values)

# What Django's field list filters and date hierarchy put after a field's path in the address.
FILTER_LOOKUPS = frozenset({"exact", "isnull", "id__exact", "gte", "lt", "year", "month", "day"})


class ScopedAdmin(ScopedChoicesMixin, ImportExportModelAdmin):
    """A ModelAdmin that reads through a selector and writes by the roles of villages.access.

    Subclasses set:
    - `visible_to`: the selector of the rows the user may see (superusers see everything),
      which also scopes every foreign key to the model elsewhere in the admin (visible);
    - `commune_from`: the field whose row the commune follows from, if any (commune_parent);
    - `readers` and `writers`: the role kinds that may open the pages and add or change
      rows at all (an empty `writers` leaves writing to superusers);
    - `may_write(user, obj)`: whether the user may write this row where it is (default:
      officials of its commune, villages.access.may_manage_program);
    - `search_folded_fields`, `search_text_fields`, `search_exact_fields`,
      `search_national_id_fields` (see search_in).

    The changelist takes only the lookups its list filters and date hierarchy offer
    (lookup_allowed): Django would otherwise take any lookup on a local field from the
    address, `?national_id__startswith=` included, which recovers a masked number.
    """

    visible_to = None
    commune_from: str | None = None
    readers: tuple[str, ...] = ALL_ROLES
    writers: tuple[str, ...] = (Role.Kind.OFFICIAL,)
    importable = True
    form = ScopedModelForm
    search_folded_fields: tuple[str, ...] = ()
    search_text_fields: tuple[str, ...] = ()
    search_exact_fields: tuple[str, ...] = ()
    search_national_id_fields: tuple[str, ...] = ()
    search_help_text = _("Names match with or without diacritics; codes and numbers match whole.")
    list_per_page = 50
    # No cell of an export runs as a formula; the CSV opens in Excel with its Vietnamese.
    formats = ADMIN_FORMATS

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # Django shows the search box, and allows autocomplete, when search_fields is set;
        # the search itself is get_search_results below.
        cls.search_fields = (
            *cls.search_folded_fields,
            *cls.search_text_fields,
            *cls.search_exact_fields,
            *cls.search_national_id_fields,
        )

    def may_write(self, user, obj) -> bool:
        return may_manage_program(user, obj.commune_id)

    # Reading

    def get_queryset(self, request):
        queryset = self.visible_to(request.user)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def get_object(self, request, object_id, from_field=None):
        # Django answers a missing object with a redirect and a message naming the id; a
        # row outside the user's area must look exactly like a row that does not exist.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("No such record in your area."))
        return obj

    def get_search_results(self, request, queryset, search_term):
        # Control characters (a NUL crashes a PostgreSQL query) count as spaces, as in every search.
        search_term = search_text(search_term)
        if not search_term:
            return queryset, False
        found = search_in(
            queryset,
            search_term,
            folded=self.search_folded_fields,
            text=self.search_text_fields,
            exact=self.search_exact_fields,
            national_ids=self.search_national_id_fields,
            viewer=request.user,
        )
        return found, False

    def lookup_allowed(self, lookup, value, request=None):
        if lookup in self._offered_parameters(request):
            return True
        return any(
            lookup.startswith(f"{path}__") and lookup.removeprefix(f"{path}__") in FILTER_LOOKUPS
            for path in self._offered_paths(request)
        )

    def _offered_parameters(self, request) -> set[str]:
        """The parameters of the list's own filters (admin.SimpleListFilter)."""
        return {
            item.parameter_name
            for item in self.get_list_filter(request)
            if isinstance(item, type) and issubclass(item, admin.SimpleListFilter)
        }

    def _offered_paths(self, request) -> set[str]:
        """The field paths the list filters and the date hierarchy filter on."""
        paths = {self.date_hierarchy} if self.date_hierarchy else set()
        for item in self.get_list_filter(request):
            if isinstance(item, str):
                paths.add(item)
            elif isinstance(item, list | tuple):
                paths.add(item[0])
        return paths

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if "commune" not in initial and any(f.name == "commune" for f in self.opts.fields):
            communes = list(communes_visible_to(request.user).values_list("pk", flat=True)[:2])
            if len(communes) == 1:
                initial["commune"] = communes[0]
        return initial

    # Permissions

    def has_module_permission(self, request):
        return request_standing(request).holds(self.readers)

    def has_view_permission(self, request, obj=None):
        # An object reaching here came through get_queryset: it is in the user's area.
        return request_standing(request).holds(self.readers)

    def has_add_permission(self, request):
        return request_standing(request).holds(self.writers)

    def has_change_permission(self, request, obj=None):
        if not request_standing(request).holds(self.writers):
            return False
        return obj is None or self.may_write_cached(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def may_write_cached(self, request, obj) -> bool:
        """may_write, asked once per object and request (a change page asks it many times)."""
        if request_standing(request).superuser:
            return True
        if obj.pk is None:
            return self.may_write(request.user, obj)
        cache = request.__dict__.setdefault("_softbridge_may_write", {})
        key = (obj._meta.label, obj.pk)
        if key not in cache:
            cache[key] = self.may_write(request.user, obj)
        return cache[key]

    def check_write(self, request, obj) -> None:
        """Refuse to save a row outside the user's area, whatever the form offered."""
        if not request_standing(request).superuser and not self.may_write(request.user, obj):
            raise PermissionDenied

    def save_model(self, request, obj, form, change):
        self.check_write(request, obj)
        if not change and any(f.name == "recorded_by" for f in self.opts.fields):
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)

    # Changes and deletes
    # A record with rules of its own is changed and deleted by its services (visit_update,
    # resident_delete, ...): its admin overrides save_model (or save_related, once the inlines
    # are saved) and delete_model to call them. A refusal (ValidationError, RecordInUse) comes
    # back to the page as a message, and the admin's transaction takes back the whole request.

    def delete_queryset(self, request, queryset):
        # The changelist's "delete selected": row by row through delete_model (and so the
        # service), not one bulk DELETE that would pass by the rules; all or none.
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            return self.refused(request, error, request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as error:
            change = reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                args=[object_id],
                current_app=self.admin_site.name,
            )
            return self.refused(request, error, change)

    def changelist_view(self, request, extra_context=None):
        if request.method != "POST":
            return super().changelist_view(request, extra_context)
        try:
            # An action (delete selected) or the list's edits: one transaction, so that a
            # refusal of one row takes back the rows before it.
            with transaction.atomic():
                return super().changelist_view(request, extra_context)
        except ValidationError as error:
            return self.refused(request, error, request.get_full_path())

    def refused(self, request, error: ValidationError, back: str) -> HttpResponseRedirect:
        """A service's refusal as the admin's error messages, back on the page it came from."""
        for message in error.messages:
            self.message_user(request, message, messages.ERROR)
        return HttpResponseRedirect(back)

    # Import and export

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def has_import_permission(self, request):
        # Officials may import into their commune (every row is checked by may_write);
        # village heads and workers enter rows one by one.
        standing = request_standing(request)
        if not self.importable:
            return False
        return standing.superuser or (Role.Kind.OFFICIAL in standing.kinds and standing.holds(self.writers))

    def get_export_data(self, file_format, request, queryset, **kwargs):
        # django-import-export's own: it gives numbers and dates as such only to the classes
        # of its list (type(file_format) in BINARY_FORMATS), not to ADMIN_FORMATS' XLSX.
        if not self.has_export_permission(request):
            raise PermissionDenied
        data = self.get_data_for_export(
            request, queryset, force_native_type=file_format.is_binary(), **kwargs
        )
        export_data = file_format.export_data(data)
        encoding = kwargs.get("encoding")
        if not file_format.is_binary() and encoding:
            export_data = export_data.encode(encoding)
        return export_data

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def get_import_resource_kwargs(self, request, **kwargs):
        def may_save(obj) -> bool:
            return request_standing(request).superuser or self.may_write(request.user, obj)

        return {
            **super().get_import_resource_kwargs(request, **kwargs),
            "user": request.user,
            "may_save": may_save,
        }


class OutreachDeletes:
    """For the admins of home visits, training sessions and communication activities:
    deleted by villages.access.may_delete_outreach (the commune's officials, or whoever
    recorded the row, within a day), as on the pages and in the API, together with the rows
    recorded on them (`deleted_with`: the residents helped, the attendance)."""

    deleted_with: tuple[type[Model], ...] = ()

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            # Offers the changelist's delete action; each row chosen is asked again below.
            return request_standing(request).holds((Role.Kind.OFFICIAL, *VILLAGE_ROLES))
        return may_delete_outreach(request.user, obj)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # The rows recorded on a visit or session have read-only admin pages of their own:
        # whoever may delete the record may delete them with it.
        perms_needed.difference_update(model._meta.verbose_name for model in self.deleted_with)
        return deleted, counts, perms_needed, protected


class ScopedInline(ScopedChoicesMixin, admin.TabularInline):
    """An inline that may be written exactly when its parent row may be."""

    formset = ScopedInlineFormSet
    extra = 0

    def parent_admin(self) -> ScopedAdmin:
        return self.admin_site.get_model_admin(self.parent_model)

    def has_view_permission(self, request, obj=None):
        return self.parent_admin().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        if obj is None:
            return self.parent_admin().has_add_permission(request)
        return self.parent_admin().has_change_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)


class ReadOnlyScopedAdmin(ScopedAdmin):
    """Rows written only through their parent's page (where the services run)."""

    importable = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
