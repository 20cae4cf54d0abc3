"""Figure sizes for journals and the small wording rules every figure shares.

Widths follow the common two-column journal page: a full-width figure is 7.2 in (183 mm), a
single-column one 3.5 in (89 mm); heights are chosen per figure.
"""

from __future__ import annotations

FULL_WIDTH = 7.2
"""Inches: a figure across a two-column page (183 mm)."""
COLUMN_WIDTH = 3.5
"""Inches: a figure in one column (89 mm)."""


def runs_text(n: int, noun: str = "run") -> str:
    """``"1 run"``, ``"2,000 runs"``: a count with its noun in the right number.

    Args:
        n: the count.
        noun: the singular noun.

    Returns:
        the text.
    """
    return f"{n:,} {noun}" + ("" if n == 1 else "s")
