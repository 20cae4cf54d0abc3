"""The analyst's subcommands of ``hedgesim``: ``reclassify``, ``discover``, ``compare`` and ``show``.

:func:`add_commands` registers them on the main parser (:mod:`sim.cli`) and returns their handlers.
Each prints its tables; ``discover`` also writes ``discovery.csv`` and two figures into the results
folder. Errors are raised as :class:`~sim.loader.InputError` or
:class:`~analysis.results.ResultsError`, which the main command line prints as one line (exit 2).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.labels import OUTCOME_LABELS
from sim.contract.outcomes import OUTCOMES
from sim.loader import InputError

if TYPE_CHECKING:
    from hedgesim.api import Results

Handler = Callable[[argparse.Namespace], int]


def _unit(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got {text!r}")
    return value


def add_commands(
    sub: argparse._SubParsersAction,
    count: Callable[[int], Callable[[str], int]],
    seed: Callable[[str], int],
) -> dict[str, Handler]:
    """Add ``reclassify``, ``discover``, ``compare`` and ``show`` to the subcommands.

    Args:
        sub: the main parser's subparsers.
        count: the main parser's whole-number type factory.
        seed: the main parser's seed type.

    Returns:
        command name -> handler.
    """
    p = sub.add_parser("reclassify", help="outcome table under other thresholds (no rerun)")
    p.add_argument("folder", type=Path, metavar="DIR")
    p.add_argument("--tilt-margin", type=_unit, help="a tilt needs |US - China| >= this")
    p.add_argument("--security-floor", type=_unit, help="caught needs security below this ...")
    p.add_argument("--economic-floor", type=_unit, help="... and economy below this")
    p.add_argument("--out", type=Path, help="write the reclassified summary table to this CSV file")
    p = sub.add_parser("discover", help="PRIM boxes and CART scores of each outcome over a sweep")
    p.add_argument("folder", type=Path, metavar="DIR")
    p.add_argument(
        "--outcome", choices=OUTCOMES, action="append", help="class(es) (default: all four)"
    )
    p.add_argument(
        "--min-share",
        type=_unit,
        default=0.5,
        help="a point counts when the class's share is at least this (0.5)",
    )
    p.add_argument(
        "--min-coverage",
        type=_unit,
        default=0.8,
        help="report the densest box covering at least this (0.8)",
    )
    p = sub.add_parser(
        "compare", help="run scenarios on the same run seeds and compare them in pairs"
    )
    p.add_argument("files", nargs="+", type=Path, metavar="SCENARIO.yaml")
    p.add_argument(
        "--replications", type=count(10_000_000), help="runs per scenario (default: the first's)"
    )
    p.add_argument("--seed", type=seed, help="batch seed (default: the first scenario's)")
    p.add_argument("--workers", type=count(1024), help="worker processes")
    p.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="keep the results: one folder per scenario in DIR, plus comparison.csv,"
        " transitions.csv and comparison.png",
    )
    p = sub.add_parser(
        "show", help="print a scenario with every value resolved and each knob's meaning"
    )
    p.add_argument(
        "scenario", metavar="SCENARIO", help="a scenario file or the name of a library scenario"
    )
    p.add_argument("--all", action="store_true", help="list every model coefficient too")
    return {
        "reclassify": _cmd_reclassify,
        "discover": _cmd_discover,
        "compare": _cmd_compare,
        "show": _cmd_show,
    }


def _cmd_show(args: argparse.Namespace) -> int:
    from hedgesim.api import resolve_scenario
    from sim.schema_doc import show_text

    print(show_text(resolve_scenario(args.scenario), all_knobs=args.all))
    return 0


def _cmd_reclassify(args: argparse.Namespace) -> int:
    from analysis.reclassify import changed_runs, reclassify, threshold_robustness
    from analysis.results import load_results
    from analysis.summary import summarise
    from analysis.table import format_table

    results = load_results(args.folder)
    results.require_runs("reclassify")
    changes = {
        "tilt_margin": args.tilt_margin,
        "security_floor": args.security_floor,
        "economic_floor": args.economic_floor,
    }
    new = reclassify(results, **changes)
    t0, t1 = results.thresholds, new.thresholds
    print(
        f"As run: tilt margin {t0.tilt_margin:g}, security floor {t0.security_floor:g}, economic floor {t0.economic_floor:g}"
    )
    print(format_table(results.summary, max_half_width=None))
    print(
        f"\nReclassified: tilt margin {t1.tilt_margin:g}, security floor {t1.security_floor:g}, economic floor {t1.economic_floor:g}"
    )
    summary = summarise(new.runs, new.parameters)
    print(format_table(summary, max_half_width=None))
    print(f"\n{changed_runs(results.runs, new.runs):,} of {results.n_runs:,} runs changed class")
    print("\nThreshold robustness (shares over all runs as each threshold moves by ±0.05):")
    print(robustness_text(threshold_robustness(results.runs, t1)))
    if args.out is not None:
        from sim.contract.files import write_text_atomic

        print(write_text_atomic(args.out, summary.to_csv(index=False)))
    return 0


def robustness_text(table: pd.DataFrame) -> str:
    """The robustness table as plain text, shares in percent.

    Args:
        table: from :func:`analysis.reclassify.threshold_robustness`.

    Returns:
        aligned text.
    """
    header = ["threshold", "value", "changed", *(OUTCOME_LABELS[c] for c in OUTCOMES)]
    rows = [
        [
            str(r["threshold"]),
            "" if pd.isna(r["value"]) else f"{r['value']:.2f}",
            f"{int(r['changed']):,}",
            *(f"{100 * r[f'share_{c}']:.1f}%" for c in OUTCOMES),
        ]
        for _, r in table.iterrows()
    ]
    widths = [max(len(x[i]) for x in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in [header, *rows]
    )


def _cmd_discover(args: argparse.Namespace) -> int:
    from analysis.discover import boxes_table, discover
    from analysis.plots.discovery import draw_scores, draw_tradeoff
    from analysis.results import load_results
    from analysis.style import figure_bytes
    from sim.contract.errors import ResultsError
    from sim.contract.files import write_bytes_atomic, write_text_atomic

    results = load_results(args.folder)
    try:
        boxes = discover(
            results.summary,
            results.parameters,
            args.outcome or OUTCOMES,
            min_share=args.min_share,
            min_coverage=args.min_coverage,
        )
    except ValueError as error:
        raise ResultsError(args.folder, str(error)) from error
    print(
        f'Scenario discovery on sweep "{results.name}" ({results.n_points:,} points, PRIM boxes, one class vs the rest):'
    )
    for box in boxes:
        print(f"  {box.sentence()}")
    print("CART feature scores (depth-3 tree):")
    for box in boxes:
        scores = ", ".join(f"{p.split('.')[-1]} {s:.2f}" for p, s in box.scores.items())
        print(f"  {OUTCOME_LABELS[box.outcome]}: {scores}")
    print(write_text_atomic(results.path / "discovery.csv", boxes_table(boxes).to_csv(index=False)))
    figures = results.path / "figures"
    figures.mkdir(exist_ok=True)
    caption = results.caption
    for name, fig in (
        ("discovery_tradeoff", draw_tradeoff(boxes, caption=caption, name=results.name)),
        ("discovery_scores", draw_scores(boxes, caption=caption, name=results.name)),
    ):
        print(write_bytes_atomic(figures / f"{name}.png", figure_bytes(fig)))
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    from analysis.compare import changed, compare_runs, transitions
    from hedgesim.api import resolve_scenario, run

    if len(args.files) < 2:
        raise InputError(args.files[0], "compare needs at least two scenario files")
    scenarios = [resolve_scenario(p) for p in args.files]  # all valid before any runs
    names = [s.name for s in scenarios]
    if args.out is not None and len(set(names)) < len(names):
        raise InputError(args.files[0], "compare --out needs scenarios with different names")
    replications = args.replications or scenarios[0].replications
    seed = scenarios[0].seed if args.seed is None else args.seed
    batches = list(
        run(scenarios, replications=replications, seed=seed, workers=args.workers, out=args.out)
    )
    reference = batches[0]
    print(
        f"{replications:,} runs each, batch seed {seed}: run k has the same seed in every scenario"
    )
    tables, moves = [], []
    for other in batches[1:]:
        table = compare_runs(reference.runs, other.runs)
        print(f"\n{other.name} vs {reference.name} (difference = {other.name} - {reference.name}):")
        print(comparison_text(table, reference.name, other.name))
        n = changed(reference.runs, other.runs)
        print(f"{n:,} of {replications:,} runs ({100 * n / replications:.1f}%) changed class")
        print("\nRuns by class (rows: " + reference.name + ", columns: " + other.name + "):")
        moved = transitions(reference.runs, other.runs)
        print(moved.to_string())
        pair = {"reference": reference.name, "scenario": other.name}
        tables.append(table.assign(**pair, changed_runs=n))
        moves.append(moved.stack().rename("runs").reset_index().assign(**pair))
    if args.out is not None:
        _write_comparison(args.out, batches, pd.concat(tables), pd.concat(moves))
    return 0


def _write_comparison(
    out: Path, batches: list[Results], table: pd.DataFrame, moves: pd.DataFrame
) -> None:
    """Write a comparison's tables and figure next to the scenarios' results folders.

    Args:
        out: the parent folder holding one results folder per scenario.
        batches: the scenarios' results (:class:`hedgesim.api.Results`), the reference first.
        table: the paired differences of every scenario against the reference.
        moves: the class-to-class run counts of every pair, in long form.
    """
    from analysis.plots.compare import comparison_data, draw_comparison
    from analysis.style import figure_bytes
    from sim.contract.files import write_bytes_atomic, write_text_atomic

    first = ["reference", "scenario"]
    table = table[first + [c for c in table.columns if c not in first]]
    moves = moves[first + [c for c in moves.columns if c not in first]]
    print(write_text_atomic(out / "comparison.csv", table.to_csv(index=False)))
    print(write_text_atomic(out / "transitions.csv", moves.to_csv(index=False)))
    data = comparison_data([batch.data for batch in batches])
    figure = draw_comparison(data, title="Outcome shares on the same run seeds")
    print(write_bytes_atomic(out / "comparison.png", figure_bytes(figure)))


def comparison_text(table: pd.DataFrame, name_a: str, name_b: str) -> str:
    """The paired comparison as plain text, in percentage points.

    Args:
        table: from :func:`analysis.compare.compare_runs`.
        name_a: the reference batch.
        name_b: the other batch.

    Returns:
        aligned text.
    """
    header = ["Outcome", name_a, name_b, "difference", "95% paired interval"]
    rows = [
        [
            OUTCOME_LABELS[r["outcome"]],
            f"{100 * r['share_a']:.1f}%",
            f"{100 * r['share_b']:.1f}%",
            f"{100 * r['difference']:+.1f} pts",
            f"[{100 * r['lo']:+.1f}, {100 * r['hi']:+.1f}]",
        ]
        for _, r in table.iterrows()
    ]
    widths = [max(len(x[i]) for x in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in [header, *rows]
    )
