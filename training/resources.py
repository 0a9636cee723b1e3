"""Import and export of training records through the admin.

Sessions and attendance are exported only: they are written through session_record and
attendance_record, which move the ladder. Topics are plain data and may be imported.
"""

from import_export import fields

from training.models import Attendance, Topic, TrainingSession
from villages.resources import ScopedResource


class TopicResource(ScopedResource):
    class Meta(ScopedResource.Meta):
        model = Topic
        fields = ("id", "commune", "name", "skill")


class TrainingSessionResource(ScopedResource):
    village_name = fields.Field(attribute="village__name", column_name="village_name", readonly=True)
    attendance_count = fields.Field(column_name="attendance_count", readonly=True)

    class Meta(ScopedResource.Meta):
        model = TrainingSession
        fields = (
            "id",
            "commune",
            "village",
            "village_name",
            "venue_kind",
            "venue",
            "held_on",
            "topics",
            "facilitators",
            "group",
            "notes",
            "attendance_count",
        )

    def dehydrate_attendance_count(self, session):
        count = getattr(session, "attendance_count", None)
        return count if count is not None else session.attendances.count()


class AttendanceResource(ScopedResource):
    held_on = fields.Field(attribute="session__held_on", column_name="held_on", readonly=True)
    resident_name = fields.Field(attribute="resident__full_name", column_name="resident_name", readonly=True)

    class Meta(ScopedResource.Meta):
        model = Attendance
        fields = ("id", "session", "held_on", "resident", "resident_name", "achievements")
