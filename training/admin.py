"""Training in the admin: topics, sessions and who attended.

Sessions and attendance are written through session_record and attendance_record so that
what attendees achieved moves their ladder. Scoping comes from villages.scoped_admin.
"""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from mobilization.admin import OUTREACH_WRITERS, OutreachHelpInline, achievement_labels
from mobilization.services import Help
from softbridge.calendar import within_planning
from training.models import Attendance, Topic, TrainingSession
from training.resources import AttendanceResource, TopicResource, TrainingSessionResource
from training.selectors import attendances_visible_to, sessions_visible_to, topics_visible_to
from training.services import (
    attendance_correct,
    attendance_remove,
    session_delete,
    session_record,
    session_update,
)
from villages.access import may_change_outreach
from villages.scoped_admin import (
    OutreachDeletes,
    ReadOnlyScopedAdmin,
    ScopedAdmin,
    ScopedModelForm,
    ScopedRelatedFilter,
    adopt,
)


@admin.register(Topic)
class TopicAdmin(ScopedAdmin):
    visible_to = staticmethod(topics_visible_to)
    resource_classes = [TopicResource]
    list_display = ("name", "skill", "commune", "session_count")
    list_filter = ("skill", ("commune", ScopedRelatedFilter))
    list_select_related = ("commune",)
    search_text_fields = ("name",)
    fields = ("commune", "name", "skill")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(session_count=Count("sessions"))

    @admin.display(description=_("sessions"), ordering="session_count")
    def session_count(self, topic):
        return topic.session_count


class AttendanceInline(OutreachHelpInline):
    model = Attendance


class TrainingSessionForm(ScopedModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A session may be planned ahead (session_refusals): only a year's plan is taken.
        if "held_on" in self.fields:
            self.fields["held_on"].validators.append(within_planning)


@admin.register(TrainingSession)
class TrainingSessionAdmin(OutreachDeletes, ScopedAdmin):
    deleted_with = (Attendance,)
    visible_to = staticmethod(sessions_visible_to)
    writers = OUTREACH_WRITERS
    importable = False  # sessions are recorded through session_record, one by one
    resource_classes = [TrainingSessionResource]
    form = TrainingSessionForm
    list_display = ("held_on", "venue_kind", "village", "venue", "group", "topic_names", "attendance_count")
    list_filter = (
        ("village", ScopedRelatedFilter),
        "venue_kind",
        ("group", ScopedRelatedFilter),
        ("topics", ScopedRelatedFilter),
    )
    list_select_related = ("village", "group")
    date_hierarchy = "held_on"
    search_text_fields = ("venue", "village__name", "topics__name")
    autocomplete_fields = ("facilitators",)
    fields = ("commune", *TrainingSession.entered_fields)
    inlines = [AttendanceInline]

    def may_write(self, user, session):
        return may_change_outreach(user, session)

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("topics")
        return queryset.annotate(attendance_count=Count("attendances"))

    @admin.display(description=_("topics"))
    def topic_names(self, session):
        return ", ".join(topic.name for topic in session.topics.all())

    @admin.display(description=_("attendees"), ordering="attendance_count")
    def attendance_count(self, session):
        return session.attendance_count

    def delete_model(self, request, obj):
        session_delete(session=obj)

    def save_model(self, request, obj, form, change):
        # A new session is recorded in save_related, with its attendees, by session_record; a
        # change is saved there too, by session_update, once the attendance is: its rules read it.
        self.check_write(request, obj)

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)
            data = form.cleaned_data
            # The row as stored: the form has already written the new values into its own.
            session = session_update(
                session=TrainingSession.objects.select_related("commune").get(pk=form.instance.pk),
                **TrainingSession.entered_in(data),
                model=form.instance.model,
            )
            adopt(form.instance, session)
            return
        data = form.cleaned_data
        session = session_record(
            commune=data["commune"],
            **TrainingSession.entered_in(data),
            attendees=[
                Help(resident=f.cleaned_data["resident"], achievements=f.cleaned_data["achievements"])
                for formset in formsets
                for f in formset.forms
                if formset.model is Attendance and f.has_changed() and f not in formset.deleted_forms
            ],
            recorded_by=request.user,
        )
        adopt(form.instance, session)
        for formset in formsets:
            formset.new_objects = list(session.attendances.all()) if formset.model is Attendance else []
            formset.changed_objects, formset.deleted_objects = [], []

    def save_formset(self, request, form, formset, change):
        if formset.model is not Attendance:
            super().save_formset(request, form, formset, change)
            return
        session = form.instance
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        # As stored: a deleted line's form has written its (perhaps changed) resident into it.
        removed = list(
            Attendance.objects.filter(
                pk__in=[f.instance.pk for f in formset.deleted_forms if f.instance.pk is not None]
            ).select_related("resident")
        )
        attendance_remove(session=session, residents=[a.resident for a in removed])
        formset.deleted_objects.extend(removed)
        for f in formset.forms:
            if not f.has_changed() or f in formset.deleted_forms:
                continue
            if f.instance.pk is not None and "resident" in f.changed_data:
                # Another resident on this line: the first one's attendance goes.
                stored = Attendance.objects.select_related("resident").get(pk=f.instance.pk)
                attendance_remove(session=session, residents=[stored.resident])
                f.instance.pk = None
            attendance = attendance_correct(
                session=session,
                help=Help(resident=f.cleaned_data["resident"], achievements=f.cleaned_data["achievements"]),
                recorded_by=request.user,
            )
            if f.instance.pk is None:
                formset.new_objects.append(attendance)
            else:
                formset.changed_objects.append((attendance, f.changed_data))


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyScopedAdmin):
    """Who attended which session; recorded and edited on the session's page."""

    visible_to = staticmethod(attendances_visible_to)
    resource_classes = [AttendanceResource]
    list_display = ("resident", "session", "village", "achieved")
    list_filter = (("session__village", ScopedRelatedFilter),)
    list_select_related = ("resident", "session__village")
    date_hierarchy = "session__held_on"
    search_folded_fields = ("resident__search_name",)

    @admin.display(description=_("village"), ordering="session__village__name")
    def village(self, attendance):
        return attendance.session.village

    @admin.display(description=_("achieved"))
    def achieved(self, attendance):
        return achievement_labels(attendance.achievements)
