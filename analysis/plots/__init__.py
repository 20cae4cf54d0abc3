"""Figures of a results folder, one module per figure.

Each module has a data-preparation function (pure, tested) and a drawing function that takes an
optional ``ax`` or ``fig``.

:mod:`analysis.figures` decides which figures apply to a folder and writes them.
"""
