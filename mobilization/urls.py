"""The program's pages: home visits under /visits/, the rest of the program under /program/.

frontdoor.urls includes each list under its own namespace, so that a page's name says
which part it belongs to: `visits:new`, `program:workers`.
"""

from django.urls import path

from mobilization.views import communications, history, program, visits

visit_pages = [
    path("", visits.visit_list, name="list"),
    path("new/", visits.visit_new, name="new"),
    path("new/households/", visits.visit_household_options, name="household_options"),
    path("new/household/", visits.visit_household, name="household"),
    path("follow-ups/", visits.follow_ups, name="follow_ups"),
]

# The roof joins these under the "program" namespace (frontdoor.urls) with the pages that read
# training and reports too: a group's and a worker's work (frontdoor.worker_pages) and what
# each mobilization model achieved (frontdoor.model_pages).
program_pages = [
    path("communications/", communications.communications, name="communications"),
    path("communications/new/", communications.communication_new, name="communication_new"),
    path("communications/<int:pk>/edit/", communications.communication_edit, name="communication_edit"),
    path(
        "communications/<int:pk>/delete/",
        communications.communication_delete,
        name="communication_delete",
    ),
    path("groups/", program.groups, name="groups"),
    path("groups/new/", program.group_new, name="group_new"),
    path("groups/<int:pk>/edit/", program.group_edit, name="group_edit"),
    path("workers/new/", program.worker_new, name="worker_new"),
    path("workers/<int:pk>/edit/", program.worker_edit, name="worker_edit"),
    path("communicators/", program.communicators, name="communicators"),
    path("communicators/new/", program.communicator_new, name="communicator_new"),
    path("communicators/<int:pk>/edit/", program.communicator_edit, name="communicator_edit"),
]

# The household's audit trail holds its visits and applications too, so its page is the
# program's; it is served with the register's pages, in the "villages" namespace (frontdoor.urls).
household_history_pages = [
    path("households/<int:pk>/history/", history.household_history, name="household_history"),
]
