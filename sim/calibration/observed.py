"""Observed annual series: the fitting rows (for calibration) and the held-out rows (for validation).

Fitting reads :func:`read_fitting_rows` only, which drops every row after the cut-off year before any
value is parsed, so held-out values cannot reach the fit (``tests/sim/test_calibration.py`` corrupts
them and checks the posterior is unchanged). :func:`read_heldout_rows` is used afterwards, for the
out-of-sample table alone.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt

Fail = Callable[..., Exception]
Rows = tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]


def _read_rows(
    path: Path, column: str, keep: Callable[[int], bool], fail: Fail, loc: tuple[str, ...]
) -> Rows:
    """Years and values of ``column`` for the rows whose year ``keep`` accepts (empty cells skipped)."""
    try:
        with path.open(newline="", encoding="utf-8") as stream:
            reader = csv.DictReader(stream)
            fields = reader.fieldnames or []
            if "year" not in fields:
                raise fail(f"{path.name} has no 'year' column", *loc, "file")
            if column not in fields:
                raise fail(f"{path.name} has no column {column!r}", *loc, "column")
            years, values = [], []
            for number, row in enumerate(reader, start=2):
                try:
                    year = int(row["year"])
                except (TypeError, ValueError):
                    raise fail(
                        f"{path.name}:{number}: year {row['year']!r} is not a year", *loc
                    ) from None
                if not keep(year) or not (row[column] or "").strip():
                    continue
                try:
                    value = float(row[column])
                except ValueError:
                    raise fail(
                        f"{path.name}:{number}: {column} {row[column]!r} is not a number", *loc
                    ) from None
                if not math.isfinite(value):
                    raise fail(f"{path.name}:{number}: {column} is not finite", *loc)
                years.append(year)
                values.append(value)
    except FileNotFoundError:
        raise fail(f"data file not found: {path}", *loc, "file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise fail(f"cannot read {path}: {error}", *loc, "file") from None
    order = np.argsort(years, kind="stable")
    return np.asarray(years, dtype=np.int64)[order], np.asarray(values, dtype=np.float64)[order]


def read_fitting_rows(
    path: Path, column: str, until: int, fail: Fail, loc: tuple[str, ...]
) -> Rows:
    """Observations of years up to ``until`` (the held-out rows are skipped unparsed).

    Args:
        path: CSV file with a ``year`` column.
        column: the observed column.
        until: last fitting year.
        fail: builds the error to raise, located in the calibration file.
        loc: the target's location in the calibration file.

    Returns:
        ``(years, values)`` sorted by year.
    """
    return _read_rows(path, column, lambda year: year <= until, fail, loc)


def read_heldout_rows(
    path: Path, column: str, after: int, fail: Fail, loc: tuple[str, ...]
) -> Rows:
    """Observations of the years after ``after`` (for out-of-sample validation only).

    Args:
        path: CSV file with a ``year`` column.
        column: the observed column.
        after: last fitting year.
        fail: builds the error to raise.
        loc: the target's location in the calibration file.

    Returns:
        ``(years, values)`` sorted by year.
    """
    return _read_rows(path, column, lambda year: year > after, fail, loc)
