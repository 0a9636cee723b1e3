"""The code depends in one direction, with no exceptions. Each room stands on the ones below it:

    demo           the demo commune, built through every app's services; nothing imports it
    frontdoor      the roof: the URL map and the API's routes, home and Today, the pages that
                   show several apps at once (a household with its visits and attendance, a
                   group's and a worker's work, a mobilization model's results), the field
                   device's copies, backups and their commands
    reminders      reminders by Web Push and SMS: what is due, consents, what was sent
    devices        what each field phone last said of itself (no personal data)
    reports        the indicators over time, dashboards, official figures, exports
    training       topics, sessions and attendance, built on the program's outreach records
    mobilization   the program: groups, workers, visits, communications, applications, models
    villages       the register: communes, villages, households, residents, roles, who may
    softbridge     the floor: settings, typed ids, versions, submission keys, the security
                   log, the commune's calendar, Vietnamese text, spreadsheets, the API's base

A module may import from its own app and the rooms below it, never from a room above, a page
or an API endpoint no more than any other module: a page that needs several apps is the
roof's. No two modules import each other, however long the way round.

The schema has two keys that point up, which Django resolves from "app.Model" strings rather
than imports; they are listed below with their reason (UPWARD_KEYS), and so is every place
that reaches the model above through one of them (REACHES_UP): the guard fails on a new key
or a new reach, so the way up cannot be taken quietly. softbridge.settings names the roof's
modules as strings too (ROOT_URLCONF, a middleware, the CSRF failure page): configuration
Django reads, not an import.
"""

import ast
from collections import defaultdict
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent
# Bottom to top: a room may use the rooms before it in this list.
LAYERS = (
    "softbridge",
    "villages",
    "mobilization",
    "training",
    "reports",
    "devices",
    "reminders",
    "frontdoor",
    "demo",
)

# (model, field) -> why the key points up. Moving either model would split its app's records.
UPWARD_KEYS = {
    # A household is in the care of one of the program's workers; the register is older than
    # the program and its households exist without one.
    ("villages.Household", "worker_in_charge"): "mobilization.Worker",
    # An application may say the training session it was submitted at; training's sessions are
    # outreach records built on the program's base, so training sits above the program.
    ("mobilization.Application", "session"): "training.TrainingSession",
}

# Where code below reaches the model above through one of UPWARD_KEYS (`related_model`):
# (module, line's text) for each place, and the key it goes through.
REACHES_UP = {
    # grant(): a worker's or a village head's role comes with the program's worker record.
    ("villages.services", 'Household._meta.get_field("worker_in_charge").related_model'): "worker_in_charge",
    # The workers a household may be put in charge of, for the household's forms and API.
    ("villages.selectors", 'Household._meta.get_field("worker_in_charge").related_model'): "worker_in_charge",
    # The sessions an application may name, for its form and API.
    ("mobilization.selectors", 'Application._meta.get_field("session").related_model'): "session",
    ("mobilization.serializers", 'Application._meta.get_field("session").related_model'): "session",
}


def layer(module: str) -> int | None:
    """The room a dotted module name belongs to, counted from the floor; None for a library."""
    top = module.split(".")[0]
    return LAYERS.index(top) if top in LAYERS else None


def modules():
    """Every production module (tests, benchmarks and migrations aside), with its path."""
    for top in LAYERS:
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" not in path.parts:
                parts = path.relative_to(ROOT).with_suffix("").parts
                yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def imported(module: str, path: Path):
    """(line, the name imported, the module it comes from) for every import, at any depth
    (an import inside a function is a dependency as much as one at the top)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            source = node.module or ""
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                source = f"{base}.{source}" if source else base
            for alias in node.names:
                yield node.lineno, f"{source}.{alias.name}", source
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, alias.name


def upward_imports(module: str, path: Path) -> list[str]:
    own = layer(module)
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    return [
        f"{shown}:{lineno} imports {source}"
        for lineno, _full, source in imported(module, path)
        if (theirs := layer(source)) is not None and theirs > own
    ]


def test_no_module_imports_from_a_layer_above_its_own():
    found = [line for module, path in modules() for line in upward_imports(module, path)]
    assert found == []


def import_graph() -> dict[str, set[str]]:
    """Module -> the production modules it imports (`from x import name` counts as importing
    x.name when that is a module, x otherwise)."""
    found = dict(modules())
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in found.items():
        graph[module]
        for _lineno, full, source in imported(module, path):
            target = full if full in found else source
            while target and target not in found:
                target = target.rpartition(".")[0]
            if target and target != module:
                graph[module].add(target)
    return graph


def test_no_two_apps_import_each_other():
    pairs = {
        (module.split(".")[0], target.split(".")[0])
        for module, targets in import_graph().items()
        for target in targets
        if module.split(".")[0] != target.split(".")[0]
    }
    assert sorted((a, b) for a, b in pairs if (b, a) in pairs) == []


def a_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of the graph as the modules along it (first repeated last), or [] if none.
    A depth-first search: a module met again while still on the path closes a cycle."""
    on_path: list[str] = []
    state: dict[str, str] = {}  # "open" while on the path, "done" once every way out is explored

    def visit(node: str) -> list[str]:
        state[node] = "open"
        on_path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return [*on_path[on_path.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        on_path.pop()
        state[node] = "done"
        return []

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return []


def test_no_module_import_cycle():
    assert a_cycle(import_graph()) == []


@pytest.mark.parametrize(
    ("graph", "cycle"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b", "c"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"a"}}, ["a", "b", "a"]),
        ({"a": {"b"}, "b": {"c"}, "c": {"d"}, "d": {"b"}}, ["b", "c", "d", "b"]),
    ],
)
def test_the_cycle_search_finds_a_cycle_and_only_a_cycle(graph, cycle):
    assert a_cycle(graph) == cycle


def relations_upward() -> dict[tuple[str, str], str]:
    """Every foreign key, one-to-one and many-to-many field of our models whose target is in a
    room above the model's, from Django's own resolution of the "app.Model" strings."""
    found = {}
    for model in apps.get_models():
        if hasattr(model, "instance_type"):
            continue  # django-simple-history's copy of a model: the same keys, kept as history
        own = layer(model._meta.app_config.name)
        for field in model._meta.get_fields():
            if not field.is_relation or field.auto_created or field.related_model is None:
                continue
            theirs = layer(field.related_model._meta.app_config.name)
            if own is not None and theirs is not None and theirs > own:
                found[(model._meta.label, field.name)] = field.related_model._meta.label
    return found


def test_every_key_pointing_up_is_one_the_schema_declares():
    assert relations_upward() == UPWARD_KEYS


def reaches(module: str, path: Path) -> list[tuple[str, str]]:
    """(module, expression) for every `related_model` read off a named field (not a field
    object held in a variable, as generic admin and import code does), and every
    `apps.get_model("app", ...)`: the ways to a model without importing it."""
    source = path.read_text()
    found = []
    for node in ast.walk(ast.parse(source, str(path))):
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "related_model"
            and not isinstance(node.value, ast.Name)
        ):
            found.append((module, ast.get_source_segment(source, node)))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get_model"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            found.append((module, ast.get_source_segment(source, node)))
    return found


def test_every_reach_up_goes_through_a_declared_key():
    found = {reach for module, path in modules() for reach in reaches(module, path)}
    assert found == set(REACHES_UP)
    fields = {field for _model, field in UPWARD_KEYS}
    assert set(REACHES_UP.values()) <= fields


@pytest.mark.parametrize(
    ("module", "source", "upward"),
    [
        ("villages.forms", "from mobilization.models import Worker\n", True),
        ("villages.forms", "def f():\n    from training.models import Attendance\n", True),
        # A page reading another app's selectors is no exception any more: it is the roof's.
        ("villages.views", "from mobilization.selectors import household_visits\n", True),
        ("mobilization.views.visits", "from reports.selectors.adoption import share\n", True),
        ("mobilization.views.visits", "from reports.tables import Table\n", True),
        ("training.services", "from mobilization.services import visit_log\n", False),
        ("softbridge.security_log", "from villages.models import Resident\n", True),
        ("softbridge.calendar", "from softbridge.text import fold\n", False),
        ("frontdoor.urls", "from reports.views import dashboard\n", False),
        ("frontdoor.households", "from training.selectors import household_attendances\n", False),
        ("reports.models", "import frontdoor.urls\n", True),
        ("frontdoor.home", "from demo.visits import visits_build\n", True),
        ("demo.visits", "from mobilization.services import visit_log\n", False),
    ],
)
def test_the_guard_tells_an_upward_import_from_a_downward_one(tmp_path, module, source, upward):
    written = tmp_path / "probe.py"
    written.write_text(source)
    assert bool(upward_imports(module, written)) is upward


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ('Worker = Household._meta.get_field("worker_in_charge").related_model\n', True),
        ("table = Resident.household.field.related_model._meta.db_table\n", True),
        ('Session = apps.get_model("training", "TrainingSession")\n', True),
        ("model = db_field.related_model\n", False),
        ("from training.models import TrainingSession\n", False),
    ],
)
def test_the_guard_sees_a_model_reached_without_an_import(tmp_path, source, found):
    written = tmp_path / "probe.py"
    written.write_text(source)
    assert bool(reaches("villages.probe", written)) is found


# A module a newcomer can read in one sitting (issue 26): over this, split it by what it holds.
MOST_LINES = 800


def test_no_module_or_test_file_is_longer_than_a_sitting():
    kinds = ("*.py", "*.js", "*.html", "*.css")
    skipped = ("static/vendor", "tests/browser/vendor", ".venv", "node_modules", "migrations")
    too_long = {
        str(path.relative_to(ROOT)): lines
        for kind in kinds
        for path in ROOT.rglob(kind)
        if not any(part in path.relative_to(ROOT).as_posix() for part in skipped)
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MOST_LINES
    }
    assert too_long == {}
