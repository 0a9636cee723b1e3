"""Import and export of the program's records through the admin.

Visits and their helps are exported only: they are written through visit_log, which
moves the ladder. An imported row goes through the service of its record like any other
write (application_record and application_update, communication_record and
communication_update, worker_group_save), and a refusal is that row's error.
"""

from import_export import fields

from mobilization.models import (
    Application,
    CommunicationActivity,
    Communicator,
    HomeVisit,
    Membership,
    VisitHelp,
    Worker,
    WorkerGroup,
)
from mobilization.services import (
    application_record,
    application_update,
    communication_record,
    communication_update,
    worker_group_refusals,
    worker_group_save,
)
from villages.resources import ScopedResource
from villages.scoped_admin import adopt


class WorkerGroupResource(ScopedResource):
    class Meta(ScopedResource.Meta):
        model = WorkerGroup
        fields = ("id", "commune", "kind", "name", "village")

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # worker_group_save's rules first, so that a refusal names its column before the
        # model's constraints (which name none) are tested.
        errors = dict(import_validation_errors or {})
        for name, message in worker_group_refusals(group=instance).items():
            errors.setdefault(name, []).append(message)
        super().validate_instance(instance, errors, validate_unique)

    def do_instance_save(self, instance, is_create):
        worker_group_save(group=instance)


class WorkerResource(ScopedResource):
    username = fields.Field(attribute="user__username", column_name="username", readonly=True)
    group_names = fields.Field(column_name="groups", readonly=True)

    class Meta(ScopedResource.Meta):
        model = Worker
        fields = ("id", "commune", "full_name", "phone", "title", "username", "group_names")

    def dehydrate_group_names(self, worker):
        return ", ".join(group.name for group in worker.groups.all())


class MembershipResource(ScopedResource):
    worker_name = fields.Field(attribute="worker__full_name", column_name="worker_name", readonly=True)
    group_name = fields.Field(attribute="group__name", column_name="group_name", readonly=True)

    class Meta(ScopedResource.Meta):
        model = Membership
        fields = ("id", "worker", "worker_name", "group", "group_name", "position", "joined_on", "left_on")


class CommunicatorResource(ScopedResource):
    worker_name = fields.Field(attribute="worker__full_name", column_name="worker_name", readonly=True)
    village_name = fields.Field(attribute="village__name", column_name="village_name", readonly=True)

    class Meta(ScopedResource.Meta):
        model = Communicator
        fields = ("id", "worker", "worker_name", "village", "village_name", "reason", "note", "chosen_on")


class HomeVisitResource(ScopedResource):
    household_code = fields.Field(attribute="household__code", column_name="household_code", readonly=True)
    village_name = fields.Field(
        attribute="household__village__name", column_name="village_name", readonly=True
    )
    worker_names = fields.Field(column_name="worker_names", readonly=True)

    class Meta(ScopedResource.Meta):
        model = HomeVisit
        fields = ("id", *HomeVisit.entered_fields, "household_code", "village_name", "worker_names")
        # The columns as they were before entered_fields named them; a field added to a visit
        # comes after these.
        export_order = (
            "id",
            "household",
            "household_code",
            "village_name",
            "visited_on",
            "workers",
            "worker_names",
            "outcome",
            "notes",
            "follow_up_on",
        )

    def dehydrate_worker_names(self, visit):
        return ", ".join(worker.full_name for worker in visit.workers.all())


class VisitHelpResource(ScopedResource):
    visited_on = fields.Field(attribute="visit__visited_on", column_name="visited_on", readonly=True)
    household_code = fields.Field(
        attribute="visit__household__code", column_name="household_code", readonly=True
    )
    resident_name = fields.Field(attribute="resident__full_name", column_name="resident_name", readonly=True)

    class Meta(ScopedResource.Meta):
        model = VisitHelp
        fields = ("id", "visit", "visited_on", "household_code", "resident", "resident_name", "achievements")


class CommunicationActivityResource(ScopedResource):
    class Meta(ScopedResource.Meta):
        model = CommunicationActivity
        fields = ("id", "commune", *CommunicationActivity.entered_fields)

    def save_instance(self, instance, is_create, row, **kwargs):
        # The villages are a many-to-many the importer sets after the row's save; the services
        # check them with the rest, so they are read from the row here.
        column = self.fields["villages"].column_name
        if column in row:
            villages = list(self.fields["villages"].clean(row))
        else:
            villages = list(instance.villages.all()) if instance.pk else []
        entered = {
            name: getattr(instance, name)
            for name in CommunicationActivity.entered_fields
            if name != "villages"
        }
        if is_create:
            recorded = communication_record(
                commune_id=instance.commune_id,
                villages=villages,
                recorded_by=self.user,
                model=instance.model,
                **entered,
            )
            adopt(instance, recorded)
        else:
            communication_update(activity=instance, villages=villages, model=instance.model, **entered)


class ApplicationResource(ScopedResource):
    resident_name = fields.Field(attribute="resident__full_name", column_name="resident_name", readonly=True)
    village_name = fields.Field(attribute="village__name", column_name="village_name", readonly=True)

    class Meta(ScopedResource.Meta):
        model = Application
        fields = (
            "id",
            "commune",
            "resident",
            "resident_name",
            "village",
            "village_name",
            "field",
            "procedure",
            "submitted_on",
            "channel",
            "result_delivery",
            "helped_by",
            "visit",
            "session",
        )

    def do_instance_save(self, instance, is_create):
        if not is_create:
            application_update(application=instance)
            return
        # A new dossier moves the resident's ladder: record it through the service.
        recorded = application_record(
            commune=instance.commune,
            **{name: getattr(instance, name) for name in Application.entered_fields},
            recorded_by=self.user,
        )
        adopt(instance, recorded)
