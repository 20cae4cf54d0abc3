"""The typed ``manifest.json`` of a results folder (docs/results.md): what the batch is and how it went.

The engine builds and updates a :class:`Manifest`; analysis reads one with :func:`read_manifest`.
Facts that follow from others are derived, not stored twice: ``n_runs`` and ``n_blocks`` from the
points, replications and block size, ``started`` from the first of the ``sessions`` (each run or
resume of the batch) and the latest ``git_commit``, ``workers`` and ``backend`` from the last. They are still written to the file,
for people and older readers, and are ignored when it is read back (format version 1 is unchanged).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, computed_field, model_validator

from sim.contract.columns import FORMAT_VERSION
from sim.contract.errors import ResultsError, first_line
from sim.contract.files import check_regular

MORRIS_LEVELS = 4
"""Grid levels of a Morris design whose sweep file does not set ``morris_levels``."""
DERIVED: tuple[str, ...] = ("n_runs", "n_blocks", "started", "git_commit", "workers", "backend")
"""Keys written for readers but derived from the others (type-checked, then dropped, when read)."""
_DERIVED_TYPES: dict[str, tuple[type, ...]] = {
    "n_runs": (int,),
    "n_blocks": (int, type(None)),
    "started": (str, type(None)),
    "git_commit": (str, type(None)),
    "workers": (int, type(None)),
    "backend": (str, type(None)),
}


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Session(_Record):
    """One run or resume of a batch.

    Args:
        start: when it started (ISO 8601, UTC).
        end: when it ended (None while it runs, or if it was killed).
        git_commit: commit of the hedgesim checkout that ran it (None outside one).
        workers: worker processes (None: as many as a remote cluster has).
        backend: ``inprocess``, ``local`` or ``dask``.
    """

    start: str
    end: str | None = None
    git_commit: str | None = None
    workers: int | None = None
    backend: str | None = None


class Sampler(_Record):
    """How the sweep points were drawn (``kind`` ``none`` for a single scenario).

    Args:
        kind: ``none``, ``grid``, ``lhs``, ``sobol`` or ``morris``.
        samples: LHS points, or SALib's N for Sobol and Morris.
        problem: SALib's problem dict (``num_vars``, ``names``, ``bounds``).
        calc_second_order: Sobol only.
        morris_levels: Morris only.
    """

    kind: str = "none"
    samples: int | None = None
    problem: dict[str, Any] | None = None
    calc_second_order: bool | None = None
    morris_levels: int | None = None


class Aggregate(_Record):
    """The ``aggregate`` record of an aggregate folder (:mod:`sim.contract.aggregate`).

    Args:
        sample_per_point: replicates of each sampled point in ``sample.parquet``.
        sample_stride: every ``sample_stride``-th point is sampled.
        trajectory_per_point: replicates of each sampled point in ``trajectories.parquet``.
        trajectory_stride: every ``trajectory_stride``-th point has trajectories.
        final_bins: bins of the ``finals.parquet`` histograms.
        fixed_point_scale: the unit of the ``sum_<variable>`` columns of ``points.parquet``.
    """

    sample_per_point: Annotated[int, Field(ge=0)]
    sample_stride: Annotated[int, Field(ge=1)]
    trajectory_per_point: Annotated[int, Field(ge=0)]
    trajectory_stride: Annotated[int, Field(ge=1)]
    final_bins: Annotated[int, Field(ge=1)]
    fixed_point_scale: Annotated[int, Field(ge=1)]


class Manifest(_Record):
    """``manifest.json``. Field meanings are in docs/results.md.

    Fields a reader needs are required; provenance fields default to "unknown" so that a folder
    written by hand (or by a test) with less provenance is still readable.
    """

    format_version: int = FORMAT_VERSION
    hedgesim_version: str | None = None
    kind: Literal["run", "sweep"] = "run"
    name: str | None = None
    scenario: dict[str, Any] = Field(default_factory=dict)
    sweep: dict[str, Any] | None = None
    parameters: list[str] = Field(default_factory=list)
    sampler: Sampler = Field(default_factory=Sampler)
    posterior: dict[str, Any] | None = None
    batch_seed: int | None = None
    replications: Annotated[int, Field(ge=1)]
    n_points: Annotated[int, Field(ge=1)]
    steps: Annotated[int, Field(ge=1)]
    final_window: Annotated[int, Field(ge=1)] | None = None
    block_size: Annotated[int, Field(ge=1)] | None = None
    trajectory_sample: Annotated[int, Field(ge=0)] | None = None
    finished_blocks: list[Annotated[int, Field(ge=0)]] = Field(default_factory=list)
    failed_blocks: dict[str, str] = Field(default_factory=dict)
    fingerprint: str | None = None
    code_hash: str | None = None
    python: str | None = None
    packages: dict[str, str | None] = Field(default_factory=dict)
    finished: str | None = None
    wall_time_s: float = 0.0
    checksums: dict[str, str] = Field(default_factory=dict)
    sessions: list[Session] = Field(default_factory=list)
    aggregate: Aggregate | None = None

    @model_validator(mode="before")
    @classmethod
    def _drop_derived(cls, data: Any) -> Any:
        """Drop the derived keys; a manifest without sessions keeps its top-level ones as one."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        session = {key: data.get(key) for key in ("git_commit", "workers", "backend")}
        start = data.get("started")
        for key in DERIVED:
            data.pop(key, None)
        if not data.get("sessions") and (start or any(v is not None for v in session.values())):
            data["sessions"] = [{"start": start or "", **session}]
        return data

    @computed_field  # type: ignore[prop-decorator]
    @property
    def n_runs(self) -> int:
        """Runs in the plan: points x replications."""
        return self.n_points * self.replications

    @computed_field  # type: ignore[prop-decorator]
    @property
    def n_blocks(self) -> int | None:
        """Blocks at the folder's block size (None before it is chosen)."""
        return -(-self.n_runs // self.block_size) if self.block_size else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def started(self) -> str | None:
        """Start of the first session."""
        return (self.sessions[0].start or None) if self.sessions else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def git_commit(self) -> str | None:
        """Commit of the latest session."""
        return self.sessions[-1].git_commit if self.sessions else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def workers(self) -> int | None:
        """Workers of the latest session."""
        return self.sessions[-1].workers if self.sessions else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def backend(self) -> str | None:
        """Backend of the latest session."""
        return self.sessions[-1].backend if self.sessions else None

    def to_json(self) -> str:
        """The file's text (derived keys included, for people and older readers).

        ``aggregate`` is written only when the folder is one, so per-run folders read as before.
        """
        data = self.model_dump(mode="json")
        if data.get("aggregate") is None:
            data.pop("aggregate", None)
        return json.dumps(data, indent=2) + "\n"


def parse_manifest(data: Any, path: Path) -> Manifest:
    """Check and type a manifest's parsed JSON.

    Args:
        data: the parsed JSON.
        path: the file, named in errors.

    Returns:
        the manifest.

    Raises:
        ResultsError: not an object, ``format_version`` missing or other than
            :data:`~sim.contract.columns.FORMAT_VERSION`, or a field of the wrong type (one line).
    """
    if not isinstance(data, dict):
        raise ResultsError(path, "malformed manifest: expected a JSON object")
    version = data.get("format_version")
    if version is None:
        raise ResultsError(path, "format_version: missing")
    if version != FORMAT_VERSION:
        raise ResultsError(
            path,
            f"format_version: {version!r} is not supported (this hedgesim reads {FORMAT_VERSION})",
        )
    for key, types in _DERIVED_TYPES.items():
        value = data.get(key)
        if key in data and (isinstance(value, bool) or not isinstance(value, types)):
            wanted = " or ".join("null" if t is type(None) else t.__name__ for t in types)
            raise ResultsError(path, f"{key}: expected {wanted}, got {_short(value)}")
    try:
        manifest = Manifest.model_validate(data)  # derived keys: type-checked above, then ignored
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "manifest"
        raise ResultsError(path, f"{where}: {first['msg']}") from None
    return manifest


def _short(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def read_manifest(folder: Path) -> Manifest:
    """Read and check ``<folder>/manifest.json``.

    Args:
        folder: the results folder.

    Returns:
        the manifest.

    Raises:
        ResultsError: missing, malformed JSON, or refused by :func:`parse_manifest`.
    """
    path = folder / "manifest.json"
    check_regular(path)
    if not path.is_file():
        raise ResultsError(path, "not found (is this a hedgesim results folder?)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ResultsError(
            path, f"line {error.lineno} column {error.colno}: malformed JSON: {error.msg}"
        ) from error
    except (OSError, UnicodeDecodeError) as error:
        raise ResultsError(path, f"cannot read: {first_line(error)}") from error
    return parse_manifest(data, path)
