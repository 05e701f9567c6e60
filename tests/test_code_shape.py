"""The size limits of issue 14, checked: no UI file over 600 lines, no function over 80.

Long files and functions are where several jobs hide; these limits keep each widget and each
step small enough to read in one sitting. Counted with ``ast`` (a function's first to last
line, docstring included), so the check needs nothing but the standard library.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("fer_desktop", "trainer", "benchmarks", "packaging", "tests")
MAX_UI_FILE_LINES = 600
MAX_FUNCTION_LINES = 80


def long_functions(source: str, limit: int) -> list[tuple[str, int]]:
    """``(name, lines)`` of every function or method in ``source`` longer than ``limit``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            lines = node.end_lineno - start + 1
            if lines > limit:
                found.append((node.name, lines))
    return found


def test_the_check_finds_a_long_function():
    body = "\n".join(f"    x{i} = {i}" for i in range(81))
    assert long_functions(f"def f():\n{body}\n", 80) == [("f", 82)]
    assert long_functions("def g():\n    return 1\n", 80) == []


def test_no_ui_file_is_over_600_lines():
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines())
             for p in (ROOT / "fer_desktop" / "ui").glob("*.py")}
    assert {name: n for name, n in sizes.items() if n > MAX_UI_FILE_LINES} == {}


@pytest.mark.parametrize("package", PACKAGES)
def test_no_function_is_over_80_lines(package):
    too_long = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        for name, lines in long_functions(path.read_text(encoding="utf-8"), MAX_FUNCTION_LINES):
            too_long[f"{path.relative_to(ROOT)}:{name}"] = lines
    assert too_long == {}
