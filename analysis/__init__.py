"""Analysis of hedgesim results folders: summaries, plots, sensitivity, report.

Nothing in this package imports the model: it reads the results folder (docs/results.md) and imports
from ``sim`` only the results contract, :mod:`sim.contract` (a test checks both).
"""
