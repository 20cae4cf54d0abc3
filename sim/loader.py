"""YAML input files to validated pydantic models, with one-line ``file:line: field: message`` errors.

Every problem with an input file becomes one :class:`InputError`; nothing else escapes.
Values are checked strictly: the YAML data is validated as JSON in pydantic strict mode, so a
string (``"0.5"``), a boolean or ``null`` where a number is expected is an error, not coerced, and
``60.0`` is not an integer; ints are fine for floats, lists for tuples, dates become ISO strings.
``.inf``/``.nan`` are rejected, and ``1e-5`` is a number (as in YAML 1.2), not PyYAML's string.

Plain scalars are typed as in YAML 1.2, not 1.1: ``yes``/``no``/``on``/``off`` are strings, not
booleans, and so are ``1:00`` (1.1: sexagesimal 60) and ``010`` (1.1: octal 8); where a number or a
boolean is meant the error says why the value was not read as one. Inputs that are not regular files
(a FIFO would block forever) are refused, and nesting deeper than :data:`MAX_DEPTH` is an error with
its line.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import math
import os
import stat
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ValidationError

from sim.contract.files import special_file_kind
from sim.input_errors import InputError, InputErrors
from sim.scenario import Scenario
from sim.yaml12 import MAX_DEPTH, too_deep_line, yaml11_hint
from sim.yaml12 import Yaml12Loader as _Loader

MAX_BYTES = 5 * 1024 * 1024
"""Largest accepted input file."""
MAX_VALUES = 100_000
"""Most values a document may hold once aliases are expanded (guards against alias bombs)."""
_MERGE_TAG = "tag:yaml.org,2002:merge"
Loc = tuple[str | int, ...]


class LineIndex:
    """Maps pydantic error locations to 1-based lines of a composed YAML document.

    Args:
        root: the document's root node (``None``: an index that knows no lines).
    """

    def __init__(self, root: yaml.Node | None = None) -> None:
        self._root = root

    def line_of(self, loc: Loc, *, key: bool = False) -> int | None:
        """The line of the YAML node at ``loc``.

        A scalar gives its own line, a mapping or list under a key the key's line, and a missing
        key the line of its parent (located the same way).

        Args:
            loc: pydantic error location, e.g. ``("events", 2, "kind")``.
            key: give the key's line rather than its value's (for unknown keys).

        Returns:
            the 1-based line, or ``None`` if the index has no document.
        """
        if self._root is None:
            return None
        node, key_node, found = self._root, None, True
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                hits = [pair for pair in node.value if pair[0].value == str(part)]
                if not (found := bool(hits)):
                    break
                key_node, node = hits[-1]  # the last wins, as when merged keys (<<) are overridden
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if not (found := 0 <= part < len(node.value)):
                    break
                key_node, node = None, node.value[part]
            else:
                break
        use_key = key or not found or not isinstance(node, yaml.ScalarNode)
        return (key_node if key_node is not None and use_key else node).start_mark.line + 1


def read_yaml(path: str | Path) -> tuple[Any, LineIndex]:
    """Read one YAML document safely (``yaml.SafeLoader`` rules) and index its lines.

    Raises :class:`InputError` if the file is missing, unreadable, over :data:`MAX_BYTES`, not
    UTF-8, empty or not valid YAML, or has duplicate keys, recursive aliases or an alias bomb.

    Args:
        path: the YAML file.

    Returns:
        the loaded data and the :class:`LineIndex` of its nodes.
    """
    path = Path(path)
    try:
        if path.is_dir():
            raise InputError(path, "is a directory, not a file")
        if kind := special_file_kind(path):
            raise InputError(path, f"is {kind}, not a regular file")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)  # never blocks on a FIFO
        with os.fdopen(fd, "rb") as stream:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # replaced since it was checked
                raise InputError(path, "is not a regular file")
            raw = stream.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError(path, "No such file") from None
    except OSError as exc:
        raise InputError(path, f"cannot read file: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise InputError(path, f"file is larger than {MAX_BYTES // 2**20} MB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(path, f"not UTF-8 text (byte 0x{raw[exc.start]:02x})", line=line) from None
    loader: _Loader | None = None
    try:
        if (deep := too_deep_line(text)) is not None:
            raise _too_deep(path, deep)
        loader = _Loader(text)
        root = loader.get_single_node()
        if root is None or root.tag == "tag:yaml.org,2002:null":
            raise InputError(path, "empty file (no YAML content)")
        _check_nodes(root, path)
        return loader.construct_document(root), LineIndex(root)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else None
        if isinstance(exc, yaml.reader.ReaderError):
            line = text[: exc.position].count("\n") + 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context = f" ({exc.context})" if getattr(exc, "context", None) else ""
        raise InputError(path, f"YAML error: {problem}{context}", line=line) from None
    except RecursionError:  # not expected after the depth checks
        line = loader.get_mark().line + 1 if loader is not None else None
        raise InputError(path, "YAML error: too deeply nested", line=line) from None
    finally:
        if loader is not None:
            loader.dispose()


def _too_deep(path: Path, line: int) -> InputError:
    message = f"YAML error: too deeply nested (more than {MAX_DEPTH} levels)"
    return InputError(path, message, line=line)


def _check_nodes(root: yaml.Node, path: Path) -> None:
    """Reject duplicate keys, recursive aliases and alias bombs (before merge keys are applied).

    Args:
        root: the document's root node.
        path: the file, for messages.
    """
    sizes: dict[int, int] = {}  # expanded value count of each node done
    heights: dict[int, int] = {}  # levels of nesting below each node done (aliases included)
    active: set[int] = set()  # nodes being scanned: meeting one again means a cycle

    def scan(node: yaml.Node, loc: Loc, parent: int = 1) -> int:
        line = node.start_mark.line + 1
        if len(loc) + heights.get(id(node), 0) > MAX_DEPTH:
            raise _too_deep(path, parent)  # the parent's line: an alias has none of its own
        if id(node) in sizes:
            return sizes[id(node)]
        total = 1
        if id(node) in active:
            message = "recursive alias (a value contains itself)"
            raise InputError(path, message, line=line, field=_dotted(loc))
        active.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: dict[tuple[str, Any], int] = {}
            for key, value in node.value:
                key_line, ident = key.start_mark.line + 1, (key.tag, key.value)
                if key.tag != _MERGE_TAG and isinstance(key, yaml.ScalarNode):
                    if ident in seen:
                        message = f"duplicate key (first at line {seen[ident]})"
                        raise InputError(
                            path, message, line=key_line, field=_dotted((*loc, key.value))
                        )
                    seen[ident] = key_line
                total += scan(value, (*loc, str(key.value)), line)
        elif isinstance(node, yaml.SequenceNode):
            total += sum(scan(item, (*loc, i), line) for i, item in enumerate(node.value))
        active.discard(id(node))
        children = [v for _, v in node.value] if isinstance(node, yaml.MappingNode) else []
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        heights[id(node)] = 1 + max((heights[id(c)] for c in children), default=0)
        sizes[id(node)] = total
        if total > MAX_VALUES:
            message = f"more than {MAX_VALUES} values once aliases are expanded"
            raise InputError(path, message, line=line)
        return total

    scan(root, ())


def validate_data[M: BaseModel](data: Any, model_cls: type[M], path: Path, index: LineIndex) -> M:
    """Validate loaded YAML data as ``model_cls`` (strictly, see the module docstring).

    Raises :class:`InputError` for a single problem and :class:`InputErrors` for several (all of them
    in file order, unknown keys first, at most :data:`MAX_ERRORS` shown; model-level ones: line 1).

    Args:
        data: the loaded YAML document.
        model_cls: the pydantic model to build.
        path: the file the data came from, for messages.
        index: line index of the document.

    Returns:
        the validated model.
    """
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single value (a {_kind(data)})"
        message = f"top level must be a mapping of keys to values, not {kind}"
        raise InputError(path, message, line=index.line_of(()) or 1)
    try:
        payload = json.dumps(_to_json(data, (), path, index))
        return model_cls.model_validate_json(payload, strict=True)
    except RecursionError:  # only for data not from read_yaml, which rejects cycles
        raise InputError(path, "a value contains itself") from None
    except ValidationError as exc:
        errors = _pick_branches(exc.errors(include_url=False), data)
    lines = [
        (index.line_of(err["loc"], key=err["type"] == "extra_forbidden") or 1) if err["loc"] else 1
        for err in errors
    ]
    found = [
        InputError(
            path,
            _message(err, model_cls),
            line=line,
            field=_dotted(err["loc"]) if err["loc"] else f"({model_cls.__name__.lower()})",
        )
        for err, line in zip(errors, lines, strict=True)
        if not _explained_missing(err, errors, model_cls)
    ]
    # An unknown key is reported before a missing one: it is usually the misspelt missing key.
    order = sorted(
        range(len(found)),
        key=lambda i: (found[i].message == "missing required key", found[i].line or 0),
    )
    found = [found[i] for i in order]
    # One problem per field: a value that fits no member of a union is reported once.
    seen: set[tuple[int | None, str | None]] = set()
    found = [e for e in found if (e.line, e.field) not in seen and not seen.add((e.line, e.field))]
    if len(found) == 1:
        raise found[0]
    raise InputErrors(found)


def _explained_missing(err: Any, errors: list[Any], model_cls: type[BaseModel]) -> bool:
    """A missing key that an unknown key next to it is suggested for (one misspelling, one error)."""
    if err["type"] != "missing":
        return False
    parent, name = err["loc"][:-1], str(err["loc"][-1])
    return any(
        other["type"] == "extra_forbidden"
        and other["loc"][:-1] == parent
        and f"did you mean {name!r}?" in _message(other, model_cls)
        for other in errors
    )


def _is_branch(part: str | int) -> bool:
    """True for the tag pydantic puts in a location for one member of a union (not a field name)."""
    return isinstance(part, str) and ("[" in part or part.startswith("constrained-"))


def _pick_branches(errors: list[Any], data: Any) -> list[Any]:
    """Keep, for a value that may be a number or a schedule, only the errors of the form it has.

    Pydantic reports a failed union once per member (``levels.us_pressure.constrained-float: ...``
    and ``levels.us_pressure.tuple[...].1.1: ...``); the member matching the input (a list or not)
    is the one the author meant, and its tag is dropped from the location.
    """
    kept = []
    for err in errors:
        loc = tuple(err["loc"])
        cut = next((i for i, part in enumerate(loc) if _is_branch(part)), None)
        if cut is None:
            kept.append(err)
            continue
        node = data
        for part in loc[:cut]:
            node = node.get(part) if isinstance(node, dict) else None
        is_list = isinstance(node, list)
        if is_list == str(loc[cut]).startswith("tuple"):
            msg, rest = err["msg"], loc[cut + 1 :]
            if is_list and (msg.startswith("Tuple should have") or "valid array" in msg):
                msg = (
                    "a schedule needs at least one [month, value] point"
                    if not rest
                    else "a level is a number in [0, 1] or a schedule [[month, value], ...]"
                )
                rest = ()
            kept.append({**err, "loc": loc[:cut] + rest, "msg": msg, "type": "schedule"})
    return kept or errors


def _message(err: Any, model_cls: type[BaseModel]) -> str:
    """A concise message for one pydantic error."""
    kind, loc = err["type"], err["loc"]
    if kind == "missing":
        return "missing required key"
    if kind == "extra_forbidden":
        allowed = _fields_at(model_cls, loc[:-1])
        key = str(loc[-1])
        elsewhere = _other_sections(model_cls, loc[:-1], key)
        if elsewhere:
            return f"unknown key here; it belongs under {elsewhere[0]!r} ({elsewhere[0]}.{key})"
        if close := difflib.get_close_matches(key, allowed, n=1):
            return f"unknown key (did you mean {close[0]!r}?)"
        anywhere = _all_paths(model_cls)
        if close := difflib.get_close_matches(key, list(anywhere), n=1, cutoff=0.75):
            return f"unknown key (did you mean {anywhere[close[0]]!r}?)"
        return "unknown key" + (f"; allowed keys: {', '.join(allowed)}" if allowed else "")
    msg = err["msg"].removeprefix("Value error, ").replace("an object", "a mapping")
    value = err.get("input")
    if kind != "value_error" and not isinstance(value, dict | list):
        msg += f", got {_short(value)}"
        if isinstance(value, str) and (hint := yaml11_hint(value, kind)):
            msg += f" ({hint})"
    return msg


def _other_sections(model_cls: type[BaseModel], loc: Loc, key: str) -> list[str]:
    """Top-level sections other than ``loc`` that have a field named ``key``."""
    here = loc[0] if loc else None
    return [
        section
        for section in model_cls.model_fields
        if section != here and key in _fields_at(model_cls, (section,))
    ]


def _all_paths(model_cls: type[BaseModel]) -> dict[str, str]:
    """Field name -> dotted path of every field one section deep (first section wins)."""
    paths: dict[str, str] = {}
    for section in model_cls.model_fields:
        for name in _fields_at(model_cls, (section,)):
            paths.setdefault(name, f"{section}.{name}")
    return paths


def _kind(value: Any) -> str:
    names = {str: "string", int: "number", float: "number", bool: "boolean"}
    return names.get(type(value), type(value).__name__)


def _fields_at(model_cls: type[BaseModel], loc: Loc) -> list[str]:
    """Field names of the model that ``loc`` leads to from ``model_cls`` (empty if none)."""

    def as_model(tp: Any) -> Any:
        types = [t for t in (tp, *get_args(tp)) if isinstance(t, type) and not get_args(t)]
        return next((t for t in types if issubclass(t, BaseModel)), None)

    tp: Any = model_cls
    for part in loc:
        model = as_model(tp)
        if isinstance(part, str) and model is not None and part in model.model_fields:
            tp = model.model_fields[part].annotation
        elif isinstance(part, int) and get_args(tp):
            tp = get_args(tp)[0]
        else:
            return []
    return list(model.model_fields) if (model := as_model(tp)) is not None else []


def _to_json(obj: Any, loc: Loc, path: Path, index: LineIndex) -> Any:
    """A JSON-ready copy of YAML data (dates to ISO strings, keys to strings); rejects the rest."""
    if isinstance(obj, dict):
        keys = [k if isinstance(k, str) else str(k).lower() for k in obj]
        return {
            k: _to_json(v, (*loc, k), path, index) for k, v in zip(keys, obj.values(), strict=True)
        }
    if isinstance(obj, list):
        return [_to_json(v, (*loc, i), path, index) for i, v in enumerate(obj)]
    if isinstance(obj, dt.date):
        return obj.isoformat()
    if isinstance(obj, float) and not math.isfinite(obj):
        problem = f"must be a finite number, got {obj}"
    elif isinstance(obj, str | int | float | None):
        return obj
    else:
        problem = f"unsupported value of type {type(obj).__name__}"
    raise InputError(path, problem, line=index.line_of(loc), field=_dotted(loc) or None)


def _dotted(loc: Loc) -> str:
    return ".".join(str(part) for part in loc)


def _short(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def load_model[M: BaseModel](path: str | Path, model_cls: type[M]) -> M:
    """Read a YAML file and validate it as ``model_cls``; any problem raises :class:`InputError`.

    Args:
        path: the YAML file.
        model_cls: the pydantic model to build.

    Returns:
        the validated model.
    """
    data, index = read_yaml(path)
    return validate_data(data, model_cls, Path(path), index)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; any problem raises :class:`InputError`.

    Args:
        path: the scenario YAML file.

    Returns:
        the validated, frozen :class:`~sim.scenario.Scenario`.
    """
    return load_model(path, Scenario)
