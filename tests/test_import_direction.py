"""The apps depend on each other in one direction: the register, then the program, then
training, then reports; the site (softbridge's URL map, API routes, backups) sits on top and
its request machinery (softbridge's security log, API endpoint classes, typed ids) below all.

A module may import from its own layer and those below it. A view (a page or an API
endpoint) may also read another app's selectors: a page shows what it needs.

Two foreign keys point back, as lazy "app.Model" strings, which are not imports: the
household's worker in charge (villages.Household.worker_in_charge -> mobilization.Worker)
and the session an application was submitted at (mobilization.Application.session ->
training.TrainingSession). Code below reaches the model above only through such a key
(villages.selectors.workers_in_charge_choices, mobilization.selectors.application_session_choices).
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("villages", "mobilization", "training", "reports", "demo")
# softbridge's modules that sit on top of every app; the rest of softbridge sits below them all.
SITE = (
    "softbridge.settings",
    "frontdoor.urls",
    "softbridge.wsgi",
    "frontdoor.api_routes",
    "frontdoor.api_docs",
    "frontdoor.backups",
    "frontdoor.management",
    "frontdoor.home",
    "frontdoor.device",
)


def layer(module: str) -> int | None:
    """0 for softbridge's machinery, 1.. for the apps in order, the highest for the site."""
    if module == "softbridge.apps" or any(module == s or module.startswith(s + ".") for s in SITE):
        return len(APPS) + 1
    top = module.split(".")[0]
    if top == "softbridge":
        return 0
    if top in APPS:
        return APPS.index(top) + 1
    return None


def modules():
    for top in ("softbridge", *APPS):
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" not in path.parts:
                yield ".".join(path.relative_to(ROOT).with_suffix("").parts), path


def imported(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}", node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, alias.name


def is_view(module: str) -> bool:
    """Pages and API endpoints: the modules that answer requests."""
    leaf = module.split(".")[-1]
    return ".views." in module or leaf in ("views", "api") or leaf.endswith(("_views", "_api"))


def upward_imports(module: str, path: Path) -> list[str]:
    own = layer(module)
    found = []
    for lineno, full, target in imported(path):
        theirs = layer(target)
        if theirs is None or theirs <= own:
            continue
        if is_view(module) and (".selectors" in full or target.endswith(".selectors")):
            continue
        found.append(
            f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:{lineno} imports {target}"
        )
    return found


def test_no_module_imports_from_a_layer_above_its_own():
    found = [line for module, path in modules() for line in upward_imports(module, path)]
    assert found == []


@pytest.mark.parametrize(
    ("module", "source", "upward"),
    [
        ("villages.forms", "from mobilization.models import Worker\n", True),
        ("villages.forms", "def f():\n    from training.models import Attendance\n", True),
        ("mobilization.views.visits", "from reports.selectors.adoption import share\n", False),
        ("mobilization.views.visits", "from reports.tables import Table\n", True),
        ("training.services", "from mobilization.services import visit_log\n", False),
        ("softbridge.security_log", "from villages.models import Resident\n", True),
        ("frontdoor.urls", "from reports.views import dashboard\n", False),
        ("reports.models", "import frontdoor.urls\n", True),
    ],
)
def test_the_guard_tells_an_upward_import_from_a_downward_one(tmp_path, module, source, upward):
    written = tmp_path / "probe.py"
    written.write_text(source)
    assert bool(upward_imports(module, written)) is upward
