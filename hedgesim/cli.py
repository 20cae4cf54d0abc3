"""The ``hedgesim`` command line (also ``python -m hedgesim``).

Subcommands: ``validate FILE...``, ``list``, ``run SCENARIO.yaml``, ``sweep SWEEP.yaml``,
``plot DIR...``, ``report DIR`` and ``calibrate CALIBRATION.yaml`` (:mod:`hedgesim.calibrate`). Bad
input of any kind prints one line (``file:line: field: what is wrong``) to stderr and exits with status
2, without a traceback (an unreachable Dask scheduler, a results folder another process is writing, an
``--out`` that cannot be created too); a batch with failed blocks, or a results folder that fails
while being written, exits with 1; Ctrl-C exits with 130 and SIGTERM with 143, both keeping the
finished blocks for ``--resume``.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

from hedgesim.calibrate import add_parser as _add_calibrate_parser
from hedgesim.calibrate import cmd_calibrate
from hedgesim.commands import add_commands
from hedgesim.console import tolerant_streams
from hedgesim.replay import add_parser as _add_replay_parser
from sim import __version__
from sim.contract.errors import ResultsError
from sim.contract.lock import reading
from sim.lifeline import Terminated, sigterm_as_interrupt
from sim.loader import InputError, load_scenario
from sim.plan import MAX_BLOCK_SIZE, RunPlan

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 130, 143
WORKERS_PER_CPU = 2
"""``--workers`` above this many per CPU is refused unless ``--force-workers`` is given."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _count(limit: int) -> Callable[[str], int]:
    """An argparse type for a whole number in [1, limit] (the schema's own limits)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if not 1 <= value <= limit:
            raise argparse.ArgumentTypeError(f"expected 1 to {limit:,}, got {text!r}")
        return value

    return parse


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer seed, got {text!r}") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"seed must be in [0, 2**63), got {text!r}")
    return value


def _folder_name(text: str) -> Path:
    """An argparse type for ``--out``: a non-empty path whose name is valid UTF-8."""
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a folder name, got an empty one")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        shown = text.encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace")
        raise argparse.ArgumentTypeError(
            f"{shown!r} is not valid UTF-8 (the results files name it); choose another name"
        ) from None
    return Path(text)


def _add_exec_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=_folder_name, help="results folder (default: results/<name>-<UTC time>)"
    )
    parser.add_argument(
        "--resume", action="store_true", help="continue an interrupted batch in --out"
    )
    parser.add_argument(
        "--workers", type=_count(1024), help="worker processes (default: CPU count)"
    )
    parser.add_argument(
        "--force-workers",
        action="store_true",
        help=f"allow --workers above {WORKERS_PER_CPU} per CPU",
    )
    parser.add_argument(
        "--backend",
        choices=("inprocess", "local", "dask"),
        help="where blocks run: this process, a local process pool (default) or Dask",
    )
    parser.add_argument("--scheduler", metavar="ADDR", help="address of a running Dask scheduler")
    parser.add_argument(
        "--block-size", type=_count(MAX_BLOCK_SIZE), help="runs per block (default 2048)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--aggregate",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="keep per-point counts, histograms, bands and a bounded sample of runs instead of"
        " one row per run (default: only above 20,000,000 runs)",
    )
    parser.add_argument(
        "--posterior",
        type=Path,
        metavar="CALIB_DIR",
        help="draw each run's calibrated coefficients from this calibration's posterior",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``hedgesim``."""
    parser = _Parser(prog="hedgesim", description="Seoul between Washington and Beijing: simulate.")
    parser.add_argument("--version", action="version", version=f"hedgesim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = sub.add_parser("validate", help="check scenario and sweep files")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p = sub.add_parser("list", help="list the scenario library (or the scenarios in --dir)")
    p.add_argument("--dir", type=Path, default=None, help="folder of scenario files to list")
    p = sub.add_parser("run", help="run the replications of one or more scenarios")
    p.add_argument("scenarios", nargs="+", type=Path, metavar="SCENARIO.yaml")
    p.add_argument(
        "--replications", type=_count(10_000_000), help="override the scenario's replications"
    )
    p.add_argument("--seed", type=_seed, help="override the scenario's batch seed")
    _add_exec_options(p)
    p = sub.add_parser("sweep", help="run a sweep file")
    p.add_argument("sweep", type=Path, metavar="SWEEP.yaml")
    _add_exec_options(p)
    p = sub.add_parser("plot", help="draw the figures of results folders")
    p.add_argument("folders", nargs="+", type=Path, metavar="DIR")
    p.add_argument("--format", choices=("png", "svg"), default="png")
    p.add_argument(
        "--out",
        type=_folder_name,
        default=Path("."),
        help="with several folders: where comparison.<format> goes (default: current directory)",
    )
    p = sub.add_parser("report", help="write report.html of a results folder")
    p.add_argument("folder", type=Path, metavar="DIR")
    _add_calibrate_parser(sub, _count(1024))
    p = sub.add_parser("explore", help="start the live ensemble explorer in the browser")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=_count(65_535), default=8765, help="port (default 8765)")
    COMMANDS.update(add_commands(sub, _count, _seed))
    COMMANDS["replay"] = _add_replay_parser(sub)
    return parser


def _cmd_validate(args: argparse.Namespace) -> int:
    import sim.loader
    from sim.calibration.spec import load_calibration, looks_like_calibration
    from sim.sweep import ResolvedSweep, load_batch_file

    status = EXIT_OK
    for path in args.files:
        try:
            content = sim.loader.read_yaml(path)
            if looks_like_calibration(content[0]):
                cal = load_calibration(path, content)
                m = cal.spec.method
                what = (
                    f"calibration {cal.spec.name}: {len(cal.parameters)} parameters, "
                    f"{len(cal.series)} targets, {m.waves} waves x {m.points:,} points x "
                    f"{m.replications} replications"
                )
                print(f"OK  {path} ({what})")
                continue
            loaded = load_batch_file(path, content)
            if isinstance(loaded, ResolvedSweep):
                plan = loaded.plan()
                what = (
                    f"sweep {plan.name}: {plan.n_points:,} points x {plan.replications:,}"
                    f" replicates = {plan.n_runs:,} runs"
                )
            else:
                what = f"scenario {loaded.name}: {loaded.replications:,} runs"
        except InputError as error:
            print(error, file=sys.stderr)
            status = EXIT_BAD_INPUT
        else:
            print(f"OK  {path} ({what})")
    return status


def _cmd_list(args: argparse.Namespace) -> int:
    from sim.library import library_dir

    args.dir = args.dir if args.dir is not None else library_dir()
    files = sorted(args.dir.glob("*.yaml"))
    if not files:
        print(f"no scenarios in {args.dir}/", file=sys.stderr)
        return EXIT_OK
    rows = []
    for path in files:
        try:
            scenario = load_scenario(path)
            first = (scenario.description.strip().splitlines() or [""])[0]
            rows.append((scenario.name, first))
        except InputError as error:
            rows.append((path.stem, f"INVALID: {error}"))
    width = max(len(name) for name, _ in rows)
    for name, text in rows:
        text = text if len(text) <= 96 else text[:93] + "..."
        print(f"{name:<{width}}  {text}")
    return EXIT_OK


def _default_out(name: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path("results") / f"{name}-{stamp}"


def _check_out(out: Path) -> None:
    """Refuse an output folder that cannot be created: a file in the way, or no write permission."""
    try:
        _check_out_path(out)
    except OSError as error:  # e.g. a name too long for the file system
        reason = "the name is too long" if error.errno == errno.ENAMETOOLONG else error.strerror
        raise InputError("--out", f"cannot use {out}: {reason or error}") from None


def _check_out_path(out: Path) -> None:
    if out.is_symlink() and not out.exists():
        raise InputError("--out", f"{out} is a symbolic link to a missing target")
    if out.exists() and not out.is_dir():
        raise InputError("--out", f"{out} is a file, not a folder")
    parent = next((p for p in out.absolute().parents if p.exists()), None)
    if parent is not None and not parent.is_dir():
        raise InputError("--out", f"{parent} is a file, so {out} cannot be created")
    existing = out if out.exists() else parent
    if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
        raise InputError("--out", f"no permission to write in {existing}")


def _plans(args: argparse.Namespace) -> list[Any]:
    """The run plans of ``run`` (one per scenario file) or ``sweep``, all checked before any runs."""
    from sim.sweep import ResolvedSweep, load_batch_file

    if args.command == "sweep":
        sweep = load_batch_file(args.sweep)
        if not isinstance(sweep, ResolvedSweep):
            raise InputError(args.sweep, "is not a sweep file (no 'base'); use 'hedgesim run'")
        return [sweep.plan()]
    plans = []
    for path in args.scenarios:
        scenario = load_batch_file(path)
        if isinstance(scenario, ResolvedSweep):
            raise InputError(path, "is a sweep file; run it with 'hedgesim sweep'")
        plans.append(RunPlan.single(scenario, replications=args.replications, seed=args.seed))
    names = [plan.name for plan in plans]
    if len(set(names)) < len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise InputError(args.scenarios[0], f"scenario name(s) given twice: {', '.join(twice)}")
    return plans


def _cmd_batch(args: argparse.Namespace) -> int:
    plans = _plans(args)
    if len(plans) == 1:
        return _run_plan(args, plans[0], args.out)[0]
    outs = [(args.out / plan.name if args.out is not None else None) for plan in plans]
    for out in outs:
        if out is not None:
            _check_out(out)
    folders = []
    for plan, out in zip(plans, outs, strict=True):
        status, folder = _run_plan(args, plan, out)
        if status != EXIT_OK:
            return status
        folders.append(folder)
        print()
    _print_combined(folders)
    return EXIT_OK


def _print_combined(folders: list[Path]) -> None:
    """One table of the pooled outcome shares of several results folders, one row each."""
    import pandas as pd

    from analysis.table import format_table

    rows = []
    for folder in folders:
        summary = pd.read_csv(folder / "summary.csv")
        rows.append(summary.iloc[0].to_dict() | {"point_id": len(rows), "scenario": folder.name})
    print("All scenarios (point = scenario, in the order given):")
    print(format_table(pd.DataFrame(rows), max_half_width=None))


def _run_plan(args: argparse.Namespace, plan: Any, out: Path | None) -> tuple[int, Path]:
    """Run one plan into its results folder and print its outcome table."""
    from dataclasses import replace

    from sim.aggregate import choose_aggregate
    from sim.engine import ExecOptions, run_batch
    from sim.plan import DEFAULT_BLOCK_SIZE

    if args.block_size is not None:
        plan = replace(plan, block_size=args.block_size)
    if args.posterior is not None:
        plan = _with_posterior(plan, args.posterior)
    plan, note = choose_aggregate(plan, args.aggregate)
    if note is not None:
        print(f"note: {note}", file=sys.stderr)
    if args.scheduler and args.backend not in (None, "dask"):
        raise InputError("--scheduler", f"needs --backend dask, not {args.backend}")
    if args.resume and args.out is None:
        raise InputError("--resume", "needs --out DIR (the folder to continue)")
    _check_workers(args.workers, args.force_workers)
    backend = args.backend or ("dask" if args.scheduler else "local")
    if (
        args.backend is None
        and backend == "local"
        and plan.n_runs <= (plan.block_size or DEFAULT_BLOCK_SIZE)
    ):
        backend = "inprocess"  # one block: starting worker processes would only cost time
    options = ExecOptions(backend, args.workers, args.scheduler, args.quiet)
    out = out if out is not None else _default_out(plan.name)
    _check_out(out)
    try:
        report = run_batch(plan, out, options, resume=args.resume)
    except KeyboardInterrupt as stop:
        what = "terminated" if isinstance(stop, Terminated) else "interrupted"
        if not (out / "manifest.json").exists():
            print(f"\n{what} before any block finished", file=sys.stderr)
        else:
            print(
                f"\n{what}: finished blocks are kept in {out}; continue with --out {out} --resume",
                file=sys.stderr,
            )
        return (EXIT_TERMINATED if isinstance(stop, Terminated) else EXIT_INTERRUPTED), out
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    if not report.complete:
        if report.failed:
            print(f"{len(report.failed)} of {report.n_blocks} blocks failed:", file=sys.stderr)
            for index, text in sorted(report.failed.items()):
                last = (text.strip().splitlines() or ["?"])[-1]
                print(f"  block {index}: {last}", file=sys.stderr)
        if report.not_run:
            print(f"{len(report.not_run)} blocks were not run", file=sys.stderr)
        print(
            f"tracebacks are in {out / 'manifest.json'}; retry with --out {out} --resume",
            file=sys.stderr,
        )
        return EXIT_FAILED, out
    points = len(plan.points)
    print(f"{plan.kind} {plan.name}: {points:,} point(s) x {plan.replications:,} replications")
    if plan.posterior is not None:
        post = plan.posterior
        print(
            f"coefficients drawn per run from the posterior of calibration {post.name}"
            f" ({post.source}; {len(post.parameters)} parameters, {len(post.weights):,} points):"
            " shares include parameter uncertainty"
        )
    _print_summary(report.folder)
    if plan.posterior is not None:  # the same runs at the defaults, side by side
        from hedgesim.calibrate import print_without_posterior

        print_without_posterior(plan, options, report.folder)
    if report.runs_done:
        rate = report.runs_done / report.wall_time_s if report.wall_time_s > 0 else float("nan")
        done = f"{report.runs_done:,} runs in {report.wall_time_s:.1f} s ({rate:,.0f} runs/s)"
        if report.runs_done < report.n_runs:
            done += f"; {report.n_runs - report.runs_done:,} were already on disk"
        print(f"\n{done}")
    else:
        print(f"\nall {report.n_runs:,} runs were already on disk")
    print(f"results: {report.folder}")
    return EXIT_OK, report.folder


def _with_posterior(plan: RunPlan, folder: Path) -> RunPlan:
    """The plan with each run's calibrated coefficients drawn from a calibration's posterior."""
    from dataclasses import replace

    from sim.calibration.posterior import load_posterior

    posterior = load_posterior(folder)
    both = sorted(set(posterior.parameters) & set(plan.parameters))
    if both:
        raise InputError(
            "--posterior", f"{both[0]} is both swept and calibrated; sweep another parameter"
        )
    return replace(plan, posterior=posterior)


def _check_workers(workers: int | None, force: bool) -> None:
    """Refuse ``--workers`` far above the CPU count (each holds a block in memory)."""
    cpus = os.cpu_count() or 1
    if workers is not None and workers > WORKERS_PER_CPU * cpus and not force:
        raise InputError(
            "--workers",
            f"{workers} is far above the {cpus} CPU(s) here (at most {WORKERS_PER_CPU * cpus}"
            " without --force-workers); add --force-workers to start them anyway",
        )


def _print_summary(folder: Path) -> None:
    """Print the outcome table of ``summary.csv`` (written, and checked on resume, by the engine)."""
    import pandas as pd

    from analysis.table import format_table

    print(format_table(pd.read_csv(folder / "summary.csv")))


def _cmd_plot(args: argparse.Namespace) -> int:
    from analysis.figures import plot_comparison, plot_folder
    from analysis.results import load_results

    with ExitStack() as stack:
        for folder in args.folders:
            stack.enter_context(reading(folder))
        loaded = [load_results(folder) for folder in args.folders]  # all readable before drawing
        if len(loaded) > 1:
            _check_plot_out(args.out)
        for results in loaded:
            for path in plot_folder(results, fmt=args.format):
                print(path)
        if len(loaded) > 1:
            print(plot_comparison(loaded, args.out, fmt=args.format))
    return EXIT_OK


def _check_plot_out(out: Path) -> None:
    """Refuse a ``plot --out`` that cannot take ``comparison.<format>``, before anything is drawn."""
    _check_out(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError("--out", f"cannot create {out}: {error.strerror or error}") from None


def _cmd_report(args: argparse.Namespace) -> int:
    from analysis.report import write_report
    from analysis.results import load_results
    from sim.schema_doc import knob_rows

    with reading(args.folder):
        results = load_results(args.folder)
        print(write_report(results, knobs=knob_rows(results.manifest.scenario)))
    return EXIT_OK


def _cmd_explore(args: argparse.Namespace) -> int:
    from hedgesim.serve import serve

    return serve(args.host, args.port)


COMMANDS = {
    "validate": _cmd_validate,
    "list": _cmd_list,
    "run": _cmd_batch,
    "sweep": _cmd_batch,
    "plot": _cmd_plot,
    "report": _cmd_report,
    "calibrate": cmd_calibrate,
    "explore": _cmd_explore,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: arguments without the program name (default: ``sys.argv[1:]``).

    Returns:
        the exit status: 0 ok, 1 failed blocks, 2 bad input, 130 interrupted, 143 terminated.
    """
    started = time.perf_counter()
    tolerant_streams()
    try:
        with sigterm_as_interrupt():
            args = build_parser().parse_args(argv)
            return COMMANDS[args.command](args)
    except SystemExit as stop:  # argparse: --help (0) or a usage error (2, already printed)
        if stop.code is None:
            return EXIT_OK
        return stop.code if isinstance(stop.code, int) else EXIT_BAD_INPUT
    except (InputError, ResultsError) as error:
        print(str(error), file=sys.stderr)
        return EXIT_BAD_INPUT
    except ConnectionError as error:  # e.g. an unreachable --scheduler
        print(f"hedgesim: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as error:  # e.g. the results folder cannot be written
        print(f"hedgesim: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt as stop:
        what = "terminated" if isinstance(stop, Terminated) else "interrupted"
        print(f"\n{what} after {time.perf_counter() - started:.1f} s", file=sys.stderr)
        return EXIT_TERMINATED if isinstance(stop, Terminated) else EXIT_INTERRUPTED
