"""The building blocks of the coefficient schema: a bounded, documented, sourced field.

Each field's ``source`` names where its default comes from (see :mod:`sim.structure`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


def coef(default: float, lo: float, hi: float, description: str, source: str) -> Any:
    """A documented, bounded model coefficient.

    Args:
        default: the default value.
        lo: smallest allowed value.
        hi: largest allowed value.
        description: what the coefficient does, in a sentence.
        source: where the default comes from (see the module docstring).

    Returns:
        a pydantic ``Field`` carrying the source in its JSON schema.
    """
    return Field(
        default, ge=lo, le=hi, description=description, json_schema_extra={"source": source}
    )


CHOICE = "calibration choice"


class Section(BaseModel):
    """A frozen section of coefficients that rejects unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)
