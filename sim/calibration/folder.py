"""The calibration folder on disk: manifest, finished waves, posterior, predictive and diagnostics.

Same conventions as a results folder: every file is written atomically (``sim.contract.files``), a
wave's table is written the moment the wave finishes, and a resumed calibration checks that the
folder holds the same calibration (fingerprint of file, base scenario and fitting data) run by the
same model code before it continues from the finished waves.
"""

from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

import sim
from sim.contract.errors import ResultsError
from sim.contract.files import write_parquet_atomic, write_text_atomic
from sim.contract.lock import LOCK_NAME
from sim.manifest import code_hash, git_commit, package_versions, utc_now

CALIBRATION_FORMAT = 1
"""Version of the calibration folder layout."""
MANIFEST = "manifest.json"
POSTERIOR = "posterior.parquet"
PREDICTIVE = "predictive.parquet"
DIAGNOSTICS = "diagnostics.json"
VALIDATION = "validation.csv"
IDENTIFIABILITY = "identifiability.csv"


class CalibrationFolder:
    """A calibration folder being written or resumed.

    Args:
        path: the folder.
        manifest: its manifest (plain JSON data).
    """

    def __init__(self, path: Path, manifest: dict[str, Any]) -> None:
        self.path = path
        self.manifest = manifest
        self.begun = False

    @classmethod
    def open(cls, path: Path, expected: dict[str, Any], resume: bool) -> CalibrationFolder:
        """Check the folder and prepare its manifest (nothing is written until :meth:`begin`).

        Args:
            path: the folder.
            expected: the manifest this calibration would write.
            resume: continue the calibration already in ``path``.

        Returns:
            the folder (a resumed one with its manifest read back).

        Raises:
            ResultsError: the folder is not empty (without ``resume``), or holds another calibration.
        """
        manifest_path = path / MANIFEST
        if resume and manifest_path.exists():
            try:
                old = json.loads(manifest_path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                raise ResultsError(manifest_path, f"cannot read: {error}") from None
            for key in ("kind", "format_version", "fingerprint", "code_hash"):
                if old.get(key) != expected.get(key):
                    raise ResultsError(
                        manifest_path,
                        f"{key}: this folder holds a different calibration (or model code); "
                        "use a new --out",
                    )
            folder = cls(path, old)
        else:
            if path.is_dir() and any(p.name != LOCK_NAME for p in path.iterdir()):
                hint = "; continue it with --resume" if manifest_path.exists() else ""
                raise ResultsError(path, f"is not empty{hint}")
            folder = cls(path, expected)
        return folder

    def begin(self) -> None:
        """Create the folder (if new) and record this session in its manifest.

        Called once the executor is up, so that bad execution options leave nothing behind.
        """
        self.path.mkdir(parents=True, exist_ok=True)
        (self.path / "waves").mkdir(exist_ok=True)
        self.manifest.setdefault("sessions", []).append(
            {"start": utc_now(), "end": None, "git_commit": git_commit()}
        )
        self.save_manifest()
        self.begun = True

    def save_manifest(self) -> None:
        """Write ``manifest.json`` atomically."""
        text = json.dumps(self.manifest, indent=2, default=str) + "\n"
        write_text_atomic(self.path / MANIFEST, text)

    def wave_path(self, wave: int) -> Path:
        """The table of one finished wave."""
        return self.path / "waves" / f"wave-{wave:03d}.parquet"

    def finished_waves(self) -> int:
        """Number of consecutive finished waves from the first."""
        if not (self.path / "waves").is_dir():
            return 0
        wave = 0
        while self.wave_path(wave).is_file():
            wave += 1
        return wave

    def write_wave(self, wave: int, table: pd.DataFrame) -> None:
        """Write a finished wave atomically.

        Args:
            wave: its number.
            table: one row per design point.
        """
        write_parquet_atomic(
            self.wave_path(wave), pa.Table.from_pandas(table, preserve_index=False)
        )

    def read_wave(self, wave: int) -> pd.DataFrame:
        """Read a finished wave back."""
        path = self.wave_path(wave)
        try:
            return pq.read_table(path).to_pandas()
        except (OSError, pa.ArrowException) as error:
            raise ResultsError(
                path, f"unreadable wave table ({error}); delete it to redo the wave"
            ) from None

    def write_table(self, name: str, table: pd.DataFrame) -> Path:
        """Write a Parquet or CSV output atomically (by its file name's suffix)."""
        path = self.path / name
        if name.endswith(".parquet"):
            return write_parquet_atomic(path, pa.Table.from_pandas(table, preserve_index=False))
        return write_text_atomic(path, table.to_csv(index=False, float_format="%.6g"))

    def write_json(self, name: str, data: Any) -> Path:
        """Write a JSON output atomically."""
        text = json.dumps(data, indent=2, sort_keys=True, default=float) + "\n"
        return write_text_atomic(self.path / name, text)

    def end_session(self, finished: bool) -> None:
        """Close this session's record (and mark the calibration finished)."""
        if not self.begun:
            return
        self.manifest["sessions"][-1]["end"] = utc_now()
        if finished:
            self.manifest["finished"] = utc_now()
        self.save_manifest()


def new_calibration_manifest(
    spec: dict[str, Any], scenario: dict[str, Any], fingerprint: str, data: dict[str, Any]
) -> dict[str, Any]:
    """The manifest of a calibration that has not started.

    Args:
        spec: the calibration file's content.
        scenario: the base scenario's content.
        fingerprint: the calibration's fingerprint.
        data: per target, the data file and the fitting years and values actually used.

    Returns:
        plain JSON data.
    """
    return {
        "kind": "calibration",
        "format_version": CALIBRATION_FORMAT,
        "hedgesim_version": sim.__version__,
        "name": spec["name"],
        "calibration": spec,
        "scenario": scenario,
        "fitting_data": data,
        "fingerprint": fingerprint,
        "code_hash": code_hash(),
        "python": platform.python_version(),
        "packages": package_versions(),
        "finished": None,
    }
