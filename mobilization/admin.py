"""The mobilization program in the admin: groups, workers, communicators, visits, activities, applications.

Visits and applications are written through the services (visit_log, help_record,
application_record) so that the ladder moves as it does from the web forms and the API.
Scoping and permissions come from villages.scoped_admin.
"""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from mobilization.models import (
    Application,
    CommunicationActivity,
    Communicator,
    HomeVisit,
    Membership,
    MobilizationModel,
    ModelGoal,
    VisitHelp,
    Worker,
    WorkerGroup,
)
from mobilization.resources import (
    ApplicationResource,
    CommunicationActivityResource,
    CommunicatorResource,
    HomeVisitResource,
    MembershipResource,
    VisitHelpResource,
    WorkerGroupResource,
    WorkerResource,
)
from mobilization.selectors import (
    applications_visible_to,
    communications_visible_to,
    communicators_visible_to,
    memberships_visible_to,
    mobilization_models_visible_to,
    visit_helps_visible_to,
    visits_visible_to,
    worker_groups_visible_to,
    workers_visible_to,
)
from mobilization.services import (
    Help,
    application_delete,
    application_record,
    application_update,
    communication_delete,
    communication_record,
    communication_refusals,
    communication_update,
    members_refusal,
    mobilization_model_delete,
    mobilization_model_save,
    visit_delete,
    visit_helps_correct,
    visit_log,
    visit_update,
    worker_delete,
    worker_group_delete,
    worker_group_refusals,
    worker_group_save,
)
from softbridge.calendar import refuse_future_dates
from villages.access import may_change_outreach, may_manage_program
from villages.models import Achievement, Role
from villages.scoped_admin import (
    OutreachDeletes,
    ReadOnlyScopedAdmin,
    ScopedAdmin,
    ScopedInline,
    ScopedInlineFormSet,
    ScopedModelForm,
    ScopedRelatedFilter,
    adopt,
)

OUTREACH_WRITERS = (Role.Kind.OFFICIAL, Role.Kind.VILLAGE_HEAD, Role.Kind.WORKER)


def achievement_labels(achievements: list[str]) -> str:
    labels = dict(Achievement.choices)
    return ", ".join(str(labels.get(value, value)) for value in achievements)


class HelpForm(ScopedModelForm):
    """A resident helped at a visit or a session: what they achieved, as checkboxes."""

    achievements = forms.MultipleChoiceField(
        label=_("achieved"),
        choices=Achievement.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class MembershipInlineForWorker(ScopedInline):
    model = Membership
    fields = ("group", "position", "joined_on", "left_on")


class MembershipInlineForGroup(ScopedInline):
    model = Membership
    fields = ("worker", "position", "joined_on", "left_on")
    autocomplete_fields = ("worker",)


class WorkerGroupForm(ScopedModelForm):
    def clean(self):
        cleaned = super().clean()
        commune = cleaned.get("commune")
        if commune is not None:
            # worker_group_save's rules, asked here too so that a refusal shows on its field
            # before the model's constraints (which name no field) are tested.
            candidate = WorkerGroup(
                pk=self.instance.pk,
                commune=commune,
                kind=cleaned.get("kind"),
                name=cleaned.get("name") or "",
                village=cleaned.get("village"),
            )
            for name, message in worker_group_refusals(group=candidate).items():
                self.add_error(name, message)
        return cleaned


@admin.register(WorkerGroup)
class WorkerGroupAdmin(ScopedAdmin):
    visible_to = staticmethod(worker_groups_visible_to)
    form = WorkerGroupForm
    resource_classes = [WorkerGroupResource]
    list_display = ("name", "kind", "village", "commune", "member_count")
    list_filter = ("kind", ("village", ScopedRelatedFilter), ("commune", ScopedRelatedFilter))
    list_select_related = ("village", "commune")
    search_text_fields = ("name",)
    fields = ("commune", "kind", "name", "village")
    inlines = [MembershipInlineForGroup]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("memberships"))

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, group):
        return group.member_count

    def save_model(self, request, obj, form, change):
        self.check_write(request, obj)
        worker_group_save(group=obj)

    def delete_model(self, request, obj):
        worker_group_delete(group=obj)


@admin.register(Worker)
class WorkerAdmin(ScopedAdmin):
    visible_to = staticmethod(workers_visible_to)
    resource_classes = [WorkerResource]
    list_display = ("full_name", "title", "phone", "commune", "user", "group_names")
    list_filter = (("commune", ScopedRelatedFilter), ("groups", ScopedRelatedFilter))
    list_select_related = ("commune", "user")
    search_text_fields = ("full_name", "title")
    search_exact_fields = ("phone",)
    fields = ("commune", "full_name", "phone", "title", "user")
    inlines = [MembershipInlineForWorker]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("groups"))
    def group_names(self, worker):
        return ", ".join(group.name for group in worker.groups.all())

    def delete_model(self, request, obj):
        worker_delete(worker=obj)


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    visible_to = staticmethod(memberships_visible_to)
    resource_classes = [MembershipResource]
    list_display = ("worker", "group", "position", "joined_on", "left_on")
    list_filter = (("group", ScopedRelatedFilter),)
    list_select_related = ("worker", "group")
    search_text_fields = ("worker__full_name", "group__name")
    autocomplete_fields = ("worker",)
    fields = ("worker", "group", "position", "joined_on", "left_on")

    def may_write(self, user, membership):
        return may_manage_program(user, membership.worker.commune_id)


@admin.register(Communicator)
class CommunicatorAdmin(ScopedAdmin):
    visible_to = staticmethod(communicators_visible_to)
    commune_from = "village"  # the commune follows from it (admin_scoping.commune_parent)
    resource_classes = [CommunicatorResource]
    list_display = ("worker", "village", "reason", "chosen_on")
    list_filter = (("village", ScopedRelatedFilter), "reason")
    list_select_related = ("worker", "village")
    search_text_fields = ("worker__full_name", "village__name")
    autocomplete_fields = ("worker",)
    fields = ("worker", "village", "reason", "note", "chosen_on")

    def may_write(self, user, communicator):
        return may_manage_program(user, communicator.village.commune_id)


class VisitHelpFormSet(ScopedInlineFormSet):
    def clean(self):
        super().clean()
        household = self.instance.household if self.instance.household_id else None
        on = self.instance.visited_on
        if household is None or on is None:
            return
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            resident = form.cleaned_data.get("resident")
            # The members on the visit's date, as visit_log asks (docs/late-records.md).
            refusal = resident and members_refusal(household=household, day=on, residents=[resident])
            if refusal:
                form.add_error("resident", refusal)


class OutreachHelpInline(ScopedInline):
    """The residents a visit or a session helped (models.OutreachHelp), with what they achieved."""

    form = HelpForm
    fields = ("resident", "achievements")
    autocomplete_fields = ("resident",)


class VisitHelpInline(OutreachHelpInline):
    model = VisitHelp
    formset = VisitHelpFormSet


class HomeVisitForm(ScopedModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        refuse_future_dates(self, "visited_on")


@admin.register(HomeVisit)
class HomeVisitAdmin(OutreachDeletes, ScopedAdmin):
    deleted_with = (VisitHelp,)
    visible_to = staticmethod(visits_visible_to)
    commune_from = "household"  # the commune follows from it (admin_scoping.commune_parent)
    writers = OUTREACH_WRITERS
    importable = False  # visits are logged through visit_log, one by one
    resource_classes = [HomeVisitResource]
    form = HomeVisitForm
    list_display = (
        "visited_on",
        "household",
        "village",
        "outcome",
        "follow_up_on",
        "worker_names",
        "helped_count",
    )
    list_filter = (
        ("household__village", ScopedRelatedFilter),
        "outcome",
        "follow_up_on",
        ("workers", ScopedRelatedFilter),
    )
    list_select_related = ("household__village",)
    date_hierarchy = "visited_on"
    search_folded_fields = ("household__members__search_name",)
    search_text_fields = ("household__address",)
    search_exact_fields = ("household__code",)
    autocomplete_fields = ("household", "workers")
    fields = HomeVisit.entered_fields
    inlines = [VisitHelpInline]

    def may_write(self, user, visit):
        return may_change_outreach(user, visit)

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("workers")
        return queryset.annotate(helped_count=Count("helped"))

    def delete_model(self, request, obj):
        visit_delete(visit=obj)

    @admin.display(description=_("village"), ordering="household__village__name")
    def village(self, visit):
        return visit.household.village

    @admin.display(description=_("workers"))
    def worker_names(self, visit):
        return ", ".join(worker.full_name for worker in visit.workers.all())

    @admin.display(description=_("residents helped"), ordering="helped_count")
    def helped_count(self, visit):
        return visit.helped_count

    def save_model(self, request, obj, form, change):
        # A new visit is logged in save_related, with its helps, through visit_log; a change
        # is saved there too, by visit_update, once the helps are: its rules read them.
        self.check_write(request, obj)

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)
            data = form.cleaned_data
            # The row as stored: the form has already written the new values into its own.
            visit = visit_update(
                visit=HomeVisit.objects.select_related("household__commune", "household__village").get(
                    pk=form.instance.pk
                ),
                **HomeVisit.entered_in(data),
            )
            adopt(form.instance, visit)
            return
        helps = [
            (formset, f)
            for formset in formsets
            for f in formset.forms
            if formset.model is VisitHelp and f.has_changed() and f not in formset.deleted_forms
        ]
        visit = visit_log(
            **HomeVisit.entered_in(form.cleaned_data),
            helped=[
                Help(resident=f.cleaned_data["resident"], achievements=f.cleaned_data["achievements"])
                for _formset, f in helps
            ],
            recorded_by=request.user,
        )
        adopt(form.instance, visit)
        # The change message reads what each formset saved.
        for formset in formsets:
            formset.new_objects = list(visit.helped.all()) if formset.model is VisitHelp else []
            formset.changed_objects, formset.deleted_objects = [], []

    def save_formset(self, request, form, formset, change):
        if formset.model is not VisitHelp:
            super().save_formset(request, form, formset, change)
            return
        # As stored: a line's form has written its (perhaps changed) resident into its row.
        stored = {
            row.pk: row
            for row in VisitHelp.objects.filter(
                pk__in=[f.instance.pk for f in formset.forms if f.instance.pk is not None]
            ).select_related("resident")
        }
        changed = [f for f in formset.forms if f.has_changed() and f not in formset.deleted_forms]
        removed = [stored[f.instance.pk] for f in formset.deleted_forms if f.instance.pk in stored]
        removed += [
            stored[f.instance.pk] for f in changed if f.instance.pk in stored and "resident" in f.changed_data
        ]
        visit_helps_correct(
            visit=form.instance,
            helps=[
                Help(resident=f.cleaned_data["resident"], achievements=f.cleaned_data["achievements"])
                for f in changed
            ],
            removed=[row.resident for row in removed],
            recorded_by=request.user,
        )
        # The change message reads what the formset saved.
        formset.new_objects = [f.instance for f in changed if f.instance.pk not in stored]
        formset.changed_objects = [(f.instance, f.changed_data) for f in changed if f.instance.pk in stored]
        formset.deleted_objects = [
            stored[f.instance.pk] for f in formset.deleted_forms if f.instance.pk in stored
        ]


@admin.register(VisitHelp)
class VisitHelpAdmin(ReadOnlyScopedAdmin):
    """Residents helped, across visits; recorded and edited on their visit's page."""

    visible_to = staticmethod(visit_helps_visible_to)
    resource_classes = [VisitHelpResource]
    list_display = ("resident", "visit", "village", "achieved")
    list_filter = (("visit__household__village", ScopedRelatedFilter),)
    list_select_related = ("resident", "visit__household__village")
    date_hierarchy = "visit__visited_on"
    search_folded_fields = ("resident__search_name",)
    search_exact_fields = ("visit__household__code",)

    @admin.display(description=_("village"), ordering="visit__household__village__name")
    def village(self, help):
        return help.visit.household.village

    @admin.display(description=_("achieved"))
    def achieved(self, help):
        return achievement_labels(help.achievements)


class CommunicationActivityForm(ScopedModelForm):
    def clean(self):
        cleaned = super().clean()
        commune = cleaned.get("commune") or getattr(self.instance, "commune", None)
        villages = cleaned.get("villages")
        if commune is not None and villages and cleaned.get("held_on"):
            # The service's rules, asked here too so that a refusal shows on its field (the
            # save asks them again, in communication_record or communication_update).
            refusals = communication_refusals(
                commune_id=commune.pk,
                held_on=cleaned["held_on"],
                villages=list(villages),
                reach=cleaned.get("reach") or 0,
                group=cleaned.get("group"),
                model=self.instance.model,
            )
            for name, message in refusals.items():
                self.add_error(name if name in self.fields else None, message)
        return cleaned


@admin.register(CommunicationActivity)
class CommunicationActivityAdmin(OutreachDeletes, ScopedAdmin):
    visible_to = staticmethod(communications_visible_to)
    form = CommunicationActivityForm
    resource_classes = [CommunicationActivityResource]
    list_display = ("held_on", "channel", "topic", "reach", "group", "village_names")
    list_filter = ("channel", ("villages", ScopedRelatedFilter), ("group", ScopedRelatedFilter))
    list_select_related = ("group",)
    date_hierarchy = "held_on"
    search_text_fields = ("topic",)
    fields = ("commune", *CommunicationActivity.entered_fields)
    writers = OUTREACH_WRITERS

    def may_write(self, user, activity):
        return may_change_outreach(user, activity)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("villages")

    def save_model(self, request, obj, form, change):
        # Logged (communication_record) or changed (communication_update) in save_related,
        # with its villages, under the activity's rules (communication_refusals).
        self.check_write(request, obj)

    def save_related(self, request, form, formsets, change):
        data = form.cleaned_data
        if change:
            activity = communication_update(
                activity=form.instance,
                **CommunicationActivity.entered_in(data),
                model=form.instance.model,
            )
        else:
            activity = communication_record(
                commune_id=data["commune"].pk,
                **CommunicationActivity.entered_in(data),
                recorded_by=request.user,
            )
        adopt(form.instance, activity)

    def delete_model(self, request, obj):
        communication_delete(activity=obj)

    @admin.display(description=_("villages"))
    def village_names(self, activity):
        return ", ".join(village.name for village in activity.villages.all())


class ApplicationForm(ScopedModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        refuse_future_dates(self, "submitted_on")


@admin.register(Application)
class ApplicationAdmin(ScopedAdmin):
    visible_to = staticmethod(applications_visible_to)
    resource_classes = [ApplicationResource]
    form = ApplicationForm
    list_display = ("submitted_on", "field", "procedure", "channel", "resident", "village", "helped_by")
    list_filter = ("channel", "field", ("village", ScopedRelatedFilter), "result_delivery")
    list_select_related = ("resident", "village", "helped_by")
    date_hierarchy = "submitted_on"
    search_folded_fields = ("resident__search_name",)
    search_text_fields = ("procedure",)
    search_national_id_fields = ("resident__national_id",)
    autocomplete_fields = ("resident", "helped_by", "visit", "session")
    fields = ("commune", *Application.entered_fields)

    def save_model(self, request, obj, form, change):
        self.check_write(request, obj)
        if change:
            application_update(application=obj)
            return
        recorded = application_record(
            commune=obj.commune,
            field=obj.field,
            channel=obj.channel,
            submitted_on=obj.submitted_on,
            resident=obj.resident,
            village=obj.village,
            procedure=obj.procedure,
            result_delivery=obj.result_delivery,
            helped_by=obj.helped_by,
            visit=obj.visit,
            session=obj.session,
            recorded_by=request.user,
        )
        adopt(obj, recorded)

    def delete_model(self, request, obj):
        application_delete(application=obj)


# --- Mobilization models


class ModelGoalInline(ScopedInline):
    model = ModelGoal
    fields = ("kind", "value", "due_on")
    extra = 1


@admin.register(MobilizationModel)
class MobilizationModelAdmin(ScopedAdmin):
    """Mobilization models and their goals, saved by mobilization_model_save as on the pages
    (/program/models/): a change may not leave tagged work outside the model's villages or
    dates. A model with tagged work cannot be deleted (mobilization_model_delete)."""

    visible_to = staticmethod(mobilization_models_visible_to)
    importable = False
    list_display = ("name", "field", "owner", "started_on", "ended_on", "commune")
    list_filter = ("field", ("commune", ScopedRelatedFilter), ("owner", ScopedRelatedFilter))
    list_select_related = ("owner", "commune")
    search_text_fields = ("name",)
    fields = ("commune", "name", "field", "owner", "started_on", "ended_on", "villages", "description")
    filter_horizontal = ("villages",)
    inlines = [ModelGoalInline]

    def save_model(self, request, obj, form, change):
        # Saved in save_related by mobilization_model_save, with its villages and goals.
        self.check_write(request, obj)

    def save_related(self, request, form, formsets, change):
        goal_sets = [formset for formset in formsets if formset.model is ModelGoal]
        changed = [f for fs in goal_sets for f in fs.forms if f.has_changed() and f not in fs.deleted_forms]
        removed = [f.instance for fs in goal_sets for f in fs.deleted_forms if f.instance.pk]
        known = {f.instance.pk for f in changed if f.instance.pk}
        mobilization_model_save(
            model=form.instance,
            villages=form.cleaned_data["villages"],
            goals=[f.save(commit=False) for f in changed],
            goals_removed=removed,
        )
        # The change message reads what the formset saved.
        for formset in goal_sets:
            formset.new_objects = [f.instance for f in changed if f.instance.pk not in known]
            formset.changed_objects = [
                (f.instance, f.changed_data) for f in changed if f.instance.pk in known
            ]
            formset.deleted_objects = removed

    def delete_model(self, request, obj):
        mobilization_model_delete(model=obj)
