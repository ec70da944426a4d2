"""The layering of the apps is stated in .importlinter and holds; nothing dodges it."""

import ast
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
FIRST_PARTY = {
    "hunan_safety",
    "accounts",
    "rules",
    "inspections",
    "hazards",
    "ledger",
    "notifications",
    "documents",
    "demo",
}


def test_the_import_contract_holds():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports)], cwd=BASE_DIR, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def _function_level_imports(path: Path):
    """(line, module) of every first-party import inside a function body, except AppConfig.ready()."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []

    def visit(node, in_function: bool, function_name: str = ""):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, True, child.name)
                continue
            if in_function and isinstance(child, ast.Import | ast.ImportFrom):
                modules = (
                    [alias.name for alias in child.names] if isinstance(child, ast.Import) else [child.module or ""]
                )
                for module in modules:
                    if module.split(".")[0] in FIRST_PARTY and not (
                        path.name == "apps.py" and function_name == "ready"
                    ):
                        found.append((child.lineno, module))
            visit(child, in_function, function_name)

    visit(tree, False)
    return found


def test_no_app_imports_hide_inside_functions():
    """An import inside a function is how a circle is dodged: the layering makes them unnecessary.

    AppConfig.ready() is the one exception (Django's rule: code that touches models is imported once
    the app registry is ready, e.g. to connect signals).
    """
    offenders = []
    for package in sorted(FIRST_PARTY):
        for path in sorted((BASE_DIR / package).rglob("*.py")) if (BASE_DIR / package).is_dir() else []:
            if "migrations" in path.parts:
                continue
            offenders += [
                f"{path.relative_to(BASE_DIR)}:{line} imports {module}"
                for line, module in _function_level_imports(path)
            ]
    assert offenders == []
