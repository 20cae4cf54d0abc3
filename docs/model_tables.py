"""Regenerate the parts of ``docs/model.md`` that mirror the code.

Usage (from the repository root, after ``make venv``)::

    .venv/bin/python docs/model_tables.py           # rewrite docs/model.md in place
    .venv/bin/python docs/model_tables.py --check   # exit 1 with a diff if it is out of date

Only the text between ``<!-- generated:NAME -->`` and ``<!-- /generated:NAME -->`` is replaced, so
hand-written prose around the blocks is never touched. The blocks:

- ``defaults``: every field of :class:`sim.structure.Structure` by dotted path, with its default,
  range, description and source (§9);
- ``scenario``: the scenario's numeric fields outside ``structure`` (levels, world, ``scale``,
  initial posture, classification) with their defaults and ranges (§9);
- ``events``: the event-effect table :data:`sim.events.EFFECTS` with the sizes' defaults (§7.8);
- ``presets``: the government presets of ``structure.governments`` (§7.7);
- ``nfields``: the number of ``structure.*`` fields (inline).

It also lists prose mentions of a default that disagree with the code: a dotted path in backticks
followed by ``= number`` (e.g. ``structure.start.spinup_months`` = 60; the ``structure.`` prefix may
be left out). ``--check`` fails on those too. Bad input (a missing file, a marker without its pair)
is reported in one line with exit status 2.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from sim.contract.files import write_text_atomic
from sim.events import EFFECTS
from sim.scenario import Classification, Conditions, Levels, Posture, Scales, Scenario
from sim.structure import GovernmentPreset, Governments, Structure, structure_fields

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "model.md"
COMMAND = ".venv/bin/python docs/model_tables.py"

_SPECIAL_EVENTS = {
    "government_change": ("Seoul's government (all lanes)", "install the event's preset", "—"),
}
"""Event kinds whose effect is not a number moved (``sim.events.apply_event`` handles them)."""
_EVENT_NOTES = {"missile_test": " (and the launch count, once a month)"}
"""What ``sim.events.apply_event`` does besides the table row."""


class DocError(Exception):
    """A problem with the document: one line naming the file and line."""


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _bounds(info: Any) -> tuple[float | None, float | None]:
    lo = hi = None
    for meta in info.metadata:
        lo = getattr(meta, "ge", lo)
        hi = getattr(meta, "le", hi)
    return lo, hi


def _leaves(instance: BaseModel, prefix: str) -> Iterator[tuple[str, Any, Any]]:
    """(dotted path, value, field info) of every leaf field of a pydantic model, in order."""
    for name, info in type(instance).model_fields.items():
        value = getattr(instance, name)
        path = f"{prefix}.{name}"
        if isinstance(value, BaseModel):
            yield from _leaves(value, path)
        else:
            yield path, value, info


def defaults_table() -> str:
    """The 'Defaults and their sources' table: one row per ``structure.*`` field."""
    rows = [
        "| dotted path | default | range | meaning | source |",
        "| --- | --- | --- | --- | --- |",
    ]
    paths = []
    for path, value, info in _leaves(Structure(), "structure"):
        lo, hi = _bounds(info)
        source = (info.json_schema_extra or {}).get("source", "")
        rows.append(
            f"| `{path}` | {_num(value)} | {_num(lo)}–{_num(hi)} "
            f"| {_cell(info.description or '')} | {_cell(source)} |"
        )
        paths.append(path)
    if paths != structure_fields():
        raise DocError("sim/structure/: the walk over Structure() misses fields")
    return "\n".join(rows)


def _schema_rows(
    section: str, model: type[BaseModel], meaning: Callable[[str, str], str] | None = None
) -> list[str]:
    """One row per field of a scenario section.

    Args:
        section: the section's dotted path.
        model: its pydantic class.
        meaning: (field name, description) → the meaning cell; default: the description.
    """
    rows = []
    for name, info in model.model_fields.items():
        lo, hi = _bounds(info)
        if (lo, hi) == (None, None):  # Unit and Level carry their bounds inside the annotation
            lo, hi = 0.0, 1.0
        span = f"{_num(lo)}–{_num(hi)}" if hi is not None else f"≥ {_num(lo)}"
        default = "required" if info.is_required() else _num(info.default)
        kind = " or a schedule" if section in ("levels", "world") else ""
        text = info.description or ""
        cell = _cell(meaning(name, text) if meaning else text)
        rows.append(f"| `{section}.{name}` | {default} | {span}{kind} | {cell} |")
    return rows


def scenario_table() -> str:
    """The scenario's numeric fields outside ``structure``, with defaults and ranges."""
    rows = ["| dotted path | default | range | meaning |", "| --- | --- | --- | --- |"]
    steps = Scenario.model_fields["steps"]
    lo, hi = _bounds(steps)
    rows.append(
        f"| `steps` | {steps.default} | {_num(lo)}–{_num(hi)} | Months simulated "
        "(one presidential term by default). |"
    )
    rows += _schema_rows("levels", Levels)
    rows += _schema_rows("world", Conditions)
    for group, info in Scales.model_fields.items():
        assert isinstance(info.annotation, type)
        rows += _schema_rows(
            f"scale.{group}",
            info.annotation,
            lambda name, _, g=group: (
                f"Multiplier of `{g}.{name}` (of its schedule, month by month)."
            ),
        )
    rows += _schema_rows("initial", Posture, lambda name, _: f"Seoul's `{name}` at the start (§5).")
    rows += _schema_rows(
        "classification", Classification, lambda *_: "Outcome classification (§8)."
    )
    return "\n".join(rows)


def events_table() -> str:
    """The event-effect table, with the default size of each effect."""
    sizes = Structure().events
    rows = [
        "| kind | state moved | operation | size field (default) |",
        "| --- | --- | --- | --- |",
    ]
    for kind, effects in EFFECTS.items():
        if not effects:
            if kind not in _SPECIAL_EVENTS:
                raise DocError(
                    f"sim/events.py: event kind {kind!r} moves no state; "
                    "say what it does in _SPECIAL_EVENTS of docs/model_tables.py"
                )
            state, op, size = _SPECIAL_EVENTS[kind]
            rows.append(f"| `{kind}` | {state} | {op} | {size} |")
            continue
        states = "; ".join(f"`{state}`" for state, _, _ in effects) + _EVENT_NOTES.get(kind, "")
        ops = "; ".join(op for _, op, _ in effects)
        fields = "; ".join(f"`{f}` ({_num(getattr(sizes, f))})" for _, _, f in effects)
        rows.append(f"| `{kind}` | {states} | {ops} | {fields} |")
    return "\n".join(rows)


def presets_table() -> str:
    """The government presets, one row each, one column per decision parameter."""
    names = list(GovernmentPreset.model_fields)
    rows = [
        "| preset | " + " | ".join(f"`{n}`" for n in names) + " |",
        "| --- |" + " --- |" * len(names),
    ]
    governments = Structure().governments
    for preset in Governments.model_fields:
        values = getattr(governments, preset)
        cells = " | ".join(_num(getattr(values, n)) for n in names)
        rows.append(f"| `{preset}` | {cells} |")
    return "\n".join(rows)


BLOCKS: dict[str, Callable[[], str]] = {
    "defaults": defaults_table,
    "scenario": scenario_table,
    "events": events_table,
    "presets": presets_table,
    "nfields": lambda: str(len(structure_fields())),
}
"""Generated block name → the function that writes its text."""

_MARKER = re.compile(r"<!-- (/?)generated:([a-z_]+) -->")


def render(text: str, where: str = "docs/model.md") -> str:
    """Replace every generated block of ``text`` with what the code says now.

    A block on one line (``<!-- generated:x -->…<!-- /generated:x -->``) is filled inline; one that
    spans lines gets its text on lines of its own between the markers.

    Args:
        text: the document.
        where: its name, for error messages.

    Returns:
        the document with its blocks regenerated; prose outside the blocks is unchanged.

    Raises:
        DocError: an unknown block, a marker without its pair, or a block expected but missing.
    """
    out: list[str] = []
    pos = 0
    seen: set[str] = set()
    markers = list(_MARKER.finditer(text))
    if len(markers) % 2:
        raise DocError(f"{where}: odd number of generated-block markers")
    for start, end in zip(markers[::2], markers[1::2], strict=True):
        line = text.count("\n", 0, start.start()) + 1
        name = start.group(2)
        if start.group(1) or end.group(1) != "/" or end.group(2) != name:
            raise DocError(
                f"{where}:{line}: <!-- generated:{name} --> is not closed before the next marker"
            )
        if name not in BLOCKS:
            raise DocError(
                f"{where}:{line}: unknown generated block {name!r} (known: {', '.join(BLOCKS)})"
            )
        body = BLOCKS[name]()
        inner = text[start.end() : end.start()]
        out.append(text[pos : start.end()])
        out.append(f"\n{body}\n" if "\n" in inner else body)
        pos = end.start()
        seen.add(name)
    out.append(text[pos:])
    missing = [name for name in BLOCKS if name not in seen]
    if missing:
        raise DocError(f"{where}: no generated block {', '.join(missing)}")
    return "".join(out)


_MENTION = re.compile(r"`((?:structure\.)?[a-z_]+\.[a-z_.]+)` = (-?\d+(?:\.\d+)?)")


def stale_mentions(text: str) -> list[str]:
    """Prose mentions ```path` = number`` whose number is not the field's default.

    Args:
        text: the document.

    Returns:
        one line per mismatch, naming the line, the path, the number written and the default.
    """
    defaults = {path: value for path, value, _ in _leaves(Structure(), "structure")}
    problems = []
    for match in _MENTION.finditer(text):
        path = match.group(1)
        full = path if path.startswith("structure.") else f"structure.{path}"
        if full not in defaults:
            continue
        written, default = float(match.group(2)), defaults[full]
        if abs(written - default) > 1e-12:
            line = text.count("\n", 0, match.start()) + 1
            problems.append(f"line {line}: `{path}` = {match.group(2)}, the default is {default:g}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Rewrite or check the document.

    Args:
        argv: command-line arguments (default: ``sys.argv[1:]``).

    Returns:
        0 if the document is (now) current, 1 if ``--check`` finds it out of date, 2 on bad input.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; write nothing")
    parser.add_argument("--doc", type=Path, default=DOC, help="the document (docs/model.md)")
    args = parser.parse_args(argv)
    doc: Path = args.doc
    try:
        text = doc.read_text(encoding="utf-8")
        new = render(text, str(doc))
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: {doc}: cannot read: {exc}", file=sys.stderr)
        return 2
    except DocError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    stale = stale_mentions(new)
    for problem in stale:
        print(f"{doc}: {problem}", file=sys.stderr)
    if args.check:
        if new != text:
            diff = difflib.unified_diff(
                text.splitlines(keepends=True),
                new.splitlines(keepends=True),
                f"{doc} (as written)",
                f"{doc} (from the code)",
            )
            sys.stdout.writelines(diff)
            print(f"{doc} is out of date: run {COMMAND}", file=sys.stderr)
        return 1 if new != text or stale else 0
    if new != text:
        write_text_atomic(doc, new)
        print(f"{doc}: regenerated")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
