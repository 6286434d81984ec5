"""Check the Python packages' layering and import-time rules on their source.

The packages form layers, lowest first: `ingest` (readers and downloads; no Dagster, no DuckDB),
`warehouse` (the only package that opens DuckDB), `orchestration` (Dagster) and `critmin` (the
command line and the report). The rules:

- layering: a module imports nothing from a higher layer (at module level or in a function);
- no import cycle: the modules' module-level imports (those that run when the module is imported;
  not `if TYPE_CHECKING:` ones, not imports inside functions) form no cycle;
- settings travel as arguments: nothing but the command-line entry point (`critmin/cli.py`) and
  the dbt server's forked child (`orchestration/dbt_server.py`, a process of its own becoming a
  dbt command with its launcher's environment) writes the process environment
  (`os.environ[...] = ...`, `del os.environ[...]`, `os.environ.update/setdefault/pop/clear`,
  `os.putenv`, `os.unsetenv`);
- nothing runs at import: a module's top level holds no bare call statement (`main()`, `run()`)
  outside `if __name__ == "__main__":`. (tests/unit/test_import_rules.py also imports every
  module in a fresh process and checks it started no process and changed no variable.)

Usage: `python scripts/check_imports.py`. Exits 1 and lists every violation when there is one.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LAYERS = {"ingest": 0, "warehouse": 1, "orchestration": 2, "critmin": 3}
# The command line, and the dbt server's forked child, which becomes a dbt command with the
# environment its launcher was given (as an exec into dbt would).
ENVIRONMENT_WRITERS = {"critmin/cli.py", "orchestration/dbt_server.py"}
ENVIRON_METHODS = {"update", "setdefault", "pop", "popitem", "clear", "__setitem__", "__delitem__"}


def modules(root: Path = REPO) -> dict[str, Path]:
    """Every module of the layered packages: dotted name -> file."""
    found: dict[str, Path] = {}
    for package in LAYERS:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _is_main_guard(test: ast.expr) -> bool:
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
    )


def _imported(node: ast.Import | ast.ImportFrom, module: str, known: dict[str, Path]) -> list[str]:
    """The first-party modules an import statement names (a name imported from a package is its
    submodule when there is one)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".")
            if known[module].name != "__init__.py":
                package = package[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join([*package, base] if base else package)
        names = [
            f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
            for alias in node.names
        ]
    targets = []
    for name in names:
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name and name.split(".")[0] in LAYERS:
            targets.append(name)
    return targets


def _module_level_imports(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Imports that run when the module is imported (try/if branches included, but not the
    `if TYPE_CHECKING:` branch)."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                yield from _module_level_imports(node.body)
            yield from _module_level_imports(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                yield from _module_level_imports(block)
            for handler in node.handlers:
                yield from _module_level_imports(handler.body)


def _environment_writes(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        elif isinstance(node, ast.Delete):
            targets = node.targets
        for target in targets:
            if isinstance(target, ast.Subscript) and ast.unparse(target.value) == "os.environ":
                yield node.lineno, ast.unparse(target)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = ast.unparse(node.func.value)
            if owner == "os.environ" and node.func.attr in ENVIRON_METHODS:
                yield node.lineno, f"os.environ.{node.func.attr}(...)"
            if owner == "os" and node.func.attr in ("putenv", "unsetenv"):
                yield node.lineno, f"os.{node.func.attr}(...)"


def _top_level_calls(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    for node in body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            yield node
        elif isinstance(node, ast.If) and not _is_main_guard(node.test):
            yield from _top_level_calls(node.body)
            yield from _top_level_calls(node.orelse)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def external_imports(root: Path = REPO) -> list[str]:
    """The modules of other projects the packages import at module level (the full dotted
    names), so that a test can import them first and watch only the packages' own import-time
    work."""
    names: set[str] = set()
    for path in modules(root).values():
        for node in _module_level_imports(ast.parse(path.read_text(encoding="utf-8")).body):
            if isinstance(node, ast.Import):
                found = [alias.name for alias in node.names]
            else:
                found = [node.module] if node.module and not node.level else []
            names.update(n for n in found if n.split(".")[0] not in LAYERS)
    return sorted(names)


def violations(root: Path = REPO) -> list[str]:
    """Every rule broken by the packages under `root`, one line each."""
    known = modules(root)
    graph: dict[str, set[str]] = {}
    found: list[str] = []
    for module, path in known.items():
        relative = path.relative_to(root).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=relative)
        layer = LAYERS[module.split(".")[0]]
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for target in _imported(node, module, known):
                    if LAYERS[target.split(".")[0]] > layer:
                        found.append(
                            f"{relative}:{node.lineno}: {module} imports {target}, a higher layer"
                        )
        graph[module] = {
            target
            for node in _module_level_imports(tree.body)
            for target in _imported(node, module, known)
            if target != module
        }
        if relative not in ENVIRONMENT_WRITERS:
            for line, what in _environment_writes(tree):
                found.append(
                    f"{relative}:{line}: writes the process environment ({what}); pass the "
                    "value as an argument (only the entry points may)"
                )
        for node in _top_level_calls(tree.body):
            found.append(
                f"{relative}:{node.lineno}: runs {ast.unparse(node)} at import; call it from a "
                "function"
            )
    for cycle in _cycles(graph):
        found.append(f"import cycle: {' <-> '.join(cycle)}")
    return found


def main() -> int:
    found = violations()
    for line in found:
        print(line)
    print(f"{len(modules())} modules checked: {len(found)} violation(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
