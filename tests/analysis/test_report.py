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
