"""Size limits of the developers' guide (issue 20): no module in competition/ over 450 lines, no
function over 60. A module or function past them wants splitting by the question each part answers."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "competition"
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 60


def sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def long_modules(paths: list[Path], limit: int = MAX_MODULE_LINES) -> list[str]:
    return [f"{path}: {lines} lines" for path in paths
            if (lines := len(path.read_text(encoding="utf-8").splitlines())) > limit]


def long_functions(paths: list[Path], limit: int = MAX_FUNCTION_LINES) -> list[str]:
    found = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                start = node.decorator_list[0].lineno if node.decorator_list else node.lineno
                if node.end_lineno - start + 1 > limit:
                    found.append(f"{path}:{node.lineno} {node.name}: {node.end_lineno - start + 1} lines")
    return found


def test_no_module_over_450_lines():
    assert long_modules(sources()) == []


def test_no_function_over_60_lines():
    assert long_functions(sources()) == []


def test_the_limits_are_measured(tmp_path):
    module = tmp_path / "big.py"
    body = "\n".join(f"    x{n} = {n}" for n in range(60))
    module.write_text(f"def big():\n{body}\n\n\ndef small():\n    return 1\n", encoding="utf-8")
    assert long_functions([module]) == [f"{module}:1 big: 61 lines"]
    assert long_modules([module], limit=60) == [f"{module}: 65 lines"]
    assert long_modules([module]) == []
