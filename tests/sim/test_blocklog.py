"""The finished-block log: torn or garbage lines, parts missing for logged blocks, old-format folders."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from batches import TINY, assert_same, logged_blocks, read, tiny_plan
from faults import FAIL_ENV as TEST_FAIL_ENV
from faults import run_batch
from robustness import one_line

from hedgesim.cli import main
from sim.blocklog import LOG_NAME, BlockLog, BlockRecord
from sim.engine import ExecOptions

INPROCESS = ExecOptions("inprocess", quiet=True)
DIGEST = "ab" * 32


def interrupted(out: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Blocks 0, 1 and 3 finished and logged, block 2 failed: a batch waiting for --resume."""
    monkeypatch.setenv(TEST_FAIL_ENV, "2")
    assert not run_batch(tiny_plan(), out, INPROCESS).complete
    monkeypatch.delenv(TEST_FAIL_ENV)
    assert logged_blocks(out) == [0, 1, 3]
    return out / LOG_NAME


def assert_resume_runs(out: Path, blocks: list[int], reference: dict[str, pd.DataFrame]) -> None:
    """A resume runs these blocks (of 16 runs, the last of 12), compacts, and gives the reference."""
    report = run_batch(tiny_plan(), out, INPROCESS, resume=True)
    runs = sum(min(16, 60 - 16 * i) for i in blocks)
    assert report.complete and report.blocks_run == len(blocks) and report.runs_done == runs
    assert not list(out.glob("**/.*.tmp"))
    assert_same(read(out), reference)


def test_record_round_trip_and_bad_lines() -> None:
    record = BlockRecord(12, 3456, DIGEST)
    line = record.to_line()
    assert line.endswith("\n") and line.count("\n") == 1
    assert BlockRecord.from_line(line) == record
    for bad in [
        line[:-9],  # torn mid-append
        "",
        "\0\0\0\0",  # unwritten blocks after a power cut
        "[1, 2]",
        '{"block": 1, "bytes": 2}',
        '{"block": -1, "bytes": 2, "sha256": "' + DIGEST + '"}',
        '{"block": true, "bytes": 2, "sha256": "' + DIGEST + '"}',
        '{"block": 1, "bytes": 2, "sha256": "abc"}',
        '{"block": 1, "bytes": 2, "sha256": "' + DIGEST + '", "x": 0}',
    ]:
        assert BlockRecord.from_line(bad) is None, bad


def test_read_skips_bad_lines_and_rewrite_cleans(tmp_path: Path) -> None:
    log = BlockLog(tmp_path / LOG_NAME)
    assert log.read().records == {} and log.read().clean
    for index in (0, 1):
        log.append(BlockRecord(index, 10 + index, DIGEST))
    log.close()
    assert log.read().clean and sorted(log.read().records) == [0, 1]
    with log.path.open("ab") as handle:
        handle.write(b"\0" * 7 + b"\n" + BlockRecord(2, 12, DIGEST).to_line().encode()[:-5])
    contents = log.read()
    assert not contents.clean and sorted(contents.records) == [0, 1]
    log.rewrite(contents.records.values())
    assert log.read().clean and log.path.read_text().count("\n") == 2


def test_torn_last_line_is_ignored_and_its_block_run_again(
    tmp_path: Path, reference: dict[str, pd.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "torn"
    log = interrupted(out, monkeypatch)
    lines = log.read_text().splitlines(keepends=True)
    log.write_text("".join(lines[:2]) + lines[2][:20])  # block 3's line cut by a crash
    assert_resume_runs(out, [2, 3], reference)  # block 2 (failed) and block 3 (torn)


def test_garbage_lines_then_appends_stay_readable(
    tmp_path: Path, reference: dict[str, pd.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "garbage"
    log = interrupted(out, monkeypatch)
    lines = log.read_text().splitlines(keepends=True)
    log.write_text(lines[0] + "\0" * 40 + "\n" + "".join(lines[2:]) + '{"blo')
    monkeypatch.setenv(TEST_FAIL_ENV, "2")  # block 2 fails again: the log is appended to
    report = run_batch(tiny_plan(), out, INPROCESS, resume=True)
    monkeypatch.delenv(TEST_FAIL_ENV)
    assert not report.complete and report.blocks_run == 1  # block 1 (garbled) again
    assert logged_blocks(out) == [0, 1, 3] and BlockLog(log).read().clean
    assert run_batch(tiny_plan(), out, INPROCESS, resume=True).complete
    assert_same(read(out), reference)


@pytest.mark.parametrize("damage", ["missing", "truncated", "temporary only"])
def test_logged_block_whose_part_is_not_there_is_run_again(
    tmp_path: Path,
    reference: dict[str, pd.DataFrame],
    monkeypatch: pytest.MonkeyPatch,
    damage: str,
) -> None:
    out = tmp_path / "part"
    interrupted(out, monkeypatch)
    part = out / "parts" / "block-000001.zip"
    if damage == "truncated":  # as after a power cut before the data reached the disk
        part.write_bytes(part.read_bytes()[:100])
    elif damage == "temporary only":  # the rename was lost, not the data
        part.rename(part.with_name(".block-000001.zip.x1y2z3.tmp"))
    else:
        part.unlink()
    assert_resume_runs(out, [1, 2], reference)  # block 2 (failed) and block 1


def test_a_line_of_a_block_beyond_the_plan_is_dropped(
    tmp_path: Path, reference: dict[str, pd.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "beyond"
    log = interrupted(out, monkeypatch)
    with log.open("a") as handle:
        handle.write(BlockRecord(99, 10, DIGEST).to_line())
    assert_resume_runs(out, [2], reference)


def test_a_folder_of_format_1_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder written before blocks.log: resume, plot and report each refuse it in one line."""
    base = tmp_path / "tiny.yaml"
    base.write_text(json.dumps(TINY.model_dump(mode="json")))  # JSON is YAML
    out = tmp_path / "old"
    args = ["run", str(base), "--out", str(out), "--backend", "inprocess", "--quiet"]
    assert main(args) == 0
    path = out / "manifest.json"
    manifest = json.loads(path.read_text())
    path.write_text(json.dumps({**manifest, "format_version": 1, "finished_blocks": [0]}))
    for argv, words in [
        ([*args, "--resume"], "format_version: folder was written by 1, this is 2; cannot resume"),
        (["report", str(out)], "format_version: 1 is not supported (this hedgesim reads 2)"),
        (["plot", str(out)], "format_version: 1 is not supported (this hedgesim reads 2)"),
    ]:
        capsys.readouterr()
        assert main(argv) == 2
        line = one_line(capsys.readouterr().err)
        assert line.startswith(f"{path}: {words}"), line
