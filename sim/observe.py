"""The observation model: from the model's state to indicators that are observed year by year.

Korea's relative position between China (0) and the US (1) in UN General Assembly votes, from Bailey,
Strezhnev and Voeten's ideal points (``analysis/data/unga_korea.csv``), and its export shares to China
and to the US. Each indicator is a simple function of the month's state with coefficients in
``structure.observation``; the monthly values are averaged to calendar years when compared with data.
The equations live once, per lane, in :func:`sim.kernel.observe.observables`:

- ``unga_position = base + lean*(a - m)``: votes follow the lean between the giants;
- ``exports_china = scale*m*(1 - derisk_loss*d)*(1 - loss*r*consumer_share)``: engagement, less the
  share of China business de-risking gives up (the same share as in the economic index) and what
  retaliation on consumer goods removes;
- ``exports_us = base + alignment*a*(1 - tariff)``.

The model writes them into its history panel every month (:meth:`sim.model.GeoModel.step`).
"""

from __future__ import annotations

OBSERVABLES: tuple[str, ...] = ("unga_position", "exports_china", "exports_us")
"""Observed indicators the model predicts, one value per lane and month (trajectory variables of the
results contract, ``sim.contract.columns.TRAJECTORY_VARIABLES``)."""
