"""The joining layer: the command line and the Python API.

It is the one place that uses both the simulation (:mod:`sim`) and the analysis (:mod:`analysis`).

``sim`` never imports ``analysis`` and ``analysis`` imports only :mod:`sim.contract` from ``sim``;
this package uses both (docs/architecture.md).

The Python API for notebooks and scripts (:mod:`hedgesim.api`, imported on first use so that the
command line starts fast)::

    import hedgesim

    res = hedgesim.run("baseline", replications=2000)        # Results, in memory
    grid = hedgesim.sweep("scenarios/sweeps/levels-grid.yaml", out="results/grid")
    both = hedgesim.run(["baseline", "giants-press"], seed=1)  # ResultsSet, same run seeds
"""

from __future__ import annotations

from typing import Any

from sim import __version__

__all__ = ["Results", "ResultsSet", "__version__", "load", "resolve_scenario", "run", "sweep"]
_API = {"Results", "ResultsSet", "load", "resolve_scenario", "run", "sweep"}


def __getattr__(name: str) -> Any:
    if name in _API:
        from hedgesim import api

        return getattr(api, name)
    raise AttributeError(f"module 'hedgesim' has no attribute {name!r}")
