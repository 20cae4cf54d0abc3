"""The manifest: provenance fields, session records and the resume compatibility check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import sim
from sim import manifest as manifest_module
from sim.contract.columns import FORMAT_VERSION
from sim.contract.errors import ResultsError
from sim.contract.manifest import Manifest, parse_manifest
from sim.manifest import (
    KEY_PACKAGES,
    check_resumable,
    new_manifest,
    new_session,
    package_versions,
)
from sim.plan import RunPlan
from sim.scenario import Classification, Levels, Scenario

PATH = Path("results/x/manifest.json")


@pytest.fixture
def expected(monkeypatch: pytest.MonkeyPatch) -> Manifest:
    monkeypatch.setattr(manifest_module, "git_commit", lambda: "c" * 40)
    monkeypatch.setattr(manifest_module, "code_hash", lambda: "e" * 64)
    scenario = Scenario(
        name="m",
        steps=12,
        levels=Levels(us_pressure=0.4, china_coercion=0.4, nk_provocation=0.4),
        classification=Classification(final_window=6),
    )
    plan = RunPlan(
        name="m", kind="sweep", scenario=scenario,
        points=pd.DataFrame({"point_id": [0, 1], "levels.us_pressure": [0.2, 0.8]}),
        replications=3, batch_seed=1, block_size=2,
    )  # fmt: skip
    return new_manifest(plan, block_size=2)


def changed(manifest: Manifest, **fields: Any) -> Manifest:
    return manifest.model_copy(update=fields)


def test_new_manifest_records_provenance(expected: Manifest) -> None:
    assert expected.hedgesim_version == sim.__version__ and expected.code_hash == "e" * 64
    assert list(expected.packages) == list(KEY_PACKAGES) == list(package_versions())
    assert expected.packages["numpy"] and expected.sessions == []
    assert expected.n_runs == 6 and expected.n_blocks == 3
    assert expected.steps == 12 and expected.final_window == 6


def test_derived_fields_are_written_but_not_stored(expected: Manifest) -> None:
    manifest = changed(expected, sessions=[new_session(backend="local", workers=2, commit="a")])
    data = json.loads(manifest.to_json())
    assert data["n_runs"] == 6 and data["n_blocks"] == 3
    assert (data["git_commit"], data["workers"], data["backend"]) == ("a", 2, "local")
    assert data["started"] == manifest.sessions[0].start
    again = parse_manifest({**data, "n_runs": 999, "workers": 7}, PATH)  # derived keys ignored
    assert again == manifest and again.n_runs == 6 and again.workers == 2


def test_a_manifest_without_sessions_keeps_its_top_level_provenance() -> None:
    data = {"format_version": FORMAT_VERSION, "replications": 2, "n_points": 3, "steps": 4}
    data |= {"git_commit": "b" * 40, "workers": 2, "backend": "local", "started": "2026-01-01"}
    manifest = parse_manifest(data, PATH)
    assert manifest.git_commit == "b" * 40 and manifest.workers == 2 and manifest.backend == "local"
    assert manifest.started == "2026-01-01" and manifest.n_runs == 6


def test_a_manifest_field_of_the_wrong_type_is_one_line() -> None:
    data = {"format_version": FORMAT_VERSION, "replications": "many", "n_points": 3, "steps": 4}
    with pytest.raises(ResultsError, match="replications: ") as error:
        parse_manifest(data, PATH)
    assert "\n" not in str(error.value)


def test_new_session_fields() -> None:
    session = new_session(backend="dask", workers=None, commit=None)
    assert list(session.model_dump()) == ["start", "end", "git_commit", "workers", "backend"]
    assert session.start.endswith("+00:00") and session.end is None


def test_same_manifest_is_resumable(expected: Manifest) -> None:
    check_resumable(expected.model_copy(), expected, PATH)
    check_resumable(changed(expected, block_size=5), changed(expected, block_size=None), PATH)
    check_resumable(changed(expected, code_hash=None), expected, PATH)
    check_resumable(expected, changed(expected, code_hash=None), PATH)
    # git_commit is provenance only: a docs-only commit must not block a long sweep
    other = new_session(backend="local", workers=1, commit="d" * 40)
    check_resumable(changed(expected, sessions=[other]), expected, PATH)
    # a package that cannot change the numbers (progress bars, Dask) does not block either
    check_resumable(
        changed(expected, packages={**expected.packages, "tqdm": "0.1"}), expected, PATH
    )


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"format_version": 0}, "format_version: folder was written by 0"),
        ({"hedgesim_version": "0.0.0"}, "hedgesim_version: folder was written by '0.0.0'"),
        ({"fingerprint": "f"}, "belongs to another batch"),
        ({"block_size": 7}, "block_size: folder uses 7, not 2"),
        ({"code_hash": "d" * 64}, "code_hash: the model, engine or classification code changed"),
        ({"packages": {"numpy": "1.0"}}, "packages differ (numpy 1.0 -> "),
    ],
)
def test_mismatch_is_refused_in_one_line(
    expected: Manifest, change: dict[str, Any], words: str
) -> None:
    with pytest.raises(ResultsError) as error:
        check_resumable(changed(expected, **change), expected, PATH)
    message = str(error.value)
    assert message.startswith(f"{PATH}: ") and words in message and "\n" not in message


def test_package_difference_names_each_package(expected: Manifest) -> None:
    packages = {**expected.packages, "numpy": "0.1", "pandas": None, "extra": "1"}
    with pytest.raises(ResultsError, match="fresh --out") as error:
        check_resumable(changed(expected, packages=packages), expected, PATH)
    numpy, pandas = expected.packages["numpy"], expected.packages["pandas"]
    assert f"(numpy 0.1 -> {numpy}, pandas None -> {pandas});" in str(error.value)
    # a package only one side lists is not a difference (e.g. a newer KEY_PACKAGES)
    del packages["numpy"], packages["pandas"]
    check_resumable(changed(expected, packages=packages), expected, PATH)


def test_code_hash_covers_the_model_sources() -> None:
    """The hash is over real files that exist, and changes when one of them changes."""
    from sim.manifest import _ROOT, code_hash, model_sources

    names = {path.relative_to(_ROOT).as_posix() for path in model_sources()}
    assert {"sim/seoul.py", "sim/model.py", "sim/contract/outcomes.py", "sim/blocks.py"} <= names
    assert "sim/app.py" not in names and all(name.endswith(".py") for name in names)
    first = code_hash()
    assert first == code_hash() and len(first) == 64


def test_git_commit_only_for_the_hedgesim_checkout(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A package installed inside another repository does not report that repository's HEAD."""
    import subprocess

    class Done:
        returncode = 0
        stdout = f"{tmp_path}\n{'a' * 40}\n"

    monkeypatch.setattr(subprocess, "run", lambda *a, **k: Done())
    assert manifest_module.git_commit() is None
    Done.stdout = f"{manifest_module._ROOT}\n{'a' * 40}\n"
    assert manifest_module.git_commit() == "a" * 40
