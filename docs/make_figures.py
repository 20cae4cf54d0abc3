"""Regenerate the README figures in ``docs/img/`` from real runs.

Usage (from the repository root, after ``make venv``)::

    .venv/bin/python docs/make_figures.py [--replications 1000] [--work results/readme-figures]

It runs every scenario of the library, the ``pressure-coercion`` sweep, draws their figures with
``hedgesim plot`` and copies five of them to ``docs/img/`` (with the history replay's). Takes a couple of minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from hedgesim.cli import main as hedgesim

ROOT = Path(__file__).resolve().parent.parent
IMG = ROOT / "docs" / "img"


def _call(*argv: str) -> None:
    """Run one hedgesim command; stop on failure."""
    status = hedgesim(list(argv))
    if status != 0:
        raise SystemExit(f"hedgesim {' '.join(argv)} exited with {status}")


def main() -> int:
    """Run the batches and copy the figures.

    Returns:
        exit status.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=1000)
    parser.add_argument("--work", type=Path, default=ROOT / "results" / "readme-figures")
    args = parser.parse_args()
    if args.work.exists():
        shutil.rmtree(args.work)
    library = sorted((ROOT / "scenarios").glob("*.yaml"))
    folders = []
    for scenario in library:
        out = args.work / scenario.stem
        _call(
            "run",
            str(scenario),
            "--replications",
            str(args.replications),
            "--out",
            str(out),
            "--quiet",
        )
        folders.append(str(out))
    _call("plot", *folders, "--out", str(args.work))
    replay = args.work / "korea-2013-2025"
    history = ROOT / "scenarios" / "history" / "korea-2013-2025.yaml"
    _call(
        "run",
        str(history),
        "--replications",
        str(args.replications),
        "--out",
        str(replay),
        "--quiet",
    )
    _call("plot", str(replay))
    sweep = args.work / "pressure-coercion"
    _call(
        "sweep",
        str(ROOT / "scenarios" / "sweeps" / "pressure-coercion.yaml"),
        "--out",
        str(sweep),
        "--quiet",
    )
    _call("plot", str(sweep))
    IMG.mkdir(parents=True, exist_ok=True)
    copies = {
        args.work / "comparison.png": IMG / "scenario-library.png",
        sweep / "figures" / "outcome_map.png": IMG / "pressure-coercion-map.png",
        args.work / "baseline" / "figures" / "fans_by_outcome.png": IMG / "baseline-fans.png",
        args.work / "giants-press" / "figures" / "position.png": IMG / "giants-press-position.png",
        replay / "figures" / "history.png": IMG / "history-replay.png",
    }
    for source, target in copies.items():
        shutil.copyfile(source, target)
        print(target.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
