"""The apps depend downward only (docs/architecture.md, "Layers"), and the sandbox is imported by nothing.

Every import statement of every module, including imports inside functions, is read with `ast`; nothing is run.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Lower numbers sit lower. An app may import its own layer's code only from itself, and any lower layer.
LAYERS = {"accounts": 0, "quickbooks": 1, "projects": 2, "budgets": 3, "changeorders": 3, "reports": 4, "closes": 5}
APART = "sandbox"  # the QuickBooks simulator: imports nothing of the app, and nothing of the app imports it
TOP = "config"  # settings, URLs and the Celery app: wires the apps together, imported by none of them


def imported_apps(source: str, package: str) -> set[str]:
    """The top-level packages a module's imports name (relative imports stay inside `package`)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            found.add(package if node.level else (node.module or "").split(".")[0])
    return found


def problems(app: str, imported: set[str]) -> list[str]:
    """What `app` may not import among `imported`, each with the reason."""
    found = []
    for other in sorted(imported - {app}):
        if other == APART or (app == APART and other in {*LAYERS, TOP}):
            found.append(f"{app} -> {other}: the sandbox and the app know each other only by URL")
        elif other == TOP and app in LAYERS:
            found.append(f"{app} -> {other}: apps queue tasks by name (quickbooks.sync.dispatch), not via config")
        elif app in LAYERS and other in LAYERS and LAYERS[other] >= LAYERS[app]:
            found.append(f"{app} -> {other}: an upward or sideways dependency")
    return found


def app_modules():
    for app in [*LAYERS, APART]:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield app, path


def test_every_app_imports_only_the_layers_below_it():
    found = []
    for app, path in app_modules():
        for problem in problems(app, imported_apps(path.read_text(), app)):
            found.append(f"{path.relative_to(ROOT)}: {problem}")
    assert not found, "\n".join(found)


def test_the_modules_were_read():
    """The check above read the whole tree, not an empty one."""
    read = {app for app, _ in app_modules()}
    assert read == {*LAYERS, APART}
    assert sum(1 for _ in app_modules()) > 100


@pytest.mark.parametrize(
    ("app", "source", "reason"),
    [
        ("projects", "from reports.figures import contract", "upward"),
        ("budgets", "from changeorders.models import ChangeOrder", "sideways"),
        ("quickbooks", "def later():\n    from projects.models import Project", "upward"),
        ("quickbooks", "from config.celery import app", "by name"),
        ("projects", "import sandbox.models", "only by URL"),
        ("reports", "from closes.models import WipClose", "upward"),
        ("sandbox", "from quickbooks.client import QuickBooksClient", "only by URL"),
    ],
)
def test_the_check_fails_on_a_forbidden_import(app, source, reason):
    found = problems(app, imported_apps(source, app))
    assert len(found) == 1 and reason in found[0]


@pytest.mark.parametrize(
    ("app", "source"),
    [
        ("reports", "from budgets.models import Budget\nfrom projects.models import Project"),
        ("projects", "from quickbooks.sync.upsert import upsert\nfrom .models import Project"),
        ("config", "from reports import views"),
        ("closes", "from reports import wip\nfrom budgets.models import Budget\nfrom quickbooks.models import Role"),
    ],
)
def test_the_check_allows_downward_imports(app, source):
    assert problems(app, imported_apps(source, app)) == []
