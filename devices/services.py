"""The one door a phone's report comes in by."""

import datetime
import uuid

from django.db import transaction
from django.utils import timezone

from devices.models import DeviceReport


@transaction.atomic
def device_report_record(
    *,
    user,
    device: uuid.UUID,
    version: str,
    waiting: int,
    oldest_waiting_age: datetime.timedelta | None,
    refused: int,
    pages_kept: int,
    storage_used: int | None,
    storage_quota: int | None,
    persisted: bool | None,
    now: datetime.datetime | None = None,
) -> DeviceReport:
    """Keep what `user`'s phone `device` says of itself now, in place of what it said before
    (one report per phone and user, its first contact kept). The oldest record waiting is
    dated by the server's clock from its age; with nothing waiting there is none."""
    now = now or timezone.now()
    since = now - oldest_waiting_age if waiting and oldest_waiting_age is not None else None
    figures = {
        "version": version,
        "last_contact": now,
        "waiting": waiting,
        "oldest_waiting_since": since,
        "refused": refused,
        "pages_kept": pages_kept,
        "storage_used": storage_used,
        "storage_quota": storage_quota,
        "persisted": persisted,
    }
    report, _created = DeviceReport.objects.select_for_update().update_or_create(
        device=device, user=user, defaults=figures, create_defaults={**figures, "first_contact": now}
    )
    return report
