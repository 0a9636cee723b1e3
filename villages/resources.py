"""Import and export of the register through the admin (django-import-export).

Every resource reads and writes as a user: exports hold only the rows the user may see,
foreign keys in an import resolve only to rows the user may see, and each imported row
is written only if the admin's rule for that user allows it. A resource built without a
user reads nothing and writes nothing.
"""

from functools import partial

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from softbridge.text import mask_national_id
from villages.access import NationalIdsShown
from villages.between_communes import arrival_record
from villages.models import Commune, Household, Resident, Role, Village
from villages.scoped_admin import (
    commune_conflicts,
    commune_from_parent,
    visible,
)


class ScopedForeignKeyWidget(widgets.ForeignKeyWidget):
    """Resolves a foreign key only among the rows the importing user may see."""

    def __init__(self, model, user=None, **kwargs):
        self.user = user
        super().__init__(model, **kwargs)

    def get_queryset(self, value, row, *args, **kwargs):
        return visible(self.model, self.user) if self.user is not None else self.model.objects.none()


class ScopedManyToManyWidget(widgets.ManyToManyWidget):
    """Resolves the ids of a many-to-many column only among the rows the user may see."""

    def __init__(self, model, user=None, **kwargs):
        self.user = user
        super().__init__(model, **kwargs)

    def clean(self, value, row=None, **kwargs):
        chosen = super().clean(value, row, **kwargs)
        if self.user is None:
            return chosen.none()
        return chosen.filter(pk__in=visible(self.model, self.user).values("pk"))


class ScopedResource(resources.ModelResource):
    """A resource that reads and writes as `user`; `may_save(row)` decides each imported row."""

    def __init__(self, user=None, may_save=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.may_save = may_save
        for field in self.fields.values():
            if isinstance(field.widget, ScopedForeignKeyWidget | ScopedManyToManyWidget):
                field.widget.user = user

    @classmethod
    def get_fk_widget(cls, field):
        return partial(ScopedForeignKeyWidget, model=field.related_model)

    @classmethod
    def get_m2m_widget(cls, field):
        return partial(ScopedManyToManyWidget, model=field.related_model)

    def get_queryset(self):
        model = self._meta.model
        return visible(model, self.user) if self.user is not None else model.objects.none()

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        commune_from_parent(instance)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        values = {
            f.name: getattr(instance, f.name)
            for f in instance._meta.concrete_fields
            if f.is_relation and getattr(instance, f.attname) is not None
        }
        for name, message in commune_conflicts(values, getattr(instance, "commune_id", None)).items():
            errors.setdefault(name, []).append(message)
        if not errors and (self.may_save is None or not self.may_save(instance)):
            raise ValidationError(_("You may not write this row: it is outside your area."))
        super().validate_instance(instance, errors, validate_unique)

    class Meta:
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = False


class CommuneResource(ScopedResource):
    # The province is the official list's (add_commune): exported by name, never imported.
    province = fields.Field(attribute="province__name", column_name="province", readonly=True)

    class Meta(ScopedResource.Meta):
        model = Commune
        fields = ("id", "code", "name", "province", "min_age")
        import_id_fields = ("code",)


class VillageResource(ScopedResource):
    commune_name = fields.Field(column_name="commune_name", readonly=True)

    class Meta(ScopedResource.Meta):
        model = Village
        fields = ("id", "commune", "commune_name", "code", "name", "kind")

    def dehydrate_commune_name(self, village):
        return village.commune.name


class HouseholdResource(ScopedResource):
    village_name = fields.Field(column_name="village_name", readonly=True)
    worker_in_charge_name = fields.Field(column_name="worker_in_charge_name", readonly=True)

    class Meta(ScopedResource.Meta):
        model = Household
        fields = (
            "id",
            "village",
            "village_name",
            "code",
            "address",
            "phone",
            "has_smartphone",
            "has_internet",
            "worker_in_charge",
            "worker_in_charge_name",
        )

    def dehydrate_village_name(self, household):
        return household.village.name

    def dehydrate_worker_in_charge_name(self, household):
        return household.worker_in_charge.full_name if household.worker_in_charge_id else ""


class ResidentResource(ScopedResource):
    household_code = fields.Field(column_name="household_code", readonly=True)
    village_name = fields.Field(column_name="village_name", readonly=True)
    # The ladder moves through the services (visits, sessions, applications, corrections);
    # an import must not rewrite it, so its dates are exported only.
    smartphone_on = fields.Field(attribute="smartphone_on", column_name="smartphone_on", readonly=True)
    eid_on = fields.Field(attribute="eid_on", column_name="eid_on", readonly=True)
    online_on = fields.Field(attribute="online_on", column_name="online_on", readonly=True)
    level34_on = fields.Field(attribute="level34_on", column_name="level34_on", readonly=True)

    class Meta(ScopedResource.Meta):
        model = Resident
        fields = (
            "id",
            "household",
            "household_code",
            "village_name",
            *Resident.RECORDED_FIELDS,
        )

    def __init__(self, user=None, may_save=None, **kwargs):
        super().__init__(user=user, may_save=may_save, **kwargs)
        self.national_ids = NationalIdsShown(user) if user is not None else None

    def do_instance_save(self, instance, is_create):
        super().do_instance_save(instance, is_create)
        # A new row with the number of a person living in another commune of the province:
        # their move here, as every door that adds a resident settles it.
        if is_create and arrival_record(resident=instance):
            instance.refresh_from_db()

    def dehydrate_household_code(self, resident):
        return resident.household.code

    def dehydrate_village_name(self, resident):
        return resident.household.village.name

    def dehydrate_national_id(self, resident):
        if self.national_ids is None:  # a resource without a user reads nothing in full either
            return mask_national_id(resident.national_id)
        return self.national_ids.number(resident.national_id, resident.commune_id)


class RoleResource(ScopedResource):
    username = fields.Field(attribute="user__username", column_name="username", readonly=True)
    village_codes = fields.Field(column_name="village_codes", readonly=True)

    class Meta(ScopedResource.Meta):
        model = Role
        fields = ("id", "username", "commune", "kind", "village_codes")

    def dehydrate_village_codes(self, role):
        return ", ".join(village.code for village in role.villages.all())
