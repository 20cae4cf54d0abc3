"""Sweep files: samplers (grid, LHS, SALib Sobol and Morris) and file:line errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest
from SALib.sample import morris, sobol

from sim.loader import InputError
from sim.sweep import load_sweep, looks_like_sweep

REPO = Path(__file__).resolve().parents[2]
BASE = """\
name: base
steps: 12
replications: 10
seed: 3
levels:
  us_pressure: 0.5
  china_coercion: 0.4
  nk_provocation: 0.3
classification:
  final_window: 6
"""


def _write(tmp_path: Path, body: str, base: str = BASE) -> Path:
    (tmp_path / "base.yaml").write_text(base)
    path = tmp_path / "sweeps" / "s.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(textwrap.dedent(body))
    return path


def _error(tmp_path: Path, body: str) -> InputError:
    path = _write(tmp_path, body)
    with pytest.raises(InputError) as info:
        load_sweep(path)
    assert "\n" not in str(info.value)
    return info.value


def test_grid_is_the_full_product_last_parameter_fastest(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """\
        name: g
        base: ../base.yaml
        replications: 4
        seed: 9
        parameters:
          levels.us_pressure: {values: [0.0, 0.5, 1.0]}
          levels.china_coercion: {low: 0.0, high: 1.0, steps: 5}
        """,
    )
    resolved = load_sweep(path)
    points = resolved.points
    assert list(points.columns) == ["point_id", "levels.us_pressure", "levels.china_coercion"]
    assert len(points) == 15 and points["point_id"].tolist() == list(range(15))
    assert points["levels.us_pressure"].tolist() == [0.0] * 5 + [0.5] * 5 + [1.0] * 5
    assert points["levels.china_coercion"].tolist()[:5] == [0.0, 0.25, 0.5, 0.75, 1.0]
    plan = resolved.plan()
    assert plan.n_runs == 60 and plan.batch_seed == 9 and plan.replications == 4
    assert plan.scenario.name == "base" and plan.sampler["kind"] == "grid"
    assert plan.sweep is not None and plan.sweep["base"] == "../base.yaml"


def test_defaults_come_from_the_base_scenario(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """\
        name: d
        base: ../base.yaml
        parameters:
          levels.us_pressure: {values: [0.2]}
        """,
    )
    plan = load_sweep(path).plan()
    assert plan.replications == 10 and plan.batch_seed == 3 and plan.trajectory_sample == 20
    assert plan.block_size is None


def test_lhs_is_seeded_and_in_bounds(tmp_path: Path) -> None:
    body = """\
        name: l
        base: ../base.yaml
        seed: {seed}
        sampler: lhs
        samples: 50
        parameters:
          levels.us_pressure: {{low: 0.2, high: 0.6}}
          world.china_inducement: {{low: 0.0, high: 1.0}}
        """
    a = load_sweep(_write(tmp_path, body.format(seed=1))).points
    b = load_sweep(_write(tmp_path, body.format(seed=1))).points
    c = load_sweep(_write(tmp_path, body.format(seed=2))).points
    assert a.equals(b) and not a.equals(c)
    assert len(a) == 50
    x = a["levels.us_pressure"].to_numpy()
    assert x.min() >= 0.2 and x.max() <= 0.6
    # Latin hypercube: one sample in each of the 50 strata of each dimension
    strata = np.floor((x - 0.2) / 0.4 * 50).astype(int)
    assert sorted(strata.tolist()) == list(range(50))


@pytest.mark.parametrize("second", [False, True])
def test_sobol_matches_salib_row_order(tmp_path: Path, second: bool) -> None:
    extra = "calc_second_order: true\n" if second else ""
    path = _write(
        tmp_path,
        f"""\
name: s
base: ../base.yaml
seed: 5
sampler: sobol
samples: 16
{extra}parameters:
  levels.us_pressure: {{low: 0.0, high: 1.0}}
  levels.china_coercion: {{low: 0.1, high: 0.9}}
  world.us_china_tension: {{low: 0.0, high: 0.5}}
""",
    )
    resolved = load_sweep(path)
    d = 3
    assert len(resolved.points) == 16 * ((2 * d + 2) if second else (d + 2))
    problem = resolved.sampler["problem"]
    assert problem == {
        "num_vars": 3,
        "names": ["levels.us_pressure", "levels.china_coercion", "world.us_china_tension"],
        "bounds": [[0.0, 1.0], [0.1, 0.9], [0.0, 0.5]],
    }
    expected = sobol.sample(problem, 16, calc_second_order=second, seed=5)
    assert np.array_equal(resolved.points.iloc[:, 1:].to_numpy(), expected)
    assert resolved.sampler["calc_second_order"] is second


def test_morris_matches_salib_row_order(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """\
        name: m
        base: ../base.yaml
        seed: 7
        sampler: morris
        samples: 6
        morris_levels: 6
        parameters:
          levels.us_pressure: {low: 0.0, high: 1.0}
          government.security_weight: {low: 0.1, high: 0.8}
        """,
    )
    resolved = load_sweep(path)
    assert len(resolved.points) == 6 * 3
    expected = morris.sample(resolved.sampler["problem"], 6, num_levels=6, seed=7)
    assert np.array_equal(resolved.points.iloc[:, 1:].to_numpy(), expected)
    assert resolved.sampler["morris_levels"] == 6


@pytest.mark.parametrize(
    ("body", "line", "field", "words"),
    [
        ("levels.us_presure: {values: [0.1]}", 4, "parameters.levels.us_presure", "did you mean"),
        ("steps: {values: [10, 20]}", 4, "parameters.steps", "cannot vary"),
        ("classification.final_window: {values: [3]}", 4, "parameters.classification", "cannot"),
        (
            "levels.us_pressure: {values: [0.1, 1.5]}",
            4,
            "parameters.levels.us_pressure.values.1",
            "1.5 is not allowed",
        ),
        (
            "levels.us_pressure: {low: 0.0, high: 2.0, steps: 3}",
            4,
            "parameters.levels.us_pressure.high",
            "not allowed",
        ),
        (
            "levels.us_pressure: {low: 0.5, high: 0.5, steps: 3}",
            4,
            "parameters.levels.us_pressure",
            "must be below",
        ),
        ("levels.us_pressure: {low: 0.0, high: 1.0}", 4, "parameters.levels.us_pressure", "steps"),
        (
            "levels.us_pressure: {values: [0.1], low: 0.0}",
            4,
            "parameters.levels.us_pressure",
            "either",
        ),
        (
            "levels.us_pressure: {values: [0.1, 0.1]}",
            4,
            "parameters.levels.us_pressure.values",
            "duplicate",
        ),
        (
            "levels.us_pressure: {values: [0.1], colour: red}",
            4,
            "parameters.levels.us_pressure.colour",
            "unknown key",
        ),
    ],
)
def test_parameter_errors_name_file_and_line(
    tmp_path: Path, body: str, line: int, field: str, words: str
) -> None:
    error = _error(tmp_path, f"name: e\nbase: ../base.yaml\nparameters:\n  {body}\n")
    assert error.line == line, str(error)
    assert error.field is not None and error.field.startswith(field), str(error)
    assert words in error.message, str(error)
    assert str(error).startswith(f"{tmp_path / 'sweeps' / 's.yaml'}:{line}: ")


@pytest.mark.parametrize(
    ("head", "field", "words"),
    [
        ("sampler: lhs\n", "sampler", "needs 'samples'"),
        ("samples: 10\n", "samples", "only for lhs"),
        ("sampler: sobol\nsamples: 12\n", "samples", "power of 2"),
        ("sampler: lhs\nsamples: 8\ncalc_second_order: true\n", "calc_second_order", "sobol"),
        ("sampler: sobol\nsamples: 8\nmorris_levels: 4\n", "morris_levels", "morris"),
        ("sampler: latin\n", "sampler", "Input should be"),
        ("replications: 0\n", "replications", "greater than"),
        ("name: ../escape\n", "name", "pattern"),
    ],
)
def test_sampler_combination_errors(tmp_path: Path, head: str, field: str, words: str) -> None:
    name = "" if head.startswith("name:") else "name: e\n"
    body = f"{name}base: ../base.yaml\n{head}parameters:\n  levels.us_pressure: {{values: [0.1]}}\n"
    if "sampler: lhs" in head or "sampler: sobol" in head:
        body = body.replace("{values: [0.1]}", "{low: 0.0, high: 1.0}")
    error = _error(tmp_path, body)
    assert error.field == field, str(error)
    assert words in error.message, str(error)
    expected_line = (
        body.splitlines().index(next(ln for ln in body.splitlines() if ln.startswith(field))) + 1
    )
    assert error.line == expected_line


def test_lhs_rejects_grid_values(tmp_path: Path) -> None:
    error = _error(
        tmp_path,
        "name: e\nbase: ../base.yaml\nsampler: lhs\nsamples: 4\nparameters:\n"
        "  levels.us_pressure: {values: [0.1, 0.2]}\n",
    )
    assert error.line == 6 and "only 'low' and 'high'" in error.message


def test_missing_base_names_the_base_line(tmp_path: Path) -> None:
    error = _error(
        tmp_path,
        "name: e\n# comment\nbase: ../nope.yaml\nparameters:\n  levels.us_pressure: {values: [0.1]}\n",
    )
    assert error.file.endswith("s.yaml") and error.line == 3 and error.field == "base"
    assert "not found" in error.message and "nope.yaml" in error.message


def test_invalid_base_reports_the_base_file(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "name: e\nbase: ../base.yaml\nparameters:\n  levels.us_pressure: {values: [0.1]}\n",
        base=BASE.replace("us_pressure: 0.5", "us_pressure: 5"),
    )
    with pytest.raises(InputError) as info:
        load_sweep(path)
    assert info.value.file.endswith("base.yaml") and info.value.line == 6


def test_cross_field_rules_are_checked_per_point(tmp_path: Path) -> None:
    base = (
        BASE
        + "government:\n  security_weight: 0.3\n  economy_weight: 0.3\n  autonomy_weight: 0.0\n"
    )
    body = (
        "name: e\nbase: ../base.yaml\nparameters:\n"
        "  levels.us_pressure: {values: [0.1, 0.2]}\n"
        "  government.security_weight: {values: [0.0, 0.5]}\n"
        "  government.economy_weight: {values: [0.0, 0.5]}\n"
    )
    # each value is fine on its own; the points with both weights zero are not
    path = _write(tmp_path, body, base=base)
    with pytest.raises(InputError) as info:
        load_sweep(path)
    assert info.value.line == 5 and "point 0 " in info.value.message, str(info.value)
    assert "weights" in info.value.message


def test_looks_like_sweep() -> None:
    assert looks_like_sweep({"name": "x", "base": "b.yaml", "parameters": {}})
    assert looks_like_sweep({"name": "x", "base": "b.yaml"})
    assert not looks_like_sweep({"name": "x", "levels": {}})
    assert not looks_like_sweep([1, 2])


@pytest.mark.parametrize(
    ("name", "n_points"),
    [
        ("levels-grid", 75),
        ("pressure-coercion", 121),
        ("sobol-levels", 256 * 7),
        ("morris-world", 360),
    ],
)
def test_shipped_sweeps_load(name: str, n_points: int) -> None:
    resolved = load_sweep(REPO / "scenarios" / "sweeps" / f"{name}.yaml")
    assert len(resolved.points) == n_points
    assert resolved.sweep.name == name


@pytest.mark.parametrize("sampler", ["lhs", "sobol", "morris"])
def test_a_sweep_without_seed_is_reproducible(tmp_path: Path, sampler: str) -> None:
    """No ``seed:`` in the sweep: the base scenario's seed is used, for the runs and the sampler."""
    path = _write(
        tmp_path,
        f"""\
        name: noseed
        base: ../base.yaml
        sampler: {sampler}
        samples: 8
        parameters:
          levels.us_pressure: {{low: 0.0, high: 1.0}}
          levels.china_coercion: {{low: 0.0, high: 1.0}}
        """,
    )
    first, second = load_sweep(path), load_sweep(path)
    assert first.points.equals(second.points)
    assert first.plan().fingerprint() == second.plan().fingerprint()
    assert first.plan().batch_seed == 3  # the base scenario's seed


def test_first_order_sobol_size_guard_uses_d_plus_2_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without second-order indices Saltelli's design has N * (d + 2) rows, and that is what is run.

    The limit lies between the two designs' sizes, so only a guard counting N * (d + 2) rows for a
    first-order design accepts it (and N * (2d + 2) for a second-order one refuses it).
    """
    import sim.design

    samples, d = 16, 3
    monkeypatch.setattr(sim.design, "MAX_POINTS", 100)
    assert samples * (d + 2) <= sim.design.MAX_POINTS < samples * (2 * d + 2)
    body = """\
        name: sobol1
        base: ../base.yaml
        sampler: sobol
        samples: 16
        parameters:
          levels.us_pressure: {low: 0.0, high: 1.0}
          levels.china_coercion: {low: 0.0, high: 1.0}
          levels.nk_provocation: {low: 0.0, high: 1.0}
        """
    path = _write(tmp_path, body)
    assert len(load_sweep(path).points) == samples * (d + 2)
    second = "sampler: sobol\n        calc_second_order: {}\n"
    path = _write(tmp_path, body.replace("sampler: sobol\n", second.format("false")))
    assert len(load_sweep(path).points) == samples * (d + 2)
    error = _error(tmp_path, body.replace("sampler: sobol\n", second.format("true")))
    assert error.field == "samples" and error.line == 5, str(error)  # after calc_second_order
    assert "gives about 128 points (at most 100)" in error.message, str(error)
    assert str(error).startswith(f"{tmp_path / 'sweeps' / 's.yaml'}:5: samples: ")


def test_nested_coefficients_and_scales_are_sweepable(tmp_path: Path) -> None:
    """A sweep can vary a coefficient three levels deep and a schedule's scale; each point is
    checked against its own section (nested paths included) and reaches the lanes."""
    body = (
        "name: deep\nbase: ../base.yaml\nparameters:\n"
        "  structure.seoul.horizon: {values: [0, 12]}\n"
        "  structure.governments.conservative.security_weight: {values: [0.3, 0.6]}\n"
        "  scale.levels.us_pressure: {values: [0.5, 1.5]}\n"
    )
    resolved = load_sweep(_write(tmp_path, body))
    assert len(resolved.points) == 8
    assert set(resolved.points.columns[1:]) == {
        "structure.seoul.horizon",
        "structure.governments.conservative.security_weight",
        "scale.levels.us_pressure",
    }
    bad = body.replace("values: [0.5, 1.5]", "values: [0.5, 11.0]")
    with pytest.raises(InputError) as info:
        load_sweep(_write(tmp_path, bad))
    assert "scale.levels.us_pressure" in str(info.value) and "11" in str(info.value)
