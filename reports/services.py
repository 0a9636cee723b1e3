"""Writes of the reports' own records: the commune's targets."""

from django.db import transaction

from reports.models import Target


@transaction.atomic
def target_delete(*, target: Target) -> None:
    """Delete a target. Nothing refers to a target: the plan (reports.selectors.targets) then
    runs straight between the targets on either side, or the commune-wide one plans the
    village again. Who may is villages.access.may_manage_program, asked by every surface."""
    target.delete()
