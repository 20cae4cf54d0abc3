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
from dataclasses import dataclass, replace
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from sim.scenario import EVENT_KINDS, Event, Scenario

MODEL_DOC = Path(__file__).resolve().parent.parent / "docs" / "model.md"


@dataclass(frozen=True)
class FieldDoc:
    """One field of the schema.

    Args:
        path: dotted path, e.g. ``levels.us_pressure``.
        kind: ``number``, ``whole number``, ``text`` or ``list``.
        range: allowed values in words.
        default: the default in words (``required`` when there is none).
        meaning: the field's description.
        default_value: the default itself (None when required or left to a preset).
        source: where the default comes from (the schema's own ``source``, when it records one).
    """

    path: str
    kind: str
    range: str
    default: str
    meaning: str
    default_value: Any = None
    source: str = ""


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


def _flat(annotation: Any) -> list[Any]:
    """The member types of an annotation, through ``Annotated`` and unions (``None`` dropped)."""
    if get_origin(annotation) is Annotated:
        return _flat(get_args(annotation)[0])
    if get_origin(annotation) in (Union, UnionType):
        return [t for a in get_args(annotation) for t in _flat(a)]
    return [] if annotation is type(None) else [annotation]


def _pattern(annotation: Any) -> str:
    """A ``pattern`` constraint hidden in an ``Annotated`` member of a union (else '')."""
    for member in get_args(annotation) or ():
        for item in get_args(member)[1:] if get_origin(member) is Annotated else ():
            for meta in getattr(item, "metadata", [item]):
                if getattr(meta, "pattern", None):
                    return str(meta.pattern)
    return ""


def _kind(info: FieldInfo) -> str:
    members = _flat(info.annotation)
    if members == [int]:
        return "whole number"
    if members == [float]:
        return "number"
    if float in members and any(get_origin(m) is tuple for m in members):
        return "number or schedule"
    if all(m is str or get_origin(m) is Literal for m in members):
        return "text"
    return "list"


def _source(info: FieldInfo) -> str:
    extra = info.json_schema_extra
    return str(extra.get("source", "")) if isinstance(extra, dict) else ""


def _field(path: str, info: FieldInfo) -> FieldDoc:
    default = info.default
    required = default is PydanticUndefined
    if required:
        text = "required"
    elif default is None:
        text = "from the preset" if path.startswith("government.") else "none"
    elif isinstance(default, float):
        text = f"{default:g}"
    elif default in ("", ()):
        text = "empty"
    else:
        text = str(default)
    return FieldDoc(
        path,
        _kind(info),
        _range_text(info),
        text,
        info.description or _implied_meaning(path),
        None if required or default is None else default,
        _source(info),
    )


def _range_text(info: FieldInfo) -> str:
    if _pattern(info.annotation):
        return f"pattern `{_pattern(info.annotation)}`"
    if _kind(info) == "number or schedule":
        return "[0, 1], or a schedule [[month, value], ...] of such values"
    return _range(info)


def _implied_meaning(path: str) -> str:
    """The meaning of a field whose schema gives none (the scale multipliers), from its path."""
    if path == "start":
        return "Calendar month of step 1 (YYYY-MM), for history replays and observed data."
    if path.startswith("scale."):
        target = path.removeprefix("scale.")
        return f"Multiplier of {target} (of its schedule, month by month); clipped to [0, 1]."
    return ""


def _model_of(info: FieldInfo) -> type[BaseModel] | None:
    annotation = info.annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _walk(model: type[BaseModel], prefix: str) -> list[FieldDoc]:
    fields: list[FieldDoc] = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        nested = _model_of(info)
        if nested is not None:
            fields += _walk(nested, path + ".")
        elif path == "events":
            for leaf, sub in Event.model_fields.items():
                doc = _field(f"events[].{leaf}", sub)
                if leaf == "kind":
                    doc = replace(doc, kind="text", range=", ".join(EVENT_KINDS))
                fields.append(doc)
        else:
            fields.append(_field(path, info))
    return fields


def schema_fields() -> list[FieldDoc]:
    """Every field of a scenario file, in file order (events' fields as ``events[].<name>``)."""
    return _walk(Scenario, "")


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
            f"| {_cell(f.source or sources.get(key, sources.get(f.path, 'see docs/model.md')))} |"
        )
    return "\n".join(lines) + "\n"


def show_text(scenario: Scenario, *, all_knobs: bool = False) -> str:
    """A resolved scenario, one knob a line with its meaning; ``*`` marks values not at default.

    Args:
        scenario: the scenario.
        all_knobs: list every model coefficient (``structure.*``), not only those changed.

    Returns:
        plain text.
    """
    values = scenario.numeric_fields()
    schedules = scenario.schedules()
    lines = [f"name: {scenario.name}"]
    if scenario.description:
        lines.append("description: " + " ".join(scenario.description.split()))
    lines.append(f"replications: {scenario.replications:,}  seed: {scenario.seed}")
    if scenario.start:
        lines.append(f"start: {scenario.start}")
    lines.append(f"government: {scenario.government.preset}")
    width = max(len(p) for p in (*values, *schedules))
    hidden = 0
    for f in schema_fields():
        if f.path in schedules:
            points = ", ".join(f"m{m}: {v:g}" for m, v in schedules[f.path])
            lines.append(f"* {f.path:<{width}}  schedule {points}  {f.meaning}")
            continue
        if f.path not in values:
            continue
        value = values[f.path]
        changed = f.default_value is None or float(f.default_value) != value
        if f.path.startswith("structure.") and not changed and not all_knobs:
            hidden += 1
            continue
        mark = "*" if changed else " "
        lines.append(f"{mark} {f.path:<{width}}  {value:<8g} {f.meaning}")
    if hidden:
        lines.append(
            f"  ... {hidden} model coefficients (structure.*) at their defaults (--all lists them)"
        )
    if scenario.events:
        lines.append("events:")
        for e in scenario.events:
            extra = f", {e.government}" if e.government else ""
            note = f" — {e.note}" if e.note else ""
            lines.append(f"  month {e.step:>3}: {e.kind} (magnitude {e.magnitude:g}{extra}){note}")
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
