"""The house kept to its plan (docs/DEVELOPING.md, "Layers"): dependencies run one way, and no cycle hides
behind an import inside a function.

Read from the source with `ast`, as a reviewer would read it: what each module imports at its top and inside
its functions.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("recovery_network", "supports", "milestones")
ENGINE = "recovery_network.notifications"
CARE = "recovery_network.care"
# The first run: on top, beside the circle of care; it writes into the network, the journeys and reads the circle.
WELCOME = "recovery_network.welcome"
# Reach out now: on top too; it alerts people in the network and logs looks through the circle's door.
REACH = "recovery_network.reach"
# Your data: above everything, as it exports and erases every app's rows; nothing but the composition imports it.
PRIVACY = "recovery_network.privacy"
# Recovery capital (BARC-10 check-ups): above the journeys, below the circle of care, which shows it to counselors.
CAPITAL = "recovery_network.capital"
# The network review: on top, beside reach; it reads the network, recovery capital and the circle's door.
REVIEW = "recovery_network.review"
# Learning to help (the family course): on top too; it reads its own lesson files and the circle.
LEARNING = "recovery_network.learning"
FEATURES = ("supports", "milestones", CAPITAL, CARE, WELCOME, REACH, REVIEW, LEARNING, PRIVACY)
# Core modules that may import the apps above them, and why.
CORE_ON_TOP = {
    "recovery_network.urls": "the composition root: it mounts every app's URLs",
    "recovery_network.admin_site": "every look by staff is a line in the person's access log (the sharing door)",
    "recovery_network.settings": "names the apps and kinds as strings",
}


def _module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield _module_name(path), path


SOURCES = dict(_sources())


def _resolve(module, level, package):
    if not level:
        return module or ""
    base = package.split(".")
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, module] if module else base)


def _project_module(name):
    """The longest prefix of `name` that is one of our modules, or None."""
    while name:
        if name in SOURCES:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(name):
    """[(our module imported, whether inside a function, line)] of one module."""
    path = SOURCES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            names = []
            if isinstance(child, ast.Import):
                names = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = _resolve(child.module, child.level, package)
                # `from . import sharing` imports a module; `from .models import User` a name in one.
                names = [f"{base}.{alias.name}" for alias in child.names] + [base]
            for imported in dict.fromkeys(filter(None, map(_project_module, names))):
                if imported != name:
                    found.append((imported, inside, child.lineno))
            visit(child, inside)

    visit(ast.parse(path.read_text()), False)
    return found


def _within(name, package):
    return name == package or name.startswith(package + ".")


def test_the_reader_finds_every_app_and_its_imports():
    # Guard against a reader that sees nothing and so finds nothing wrong.
    assert {"recovery_network.models", f"{ENGINE}.dispatch", f"{CARE}.sharing", "milestones.models"} <= set(SOURCES)
    assert ("recovery_network.notifications.registry", False) in {
        (imported, inside) for imported, inside, _ in imports_of(f"{ENGINE}.dispatch")
    }


def test_no_import_of_our_own_code_inside_a_function():
    """An import tucked into a function is how a cycle hides; AppConfig.ready() is where Django asks for one."""
    tucked = [
        f"{name}:{line} imports {imported}"
        for name in SOURCES
        if not name.endswith(".apps")
        for imported, inside, line in imports_of(name)
        if inside
    ]
    assert tucked == []


def test_no_import_cycles():
    graph = {name: {imported for imported, _, _ in imports_of(name)} for name in SOURCES}
    cycles, state = [], {}

    def walk(name, trail):
        state[name] = "open"
        for target in sorted(graph[name]):
            if state.get(target) == "open":
                cycles.append(" -> ".join([*trail[trail.index(target) :], target]))
            elif target not in state:
                walk(target, [*trail, target])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            walk(name, [name])
    # A package's __init__ importing its own submodules is no cycle of ours: ours are empty.
    assert cycles == []


def test_the_notification_engine_imports_no_feature_app():
    """Kinds live in the apps they belong to and are named in settings; the engine reaches none of them."""
    reached = [
        f"{name} imports {imported}"
        for name in SOURCES
        if _within(name, ENGINE)
        for imported, _, _ in imports_of(name)
        if any(_within(imported, feature) for feature in FEATURES)
    ]
    assert reached == []


@pytest.mark.parametrize("above", [ENGINE, *FEATURES])
def test_the_core_imports_nothing_above_it(above):
    reached = [
        f"{name} imports {imported}"
        for name in SOURCES
        if _within(name, "recovery_network")
        and not any(_within(name, app) for app in (ENGINE, CAPITAL, CARE, WELCOME, REACH, REVIEW, LEARNING, PRIVACY))
        and name not in CORE_ON_TOP
        for imported, _, _ in imports_of(name)
        if _within(imported, above)
    ]
    assert reached == []


@pytest.mark.parametrize("feature", ["supports", "milestones"])
def test_the_features_know_nothing_of_the_circle_of_care(feature):
    """The circle of care reads the network and the journeys; neither reaches back into it."""
    reached = [
        f"{name} imports {imported}"
        for name in SOURCES
        if _within(name, feature)
        for imported, _, _ in imports_of(name)
        if _within(imported, CARE)
    ]
    assert reached == []


@pytest.mark.parametrize("top", [WELCOME, REACH, REVIEW, LEARNING, PRIVACY])
def test_nothing_but_the_composition_imports_the_apps_on_top(top):
    """The first run and reach out now sit on top: settings and templates name them as strings. Your data sits
    above them all (it exports and erases their rows too)."""
    reached = [
        f"{name} imports {imported}"
        for name in SOURCES
        if not _within(name, top) and name not in CORE_ON_TOP and not (_within(name, PRIVACY) and top != PRIVACY)
        for imported, _, _ in imports_of(name)
        if _within(imported, top)
    ]
    assert reached == []


@pytest.mark.parametrize("feature", ["supports", "milestones"])
def test_the_network_and_the_journeys_know_nothing_of_recovery_capital(feature):
    """Recovery capital reads the journeys; the circle of care and the review read it; nothing below reaches up."""
    reached = [
        f"{name} imports {imported}"
        for name in SOURCES
        if _within(name, feature)
        for imported, _, _ in imports_of(name)
        if _within(imported, CAPITAL)
    ]
    assert reached == []


def test_supports_and_milestones_depend_one_way():
    """Milestones reads the network (a check-in's "what helped" names supporters); the network reads no journey."""
    reached = [
        f"{name} imports {imported}"
        for name in SOURCES
        if _within(name, "supports")
        for imported, _, _ in imports_of(name)
        if _within(imported, "milestones")
    ]
    assert reached == []


def test_tasks_sit_on_top_of_the_engine():
    """Nothing in the engine imports its tasks: pending deliveries are announced, and tasks.py listens."""
    importers = [
        name
        for name in SOURCES
        if name not in (f"{ENGINE}.apps", f"{ENGINE}.tasks")
        for imported, _, _ in imports_of(name)
        if imported == f"{ENGINE}.tasks"
    ]
    assert importers == []


LONGEST_MODULE = 700
LONGEST_FUNCTION = 60


def test_no_module_is_too_long_to_hold_in_mind():
    long = {
        name: lines for name, path in SOURCES.items() if (lines := len(path.read_text().splitlines())) > LONGEST_MODULE
    }
    assert long == {}


def test_no_function_is_too_long_to_read_at_once():
    long = [
        f"{name}.{node.name}: {node.end_lineno - node.lineno + 1} lines"
        for name, path in SOURCES.items()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > LONGEST_FUNCTION
    ]
    assert long == []
