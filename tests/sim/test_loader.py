"""Tests of sim.loader: YAML files to Scenario, and one clear file:line: field: message per error."""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.input_errors import MAX_ERRORS, InputErrors
from sim.loader import (
    MAX_BYTES,
    InputError,
    LineIndex,
    load_model,
    load_scenario,
    read_yaml,
    validate_data,
)
from sim.scenario import Government, Scenario

LEVELS = ("us_pressure", "china_coercion", "nk_provocation")
MINIMAL = """\
name: base
levels:
  us_pressure: 0.5
  china_coercion: 0.4
  nk_provocation: 0.3
"""


def write(tmp_path: Path, text: str | bytes, name: str = "s.yaml") -> Path:
    """Write a YAML snippet (text or raw bytes) to a file in tmp_path."""
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str | bytes) -> InputError:
    """The InputError raised by loading the snippet as a scenario."""
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_scenario(path)
    lines = str(info.value).splitlines()
    assert all(line.startswith(str(path)) for line in lines)
    assert len(lines) == len(getattr(info.value, "errors", [info.value]))  # one line per problem
    return info.value


def assert_error(err: InputError, line: int | None, field: str | None, *words: str) -> None:
    """Check the line, the field and words of the message, in the attributes and in str(err)."""
    assert err.line == line, str(err)
    assert err.field == field, str(err)
    prefix = err.file if line is None else f"{err.file}:{line}"
    assert str(err).startswith(f"{prefix}: {field}: " if field else f"{prefix}: "), str(err)
    for word in words:
        assert word in err.message, str(err)


# --- valid files ---------------------------------------------------------------------------------


def test_full_scenario_loads(tmp_path: Path) -> None:
    text = """\
name: full-1
description: "A test"   # comment
steps: 24
replications: 10
seed: 7
levels: {us_pressure: 1, china_coercion: 0.0, nk_provocation: 2.5e-1}
world:
  russia_support: 0.9
government:
  security_weight: 1
  rationality: 1e3
initial:
  derisking: 0.5
structure:
  dprk:
    launch_rate: 1.0e-2
events:
  - {step: 3, kind: missile_test}
  - step: 24
    kind: summit_china
    magnitude: 0.5
classification:
  final_window: 6
"""
    s = load_scenario(write(tmp_path, text))
    assert isinstance(s, Scenario)
    assert (s.name, s.description, s.steps, s.replications, s.seed) == (
        "full-1",
        "A test",
        24,
        10,
        7,
    )
    assert (s.levels.us_pressure, s.levels.china_coercion, s.levels.nk_provocation) == (
        1.0,
        0,
        0.25,
    )
    assert s.world.russia_support == 0.9 and s.world.us_china_tension == 0.5
    assert s.government.security_weight == 1.0 and s.government.rationality == 1000.0
    assert s.initial.derisking == 0.5 and s.structure.dprk.launch_rate == 0.01
    assert [(e.step, e.kind, e.magnitude) for e in s.events] == [
        (3, "missile_test", 1.0),
        (24, "summit_china", 0.5),
    ]
    assert s.classification.final_window == 6


def test_minimal_scenario_uses_defaults(tmp_path: Path) -> None:
    s = load_scenario(write(tmp_path, MINIMAL))
    expected = Scenario(
        name="base", levels={"us_pressure": 0.5, "china_coercion": 0.4, "nk_provocation": 0.3}
    )
    assert s == expected


def test_anchors_aliases_merge_keys_and_bom(tmp_path: Path) -> None:
    text = """\
name: anchors
levels: &lv {us_pressure: 0.5, china_coercion: 0.5, nk_provocation: 0.5}
initial:
  <<: *lv
  us_alignment: 0.1
events:
  - &ev {step: 2, kind: tariff_hike}
  - *ev
  - {<<: *ev, step: 5}
"""
    err = error_of(tmp_path, text)  # the merged level keys are unknown in `initial`
    assert_error(err, 2, "initial.us_pressure", "unknown key")  # where the key is written
    text = text.replace("<<: *lv", "<<: {derisking: 0.3, us_alignment: 0.9}")
    s = load_scenario(write(tmp_path, ("\ufeff" + text).encode()))
    assert s.initial.us_alignment == 0.1 and s.initial.derisking == 0.3
    assert [(e.step, e.kind) for e in s.events] == [(2, "tariff_hike")] * 2 + [(5, "tariff_hike")]


def test_load_model_other_model_and_validate_data(tmp_path: Path) -> None:
    path = write(tmp_path, "economy_weight: 0.7\n")
    assert load_model(path, Government).economy_weight == 0.7
    data, index = read_yaml(write(tmp_path, "rationality: -1\n"))
    with pytest.raises(InputError) as info:
        validate_data(data, Government, Path("g.yaml"), index)
    assert str(info.value) == (
        "g.yaml:1: rationality: Input should be greater than or equal to 0, got -1"
    )


# --- file-level errors ---------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert str(info.value) == f"{path}: No such file"


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        load_scenario(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read anything")
def test_unreadable(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL)
    path.chmod(0)
    with pytest.raises(InputError, match="cannot read file"):
        load_scenario(path)


def test_unreadable_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def deny(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    path = write(tmp_path, MINIMAL)
    with monkeypatch.context() as patch, pytest.raises(InputError) as info:
        patch.setattr(os, "open", deny)
        load_scenario(path)
    assert str(info.value) == f"{path}: cannot read file: Permission denied"


def test_too_large(tmp_path: Path) -> None:
    err = error_of(tmp_path, MINIMAL + "#" * MAX_BYTES + "\n")
    assert_error(err, None, None, "larger than 5 MB")


def test_not_utf8(tmp_path: Path) -> None:
    err = error_of(tmp_path, MINIMAL.encode() + b"description: caf\xe9\n")
    assert_error(err, 6, None, "not UTF-8", "0xe9")


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n"])
def test_empty(tmp_path: Path, text: str) -> None:
    assert_error(error_of(tmp_path, text), None, None, "empty file")


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (MINIMAL + "steps: [1, 2\n", 7, ("YAML error",)),
        ("name: x\nlevels:\n  us_pressure: 0.5\n china_coercion: 1\n", 4, ("YAML error",)),
        ("name: x\n\tsteps: 3\n", 2, ("YAML error",)),
        (MINIMAL + "seed: *nowhere\n", 6, ("undefined alias",)),
        (MINIMAL + "---\nname: y\n", 6, ("single document",)),
        (MINIMAL + "description: a\x07b\n", 6, ("#x0007",)),
    ],
)
def test_yaml_syntax_errors(tmp_path: Path, text: str, line: int, words: tuple[str, ...]) -> None:
    assert_error(error_of(tmp_path, text), line, None, *words)


def test_too_deeply_nested(tmp_path: Path) -> None:
    assert_error(error_of(tmp_path, "a: " + "[" * 2000), 1, None, "too deeply nested")
    deep = "".join(f"{'  ' * i}k{i}:\n" for i in range(60)) + "  " * 60 + "x: 1\n"
    assert_error(error_of(tmp_path, MINIMAL + deep), 6 + 50, None, "too deeply nested")


def test_nesting_through_aliases_is_too_deep_with_a_line(tmp_path: Path) -> None:
    chain = "a0: &a0 " + "[" * 40 + "1" + "]" * 40 + "\n"
    chain += "".join(
        f"a{i}: &a{i} " + "[" * 40 + f"*a{i - 1}" + "]" * 40 + "\n" for i in range(1, 30)
    )
    err = error_of(tmp_path, MINIMAL + chain)
    assert_error(err, 7, None, "too deeply nested")


@pytest.mark.parametrize(
    ("value", "words"),
    [("!!binary aGVsbG8=", "type bytes"), ("!!set {a, b}", "type set"), ("!!omap [a: 1]", "tuple")],
)
def test_values_json_cannot_hold(tmp_path: Path, value: str, words: str) -> None:
    err = error_of(tmp_path, MINIMAL + f"description: {value}\n")
    assert_error(err, 6, "description" if "omap" not in value else "description.0", words)


def test_dates_read_as_iso_strings(tmp_path: Path) -> None:
    s = load_scenario(write(tmp_path, MINIMAL + "description: 2020-01-01 10:00:00\n"))
    assert s.description == "2020-01-01T10:00:00"


def test_unsafe_tag_rejected(tmp_path: Path) -> None:
    err = error_of(tmp_path, MINIMAL + "seed: !!python/object/apply:os.getpid []\n")
    assert_error(err, 6, None, "YAML error", "python/object")
    err = error_of(tmp_path, MINIMAL + "seed: !custom 3\n")
    assert_error(err, 6, None, "!custom")


@pytest.mark.parametrize(
    ("text", "line", "kind"),
    [("- 1\n- 2\n", 1, "a list"), ("root:x:0:0:root:/root\n", 1, "a single value (a string)")],
)
def test_top_level_not_mapping(tmp_path: Path, text: str, line: int, kind: str) -> None:
    assert_error(error_of(tmp_path, text), line, None, "top level must be a mapping", kind)


def test_duplicate_keys(tmp_path: Path) -> None:
    err = error_of(tmp_path, MINIMAL + "steps: 3\nsteps: 4\n")
    assert_error(err, 7, "steps", "duplicate key", "first at line 6")
    err = error_of(
        tmp_path, MINIMAL.replace("  nk_provocation", '  "us_pressure": 1\n  nk_provocation')
    )
    assert_error(err, 5, "levels.us_pressure", "duplicate key", "first at line 3")
    err = error_of(tmp_path, MINIMAL + "events:\n  - {step: 1, step: 2, kind: summit_japan}\n")
    assert_error(err, 7, "events.0.step", "duplicate key")


def test_recursive_alias_and_alias_bomb(tmp_path: Path) -> None:
    err = error_of(tmp_path, MINIMAL + "description: &a [*a]\n")
    assert_error(err, 6, "description.0", "recursive alias")
    bomb = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    bomb += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    start = time.perf_counter()
    err = error_of(tmp_path, MINIMAL + "\n".join(bomb) + "\n")
    assert time.perf_counter() - start < 2
    assert_error(err, 10, None, "aliases are expanded")


# --- validation errors ---------------------------------------------------------------------------


def test_unknown_keys(tmp_path: Path) -> None:
    err = error_of(tmp_path, MINIMAL + "stepz: 3\n")
    assert_error(err, 6, "stepz", "unknown key", "did you mean 'steps'?")
    err = error_of(tmp_path, MINIMAL + "world:\n  russia_support: 0.1\n  zzz:\n    - 1\n")
    assert_error(err, 8, "world.zzz", "unknown key; allowed keys: china_inducement")
    err = error_of(
        tmp_path, MINIMAL + "events:\n  - step: 1\n    kind: missile_test\n    size: 1\n"
    )
    assert_error(err, 9, "events.0.size", "unknown key")


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ('"0.5"', ("valid number", "'0.5'")),
        ("'1'", ("valid number",)),
        ("yes", ("valid number", "got 'yes'", "only true and false are booleans")),
        ("off", ("valid number", "got 'off'", "write the number")),
        ("0:30", ("valid number", "got '0:30'", "base-60")),
        ("0:30.5", ("valid number", "base-60")),
        ("true", ("valid number",)),
        ("null", ("valid number", "None")),
        ("~", ("valid number",)),
        ("[0.5]", ("a number in [0, 1] or a schedule",)),
        ("[[0, 0.5, 1]]", ("a number in [0, 1] or a schedule",)),
        ("{a: 1}", ("valid number",)),
        ("2020-01-01", ("valid number", "2020-01-01")),
        (".inf", ("finite number",)),
        ("-.inf", ("finite number",)),
        (".nan", ("finite number",)),
        ("1.5", ("less than or equal to 1", "got 1.5")),
        ("-0.01", ("greater than or equal to 0",)),
        ("1e9", ("less than or equal to 1",)),
    ],
)
def test_bad_level_values(tmp_path: Path, value: str, words: tuple[str, ...]) -> None:
    err = error_of(tmp_path, MINIMAL.replace("china_coercion: 0.4", f"china_coercion: {value}"))
    assert_error(err, 4, "levels.china_coercion", *words)


@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [
        ("steps: 60.0\n", 6, "steps", ("valid integer", "60.0")),
        ("steps: 1:00\n", 6, "steps", ("valid integer", "got '1:00'", "base-60")),
        ("steps: 010\n", 6, "steps", ("valid integer", "got '010'", "octal")),
        ("seed: on\n", 6, "seed", ("valid integer", "got 'on'", "booleans")),
        ("steps: '60'\n", 6, "steps", ("valid integer",)),
        ("steps: 0\n", 6, "steps", ("greater than or equal to 1",)),
        ("seed: 9223372036854775808\n", 6, "seed", ("less than",)),
        ("government: {move_cost: .inf}\n", 6, "government.move_cost", ("finite",)),
        ("description: 12\n", 6, "description", ("valid string", "12")),
        ("world: [0.1]\n", 6, "world", ("should be a mapping",)),
        ("levels: 3\n", 6, "levels", ("duplicate key", "first at line 2")),
        ("events: {step: 1}\n", 6, "events", ("valid array",)),
        ("events:\n  - 3\n", 7, "events.0", ("should be a mapping", "got 3")),
    ],
)
def test_wrong_types_and_ranges(
    tmp_path: Path, text: str, line: int, field: str, words: tuple[str, ...]
) -> None:
    assert_error(error_of(tmp_path, MINIMAL + text), line, field, *words)


def test_bad_name(tmp_path: Path) -> None:
    err = error_of(tmp_path, MINIMAL.replace("name: base", "name: has space"))
    assert_error(err, 1, "name", "should match pattern")
    err = error_of(tmp_path, MINIMAL.replace("name: base", "name: true"))
    assert_error(err, 1, "name", "valid string", "True")


def test_yaml_1_1_booleans_are_text_as_in_yaml_1_2(tmp_path: Path) -> None:
    """``no`` is a name, not False; ``on`` in a boolean field says to write true."""
    assert load_scenario(write(tmp_path, MINIMAL.replace("name: base", "name: no"))).name == "no"
    path = write(tmp_path, "a: on\nb: true\nc: 1:00\nd: 010\ne: 0x10\n", "plain.yaml")
    assert read_yaml(path)[0] == {"a": "on", "b": True, "c": "1:00", "d": "010", "e": 16}


def test_missing_required(tmp_path: Path) -> None:
    err = error_of(tmp_path, MINIMAL.replace("  china_coercion: 0.4\n", ""))
    assert_error(err, 2, "levels.china_coercion", "missing required key")
    err = error_of(tmp_path, "# header\n\nname: x\nsteps: 3\n")
    assert_error(err, 3, "levels", "missing required key")
    err = error_of(tmp_path, MINIMAL + "events:\n  - kind: summit_china\n")
    assert_error(err, 7, "events.0.step", "missing required key")


def test_bad_event_kind(tmp_path: Path) -> None:
    text = MINIMAL + "events:\n  - {step: 1, kind: summit_china}\n  - step: 2\n    kind: nuke\n"
    err = error_of(tmp_path, text)
    assert_error(err, 9, "events.1.kind", "'missile_test'", "got 'nuke'")


def test_model_validator_errors(tmp_path: Path) -> None:
    err = error_of(tmp_path, MINIMAL + "steps: 12\nevents:\n  - {step: 13, kind: summit_japan}\n")
    assert_error(err, 1, "(scenario)", "event at step 13 is after the last step (12)")
    assert "Value error" not in str(err)
    text = "government:\n  security_weight: 0\n  economy_weight: 0\n  autonomy_weight: 0\n"
    err = error_of(tmp_path, MINIMAL + text)
    assert_error(err, 6, "government", "at least one of the utility weights must be positive")


def test_all_errors_in_file_order_one_line_each(tmp_path: Path) -> None:
    text = "world: {russia_support: 2}\nname: x\nlevels:\n  us_pressure: 3\n  nk_provocation: 0\n"
    err = error_of(tmp_path, text)
    assert isinstance(err, InputErrors)
    assert_error(err, 1, "world.russia_support", "less than or equal to 1")
    assert [(e.line, e.field) for e in err.errors] == [
        (1, "world.russia_support"),
        (4, "levels.us_pressure"),
        (3, "levels.china_coercion"),  # missing keys come last
    ]


def test_errors_are_capped(tmp_path: Path) -> None:
    text = "name: x\nlevels: {us_pressure: 0, china_coercion: 0, nk_provocation: 0}\nworld:\n"
    text += "".join(f"  bad{i}: 1\n" for i in range(MAX_ERRORS + 5))
    path = write(tmp_path, text)
    with pytest.raises(InputErrors) as info:
        load_scenario(path)
    lines = str(info.value).splitlines()
    assert len(lines) == MAX_ERRORS + 1
    assert lines[-1] == f"{path}: ... and 5 more problem(s)"


def test_a_key_in_the_wrong_section_is_pointed_to_its_section(tmp_path: Path) -> None:
    text = "name: x\nlevels:\n  us_pressure: 0.2\n  china_coercion: 0.2\n  nk_provocation: 0.2\n"
    err = error_of(tmp_path, text + "  us_china_tension: 0.8\n")
    assert_error(
        err, 6, "levels.us_china_tension", "belongs under 'world'", "world.us_china_tension"
    )
    err = error_of(tmp_path, text + "  rationalty: 3\n")
    assert_error(err, 6, "levels.rationalty", "did you mean 'government.rationality'?")


def test_a_misspelt_required_key_is_one_error(tmp_path: Path) -> None:
    text = "name: x\nlevels:\n  us_presure: 0.2\n  china_coercion: 0.2\n  nk_provocation: 0.2\n"
    err = error_of(tmp_path, text)
    assert not isinstance(err, InputErrors)
    assert_error(err, 3, "levels.us_presure", "did you mean 'us_pressure'?")


# --- pieces --------------------------------------------------------------------------------------


def test_input_error_format_and_pickle() -> None:
    assert str(InputError("a.yaml", "bad", line=3, field="x.y")) == "a.yaml:3: x.y: bad"
    assert str(InputError(Path("a.yaml"), "bad", field="x")) == "a.yaml: x: bad"
    assert str(InputError("a.yaml", "bad", line=2)) == "a.yaml:2: bad"
    err = InputError("a.yaml", "bad")
    assert (str(err), err.file, err.line, err.field, err.message) == (
        "a.yaml: bad",
        "a.yaml",
        None,
        None,
        "bad",
    )
    copy = pickle.loads(pickle.dumps(InputError("a.yaml", "bad", line=3, field="x")))
    assert str(copy) == "a.yaml:3: x: bad" and copy.line == 3


def test_line_index(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + "events:\n  - step: 1\n    kind: missile_test\n  - {step: 2, kind: summit_china}\n"
    )
    data, index = read_yaml(write(tmp_path, text))
    assert data["events"][1] == {"step": 2, "kind": "summit_china"}
    assert index.line_of(()) == 1
    assert index.line_of(("levels",)) == 2
    assert index.line_of(("levels", "nk_provocation")) == 5
    assert index.line_of(("levels", "absent")) == 2
    assert index.line_of(("events", 0)) == 7
    assert index.line_of(("events", 0, "kind")) == 8
    assert index.line_of(("events", 1, "kind")) == 9
    assert index.line_of(("events", 5, "kind")) == 6
    assert index.line_of(("name", "deeper")) == 1
    assert LineIndex().line_of(("x",)) is None


# --- properties ----------------------------------------------------------------------------------

unit = st.floats(min_value=0.0, max_value=1.0)
too_big = st.floats(min_value=1.0, exclude_min=True, allow_infinity=False)
too_small = st.floats(max_value=0.0, exclude_max=True, allow_infinity=False)
FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def levels_yaml(values: dict[str, float], order: list[str]) -> str:
    lines = "".join(f"  {key}: {values[key]!r}\n" for key in order)
    return f"name: prop\n# a comment\nlevels:\n{lines}steps: 12\n"


@FAST
@given(st.fixed_dictionaries(dict.fromkeys(LEVELS, unit)), st.permutations(LEVELS))
def test_levels_round_trip(tmp_path: Path, values: dict[str, float], order: list[str]) -> None:
    s = load_scenario(write(tmp_path, levels_yaml(values, order)))
    assert s.levels.model_dump() == values


@FAST
@given(
    st.fixed_dictionaries(dict.fromkeys(LEVELS, unit)),
    st.permutations(LEVELS),
    st.sampled_from(LEVELS),
    too_big | too_small,
)
def test_out_of_range_level_is_located(
    tmp_path: Path, values: dict[str, float], order: list[str], field: str, bad: float
) -> None:
    text = levels_yaml({**values, field: bad}, order)
    err = error_of(tmp_path, text)
    assert_error(err, 4 + order.index(field), f"levels.{field}", "Input should be")


def test_misspelt_key_is_reported_before_the_missing_one(tmp_path: Path) -> None:
    """A typo gives 'unknown key' (with a suggestion) rather than 'missing required key'."""
    path = tmp_path / "typo.yaml"
    path.write_text(
        "name: x\nlevels:\n  us_presure: 0.5\n  china_coercion: 0.2\n  nk_provocation: 0.1\n"
    )
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert str(info.value).startswith(f"{path}:3: levels.us_presure: unknown key")
    assert "us_pressure" in str(info.value)
