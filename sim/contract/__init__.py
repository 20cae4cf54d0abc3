"""The results contract: what the simulation writes and the analysis reads, and nothing else.

Both sides import this package; it imports only numpy, pyarrow and pydantic (a test checks that),
so analysis never loads Mesa or the model through it.

- :mod:`sim.contract.outcomes`: the outcome classes, their integer codes and the classification.
- :mod:`sim.contract.columns`: format version, recorded variables, column lists, Arrow schemas.
- :mod:`sim.contract.errors`: :class:`~sim.contract.errors.ResultsError`.
- :mod:`sim.contract.manifest`: the typed ``manifest.json``.
- :mod:`sim.contract.files`: atomic, durable file writers and checksummed Parquet readers.
- :mod:`sim.contract.summary`: ``summary.csv`` (outcome shares with Wilson intervals).
"""
