"""The package's shape (issue 20): no import circle, every service module imports alone."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "competition"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The competition modules `name` imports, at module level or inside a function alike."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        found.update(target for target in targets if target in known and target != name)
    return found


def import_graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(name, path, set(known)) for name, path in known.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_the_cycle_finder_finds_a_circle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_no_import_circle_in_the_package():
    cycle = find_cycle(import_graph())
    assert cycle is None, " -> ".join(cycle or [])


ALONE = """
import importlib, sys, traceback
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "competition" or m.startswith("competition.")]:
        del sys.modules[loaded]  # the package's own modules afresh; third-party ones stay loaded
    try:
        importlib.import_module(name)
    except Exception:
        failed.append(name + ": " + traceback.format_exc(limit=3))
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


def test_every_service_module_imports_alone():
    """`python -c "import competition.services.X"` works for every X: each module imported first, with
    none of the package's modules loaded before it."""
    services = sorted(name for name in modules() if name.startswith("competition.services."))
    assert "competition.services.access" in services
    done = subprocess.run([sys.executable, "-c", ALONE, *services], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_a_module_that_needs_another_first_is_caught(tmp_path):
    (tmp_path / "first.py").write_text("import second\nVALUE = 1\n")
    (tmp_path / "second.py").write_text("from first import VALUE\n")
    done = subprocess.run([sys.executable, "-c", ALONE, "first"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 1 and "first: " in done.stdout and "ImportError" in done.stdout


def test_the_layers_point_down():
    """docs/architecture.md: the domain imports nothing of the package but itself; models no service;
    services neither api, web nor live; api and web not each other."""
    forbidden = {
        "competition.domain": ("competition.models", "competition.services", "competition.api", "competition.web",
                               "competition.live", "competition.extensions"),
        "competition.models": ("competition.services", "competition.api", "competition.web", "competition.live"),
        "competition.services": ("competition.api", "competition.web", "competition.live"),
        "competition.api": ("competition.web",),
        "competition.web": ("competition.api",),
    }
    wrong = [f"{source} imports {target}"
             for source, targets in import_graph().items()
             for layer, banned in forbidden.items() if source.startswith(layer + ".") or source == layer
             for target in targets if target.startswith(banned)]
    assert wrong == []
