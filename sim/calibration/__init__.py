"""Calibration: fit a scenario's coefficients to observed series by history matching in waves.

``spec`` (the calibration file), ``observed`` (data files, fitting rows only), ``evaluate`` (the lane
task that turns runs into annual statistics), ``waves`` (design, implausibility, weights), ``runner``
(the calibration folder, resume, predictive), ``validation`` (out-of-sample table, identifiability)
and ``posterior`` (drawing calibrated coefficients into ordinary runs). See docs/calibration.md.
"""
