"""PyYAML's safe loader reading plain scalars as YAML 1.2 does, and the nesting limit.

PyYAML implements YAML 1.1, where ``yes``/``no``/``on``/``off`` are booleans, ``1:00`` is the
sexagesimal (base-60) number 60 and ``010`` the octal number 8: spellings nobody writing a scenario
means. :class:`Yaml12Loader` types them as text, as YAML 1.2 does (its core schema: ``true`` and
``false`` only, decimal, ``0x`` and ``0b`` integers, floats with or without a dot such as ``1e-5``), and
:func:`yaml11_hint` says why such a value is not a number when one was expected. :func:`too_deep_line`
finds nesting beyond :data:`MAX_DEPTH` from the parser's events, before the recursive composer meets it.
"""

from __future__ import annotations

import re

import yaml

MAX_DEPTH = 50
"""Deepest nesting of mappings and lists accepted (a scenario needs four)."""
_BOOL, _INT, _FLOAT = (f"tag:yaml.org,2002:{t}" for t in ("bool", "int", "float"))
YAML11_ONLY = re.compile(
    r"""^(?:yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF
        |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?
        |[-+]?0[0-7_]+)$""",
    re.X,
)
"""Plain scalars YAML 1.1 reads as booleans, sexagesimal (base 60) or octal numbers; 1.2 does not."""


class Yaml12Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans and numbers (see the module docstring)."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _INT, _FLOAT)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
Yaml12Loader.add_implicit_resolver(
    _INT,
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
Yaml12Loader.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
            |[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+
            |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
            |[-+]?\.(?:inf|Inf|INF)
            |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)


def too_deep_line(text: str) -> int | None:
    """The line where nesting first exceeds :data:`MAX_DEPTH` (None if it never does).

    Args:
        text: the YAML document (parse errors surface as :class:`yaml.YAMLError`).

    Returns:
        a 1-based line, or None.
    """
    depth = 0
    for event in yaml.parse(text, Loader=Yaml12Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return event.start_mark.line + 1
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


def yaml11_hint(value: str, kind: str) -> str | None:
    """Why a YAML 1.1 boolean, base-60 or octal spelling was read as text (None for other text).

    Args:
        value: the text.
        kind: the pydantic error type (``bool_type``, ``int_type``, ...).

    Returns:
        a short explanation, or None.
    """
    if not YAML11_ONLY.match(value):
        return None
    if value.lower() in {"yes", "no", "on", "off"}:
        fix = "write true or false" if kind.startswith("bool") else "write the number"
        return f"read as text: only true and false are booleans here (YAML 1.2); {fix}"
    if ":" in value:
        return "read as text, not as YAML 1.1's base-60 number; write the number"
    return "read as text, not as YAML 1.1's octal number; write the number without leading zeros"
