"""The folder layout is the architecture: the core never imports the web, routes do no maths."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = [
    *sorted((ROOT / "app" / "graph").rglob("*.py")),
    *sorted((ROOT / "app" / "train").rglob("*.py")),
]
ROUTES = sorted((ROOT / "app" / "api" / "routes").glob("*.py"))


def imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0] if node.level == 0 else node.module)
    return names


@pytest.mark.parametrize("path", CORE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_core_never_imports_the_web(path: Path) -> None:
    assert not imported(path) & {"fastapi", "starlette", "uvicorn", "jinja2"}


@pytest.mark.parametrize("path", CORE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_core_writes_no_wire_format(path: Path) -> None:
    # Numbers and tensors out; JSON, strict-JSON strings and SSE lines are the edge's (app/api).
    modules = {
        node.module
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert "json" not in imported(path)
    assert not [m for m in modules if m.startswith("app.api")]


@pytest.mark.parametrize("path", ROUTES, ids=lambda p: p.name)
def test_routes_do_no_tensor_maths(path: Path) -> None:
    assert "torch" not in imported(path)


@pytest.mark.parametrize("path", sorted((ROOT / "app").rglob("*.py")), ids=lambda p: p.name)
def test_no_code_evaluates_text(path: Path) -> None:
    calls = {
        node.func.id
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert not calls & {"eval", "exec", "compile", "__import__"}
