"""The manifest of a results folder (docs/results.md, "manifest.json"): provenance and resume checks.

:func:`new_manifest` builds the manifest of a batch that has not started, with the provenance of the
code that runs it (git commit, Python and key package versions). Each run or resume of the batch
appends a :func:`new_session` record to its ``sessions`` list. :func:`check_resumable` refuses to
continue a folder whose results would mix batches or model versions.
"""

from __future__ import annotations

import hashlib
import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sim
from sim.aggregate import aggregate_record
from sim.contract.columns import FORMAT_VERSION
from sim.contract.errors import ResultsError
from sim.contract.manifest import Manifest, Sampler, Session

if TYPE_CHECKING:
    from sim.plan import RunPlan

KEY_PACKAGES: tuple[str, ...] = (
    "mesa",
    "numpy",
    "pandas",
    "pyarrow",
    "scipy",
    "SALib",
    "pydantic",
    "dask",
    "distributed",
    "tqdm",
)
"""Packages whose versions the manifest records."""
RESULT_PACKAGES: frozenset[str] = frozenset(
    {"mesa", "numpy", "pandas", "pyarrow", "scipy", "SALib", "pydantic"}
)
"""Packages that can change a run's numbers or its sweep points: a resume needs the same versions."""
NOT_HASHED: frozenset[str] = frozenset({"app.py"})
"""Files of the ``sim`` package that cannot change a batch's numbers (the interactive app)."""
_ROOT = Path(sim.__file__).resolve().parent.parent
_FRESH = "start a fresh --out instead"


def utc_now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def model_sources() -> list[Path]:
    """Every Python source of the ``sim`` package (sub-packages too) but :data:`NOT_HASHED`, sorted.

    The package is walked, so a new module is covered without anyone listing it.
    """
    package = _ROOT / "sim"
    return sorted(
        path
        for path in package.rglob("*.py")
        if path.relative_to(package).as_posix() not in NOT_HASHED
    )


def code_hash() -> str:
    """SHA-256 of :func:`model_sources`: equal hashes mean the same model, engine and classification.

    A resume compares it, so editing the model refuses to mix results, while a docs, analysis or
    CLI change (or a commit that touches neither) does not block a long sweep.
    """
    digest = hashlib.sha256()
    for path in model_sources():
        digest.update(path.relative_to(_ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def git_commit() -> str | None:
    """The commit of the hedgesim checkout, or None when the package is not run from one.

    Provenance only. A package installed into another project's repository is not mistaken for
    that repository's code: the checkout's top level must be the folder that holds ``sim/``.
    """
    try:
        proc = subprocess.run(
            ["git", "rev-parse", "--show-toplevel", "HEAD"],
            cwd=_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = proc.stdout.split()
    if proc.returncode != 0 or len(lines) != 2 or Path(lines[0]).resolve() != _ROOT:
        return None
    return lines[1]


def package_versions() -> dict[str, str | None]:
    """Installed versions of :data:`KEY_PACKAGES` (None for a package that is not installed)."""
    found: dict[str, str | None] = {}
    for name in KEY_PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def new_session(*, backend: str, workers: int | None, commit: str | None) -> Session:
    """The record of one run or resume of a batch, for the manifest's ``sessions`` list.

    Args:
        backend: executor backend name.
        workers: worker count, or None when unknown (remote cluster).
        commit: git commit of the code running this session.

    Returns:
        the session, started now and not yet ended.
    """
    return Session(start=utc_now(), git_commit=commit, workers=workers, backend=backend)


def new_manifest(plan: RunPlan, *, block_size: int | None) -> Manifest:
    """The manifest of a batch that has not started (docs/results.md, "manifest.json").

    Args:
        plan: the batch.
        block_size: runs per block (None only for the comparison made before a resume).

    Returns:
        the manifest, with a ``fingerprint`` of the plan for resume checks and no sessions yet (the
        caller appends the session that runs it).
    """
    return Manifest(
        format_version=FORMAT_VERSION,
        hedgesim_version=sim.__version__,
        kind=plan.kind,
        name=plan.name,
        scenario=plan.scenario.model_dump(mode="json"),
        sweep=plan.sweep,
        parameters=list(plan.parameters),
        sampler=Sampler.model_validate(plan.sampler),
        posterior=plan.posterior.describe() if plan.posterior is not None else None,
        batch_seed=plan.batch_seed,
        replications=plan.replications,
        n_points=plan.n_points,
        steps=plan.scenario.steps,
        final_window=plan.scenario.classification.final_window,
        block_size=block_size,
        trajectory_sample=plan.trajectory_sample,
        fingerprint=plan.fingerprint(),
        code_hash=code_hash(),
        python=platform.python_version(),
        packages=package_versions(),
        aggregate=aggregate_record(plan),
    )


def _package_changes(old: Any, new: dict[str, str | None]) -> str:
    """``name old -> new`` for each package recorded in both whose version differs (empty if none).

    A package one side does not list is unknown there, not absent (None is "not installed").
    """
    old = old if isinstance(old, dict) else {}
    changed = [
        f"{name} {old[name]} -> {new[name]}"
        for name in sorted(set(old) & set(new) & RESULT_PACKAGES, key=str.lower)
        if old[name] != new[name]
    ]
    return ", ".join(changed)


def check_versions(data: dict[str, Any], path: Path) -> None:
    """Refuse to resume a folder written by another format or hedgesim version.

    Args:
        data: the folder's manifest as parsed JSON (before typing, which needs the same format).
        path: the folder's ``manifest.json``, named in the error.

    Raises:
        ResultsError: one line naming what differs.
    """
    expected = {"format_version": FORMAT_VERSION, "hedgesim_version": sim.__version__}
    for key, wanted in expected.items():
        if data.get(key) != wanted:
            raise ResultsError(
                path,
                f"{key}: folder was written by {data.get(key)!r}, this is {wanted!r};"
                f" cannot resume: {_FRESH}",
            )


def check_resumable(manifest: Manifest, expected: Manifest, path: Path) -> None:
    """Refuse to resume a folder whose finished blocks this code might not reproduce.

    The folder's ``format_version``, ``hedgesim_version``, ``fingerprint`` and the versions of the
    :data:`RESULT_PACKAGES` both list must equal the ones a fresh start would record, and so must
    ``code_hash`` when both are known, and ``block_size`` unless the expected one is None (then
    the folder's is kept). ``git_commit`` is provenance only: a docs-only commit does not block.

    Args:
        manifest: the folder's manifest.
        expected: the manifest a fresh start would write (:func:`new_manifest`).
        path: the folder's ``manifest.json``, named in the error.

    Raises:
        ResultsError: one line naming what differs.
    """
    versions = {"format_version": manifest.format_version}
    check_versions({**versions, "hedgesim_version": manifest.hedgesim_version}, path)
    if manifest.fingerprint != expected.fingerprint:
        raise ResultsError(
            path,
            f"belongs to another batch ({manifest.kind} {manifest.name!r} with"
            " different settings); cannot resume it with this file",
        )
    wanted = expected.block_size
    if wanted is not None and wanted != manifest.block_size:
        raise ResultsError(
            path,
            f"block_size: folder uses {manifest.block_size}, not {wanted}; omit"
            " --block-size to resume",
        )
    changes = _package_changes(manifest.packages, expected.packages)
    if changes:
        raise ResultsError(
            path,
            f"packages differ ({changes}); cannot resume without mixing results of different"
            f" versions: {_FRESH}",
        )
    old, new = manifest.code_hash, expected.code_hash
    if old and new and old != new:
        raise ResultsError(
            path,
            f"code_hash: the model, engine or classification code changed since this folder was"
            f" written ({str(old)[:12]} -> {str(new)[:12]}); cannot resume without mixing results"
            f" of different code: {_FRESH}",
        )
