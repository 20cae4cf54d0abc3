"""docs/model.md mirrors the code: its generated blocks are what docs/model_tables.py writes now."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from sim.structure import Structure, structure_fields

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "model.md"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("model_tables", ROOT / "docs" / "model_tables.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


mt = _load_script()


def test_model_md_is_what_the_script_writes() -> None:
    """Fails when a default, range, source, event effect or preset changed but the doc did not."""
    text = DOC.read_text(encoding="utf-8")
    assert mt.render(text) == text, (
        f"docs/model.md is out of date with the code: run {mt.COMMAND} (or --check for a diff)"
    )


def test_model_md_mentions_no_stale_default() -> None:
    """Prose such as "`structure.start.spinup_months` = 60" agrees with the code's default."""
    assert mt.stale_mentions(DOC.read_text(encoding="utf-8")) == []


def test_the_defaults_table_has_every_field_with_its_current_default() -> None:
    table = mt.defaults_table()
    rows = [line for line in table.splitlines() if line.startswith("| `structure.")]
    assert len(rows) == len(structure_fields())
    st = Structure()
    assert f"| `structure.seoul.japan_politics` | {st.seoul.japan_politics:g} |" in table
    assert f"| `structure.start.spinup_months` | {st.start.spinup_months:g} |" in table


def test_render_replaces_only_the_blocks() -> None:
    """A stale block is rewritten; prose around it, and an inline block, are kept in place."""
    blocks = "\n".join(
        f"<!-- generated:{name} -->\nstale\n<!-- /generated:{name} -->"
        for name in mt.BLOCKS
        if name != "nfields"
    )
    text = f"# Title\n\nProse before.\n\n{blocks}\n\nAll <!-- generated:nfields -->1<!-- /generated:nfields --> fields.\n"
    out = mt.render(text)
    assert "stale" not in out
    assert out.startswith(
        "# Title\n\nProse before.\n\n<!-- generated:defaults -->\n| dotted path |"
    )
    assert (
        f"All <!-- generated:nfields -->{len(structure_fields())}<!-- /generated:nfields --> fields.\n"
        in out
    )
    assert mt.render(out) == out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<!-- generated:defaults -->\n", "odd number"),
        ("<!-- generated:defaults -->\n<!-- /generated:events -->\n", "not closed"),
        ("<!-- generated:nope -->\n<!-- /generated:nope -->\n", "unknown generated block 'nope'"),
        ("no markers at all\n", "no generated block defaults"),
    ],
)
def test_render_rejects_broken_markers(text: str, message: str) -> None:
    with pytest.raises(mt.DocError, match=message):
        mt.render(text, "x.md")


def test_stale_mentions_finds_a_wrong_number() -> None:
    text = (
        "one\n`structure.seoul.japan_politics` = 0.4 and `seoul.horizon` = 12 and `usa.x_y` = 3\n"
    )
    assert mt.stale_mentions(text) == [
        f"line 2: `structure.seoul.japan_politics` = 0.4, the default is {Structure().seoul.japan_politics:g}"
    ]


def test_the_command_checks_and_rewrites(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--check exits 1 with a diff on a stale copy and writes nothing; without it the copy is fixed."""
    current = DOC.read_text(encoding="utf-8")
    stale = current.replace(
        f"| `structure.seoul.japan_politics` | {Structure().seoul.japan_politics:g} |",
        "| `structure.seoul.japan_politics` | 0.4 |",
    )
    assert stale != current
    doc = tmp_path / "model.md"
    doc.write_text(stale, encoding="utf-8")
    assert mt.main(["--check", "--doc", str(doc)]) == 1
    captured = capsys.readouterr()
    assert "-| `structure.seoul.japan_politics` | 0.4 |" in captured.out
    assert "out of date" in captured.err
    assert doc.read_text(encoding="utf-8") == stale
    assert mt.main(["--doc", str(doc)]) == 0
    assert doc.read_text(encoding="utf-8") == current
    assert mt.main(["--check", "--doc", str(doc)]) == 0


def test_the_command_reports_bad_input_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert mt.main(["--doc", str(tmp_path / "missing.md")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "missing.md" in err and "\n" not in err
    broken = tmp_path / "broken.md"
    broken.write_text("x\n<!-- generated:defaults -->\n<!-- /generated:presets -->\n")
    assert mt.main(["--doc", str(broken)]) == 2
    err = capsys.readouterr().err.strip()
    assert (
        err
        == f"error: {broken}:2: <!-- generated:defaults --> is not closed before the next marker"
    )
    assert broken.read_text() == "x\n<!-- generated:defaults -->\n<!-- /generated:presets -->\n"


def test_an_event_kind_without_effects_must_be_described(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(mt.EFFECTS, "new_kind", ())
    with pytest.raises(mt.DocError, match="event kind 'new_kind' moves no state"):
        mt.events_table()
