"""The layers go one way (docs/architecture.md): contract <- sim, contract <- analysis, CLI joins.

Checked two ways: statically (every import statement of every module) and by importing each
analysis module in a fresh interpreter and looking at what it loaded.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SIM, ANALYSIS, CONTRACT = ROOT / "sim", ROOT / "analysis", ROOT / "sim" / "contract"
CONTRACT_DEPENDENCIES = {"numpy", "pyarrow", "pydantic", "sim"}
"""Top-level packages the contract may import (``sim`` only for ``sim.contract`` itself)."""
STDLIB = set(sys.stdlib_module_names) | {"__future__"}


def imports(path: Path) -> list[str]:
    """Absolute module names imported by a source file (function-level imports too)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.append(node.module or "")
    return names


def modules(package: Path) -> list[str]:
    return [
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for path in sorted(package.rglob("*.py"))
        if path.name != "__main__.py"
    ]


@pytest.mark.parametrize("path", sorted(SIM.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_sim_module_imports_analysis(path: Path) -> None:
    assert not [n for n in imports(path) if n.split(".")[0] in {"analysis", "hedgesim"}]


@pytest.mark.parametrize("path", sorted(ANALYSIS.rglob("*.py")), ids=lambda p: p.name)
def test_analysis_imports_only_the_contract_from_sim(path: Path) -> None:
    from_sim = [n for n in imports(path) if n.split(".")[0] in {"sim", "hedgesim"}]
    assert all(n.startswith("sim.contract.") for n in from_sim), from_sim


@pytest.mark.parametrize("path", sorted(CONTRACT.rglob("*.py")), ids=lambda p: p.name)
def test_the_contract_imports_only_numpy_pyarrow_and_pydantic(path: Path) -> None:
    third_party = {n.split(".")[0] for n in imports(path)} - STDLIB
    assert third_party <= CONTRACT_DEPENDENCIES, third_party
    assert all(n.startswith("sim.contract") for n in imports(path) if n.split(".")[0] == "sim")


def loaded_after_import(module: str) -> set[str]:
    """Top-level modules in ``sys.modules`` after importing ``module`` in a fresh interpreter."""
    code = (
        f"import json, sys; import {module}; "
        "print(json.dumps(sorted({m for m in sys.modules if m.startswith(('mesa', 'sim', 'analysis'))})))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(json.loads(proc.stdout))


def test_importing_analysis_loads_neither_mesa_nor_the_model() -> None:
    """Every analysis module at once (one interpreter, so this stays fast)."""
    names = modules(ANALYSIS)
    loaded = loaded_after_import(", ".join(names))
    assert {n for n in names} <= loaded  # the import really happened
    assert not {m for m in loaded if m == "mesa" or m.startswith("mesa.")}
    from_sim = {m for m in loaded if m.startswith("sim")}
    assert from_sim <= {"sim", "sim.contract"} | {
        m for m in from_sim if m.startswith("sim.contract.")
    }
    assert "sim.model" not in loaded


def test_the_storage_layer_does_not_load_mesa() -> None:
    loaded = loaded_after_import("sim.storage, sim.manifest, sim.bands, sim.plan")
    assert "mesa" not in loaded and "sim.model" not in loaded


def test_production_code_carries_no_fault_hooks() -> None:
    """Fault injection lives in tests/faults.py only."""
    for path in [*SIM.rglob("*.py"), *(ROOT / "hedgesim").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        assert "HEDGESIM_TEST" not in text and "test_fail" not in text, path


def test_the_terminal_table_does_not_load_matplotlib() -> None:
    code = "import sys, analysis.table; print('matplotlib' in sys.modules)"
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert proc.stdout.strip() == "False"
