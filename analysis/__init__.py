"""Analysis of hedgesim results folders: classification, summaries, plots, sensitivity, report.

Nothing in this package imports the model: it reads the results contract (docs/results.md) only.
"""
