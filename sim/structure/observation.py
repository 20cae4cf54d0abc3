"""The observation model and the start of a run (:mod:`sim.observe`, :mod:`sim.model`)."""

from __future__ import annotations

from sim.structure.fields import CHOICE, Section, coef


class Observation(Section):
    """Maps the model's state to observable annual indicators (sim/observe.py)."""

    unga_base: float = coef(
        0.38,
        0.0,
        1.0,
        "Korea's UN-vote position between China (0) and the US (1) at a - m = 0.",
        "calibrated: posterior median of calibrations/korea-2013-2016 (90%: 0.24-0.45), fitted to "
        "Bailey, Strezhnev and Voeten (2017) ideal points 2013-2016",
    )
    unga_lean: float = coef(0.5, 0.0, 3.0, "UN-vote position per unit of lean a - m.", CHOICE)
    exports_china_scale: float = coef(
        0.47,
        0.0,
        1.0,
        "Export share to China at full engagement, no retaliation, no de-risking.",
        "calibrated: posterior median of calibrations/korea-2013-2016 (90%: 0.40-0.55), fitted to "
        "exports to China ≈26% (2015), ≈25% (2016)",
    )
    exports_china_retaliation: float = coef(
        0.3,
        0.0,
        1.0,
        "Share of China exports lost at full retaliation (consumer goods only).",
        "R: 2017 losses in tourism and retail; intermediate goods grew",
    )
    exports_us_base: float = coef(
        0.08, 0.0, 1.0, "Export share to the US at zero alignment and closed market.", CHOICE
    )
    exports_us_alignment: float = coef(
        0.1,
        0.0,
        1.0,
        "Export share to the US per unit of alignment and open market.",
        "R: exports to the US ≈13% (2015), 18.7% (2024)",
    )


class StartStructure(Section):
    """How a run starts in balance (sim/model.py, ``GeoModel.spin_up``)."""

    spinup_months: float = coef(
        60.0,
        0.0,
        1200.0,
        "Months the others run with Seoul's posture held (expected launches) before month 1.",
        "ODD initialisation: start at the others' equilibrium, so no start-up drift",
    )
