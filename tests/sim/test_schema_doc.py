"""docs/scenarios.md stays in sync with the schema; hedgesim show, list anywhere, --version."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hedgesim.cli import main
from sim import __version__
from sim.schema_doc import differing_knobs, render_markdown, schema_fields

REPO = Path(__file__).resolve().parents[2]


def test_docs_scenarios_md_is_generated_from_the_schema() -> None:
    assert (REPO / "docs" / "scenarios.md").read_text(encoding="utf-8") == render_markdown(), (
        "docs/scenarios.md is stale: run python -m sim.schema_doc > docs/scenarios.md"
    )


def test_every_field_is_documented_with_range_default_and_meaning() -> None:
    fields = {f.path: f for f in schema_fields()}
    for path in ("name", "steps", "seed", "start", "events[].kind", "classification.tilt_margin"):
        assert path in fields
    assert any(p.startswith("structure.") for p in fields)
    for f in fields.values():
        assert f.meaning and f.range and f.default, f
    for path, f in fields.items():
        if path.startswith("structure."):
            assert f.source, path  # every model coefficient says where its default comes from
    assert fields["levels.us_pressure"].default == "required"
    assert fields["levels.us_pressure"].kind == "number or schedule"
    assert fields["structure.seoul.security_step"].range == "0.001 to 0.2"
    assert fields["government.rationality"].default == "from the preset"


def test_differing_knobs(load_scenario) -> None:
    giants = load_scenario("giants-press")
    changed = dict((p, v) for p, v, _ in differing_knobs(giants))
    assert changed["levels.us_pressure"] == 0.9 and changed["world.us_china_tension"] == 0.8
    assert "world.china_inducement" not in changed


def test_show_prints_every_knob_with_its_meaning(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "giants-press"]) == 0
    out = capsys.readouterr().out
    assert "* world.us_china_tension" in out and "Intensity of US-China rivalry." in out
    assert "  world.china_inducement" in out
    assert "* levels.us_pressure" in out and "model coefficients (structure.*)" in out
    assert main(["show", "giants-press", "--all"]) == 0
    every = capsys.readouterr().out
    assert every.count("structure.") > 100
    assert main(["show", "no-such"]) == 2


def test_list_works_from_any_directory_and_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert main(["list"]) == 0
        assert "giants-press" in capsys.readouterr().out
        (tmp_path / "mine").mkdir()
        (tmp_path / "mine" / "x.yaml").write_text(
            "name: x\nlevels: {us_pressure: 0, china_coercion: 0, nk_provocation: 0}\n"
        )
        assert main(["list", "--dir", "mine"]) == 0
        out = capsys.readouterr().out
        assert out.startswith("x ") and "giants-press" not in out
    finally:
        os.chdir(cwd)
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"hedgesim {__version__}"
