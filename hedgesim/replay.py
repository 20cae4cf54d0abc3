"""``hedgesim replay DIR RUN_ID``: rebuild one run of a batch from its seed and parameters.

A run is a pure function of (the batch's scenario, its lane values, its seed) (docs/results.md), and
the manifest holds all three: the resolved scenario, the batch seed (run ``point * replications + k``
has replicate ``k``'s seed, :func:`sim.plan.run_seeds`) and the swept values of each point (in
``runs.parquet``, or an aggregate folder's ``points.parquet``). So any run of an aggregate folder,
which keeps no row for most of its runs, can be looked at: its final values, its class and,
with ``--out FILE.csv``, its monthly trajectory. When the folder holds the run's row (a per-run
folder, or a run of an aggregate folder's sample), the replay is checked against it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from sim.contract.aggregate import POINTS_FILE, SAMPLE_FILE
from sim.contract.columns import FINAL_VARIABLES, TRAJECTORY_VARIABLES
from sim.contract.errors import ResultsError, first_line
from sim.contract.files import write_text_atomic
from sim.contract.manifest import Manifest, read_manifest
from sim.contract.outcomes import outcome_names
from sim.loader import InputError


@dataclass(frozen=True)
class Replay:
    """One rebuilt run.

    Args:
        run_id: the run.
        point_id: its point.
        replicate: its replicate.
        seed: its seed.
        lane_values: its swept (and posterior-drawn) values by dotted path.
        outcome: its class.
        finals: its final-window means and ``launches``.
        trajectories: per variable, its monthly values.
        stored: the folder's row of the run (None when the folder keeps none).
    """

    run_id: int
    point_id: int
    replicate: int
    seed: int
    lane_values: dict[str, float]
    outcome: str
    finals: dict[str, float]
    trajectories: dict[str, np.ndarray]
    stored: dict[str, object] | None

    def mismatches(self) -> list[str]:
        """Columns of the stored row that the replay does not reproduce exactly (empty: none)."""
        if self.stored is None:
            return []
        mine: dict[str, object] = {**self.finals, "outcome": self.outcome, "seed": self.seed}
        return [k for k, v in mine.items() if k in self.stored and self.stored[k] != v]


def _row(path: Path, run_id: int) -> dict[str, object] | None:
    """The row of a run in a Parquet file (a filtered scan: memory stays small), or None."""
    if not path.exists():
        return None
    try:
        table = ds.dataset(path).to_table(filter=pc.field("run_id") == run_id)
    except (pa.ArrowException, OSError, ValueError) as error:
        raise ResultsError(path, f"cannot read Parquet: {first_line(error)}") from error
    return table.slice(0, 1).to_pylist()[0] if table.num_rows else None


def _point_values(folder: Path, manifest: Manifest, point_id: int) -> dict[str, float]:
    path = folder / POINTS_FILE
    if not manifest.parameters:
        return {}
    try:
        table = ds.dataset(path).to_table(
            columns=manifest.parameters, filter=pc.field("point_id") == point_id
        )
    except (pa.ArrowException, OSError, ValueError) as error:
        raise ResultsError(path, f"cannot read Parquet: {first_line(error)}") from error
    if not table.num_rows:
        raise ResultsError(path, f"holds no point {point_id}")
    return {k: float(v) for k, v in table.slice(0, 1).to_pylist()[0].items()}


def _posterior_values(manifest: Manifest, seed: int) -> dict[str, float]:
    from sim.calibration.posterior import load_posterior

    post = manifest.posterior or {}
    source = Path(str(post.get("source")))
    try:
        draws = load_posterior(source)
    except (InputError, ResultsError, OSError) as error:
        raise ResultsError(
            source, f"cannot rebuild the run's posterior draw: {first_line(error)}"
        ) from error
    if draws.fingerprint != post.get("fingerprint"):
        raise ResultsError(source, "differs from the calibration the batch drew from")
    drawn = draws.lane_values(np.array([seed], dtype=np.uint64))
    return {k: float(v[0]) for k, v in drawn.items()}


def replay_run(folder: Path, run_id: int) -> Replay:
    """Rebuild one run of a results folder.

    Args:
        folder: the results folder.
        run_id: the run (``0 <= run_id < n_runs``).

    Returns:
        the run.

    Raises:
        ResultsError: not a results folder, a run id outside the batch, or a folder whose point or
            posterior cannot be found.
    """
    from sim.model import simulate
    from sim.plan import run_seeds
    from sim.scenario import Scenario

    if not folder.is_dir():
        raise ResultsError(folder, "results folder not found")
    manifest = read_manifest(folder)
    if not 0 <= run_id < manifest.n_runs:
        raise ResultsError(
            folder,
            f"run {run_id} is not in this batch (its runs are 0 to {manifest.n_runs - 1:,})",
        )
    if manifest.batch_seed is None:
        raise ResultsError(folder / "manifest.json", "batch_seed: missing (needed to replay)")
    try:
        scenario = Scenario.model_validate(manifest.scenario)
    except ValueError as error:
        raise ResultsError(folder / "manifest.json", f"scenario: {first_line(error)}") from None
    point_id, replicate = divmod(run_id, manifest.replications)
    seed = int(run_seeds(manifest.batch_seed, replicate + 1)[replicate])
    stored = _row(folder / ("runs.parquet" if manifest.aggregate is None else SAMPLE_FILE), run_id)
    if stored is not None:
        values = {p: float(stored[p]) for p in manifest.parameters}  # type: ignore[arg-type]
    else:
        values = _point_values(folder, manifest, point_id)
    if manifest.posterior:
        names = manifest.posterior.get("parameters") or []
        if stored is not None and all(n in stored for n in names):
            values.update({n: float(stored[n]) for n in names})  # type: ignore[arg-type]
        else:
            values.update(_posterior_values(manifest, seed))
    lanes = {k: np.array([v], dtype=np.float64) for k, v in values.items()}
    result = simulate(scenario, np.array([seed], dtype=np.uint64), lanes)
    finals = {v: float(result.finals[v][0]) for v in FINAL_VARIABLES}
    finals["launches"] = int(result.finals["launches"][0])
    return Replay(
        run_id=run_id,
        point_id=point_id,
        replicate=replicate,
        seed=seed,
        lane_values=values,
        outcome=str(outcome_names(result.finals["outcome"])[0]),
        finals=finals,
        trajectories={v: result.trajectories[v][0] for v in TRAJECTORY_VARIABLES},
        stored=stored,
    )


def trajectory_csv(run: Replay) -> str:
    """The run's trajectory as CSV text: ``step`` then one column per variable, one line a month.

    Args:
        run: the replayed run.

    Returns:
        the text.
    """
    names = list(TRAJECTORY_VARIABLES)
    lines = [",".join(["step", *names])]
    steps = len(run.trajectories[names[0]])
    for t in range(steps):
        lines.append(",".join([str(t + 1), *(repr(float(run.trajectories[v][t])) for v in names)]))
    return "\n".join(lines) + "\n"


def _run_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a run id (a whole number), got {text!r}"
        ) from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a run id of 0 or more, got {text!r}")
    return value


def add_parser(sub: argparse._SubParsersAction) -> Callable[[argparse.Namespace], int]:
    """Add ``replay`` to the subcommands.

    Args:
        sub: the main parser's subparsers.

    Returns:
        its handler.
    """
    p = sub.add_parser("replay", help="rebuild one run of a results folder from its seed")
    p.add_argument("folder", type=Path, metavar="DIR")
    p.add_argument("run_id", type=_run_id, metavar="RUN_ID")
    p.add_argument("--out", type=Path, metavar="FILE.csv", help="write the run's trajectory here")
    return cmd_replay


def cmd_replay(args: argparse.Namespace) -> int:
    """Print a replayed run (and write its trajectory with ``--out``).

    Args:
        args: parsed arguments (``folder``, ``run_id``, ``out``).

    Returns:
        0, or 1 when the replay differs from the folder's stored row of the run.
    """
    from sim.manifest import code_hash

    run = replay_run(args.folder, args.run_id)
    manifest = read_manifest(args.folder)
    if manifest.code_hash and manifest.code_hash != code_hash():
        print("note: the model's code differs from the batch's; the replay may differ")
    values = ", ".join(f"{k} = {v:g}" for k, v in run.lane_values.items())
    print(
        f"run {run.run_id:,}: point {run.point_id:,}, replicate {run.replicate:,},"
        f" seed {run.seed}" + (f"; {values}" if values else "")
    )
    print(f"outcome: {run.outcome}")
    width = max(len(k) for k in run.finals)
    for name, value in run.finals.items():
        shown = f"{value:,}" if isinstance(value, int) else f"{value:.6f}"
        print(f"  {name.ljust(width)}  {shown}")
    status = 0
    if run.stored is not None:
        bad = run.mismatches()
        if bad:
            print(f"DIFFERS from the folder's row of this run in: {', '.join(bad)}")
            status = 1
        else:
            print("identical to the folder's row of this run")
    if args.out is not None:
        if args.out.is_dir():
            raise InputError("--out", f"{args.out} is a folder; give a file name, e.g. run.csv")
        try:
            print(write_text_atomic(args.out, trajectory_csv(run)))
        except OSError as error:
            raise InputError("--out", f"cannot write {args.out}: {error.strerror}") from None
    return status
