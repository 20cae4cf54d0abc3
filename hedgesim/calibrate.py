"""``hedgesim calibrate FILE [--out DIR] [--resume]``: fit, validate out of sample, draw the figures.

A thin layer: :mod:`sim.calibration` fits and writes the calibration folder, :mod:`analysis.calibration`
reads that folder back into the printed tables and the figures.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 130


def add_parser(sub: argparse._SubParsersAction, count: type | object) -> None:  # type: ignore[type-arg]
    """Register the ``calibrate`` subcommand.

    Args:
        sub: the subparsers of ``hedgesim``.
        count: the argparse type of a worker count.
    """
    p = sub.add_parser("calibrate", help="fit a calibration file, validate it on held-out years")
    p.add_argument("file", type=Path, metavar="CALIBRATION.yaml")
    p.add_argument(
        "--out", type=Path, help="calibration folder (default: results/calib-<name>-<UTC>)"
    )
    p.add_argument("--resume", action="store_true", help="continue an interrupted calibration")
    p.add_argument("--workers", type=count, help="worker processes (default: CPU count)")
    p.add_argument(
        "--backend",
        choices=("inprocess", "local", "dask"),
        help="where blocks run (default: a local process pool; dask with --scheduler)",
    )
    p.add_argument("--scheduler", metavar="ADDR", help="address of a running Dask scheduler")
    p.add_argument("--no-figures", action="store_true", help="skip the figures")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Run ``hedgesim calibrate``.

    Args:
        args: parsed arguments.

    Returns:
        the exit status (bad input raises :class:`~sim.loader.InputError`, exit 2 in ``main``).
    """
    from analysis.calibration import format_report
    from sim.calibration.runner import CalibrationFailed, calibrate
    from sim.calibration.spec import load_calibration
    from sim.loader import InputError

    cal = load_calibration(args.file)
    if args.resume and args.out is None:
        raise InputError("--resume", "needs --out DIR (the calibration folder to continue)")
    if args.scheduler and args.backend not in (None, "dask"):
        raise InputError("--scheduler", f"needs --backend dask, not {args.backend}")
    backend = args.backend or ("dask" if args.scheduler else "local")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = args.out if args.out is not None else Path("results") / f"calib-{cal.spec.name}-{stamp}"
    try:
        report = calibrate(
            cal,
            out,
            backend=backend,
            workers=args.workers,
            scheduler=args.scheduler,
            resume=args.resume,
            quiet=args.quiet,
        )
    except KeyboardInterrupt:
        print(
            f"\ninterrupted: finished waves are kept in {out}; continue with --out {out} --resume",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    except CalibrationFailed as error:
        print(f"hedgesim: {error}; retry with --out {out} --resume", file=sys.stderr)
        return EXIT_FAILED
    print(format_report(report.folder))
    if report.runs_done:
        rate = report.runs_done / report.sim_seconds if report.sim_seconds > 0 else float("nan")
        print(
            f"\n{report.runs_done:,} runs in {report.wall_time_s:.1f} s "
            f"({rate:,.0f} runs/s while simulating)"
        )
    if not args.no_figures:
        from analysis.calibration_plots import plot_calibration

        for path in plot_calibration(report.folder):
            print(path)
    print(f"calibration: {report.folder}")
    return EXIT_OK


def print_without_posterior(plan: object, options: object, folder: Path) -> None:
    """Run a batch's runs again at the default coefficients and print both tables.

    The same run seeds, without the posterior draws: the difference is parameter uncertainty. A
    sweep's shares are pooled over its points; both summaries are kept in the results folder
    (``summary.csv`` and ``summary_at_defaults.csv``), where the report shows them side by side.

    Args:
        plan: the run plan with a posterior (a :class:`~sim.plan.RunPlan`, a run or a sweep).
        options: the execution options (:class:`~sim.engine.ExecOptions`).
        folder: the results folder of the run with the posterior.
    """
    import tempfile
    from dataclasses import replace

    import pandas as pd

    from analysis.calibration import format_uncertainty_comparison
    from sim.contract.files import write_text_atomic
    from sim.contract.summary import SUMMARY_AT_DEFAULTS
    from sim.engine import run_batch

    with tempfile.TemporaryDirectory(prefix="hedgesim-defaults-") as tmp:
        report = run_batch(
            replace(plan, posterior=None), Path(tmp) / "defaults", replace(options, quiet=True)
        )
        if not report.complete:
            print("(the comparison run at the defaults failed)", file=sys.stderr)
            return
        text = (report.folder / "summary.csv").read_text(encoding="utf-8")
        write_text_atomic(folder / SUMMARY_AT_DEFAULTS, text)  # the report shows both
        defaults = pd.read_csv(folder / SUMMARY_AT_DEFAULTS)
    print()
    print(format_uncertainty_comparison(pd.read_csv(folder / "summary.csv"), defaults))
