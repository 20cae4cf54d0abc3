"""Calibrated coefficients in ordinary runs: each run draws one posterior point from its run seed.

``hedgesim run SCENARIO --posterior CALIB_DIR`` attaches a :class:`PosteriorDraws` to the run plan;
each run's calibrated coefficients become per-lane values, taken from the posterior sample by a
weighted draw that depends only on the run's seed. Replicate ``k`` has the same seed at every sweep
point (common random numbers), so it also gets the same coefficients at every point, and the draw is
the same whatever the block, worker count or backend.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from sim.contract.errors import ResultsError
from sim.scenario import LANE_FIELDS

POSTERIOR_STREAM = 0x706F7374
"""Spawn key of the stream a run seed feeds for its posterior draw (independent of its model noise)."""


@dataclass(frozen=True, eq=False)
class PosteriorDraws:
    """A weighted posterior sample to draw runs' coefficients from.

    Args:
        source: the calibration folder (as given).
        name: the calibration's name.
        fingerprint: hash of the calibration and its posterior sample.
        parameters: dotted lane-field paths, in column order.
        values: shape (n, k).
        weights: shape (n,), summing to 1.
    """

    source: str
    name: str
    fingerprint: str
    parameters: tuple[str, ...]
    values: npt.NDArray[np.float64]
    weights: npt.NDArray[np.float64]

    def indices(self, seeds: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
        """The posterior point of each run, a function of its seed alone.

        Args:
            seeds: run seeds.

        Returns:
            row indices into :attr:`values`.
        """
        u = np.array(
            [
                np.random.SeedSequence(int(s), spawn_key=(POSTERIOR_STREAM,)).generate_state(
                    1, dtype=np.uint64
                )[0]
                for s in np.asarray(seeds, dtype=np.uint64)
            ],
            dtype=np.float64,
        ) / float(2**64)
        cdf = np.cumsum(self.weights)
        cdf[-1] = 1.0
        return np.minimum(np.searchsorted(cdf, u, side="right"), len(cdf) - 1).astype(np.int64)

    def lane_values(self, seeds: npt.NDArray[np.uint64]) -> dict[str, npt.NDArray[np.float64]]:
        """Each run's calibrated coefficients by dotted path, each shape (len(seeds),)."""
        rows = self.indices(seeds)
        return {
            p: np.ascontiguousarray(self.values[rows, j]) for j, p in enumerate(self.parameters)
        }

    def describe(self) -> dict[str, Any]:
        """The manifest's record of the posterior used."""
        ess = float(self.weights.sum() ** 2 / np.sum(self.weights**2))
        return {
            "source": self.source,
            "name": self.name,
            "fingerprint": self.fingerprint,
            "parameters": list(self.parameters),
            "points": len(self.weights),
            "ess": round(ess, 3),
        }


def load_posterior(folder: Path | str) -> PosteriorDraws:
    """Read the posterior sample of a finished calibration folder.

    Args:
        folder: the calibration folder (``hedgesim calibrate --out``).

    Returns:
        the draws.

    Raises:
        ResultsError: not a finished calibration folder, or an unreadable or invalid sample.
    """
    folder = Path(folder)
    manifest_path = folder / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultsError(manifest_path, "missing: not a calibration folder") from None
    except (OSError, ValueError) as error:
        raise ResultsError(manifest_path, f"cannot read: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("kind") != "calibration":
        raise ResultsError(manifest_path, "kind: not a calibration folder")
    if not manifest.get("finished"):
        raise ResultsError(
            manifest_path, "finished: the calibration has not finished (--resume it)"
        )
    path = folder / "posterior.parquet"
    try:
        raw = path.read_bytes()
        table = pq.read_table(pa.BufferReader(raw))
    except (OSError, pa.ArrowException) as error:
        raise ResultsError(path, f"cannot read: {error}") from None
    parameters = tuple(manifest.get("calibration", {}).get("parameters", {}))
    missing = [c for c in (*parameters, "weight") if c not in table.column_names]
    if not parameters or missing:
        raise ResultsError(path, f"missing columns: {', '.join(missing) or 'parameters'}")
    unknown = [p for p in parameters if p not in LANE_FIELDS]
    if unknown:
        raise ResultsError(path, f"{unknown[0]}: not a parameter of this hedgesim version")
    values = np.column_stack([table[p].to_numpy().astype(np.float64) for p in parameters])
    weights = table["weight"].to_numpy().astype(np.float64)
    if not (np.all(np.isfinite(values)) and np.all(weights >= 0) and weights.sum() > 0):
        raise ResultsError(path, "weight: weights must be non-negative and not all zero")
    digest = hashlib.sha256(str(manifest.get("fingerprint")).encode())
    digest.update(raw)
    return PosteriorDraws(
        source=str(folder),
        name=str(manifest.get("name")),
        fingerprint=digest.hexdigest(),
        parameters=parameters,
        values=values,
        weights=weights / weights.sum(),
    )
