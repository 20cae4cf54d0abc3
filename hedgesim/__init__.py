"""The command line: the one place that joins the simulation (:mod:`sim`) and the analysis (:mod:`analysis`).

``sim`` never imports ``analysis`` and ``analysis`` imports only :mod:`sim.contract` from ``sim``;
this package uses both (docs/architecture.md).
"""
