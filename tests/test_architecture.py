"""The house rules: thin pages, reads only in queries.py, an entry script that only routes."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SQL_LIBRARIES = {"sqlalchemy", "sqlmodel", "psycopg", "sqlite3", "alembic"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_pages_import_no_sql_library():
    for page in [*sorted((ROOT / "pages").glob("*.py")), ROOT / "dashboard.py"]:
        assert not _imports(page) & SQL_LIBRARIES, page.name


def test_only_queries_reads_the_database():
    pattern = re.compile(r"\bselect\(|\bSELECT\b|read_sql|\.execute\(text\(")
    offenders = [
        p.relative_to(ROOT)
        for p in (ROOT / "lib").rglob("*.py")
        if p.name != "queries.py" and "migrations" not in p.parts and pattern.search(p.read_text())
    ]
    assert offenders == []


def test_lib_maths_and_formatting_modules_do_not_use_streamlit():
    for name in ("kpis.py", "formatting.py", "illustrative.py", "models.py", "db.py", "config.py", "seed.py"):
        assert "streamlit" not in _imports(ROOT / "lib" / name), name


def test_entry_script_only_configures_and_routes():
    calls = [
        node.func.attr
        for node in ast.walk(ast.parse((ROOT / "dashboard.py").read_text()))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    ]
    assert set(calls) <= {"set_page_config", "navigation", "Page", "run"}


def test_every_lib_function_has_a_docstring_and_types():
    for path in (ROOT / "lib").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("__"):
                assert ast.get_docstring(node), f"{path.name}:{node.name} has no docstring"
                assert node.returns is not None, f"{path.name}:{node.name} has no return type"
