"""Every figure renders to a non-trivial image; plot_folder and plot_comparison write files."""

from __future__ import annotations

import shutil
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest
from make_fixtures import GRID, RUN, SOBOL

from analysis.figures import figure_specs, plot_comparison, plot_folder
from analysis.plots.fans import draw_fans, fan_from_trajectories
from analysis.plots.outcome_map import draw_outcome_map, outcome_map_data
from analysis.plots.position import draw_position
from analysis.plots.shares import draw_shares
from analysis.results import load_results
from analysis.style import figure_bytes, new_figure
from analysis.summary import summarise

EXPECTED = {
    "run_baseline": ["shares", "fans", "fans_by_outcome", "position"],
    "sweep_grid": ["shares", "outcome_map", "fans", "position"],  # fans per point, not pooled
    "sweep_sobol": ["outcome_map", "position", "sensitivity"],
}


@pytest.fixture(scope="module")
def plotted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    """Run plot_folder once per fixture (on copies) and share the written files."""
    root = tmp_path_factory.mktemp("plotted")
    written = {}
    for folder in (RUN, GRID, SOBOL):
        target = root / folder.name
        shutil.copytree(folder, target)
        written[folder.name] = plot_folder(target)
    return written


def assert_real_image(path: Path) -> None:
    """A PNG of more than 5 KB whose pixels are not all the same."""
    assert path.suffix == ".png" and path.stat().st_size > 5_000, path
    pixels = matplotlib.image.imread(path)
    assert pixels.ndim == 3 and pixels.shape[0] > 200 and pixels.shape[1] > 200
    assert float(pixels[..., :3].std()) > 0.02, f"{path} looks blank"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_plot_folder_writes_every_applicable_figure(
    plotted: dict[str, list[Path]], name: str
) -> None:
    paths = plotted[name]
    assert [p.stem for p in paths] == EXPECTED[name]
    for path in paths:
        assert path.parent.name == "figures"
        assert_real_image(path)


def test_plot_folder_writes_sensitivity_csv(plotted: dict[str, list[Path]]) -> None:
    folder = plotted["sweep_sobol"][0].parent.parent
    assert (folder / "sensitivity.csv").is_file()
    assert not (plotted["sweep_grid"][0].parent.parent / "sensitivity.csv").exists()


def test_figure_specs_match_plot_folder() -> None:
    assert [s.name for s in figure_specs(load_results(RUN))] == EXPECTED["run_baseline"]


def test_plot_comparison(tmp_path: Path) -> None:
    path = plot_comparison([RUN, GRID, SOBOL], tmp_path / "out")
    assert path == tmp_path / "out" / "comparison.png"
    assert_real_image(path)
    with pytest.raises(ValueError):
        plot_comparison([], tmp_path)


def test_drawing_functions_accept_an_existing_axes_or_figure(tmp_path: Path) -> None:
    results = load_results(GRID)
    fig = new_figure(figsize=(12, 4))
    ax1, ax2 = fig.subplots(1, 2)
    assert draw_position(results.runs, ax=ax1) is fig
    assert draw_shares(summarise(results.runs, []), fig=new_figure()) is not fig
    assert ax2.get_figure() is fig
    data = outcome_map_data(results.runs, results.parameters)
    target = new_figure()
    assert draw_outcome_map(data, fig=target) is target
    assert results.trajectories is not None
    fan_fig = draw_fans(fan_from_trajectories(results.trajectories), caption="x")
    path = tmp_path / "fan.png"
    path.write_bytes(figure_bytes(fan_fig))
    assert_real_image(path)


def test_other_formats(tmp_path: Path) -> None:
    fig = draw_position(load_results(RUN).runs)
    assert figure_bytes(fig, "svg").lstrip().startswith(b"<?xml")
    assert figure_bytes(fig, "pdf").startswith(b"%PDF")
    assert np.frombuffer(figure_bytes(fig), np.uint8)[:4].tobytes() == b"\x89PNG"


@pytest.mark.parametrize("folder", [RUN, GRID, SOBOL], ids=lambda f: f.name)
def test_every_title_names_the_batch_and_widths_fit_a_page(folder: Path) -> None:
    results = load_results(folder)
    for spec in figure_specs(results):
        fig = spec.draw()
        titles = [fig.get_suptitle()] + [ax.get_title() for ax in fig.axes]
        assert any(t.startswith(f"{results.name}: ") for t in titles), (spec.name, titles)
        assert fig.get_size_inches()[0] <= 7.2 + 1e-9, spec.name


def test_sweep_fans_show_points_not_pooled_runs() -> None:
    from analysis.plots.fans import exemplar_points, point_fans

    results = load_results(GRID)
    points = exemplar_points(results)
    assert 1 <= len(points) <= 4 and len(set(points)) == len(points)
    fan = point_fans(results, points)
    assert list(dict.fromkeys(fan["group"])) == [
        g for g in dict.fromkeys(fan["group"]) if g.startswith("point ")
    ]
    assert fan["group"].nunique() == len(points)


def test_events_are_marked_on_time_axes() -> None:
    from analysis.plots.fans import mark_events

    fig = new_figure()
    ax = fig.add_subplot()
    mark_events(ax, [(1, "missile test ×1"), (2, "missile test ×1"), (30, "tariff hike ×1")])
    assert len(ax.get_lines()) == 3
    labels = [t.get_text() for t in ax.texts]
    assert labels == ["missile test ×1 (+1 more)", "tariff hike ×1"]


def test_one_run_is_singular() -> None:
    from analysis.plots.layout import runs_text

    assert runs_text(1) == "1 run" and runs_text(2000) == "2,000 runs"
    assert runs_text(1, "results folder") == "1 results folder"
