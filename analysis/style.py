"""The matplotlib side of every hedgesim figure: the style sheet, the Agg canvas, captions, rendering.

Colours and labels are plain data in :mod:`analysis.labels` (the terminal table needs them without
matplotlib).

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

from analysis.labels import NEUTRAL_COLOUR

STYLE_PATH: Path = Path(__file__).with_name("hedgesim.mplstyle")
"""The matplotlib style sheet applied to every figure."""


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
    if caption:  # as the figure's supxlabel, so that constrained layout keeps room for it
        fig.supxlabel(caption, x=0.995, ha="right", fontsize=8, color=NEUTRAL_COLOUR)


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
