"""The layers hold: Textual and Rich only in the UI, imports only downward."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]
CORE = ("sources", "parsing", "store", "ingest", "summary.py", "export.py", "safetext.py",
        "pacing.py", "demo.py")


def test_import_linter_contracts_are_kept():
    # Layers in order, and no Textual or Rich below the UI (pyproject.toml).
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True,
                        no_logo=True) == 0


def imported_names(path: Path) -> set[str]:
    """Every module a file imports, at any depth (inside functions too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def core_files() -> list[Path]:
    package = ROOT / "vivtui"
    files = []
    for name in CORE:
        found = package / name
        files += sorted(found.rglob("*.py")) if found.is_dir() else [found]
    return files


def test_core_modules_and_all_they_import_load_no_ui_library():
    modules = {"vivtui." + ".".join(p.relative_to(ROOT / "vivtui").with_suffix("").parts)
               for p in core_files()}
    modules = {m.removesuffix(".__init__") for m in modules}
    imported = set().union(*(imported_names(p) for p in core_files()))
    code = (
        "import importlib, sys\n"
        f"for name in sorted({sorted(modules | imported)!r}):\n"
        "    importlib.import_module(name)\n"
        "print(','.join(sorted(n for n in sys.modules if n.split('.')[0] in "
        "('textual', 'rich'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_a_lazy_ui_import_would_be_caught(tmp_path):
    module = tmp_path / "lazy.py"
    module.write_text("def f():\n    import textual.app\n")
    assert "textual.app" in imported_names(module)
