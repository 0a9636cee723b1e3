"""Which phones' reports a user may read."""

from django.db.models import QuerySet

from devices.models import DeviceReport
from villages.access import communes_managed_by
from villages.models import Role


def device_reports_visible_to(user) -> QuerySet[DeviceReport]:
    """The reports of the phones of everyone with a role in a commune the user is an official
    of (every phone for a superuser), most recently seen first; nobody else reads any."""
    if not user.is_authenticated or not user.is_active:
        return DeviceReport.objects.none()
    reports = DeviceReport.objects.select_related("user")
    if not user.is_superuser:
        users = Role.objects.filter(commune__in=communes_managed_by(user).values("pk")).values("user")
        reports = reports.filter(user__in=users)
    return reports.order_by("-last_contact", "pk")
