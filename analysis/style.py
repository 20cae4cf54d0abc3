"""Visual identity of every hedgesim figure: outcome colours, labels, the style sheet, the canvas.

Figures are built as :class:`matplotlib.figure.Figure` objects on the Agg canvas, never through
``pyplot``: no global figure registry, no GUI backend, safe in worker processes and in tests.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib.style
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

STYLE_PATH: Path = Path(__file__).with_name("hedgesim.mplstyle")
"""The matplotlib style sheet applied to every figure."""

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


@contextmanager
def styled() -> Iterator[None]:
    """Apply the hedgesim style sheet for the duration of the block.

    Returns:
        A context manager; rcParams are restored on exit.
    """
    with matplotlib.style.context(STYLE_PATH):
        yield


def new_figure(**kwargs: Any) -> Figure:
    """Create a figure on the Agg canvas with the hedgesim style.

    Call inside :func:`styled` so that artists added later pick up the style too.

    Args:
        **kwargs: passed to :class:`matplotlib.figure.Figure` (e.g. ``figsize``).

    Returns:
        A new figure with an Agg canvas attached.
    """
    with styled():
        fig = Figure(**kwargs)
    FigureCanvasAgg(fig)
    return fig


def add_caption(fig: Figure, caption: str) -> None:
    """Write the provenance caption (source and run count) under the figure.

    Args:
        fig: the figure.
        caption: e.g. ``sweep "pressure-grid" · 12 points · 2,400 runs``; nothing is drawn if empty.
    """
    if caption:
        fig.text(0.995, -0.01, caption, ha="right", va="top", fontsize=8, color=NEUTRAL_COLOUR)


def save_figure(fig: Figure, path: Path) -> Path:
    """Save a figure with the hedgesim style (dpi, tight bounding box); format from the suffix.

    Args:
        fig: the figure.
        path: destination file; its parent must exist.

    Returns:
        ``path``.
    """
    with styled():
        fig.savefig(path)
    return path


def figure_bytes(fig: Figure, fmt: str = "png") -> bytes:
    """Render a figure to bytes with the hedgesim style.

    Args:
        fig: the figure.
        fmt: image format understood by matplotlib.

    Returns:
        The encoded image.
    """
    buffer = io.BytesIO()
    with styled():
        fig.savefig(buffer, format=fmt)
    return buffer.getvalue()
