"""The package stays readable: short functions, short modules (the course's reference code)."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "gan_course"
MAX_FUNCTION_LINES = 40
MAX_MODULE_LINES = 300


def _functions(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def test_no_function_is_longer_than_40_lines():
    long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in _functions(ast.parse(path.read_text())):
            lines = node.end_lineno - node.lineno + 1
            if lines > MAX_FUNCTION_LINES:
                long.append(f"{path.name}:{node.lineno} {node.name} has {lines} lines")
    assert not long, "\n".join(long)


def test_no_module_is_longer_than_300_lines():
    long = [f"{p.name} has {n} lines" for p in sorted(PACKAGE.rglob("*.py"))
            if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES]
    assert not long, "\n".join(long)
