"""The self-contained HTML report."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from make_fixtures import GRID, RUN, SOBOL

from analysis.figures import figure_specs, sensitivity_or_none
from analysis.report import write_report
from analysis.results import load_results


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    import shutil

    root = tmp_path_factory.mktemp("reports")
    out = {}
    for folder in (RUN, GRID, SOBOL):
        target = root / folder.name
        shutil.copytree(folder, target)
        path = write_report(target)
        assert path == target / "report.html"
        out[folder.name] = path.read_text(encoding="utf-8")
    return out


@pytest.mark.parametrize("folder", [RUN, GRID, SOBOL])
def test_report_embeds_every_figure(reports: dict[str, str], folder: Path) -> None:
    text = reports[folder.name]
    results = load_results(folder)
    n_figures = len(figure_specs(results, sensitivity_or_none(results)))
    if results.n_points >= 4:
        n_figures += 2  # scenario discovery: PRIM trade-off and CART scores
    assert text.count("<img") == n_figures
    assert text.count('src="data:image/png;base64,') == n_figures
    assert 'src="http' not in text and "<link" not in text  # self-contained


def test_report_has_provenance_and_outcome_table(reports: dict[str, str]) -> None:
    text = reports["sweep_grid"]
    assert "<h2>Provenance</h2>" in text and "<h2>Outcomes</h2>" in text
    for fragment in (
        "pressure-grid",
        "0123456789abcdef0123456789abcdef01234567",
        "240 of 240 planned",
        "Workers / backend",
        "2 / local",
        "Batch seed",
        "3.2 s",
        "US pressure",
        "Caught between giants",
    ):
        assert fragment in text, fragment
    assert len(re.findall(r"<tr><td class=num>\d+</td>", text)) == 15
    assert "class=warning" in text and "Precision:" in text


def test_report_sensitivity_table_only_for_sensitivity_designs(reports: dict[str, str]) -> None:
    assert "<h2>Sensitivity</h2>" in reports["sweep_sobol"]
    assert "S1 (first order)" in reports["sweep_sobol"]
    assert "P(Hedging)" in reports["sweep_sobol"]
    assert "<h2>Sensitivity</h2>" not in reports["sweep_grid"]


def test_report_single_run(reports: dict[str, str]) -> None:
    text = reports["run_baseline"]
    assert "hedgesim run &#34;baseline&#34;" in text
    assert "75.0%" in text
    assert "Sweep" not in re.sub(r"<img[^>]*>", "", text).split("<h2>Outcomes</h2>")[0]


def test_report_escapes_text(copy_folder: Callable[[Path], Path]) -> None:
    folder = copy_folder(RUN)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["name"] = "<script>alert(1)</script>"
    manifest["finished"] = None
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    text = write_report(folder).read_text(encoding="utf-8")
    assert "<script>" not in text
    assert "&lt;script&gt;" in text
    assert "incomplete" in text


def sections(text: str) -> list[str]:
    return re.findall(r"<h2>(.*?)</h2>", text)


def test_report_opens_with_the_scenario_and_ends_with_provenance(reports: dict[str, str]) -> None:
    for name, text in reports.items():
        found = sections(text)
        assert found[:2] == ["What was simulated", "Outcomes"], (name, found)
        assert found[-1] == "Provenance", (name, found)
        assert found.index("Figures") < found.index("Provenance")
    sobol = sections(reports["sweep_sobol"])
    assert sobol.index("Sensitivity") < sobol.index("Figures") < sobol.index("Outcomes per point")


def test_report_says_what_was_simulated(copy_folder: Callable[[Path], Path]) -> None:
    folder = copy_folder(RUN)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["scenario"]["description"] = "A test of the report."
    manifest["scenario"]["events"] = [{"step": 6, "kind": "tariff_hike", "magnitude": 0.5}]
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    knobs = [("world.us_china_tension", 0.8, 0.5, "Intensity of US-China rivalry.")]
    text = write_report(folder, knobs=knobs).read_text(encoding="utf-8")
    opening = text.split("<h2>Outcomes</h2>")[0]
    assert "A test of the report." in opening
    assert "world.us_china_tension" in opening and "Intensity of US-China rivalry." in opening
    assert "<svg" in opening and "tariff hike ×0.5 (m6)" in opening
    assert "Levels:" in opening


def test_report_threshold_robustness_and_discovery(reports: dict[str, str]) -> None:
    grid = reports["sweep_grid"]
    assert "How much the shares depend on the class thresholds" in grid
    for threshold in ("tilt margin", "security floor", "economic floor"):
        assert grid.count(f"<td>{threshold}</td>") == 2, threshold
    discovery = grid.split("<h2>Scenario discovery</h2>")[1].split("<h2>")[0]
    assert discovery.count("<li>") == 4 and "coverage" in discovery and "density" in discovery
    assert "Scenario discovery" not in reports["run_baseline"]


def test_noisy_sensitivity_is_flagged() -> None:
    import pandas as pd

    from analysis.report_sections import sensitivity_noise

    calm = pd.DataFrame({"ST": [0.5], "ST_conf": [0.03]})
    noisy = pd.DataFrame({"ST": [0.5, 0.1], "ST_conf": [0.03, 0.25]})
    assert sensitivity_noise(calm) == ""
    assert "±0.25" in sensitivity_noise(noisy) and "replications" in sensitivity_noise(noisy)
    assert sensitivity_noise(None) == ""
