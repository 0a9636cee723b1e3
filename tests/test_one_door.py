"""No production code changes or deletes a record except through a service.

Issue 25: a change written again on each surface (the page's form.save(), the API's
attribute setting, the admin's default save) drifted from the create's rules. So the apps'
modules are read with `ast` for the calls that change or delete rows, `.save(`, `.delete(`
and a queryset's `.update(`, `.bulk_update(` and `.update_or_create(`; each must sit in a
`services.py` or on the short list below, which says beside each entry why it is not a
change that needs a door of its own. Creates (`.create(`, `.bulk_create(`) are the create
services' concern and are not looked for.

Not counted, by their nature:
- a model's own save() calling super().save(): the row's save, which the services call;
- `.save(commit=False)`: a form building an unsaved row for a service to save.
The admin's default save and delete (ModelAdmin.save_model, delete_model) are not calls in
our code: tests/test_doors.py drives the admin through each rule instead.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("mobilization", "villages", "training", "reports", "devices", "reminders", "softbridge", "frontdoor")
WRITES = ("save", "delete", "update", "bulk_update", "update_or_create")
# What a queryset (or a manager) is built with: `.update(` after one of them is a bulk
# UPDATE; after anything else it is a dict's or a set's update.
QUERYSET_STEPS = frozenset(
    {
        "objects",
        "_base_manager",
        "_default_manager",
        "filter",
        "exclude",
        "all",
        "select_for_update",
        "order_by",
    }
)

# (module path, function) -> why it writes outside a service.
ALLOWED = {
    # Creates: the rules of a create are the create services' (visit_log, session_record, ...);
    # these records have no rule beyond their fields, which the form or serializer checks
    # (STYLE.md: no service that only wraps Model.objects.create).
    ("mobilization/api.py", "WorkerViewSet.perform_create"): "creates a worker",
    ("villages/api.py", "VillageViewSet.perform_create"): "creates a village",
    ("villages/api.py", "HouseholdViewSet.perform_create"): "creates a household",
    ("villages/api.py", "ResidentViewSet.perform_create"): "creates a resident",
    ("reports/targets_api.py", "TargetViewSet.perform_create"): "creates a target",
    ("mobilization/views/program.py", "communicator_new"): "creates a communicator",
    ("villages/views.py", "household_create"): "creates a household",
    ("villages/views.py", "member_create"): "creates a resident",
    (
        "villages/admin.py",
        "VersionedForm.save",
    ): "creates a household's new member row (changes go to resident_update)",
    ("training/views.py", "topics"): "creates a topic",
    ("reports/views.py", "targets"): "creates a target",
    # Changes of records whose only rules are their fields' (the form and the serializer run
    # full_clean): a worker and their memberships, a communicator, a target, the commune's
    # travel figures.
    ("mobilization/views/program.py", "_save_worker"): "creates or changes a worker and their memberships",
    ("mobilization/views/program.py", "communicator_edit"): "changes a communicator",
    ("reports/views.py", "target_edit"): "changes a target",
    ("reports/views.py", "savings_settings"): "changes the commune's travel figures and village distances",
    (
        "reports/official_views.py",
        "official_month",
    ): "replaces the official figures a person typed for a month",
    ("softbridge/api_endpoints.py", "UpdateFromInput.perform_update"): (
        "the API's default change, for the records above (workers, villages, targets, the "
        "commune's settings); every record with rules overrides it with its service"
    ),
    # Writing modules that are services by nature.
    (
        "softbridge/versions.py",
        "Versioned.save_unless_stale",
    ): "the row's locked save, which the services call",
    (
        "villages/roster/writing.py",
        "write",
    ): "the roster import's writing module: a village renamed by the roster",
    (
        "reports/official_import.py",
        "official_figures_import",
    ): "the official figures' import, one row per month",
    ("frontdoor/backups.py", "_insert"): "a restore from a backup, below every rule by design",
    # A phone's push subscription has one door, the Web Push module, which keeps its VAPID key
    # and the push services' answers with it: subscribe, unsubscribe or sign out, and the answer.
    ("reminders/push.py", "subscription_save"): "keeps a phone's push subscription, once per endpoint",
    ("reminders/push.py", "subscription_forget"): "forgets the user's own push subscription",
    ("reminders/push.py", "_record"): "keeps what a push service answered of a phone (gone: deleted)",
    # The services of moves between communes (their module is named after the domain, as the
    # brief of issue 31 asks): an arrival ends the other commune's stay, records the move and
    # brings the ladder's dates, under the rows' locks.
    ("villages/between_communes.py", "arrival_record"): "an arrival: the other stay ended, the move recorded",
    ("villages/between_communes.py", "_ladder_travels"): "an arrival: the ladder's dates travel",
    # Not a record.
    ("softbridge/spreadsheets.py", "xlsx_bytes"): "an openpyxl workbook written to bytes",
}


def _is_queryset(node: ast.AST) -> bool:
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        if not isinstance(node, ast.Attribute):
            return False
        if node.attr in QUERYSET_STEPS:
            return True
        node = node.value


def _exempt(call: ast.Call, function: str) -> bool:
    func = call.func
    if any(
        k.arg == "commit" and isinstance(k.value, ast.Constant) and k.value.value is False
        for k in call.keywords
    ):
        return True
    is_super = isinstance(func.value, ast.Call) and getattr(func.value.func, "id", None) == "super"
    return is_super and function.rsplit(".", 1)[-1] == func.attr


class _Writes(ast.NodeVisitor):
    def __init__(self):
        self.scope: list[str] = []
        self.found: list[tuple[str, int, str]] = []

    def _nested(self, node):
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _nested

    def visit_Call(self, node):
        func = node.func
        function = ".".join(self.scope)
        if (
            isinstance(func, ast.Attribute)
            and func.attr in WRITES
            and (func.attr in ("save", "delete") or _is_queryset(func.value))
            and not _exempt(node, function)
        ):
            self.found.append((function, node.lineno, ast.unparse(func)))
        self.generic_visit(node)


def writes_outside_services() -> dict[tuple[str, str], list[str]]:
    """(module path, function) -> the writing calls there, for every production module but the
    services (an app's services.py, or the modules of its services/ package)."""
    found = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts or path.name == "services.py" or path.parent.name == "services":
                continue
            visitor = _Writes()
            visitor.visit(ast.parse(path.read_text(), str(path)))
            module = path.relative_to(ROOT).as_posix()
            for function, lineno, call in visitor.found:
                found.setdefault((module, function), []).append(f"{call}() line {lineno}")
    return found


def test_no_record_is_changed_or_deleted_outside_a_service():
    unexplained = {where: calls for where, calls in writes_outside_services().items() if where not in ALLOWED}
    assert unexplained == {}, "Call the record's service (visit_update, resident_delete, ...) instead."


def test_every_allowed_write_is_still_there():
    """An entry whose write moved into a service goes from the list: it stays short and true."""
    assert set(ALLOWED) - set(writes_outside_services()) == set()


def test_the_scan_sees_the_writes_it_looks_for():
    """The scan itself: a change on a page, a delete in the API, a bulk update are found; a
    model's own save, an unsaved form row and a dict's update are not."""
    source = """
def page(request, form):
    form.save()
    form.save(commit=False)
    figures = {}
    figures.update(a=1)

class Api:
    def perform_destroy(self, resident):
        resident.delete()

    def bump(self):
        Resident.objects.filter(pk=1).update(version=2)
        Resident.objects.bulk_update(rows, ["version"])

class Resident:
    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
"""
    visitor = _Writes()
    visitor.visit(ast.parse(source))
    assert [(function, call) for function, _line, call in visitor.found] == [
        ("page", "form.save"),
        ("Api.perform_destroy", "resident.delete"),
        ("Api.bump", "Resident.objects.filter(pk=1).update"),
        ("Api.bump", "Resident.objects.bulk_update"),
    ]
