"""The tables of a results folder (docs/results.md): format version, variables, columns, schemas.

The model records :data:`TRAJECTORY_VARIABLES` every month, the engine writes the tables with the
schemas built here, and analysis reads them by these names. Nothing else lists them.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

FORMAT_VERSION = 2
"""The results-folder format written and read by this version (2: finished blocks in ``blocks.log``,
one part file per block; 1 listed them in the manifest's ``finished_blocks``)."""

TRAJECTORY_VARIABLES: tuple[str, ...] = (
    "us_alignment",
    "china_engagement",
    "japan_cooperation",
    "derisking",
    "security_index",
    "economic_index",
    "us_commitment",
    "threat",
    "retaliation",
    "tariff",
    "tech_controls",
    "japan_cooperation_jp",
    "unga_position",
    "exports_china",
    "exports_us",
)
"""Per-step variables recorded for every run (all in [0, 1]): the columns of
``trajectories.parquet`` and the ``variable`` values of ``bands.parquet``."""
FINAL_VARIABLES: tuple[str, ...] = TRAJECTORY_VARIABLES
"""Variables averaged over the final window into each run's row of ``runs.parquet``."""

REQUIRED_RUN_COLUMNS: tuple[str, ...] = (
    "run_id",
    "point_id",
    "replicate",
    "outcome",
    "us_alignment",
    "china_engagement",
    "security_index",
    "economic_index",
)
"""Columns of ``runs.parquet`` every analysis needs (the swept parameters are required too)."""
REQUIRED_TRAJECTORY_COLUMNS: tuple[str, ...] = ("run_id", "point_id", "step", "outcome")
REQUIRED_BAND_COLUMNS: tuple[str, ...] = ("point_id", "step", "variable", "q10", "q50", "q90")

_IDS = [("run_id", pa.int64()), ("point_id", pa.int64()), ("replicate", pa.int64())]


def runs_schema(parameters: Sequence[str]) -> pa.Schema:
    """Schema of ``runs.parquet``: ids, seed, swept parameters, outcome, finals, launches.

    Args:
        parameters: the swept parameters (dotted paths), in plan order.

    Returns:
        the Arrow schema.
    """
    return pa.schema(
        [
            *_IDS,
            ("seed", pa.uint64()),
            *((p, pa.float64()) for p in parameters),
            ("outcome", pa.string()),
            *((v, pa.float64()) for v in FINAL_VARIABLES),
            ("launches", pa.int64()),
        ]
    )


TRAJECTORIES_SCHEMA = pa.schema(
    [
        *_IDS,
        ("step", pa.int64()),
        ("outcome", pa.string()),
        *((v, pa.float64()) for v in TRAJECTORY_VARIABLES),
    ]
)
"""Schema of ``trajectories.parquet`` (long format: one row per sampled run and step)."""
BANDS_SCHEMA = pa.schema(
    [
        ("point_id", pa.int64()),
        ("step", pa.int64()),
        ("variable", pa.string()),
        ("q10", pa.float64()),
        ("q50", pa.float64()),
        ("q90", pa.float64()),
        ("n", pa.int64()),
    ]
)
"""Schema of ``bands.parquet``."""
HIST_SCHEMA = pa.schema(
    [("point_id", pa.int64()), ("cell", pa.int32()), ("bin", pa.int16()), ("count", pa.int64())]
)
"""Sparse histogram counts of a block part: ``cell = step_index * len(TRAJECTORY_VARIABLES) +
variable_index``."""
