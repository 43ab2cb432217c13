"""The project's own apps in house order, bottom to top (README, "A short tour of the code"), and the
scan of their imports that holds every module to it.

An app may import the apps below it and never one above it. `config` (settings, the Celery app,
background work) is the foundation and names the apps only as strings in settings and URLs; `demo`
(the demo loader) stands on top, importing them all.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

HOUSE_ORDER = (
    "config",
    "providers",
    "accounts",
    "escalation",
    "learning_transfer",
    "adoption",
    "reporting_control",
    "demo",
)
# Why an import may stand inside a function is said on its line: "# imported here: <reason>".
REASON_MARK = "# imported here:"


def is_ours(module_name: str) -> bool:
    """Whether a dotted module name belongs to one of the project's apps."""
    return module_name.split(".")[0] in HOUSE_ORDER


def project_receivers(signal, sender) -> list:
    """The project's functions that a Django signal calls when `sender` sends it."""
    sync, asynchronous = signal._live_receivers(sender)
    return [r for r in [*sync, *asynchronous] if is_ours(getattr(r, "__module__", None) or "")]


# --- imports -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Import:
    """One import statement of a module of ours, top-level or inside a function."""

    module: str  # the importing module, dotted
    where: str  # path:line
    targets: tuple[str, ...]  # the modules it names, dotted (a relative import resolved)
    names: tuple[str, ...]  # for "from X import a, b": a and b
    function: str | None  # the function it stands in, None at module level
    in_migration: bool
    text: str


def project_modules(root: Path) -> dict[str, Path]:
    """Every module of every app of ours, by dotted name (a package by its own name)."""
    modules = {}
    for app in HOUSE_ORDER:
        for path in sorted((root / app).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def imports_of(module: str, path: Path, root: Path) -> list[Import]:
    """Every import statement of the module, at any depth."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    package = (module if path.name == "__init__.py" else module.rpartition(".")[0]).split(".")
    found = []

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, child.name)
            elif isinstance(child, ast.Import | ast.ImportFrom):
                names = ()
                if isinstance(child, ast.Import):
                    targets = tuple(alias.name for alias in child.names)
                else:
                    base = package[: len(package) - child.level + 1] if child.level else []
                    targets = (".".join([*base, *filter(None, [child.module])]),)
                    names = tuple(alias.name for alias in child.names)
                where = f"{path.relative_to(root)}:{child.lineno}"
                text = lines[child.lineno - 1].strip()
                found.append(
                    Import(module, where, targets, names, function, "migrations" in path.parts, text)
                )
            else:
                visit(child, function)

    visit(ast.parse(source), None)
    return found


def all_imports(root: Path) -> list[Import]:
    return [i for module, path in project_modules(root).items() for i in imports_of(module, path, root)]


def _deepest_module(name: str, modules) -> str | None:
    """The module of ours a dotted name lies in (a name imported from a module lies in that module)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def dependencies(statement: Import, modules) -> set[str]:
    """The modules of ours that running the statement imports: each module it names, and the packages
    above them that the importer is not inside already (Python runs a package's __init__ first)."""
    named = set()
    for target in statement.targets:
        submodules = {f"{target}.{name}" for name in statement.names} & set(modules)
        named |= submodules
        if not statement.names or len(submodules) < len(statement.names):
            named.add(_deepest_module(target, modules))
    parts = statement.module.split(".")
    own_packages = {".".join(parts[:n]) for n in range(1, len(parts) + 1)}
    found = set()
    for module in named - {None}:
        parts = module.split(".")
        found |= {".".join(parts[:n]) for n in range(1, len(parts) + 1)}
    return (found - own_packages) & set(modules)


def import_graph(root: Path) -> dict[str, set[str]]:
    """{module: the modules of ours it imports}, top-level and function-level imports alike."""
    modules = project_modules(root)
    graph = {module: set() for module in modules}
    for statement in all_imports(root):
        graph[statement.module] |= dependencies(statement, modules)
    return graph


def circles(graph: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """Each group of modules that import one another, directly or round a circle."""
    reach = {module: _reachable(graph, module) for module in graph}
    groups = {
        tuple(sorted(m for m in reach[start] if start in reach[m]))
        for start in graph
        if start in reach[start]
    }
    return sorted(groups)


def _reachable(graph, start) -> set[str]:
    seen, todo = set(), list(graph[start])
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(graph[module])
    return seen


def upward_imports(root: Path) -> list[str]:
    """Each import (top-level or inside a function) of an app standing above the importer's app."""
    rank = {app: n for n, app in enumerate(HOUSE_ORDER)}
    return [
        f"{i.where}: {i.module} imports {target}"
        for i in all_imports(root)
        for target in i.targets
        if rank.get(target.split(".")[0], -1) > rank[i.module.split(".")[0]]
    ]


def imports_inside_functions(root: Path) -> list[str]:
    """Imports inside a function with no reason to be there. Allowed: in an AppConfig's ready()
    (Django imports an app's models once every app is loaded), in a migration (a data migration imports
    the code it runs when it runs), and on a line saying why ("# imported here: ...")."""
    return [
        f"{i.where}: {i.text}"
        for i in all_imports(root)
        if i.function is not None
        and not (i.where.split(":")[0].endswith("apps.py") and i.function == "ready")
        and not i.in_migration
        and REASON_MARK not in i.text
    ]
