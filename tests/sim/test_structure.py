"""Every coefficient is a named, documented, sourced, sweepable field; none hides in the model code."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from sim.model import GeoModel
from sim.scenario import LANE_FIELDS, Levels, Scenario
from sim.structure import Structure, structure_fields

ROOT = Path(__file__).resolve().parents[2]
MODEL_MODULES = (
    "sim/seoul.py",
    "sim/agents.py",
    "sim/model.py",
    "sim/events.py",
    "sim/observe.py",
    "sim/kernel/powers.py",
    "sim/kernel/choice.py",
    "sim/kernel/observe.py",
    "sim/kernel/lanes.py",
    "sim/kernel/tiles.py",
    "sim/kernel/layout.py",
)
"""Modules with model equations (the kernels) or their state; ``sim/kernel/cache.py`` holds only
compilation settings."""
ALLOWED = {0, 1, 2}
"""Numbers the model modules may write: 0, 1, 2 (bounds, complements, squares)."""


def _numbers(path: Path) -> list[tuple[int, object]]:
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
        and id(node) not in docstrings
    ]


@pytest.mark.parametrize("module", MODEL_MODULES)
def test_no_unnamed_coefficient_in_the_model_code(module: str) -> None:
    """The model modules contain no numeric literal other than 0, 1 and 2."""
    found = [(line, v) for line, v in _numbers(ROOT / module) if v not in ALLOWED]
    assert not found, f"{module}: numeric literals {found} should be fields of sim/structure/"


def test_the_scan_finds_a_literal(tmp_path: Path) -> None:
    """The scan is not vacuous: it sees a coefficient when one is written."""
    assert {v for _, v in _numbers(ROOT / "sim" / "agents.py")} <= ALLOWED
    fake = tmp_path / "probe.py"
    fake.write_text("def f(x):\n    return 0.85 * x\n")
    assert (2, 0.85) in _numbers(fake)


def test_every_field_has_a_description_a_source_and_bounds() -> None:
    """Each coefficient says what it does and where its default comes from, and is bounded."""

    def walk(model: type, prefix: str) -> None:
        for name, info in model.model_fields.items():
            ann = info.annotation
            if isinstance(ann, type) and hasattr(ann, "model_fields"):
                walk(ann, f"{prefix}.{name}")
                continue
            extra = info.json_schema_extra or {}
            assert info.description, f"{prefix}.{name}: no description"
            assert isinstance(extra, dict) and extra.get("source"), f"{prefix}.{name}: no source"
            bounds = {type(m).__name__ for m in info.metadata}
            assert {"Ge", "Le"} <= bounds, f"{prefix}.{name}: not bounded"

    walk(Structure, "structure")


def test_every_field_is_sweepable_per_lane() -> None:
    """Every coefficient is a lane field: a per-lane value reaches the model's knobs."""
    paths = structure_fields()
    assert len(paths) > 100 and set(paths) <= set(LANE_FIELDS)
    scenario = Scenario(
        name="s", levels=Levels(us_pressure=0.3, china_coercion=0.3, nk_provocation=0.3)
    )
    path = "structure.usa.tariff_shortfall"
    model = GeoModel(scenario, seeds=[1, 2], **{path: np.array([0.5, 1.5])})
    assert model.knobs.structure.usa.tariff_shortfall.tolist() == [0.5, 1.5]


def test_docs_list_every_field() -> None:
    """docs/model.md names every coefficient by its dotted path (in backticks, so that a field whose
    name is a prefix of another's is not found inside it)."""
    text = (ROOT / "docs" / "model.md").read_text()
    missing = [p for p in structure_fields() if f"`{p}`" not in text]
    assert not missing, f"docs/model.md does not list: {missing}"


def test_the_manifest_records_every_field() -> None:
    """The resolved scenario (what the manifest records) carries every coefficient."""
    scenario = Scenario(
        name="s", levels=Levels(us_pressure=0.3, china_coercion=0.3, nk_provocation=0.3)
    )
    flat = scenario.numeric_fields()
    assert set(structure_fields()) <= set(flat)
