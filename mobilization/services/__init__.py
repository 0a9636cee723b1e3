"""Writes of the program that span models, one door per operation (docs/changes-and-deletes.md).

The outreach records (visits, communication activities, applications, the ladder they move) are
`outreach`'s; the program's own structure (worker groups, workers, mobilization models) is
`program`'s. Every caller imports from here.
"""

from mobilization.services.outreach import (
    AlreadySaved,
    Help,
    application_delete,
    application_record,
    application_update,
    communication_delete,
    communication_record,
    communication_refusals,
    communication_update,
    help_record,
    members_refusal,
    model_tag_refusal,
    reach_refusal,
    save_once,
    visit_delete,
    visit_helps_correct,
    visit_log,
    visit_refusals,
    visit_update,
)
from mobilization.services.program import (
    mobilization_model_delete,
    mobilization_model_save,
    model_tagged_counts,
    worker_delete,
    worker_group_delete,
    worker_group_refusals,
    worker_group_save,
)

__all__ = [
    "AlreadySaved",
    "Help",
    "application_delete",
    "application_record",
    "application_update",
    "communication_delete",
    "communication_record",
    "communication_refusals",
    "communication_update",
    "help_record",
    "members_refusal",
    "mobilization_model_delete",
    "mobilization_model_save",
    "model_tag_refusal",
    "model_tagged_counts",
    "reach_refusal",
    "save_once",
    "visit_delete",
    "visit_helps_correct",
    "visit_log",
    "visit_refusals",
    "visit_update",
    "worker_delete",
    "worker_group_delete",
    "worker_group_refusals",
    "worker_group_save",
]
