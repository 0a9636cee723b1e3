"""Writes of the program that span models: applications and the ladder they move."""

import datetime

from django.db import transaction

from mobilization.models import ONLINE_CHANNELS, Application, HomeVisit, Worker
from villages.models import Commune, LadderStep, Resident, Village
from villages.services import resident_ladder_advance


@transaction.atomic
def application_record(
    *,
    commune: Commune,
    field: str,
    channel: str,
    submitted_on: datetime.date,
    resident: Resident | None = None,
    village: Village | None = None,
    procedure: str = "",
    result_delivery: str = "",
    helped_by: Worker | None = None,
    visit: HomeVisit | None = None,
    session=None,
    recorded_by=None,
) -> Application:
    """Record a dossier the commune received.

    An online (level 3 or 4) application by a known resident moves the resident's ladder:
    level 3/4 and online use start on the submission date unless they started earlier.
    The UI, the API and the importer all record applications through this function.
    Raises ValidationError (naming the field) for a dossier that cannot be saved.
    """
    if resident is not None:
        village = resident.household.village
    application = Application(
        commune=commune,
        resident=resident,
        village=village,
        field=field,
        procedure=procedure,
        submitted_on=submitted_on,
        channel=channel,
        result_delivery=result_delivery,
        helped_by=helped_by,
        visit=visit,
        session=session,
        recorded_by=recorded_by,
    )
    application.full_clean()
    application.save()
    if resident is not None and channel in ONLINE_CHANNELS:
        resident_ladder_advance(resident=resident, step=LadderStep.LEVEL34, on=submitted_on)
    return application
