"""The house rules, as path rules: which layer may import what, where Streamlit and SQL may appear, thin pages.

The layers (README, "Module map"): lib/core (plain vocabulary, settings, dates, wording) <- lib/area (what the
partnership is) <- lib/store (tables,
engine, reads) <- lib/analysis (KPI maths, SPC, disclosure, ward measures) and lib/geo <- lib/figures (plotly and
pydeck builders) <- lib/ui (Streamlit pieces) <- pages/. lib/ingest writes through lib/store; lib/cli.py is thin
over all of them.
"""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SQL_LIBRARIES = {"sqlalchemy", "sqlmodel", "psycopg", "sqlite3", "alembic"}
MATHS_LIBRARIES = {"pandas", "numpy", "scipy"}

# Which lib packages each package may import (itself always allowed).
LAYERS = {
    "core": set(),
    "area": {"core"},  # what a partnership is: every layer above core reads it
    "store": {"core", "area"},
    "geo": {"core", "area"},
    "analysis": {"core", "area", "store"},
    "figures": {"core", "area", "store", "analysis", "geo"},  # store: only its cache (built figures are kept)
    "ingest": {"core", "area", "store", "geo"},
    "ui": {"core", "area", "store", "analysis", "geo", "figures", "ingest", "pack"},
    "ops": {"core", "area"},
    "pack": {"core", "area", "store", "analysis", "geo", "figures"},
    "cli": {"core", "area", "store", "analysis", "geo", "ingest", "ops", "pack"},
    "pages": {"core", "area", "store", "analysis", "figures", "ui"},
}
STREAMLIT_PLACES = ("lib/ui/", "pages/", "dashboard.py")
SQL_PLACES = ("lib/store/", "lib/ingest/")
READ_PLACES = ("lib/store/queries.py", "lib/store/meeting_queries.py", "lib/store/reads.py")


def _python_files() -> list[Path]:
    """Every project module outside the migrations (which are Alembic's own layer)."""
    files = [*sorted((ROOT / "lib").rglob("*.py")), *sorted((ROOT / "pages").glob("*.py")), ROOT / "dashboard.py"]
    return [p for p in files if "migrations" not in p.parts]


def _imports(path: Path) -> set[str]:
    """Full dotted names of everything a module imports (`from lib.store import db` gives lib.store.db)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def _roots(path: Path) -> set[str]:
    """Top-level packages a module imports."""
    return {name.split(".")[0] for name in _imports(path)}


def _layer(path: Path) -> str:
    """The layer a file belongs to: a lib package, cli, or pages (dashboard.py counts as a page)."""
    relative = path.relative_to(ROOT)
    if relative.parts[0] == "lib":
        return relative.parts[1] if len(relative.parts) > 2 else relative.stem
    return "pages"


def _relative(path: Path) -> str:
    """The path as written in the rules above."""
    return path.relative_to(ROOT).as_posix()


def test_every_lib_module_sits_in_a_layer():
    loose = [_relative(p) for p in (ROOT / "lib").glob("*.py") if p.stem not in ("__init__", "cli")]
    assert loose == [], "lib/ keeps only cli.py at the top; put modules in a layer package"


def test_each_layer_imports_only_the_layers_below_it():
    offenders = []
    for path in _python_files():
        layer = _layer(path)
        allowed = LAYERS.get(layer, set()) | {layer}
        used = {name.split(".")[1] for name in _imports(path) if name.startswith("lib.") and name.count(".") >= 1}
        if wrong := sorted(used - allowed - {"__init__"}):
            offenders.append(f"{_relative(path)} ({layer}) imports lib.{', lib.'.join(wrong)}")
    assert offenders == []


def test_streamlit_only_in_the_ui_layer_and_pages():
    offenders = [
        _relative(p)
        for p in _python_files()
        if "streamlit" in _roots(p) and not _relative(p).startswith(STREAMLIT_PLACES)
    ]
    assert offenders == []


def test_sql_libraries_only_in_store_and_ingest():
    offenders = [
        _relative(p) for p in _python_files() if _roots(p) & SQL_LIBRARIES and not _relative(p).startswith(SQL_PLACES)
    ]
    assert offenders == []


def test_only_the_store_reads_the_database():
    pattern = re.compile(r"\bselect\(|\bSELECT\b|read_sql|\.execute\(text\(")
    offenders = [
        _relative(p)
        for p in _python_files()
        if _relative(p) not in READ_PLACES and _relative(p) != "lib/store/db.py" and pattern.search(p.read_text())
    ]
    assert offenders == []


def test_pages_import_no_sql_no_importer_and_do_no_maths():
    for page in [p for p in _python_files() if _layer(p) == "pages"]:
        assert not _roots(page) & (SQL_LIBRARIES | MATHS_LIBRARIES), _relative(page)
        store = {n for n in _imports(page) if n.startswith("lib.store.")}
        assert store <= {"lib.store.queries"}, f"{_relative(page)} reads only through lib.store.queries"


def test_every_table_on_screen_goes_through_one_helper():
    """Readable headers, dates as people write them and the key columns pinned (lib/ui/tables.py), on every table."""
    offenders = [
        _relative(p)
        for p in _python_files()
        if _relative(p) != "lib/ui/tables.py" and re.search(r"\bst\.(dataframe|table|data_editor)\(", p.read_text())
    ]
    assert offenders == []


def test_the_command_line_and_importers_load_no_streamlit():
    code = (
        "import sys, lib.cli, lib.ingest.policeuk, lib.ingest.kpi_returns, lib.ingest.seed; "
        "print('streamlit' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.stdout.strip() == "False"


def test_entry_script_only_configures_and_routes():
    calls = [
        node.func.attr
        for node in ast.walk(ast.parse((ROOT / "dashboard.py").read_text()))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    ]
    assert set(calls) <= {"set_page_config", "navigation", "Page", "run", "sidebar"}


def test_every_lib_function_has_a_docstring_and_types():
    for path in (ROOT / "lib").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("__"):
                assert ast.get_docstring(node), f"{path.name}:{node.name} has no docstring"
                assert node.returns is not None, f"{path.name}:{node.name} has no return type"
