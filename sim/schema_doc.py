"""The scenario schema in words: ``docs/scenarios.md`` and ``hedgesim show``.

Every field of :class:`~sim.scenario.Scenario` — its dotted path, type, range, default and meaning —
is read from the pydantic schema itself, so the reference cannot drift from the code; the source of
each default is taken from the table of ``docs/model.md`` section 8 ("Defaults and their sources").
Regenerate the reference with ``python -m sim.schema_doc > docs/scenarios.md`` (a test checks that
it is up to date).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from sim.scenario import EVENT_KINDS, Event, Scenario

MODEL_DOC = Path(__file__).resolve().parent.parent / "docs" / "model.md"
SECTIONS = ("levels", "world", "government", "initial", "mechanics", "classification")


@dataclass(frozen=True)
class FieldDoc:
    """One field of the schema.

    Args:
        path: dotted path, e.g. ``levels.us_pressure``.
        kind: ``number``, ``whole number``, ``text`` or ``list``.
        range: allowed values in words.
        default: the default in words (``required`` when there is none).
        meaning: the field's description.
        default_value: the default itself (None when required).
    """

    path: str
    kind: str
    range: str
    default: str
    meaning: str
    default_value: Any = None


def _num(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def _range(info: FieldInfo) -> str:
    lo = hi = ""
    for item in info.metadata:
        if isinstance(item, Ge):
            lo = f"≥ {_num(item.ge)}"
        elif isinstance(item, Gt):
            lo = f"> {_num(item.gt)}"
        elif isinstance(item, Le):
            hi = f"≤ {_num(item.le)}"
        elif isinstance(item, Lt):
            hi = f"< {item.lt:g}" if item.lt < 1e15 else "< 2^63"
        elif getattr(item, "pattern", None):
            return f"pattern `{item.pattern}`"
    if lo == "≥ 0" and hi == "≤ 1":
        return "[0, 1]"
    if lo.startswith("> ") and hi.startswith("≤ "):
        return f"({lo[2:]}, {hi[2:]}]"
    if lo.startswith("≥ ") and hi.startswith("≤ "):
        return f"{lo[2:]} to {hi[2:]}"
    return " and ".join(x for x in (lo, hi) if x) or "any"


def _kind(info: FieldInfo) -> str:
    annotation = info.annotation
    base = get_args(annotation)[0] if get_args(annotation) else annotation
    if base is int or annotation is int:
        return "whole number"
    if base is float or annotation is float:
        return "number"
    if base is str or annotation is str:
        return "text"
    return "list"


def _field(path: str, info: FieldInfo) -> FieldDoc:
    default = info.default
    required = default is PydanticUndefined
    if required:
        text = "required"
    elif isinstance(default, float):
        text = f"{default:g}"
    elif default in ("", ()):
        text = "empty"
    else:
        text = str(default)
    return FieldDoc(
        path,
        _kind(info),
        _range(info),
        text,
        info.description or "",
        None if required else default,
    )


def schema_fields() -> list[FieldDoc]:
    """Every field of a scenario file, in file order (events' fields as ``events[].<name>``)."""
    fields: list[FieldDoc] = []
    for name, info in Scenario.model_fields.items():
        if name in SECTIONS:
            section = info.annotation
            assert isinstance(section, type) and issubclass(section, BaseModel)
            for leaf, sub in section.model_fields.items():
                fields.append(_field(f"{name}.{leaf}", sub))
        elif name == "events":
            for leaf, sub in Event.model_fields.items():
                doc = _field(f"events[].{leaf}", sub)
                if leaf == "kind":
                    doc = FieldDoc(
                        doc.path, "text", ", ".join(EVENT_KINDS), doc.default, doc.meaning
                    )
                fields.append(doc)
        else:
            fields.append(_field(name, info))
    return fields


def model_sources(text: str | None = None) -> dict[str, str]:
    """The "meaning; source" cell of each field in docs/model.md's table of defaults.

    Args:
        text: the document (default: read ``docs/model.md``; empty when it is not there).

    Returns:
        dotted path -> the cell's text.
    """
    if text is None:
        text = MODEL_DOC.read_text(encoding="utf-8") if MODEL_DOC.is_file() else ""
    sources = {}
    for line in text.splitlines():
        match = re.match(r"\|\s*`([a-z_.]+)`[^|]*\|[^|]*\|[^|]*\|\s*(.*?)\s*\|\s*$", line)
        if match:
            sources[match.group(1)] = match.group(2)
    return sources


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render_markdown() -> str:
    """``docs/scenarios.md``: the scenario file reference."""
    sources = model_sources()
    lines = [
        "# Scenario files: every field",
        "",
        "<!-- Generated from the schema in sim/scenario.py by `python -m sim.schema_doc >"
        " docs/scenarios.md`; do not edit by hand. -->",
        "",
        "A scenario file is YAML. Only `name` and the three `levels` are required; every other field",
        "has the default below. Unknown keys, values out of range, strings where numbers belong and",
        "numbers where whole numbers belong are errors (`hedgesim validate FILE` lists them all, with",
        "file and line). `hedgesim show FILE` prints a scenario with every value resolved and each",
        "knob's meaning. Sources: the two articles in [sources.md](sources.md) and the figures in",
        "[model.md §8](model.md#8-defaults-and-their-sources).",
        "",
        "```yaml",
        "name: my-scenario",
        "description: What this scenario stands for, and the passage it rests on.",
        "levels: {us_pressure: 0.6, china_coercion: 0.3, nk_provocation: 0.35}",
        "world: {us_china_tension: 0.7}",
        "events:",
        "  - {step: 6, kind: tariff_hike, magnitude: 1.0}",
        "```",
        "",
        "| field | type | range | default | meaning | source (docs/model.md §8) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for f in schema_fields():
        key = f.path.replace("events[].", "events.")
        lines.append(
            f"| `{f.path}` | {f.kind} | {_cell(f.range)} | {_cell(f.default)} | {_cell(f.meaning)} "
            f"| {_cell(sources.get(key, sources.get(f.path, '—')))} |"
        )
    return "\n".join(lines) + "\n"


def show_text(scenario: Scenario) -> str:
    """A resolved scenario, one knob a line with its meaning; ``*`` marks values not at default.

    Args:
        scenario: the scenario.

    Returns:
        plain text.
    """
    values = scenario.numeric_fields()
    lines = [f"name: {scenario.name}"]
    if scenario.description:
        lines.append("description: " + " ".join(scenario.description.split()))
    lines.append(f"replications: {scenario.replications:,}  seed: {scenario.seed}")
    width = max(len(p) for p in values)
    for f in schema_fields():
        if f.path not in values:
            continue
        value = values[f.path]
        changed = f.default_value is None or float(f.default_value) != value
        mark = "*" if changed else " "
        lines.append(f"{mark} {f.path:<{width}}  {value:<8g} {f.meaning}")
    if scenario.events:
        lines.append("events:")
        for e in scenario.events:
            lines.append(f"  month {e.step:>3}: {e.kind} (magnitude {e.magnitude:g})")
    else:
        lines.append("events: none")
    lines.append("(* = differs from the default, or required)")
    return "\n".join(lines)


def knob_rows(scenario_data: dict[str, Any]) -> list[tuple[str, float, float | None, str]] | None:
    """The knobs of a scenario (as recorded in a manifest) that differ from the defaults, with meanings.

    Args:
        scenario_data: the scenario as a plain dict.

    Returns:
        (path, value, default or None, meaning) per knob, or None when the dict is no valid scenario
        of this version.
    """
    try:
        scenario = Scenario.model_validate(scenario_data)
    except ValueError:
        return None
    meanings = {f.path: f.meaning for f in schema_fields()}
    return [(p, v, d, meanings.get(p, "")) for p, v, d in differing_knobs(scenario)]


def differing_knobs(scenario: Scenario) -> list[tuple[str, float, float | None]]:
    """The knobs whose value is not the schema default (required ones included).

    Args:
        scenario: the scenario.

    Returns:
        (dotted path, value, default or None when required), in schema order.
    """
    values = scenario.numeric_fields()
    out = []
    for f in schema_fields():
        if f.path in values and (
            f.default_value is None or float(f.default_value) != values[f.path]
        ):
            out.append(
                (
                    f.path,
                    values[f.path],
                    None if f.default_value is None else float(f.default_value),
                )
            )
    return out


if __name__ == "__main__":
    sys.stdout.write(render_markdown())
