"""Plain words and colours of the outcome classes, variables and parameters (no matplotlib here).

Used by the figures, the report and the terminal table alike.
"""

from __future__ import annotations

OUTCOME_COLOURS: dict[str, str] = {
    "hedging": "#009E73",  # Okabe-Ito bluish green
    "tilt_us": "#0072B2",  # Okabe-Ito blue
    "tilt_china": "#D55E00",  # Okabe-Ito vermillion
    "caught_between_giants": "#CC79A7",  # Okabe-Ito reddish purple
}
"""One fixed colour-blind-safe (Okabe-Ito) colour per outcome class."""

OUTCOME_LABELS: dict[str, str] = {
    "hedging": "Hedging",
    "tilt_us": "Tilt to US",
    "tilt_china": "Tilt to China",
    "caught_between_giants": "Caught between giants",
}
"""Human-readable outcome names for legends, tables and the report."""

NEUTRAL_COLOUR = "#555555"
"""Colour of overall (not per-outcome) series and of captions."""

VARIABLE_LABELS: dict[str, str] = {
    "us_alignment": "US alignment",
    "china_engagement": "China engagement",
    "japan_cooperation": "Japan cooperation",
    "derisking": "De-risking",
    "security_index": "Security index",
    "economic_index": "Economic index",
    "us_commitment": "US commitment",
    "threat": "Perceived threat",
    "retaliation": "Chinese retaliation",
    "tariff": "US tariff",
}
"""Human-readable names of Seoul's per-run variables."""

_ACRONYMS = {
    "us": "US",
    "usa": "USA",
    "rok": "ROK",
    "dprk": "DPRK",
    "nk": "NK",
    "prc": "PRC",
    "thaad": "THAAD",
}
_PROPER = {"china", "japan", "russia", "korea", "seoul", "beijing", "tokyo", "washington"}


def parameter_label(name: str) -> str:
    """Turn a dotted parameter path into words, e.g. ``levels.us_pressure`` -> ``US pressure``.

    Args:
        name: dotted parameter path as it appears in ``runs.parquet``.

    Returns:
        The last path component in words, acronyms upper-cased and proper nouns capitalised.
    """
    words = name.rsplit(".", 1)[-1].split("_")
    out = []
    for i, word in enumerate(words):
        if word.lower() in _ACRONYMS:
            out.append(_ACRONYMS[word.lower()])
        elif word.lower() in _PROPER or i == 0:
            out.append(word[:1].upper() + word[1:])
        else:
            out.append(word)
    return " ".join(out)


def variable_label(name: str) -> str:
    """Human-readable name of a per-run variable, falling back to :func:`parameter_label`.

    Args:
        name: column name, e.g. ``security_index``.

    Returns:
        The label, e.g. ``Security index``.
    """
    return VARIABLE_LABELS.get(name, parameter_label(name))
